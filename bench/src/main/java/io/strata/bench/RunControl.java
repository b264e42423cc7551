package io.strata.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the workers of one closed-loop run share: the latency recorder, the stop flag and the
 * first failure. The driver calls {@link #measure}; workers call {@link #running}, {@link #record}
 * and {@link #fail}. Thread-safe.
 */
final class RunControl {

    private final Recorder latencies = new Recorder(3);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch failed = new CountDownLatch(1);
    private volatile boolean stopped;

    boolean running() {
        return !stopped;
    }

    /** Records one operation that started at {@code startNanos} ({@link System#nanoTime()}) and just completed. */
    void record(long startNanos) {
        record(startNanos, System.nanoTime());
    }

    /** Records one operation that ran from {@code startNanos} to {@code endNanos} ({@link System#nanoTime()}). */
    void record(long startNanos, long endNanos) {
        latencies.recordValue(Math.max(0, endNanos - startNanos));
    }

    /** Stops the run; the first failure is the one {@link #throwIfFailed} reports. */
    void fail(Throwable cause) {
        failure.compareAndSet(null, cause);
        stopped = true;
        failed.countDown();
    }

    void stop() {
        stopped = true;
    }

    /**
     * Lets the workers warm up, then measures for the window's duration and stops them. Only
     * operations that complete inside the measured window count, however long ago they started.
     */
    RunResult measure(Window window) throws InterruptedException {
        try {
            awaitUnlessFailed(window.warmup());
            latencies.getIntervalHistogram();
            long start = System.nanoTime();
            awaitUnlessFailed(window.duration());
            Histogram measured = latencies.getIntervalHistogram();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (measured.getTotalCount() == 0) {
                throw new IllegalStateException("no operation completed in " + window.duration().toMillis() + " ms");
            }
            return RunResult.of(measured, seconds);
        } finally {
            stop();
        }
    }

    void throwIfFailed() {
        Throwable cause = failure.get();
        if (cause != null) {
            throw new IllegalStateException("benchmark run failed: " + cause, cause);
        }
    }

    private void awaitUnlessFailed(Duration duration) throws InterruptedException {
        if (failed.await(duration.toNanos(), TimeUnit.NANOSECONDS)) {
            throwIfFailed();
        }
    }
}
