package io.strata.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Produce-to-visible latency: one producer thread writes a record, then waits until a reader
 * polling on another thread has seen it, then writes the next. Latency is from the write to the
 * reader seeing the record (the producer is woken then), throughput is one record per latency.
 * The reader polls without pause, as a consumer keeping up with a log does.
 */
final class EndToEnd {

    private static final long VISIBLE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long JOIN_TIMEOUT_MILLIS = 20_000;

    /** Writes the {@code sequence}-th record of the run (1, 2, ...), not waiting for it to be read. */
    @FunctionalInterface
    interface Writer {
        void write(long sequence) throws Exception;
    }

    /** Polls once and returns how many records of the run the reader has seen so far. */
    @FunctionalInterface
    interface Poller {
        long poll() throws Exception;
    }

    private final Writer writer;
    private final Poller poller;
    private volatile long seen;
    private volatile boolean reading;
    private volatile Throwable readFailure;
    private volatile Thread producer;

    private EndToEnd(Writer writer, Poller poller) {
        this.writer = writer;
        this.poller = poller;
    }

    static RunResult run(Window window, String name, Writer writer, Poller poller) throws InterruptedException {
        return new EndToEnd(writer, poller).run(window, name);
    }

    private RunResult run(Window window, String name) throws InterruptedException {
        reading = true;
        Thread reader = new Thread(this::read, name + "-reader");
        reader.setDaemon(true);
        reader.start();
        long[] sequence = {0};
        try {
            return LoopLoad.run(window, name + "-producer", () -> {
                producer = Thread.currentThread();
                long target = ++sequence[0];
                writer.write(target);
                awaitSeen(target);
            });
        } finally {
            reading = false;
            reader.join(JOIN_TIMEOUT_MILLIS);
            if (reader.isAlive()) {
                throw new IllegalStateException(reader.getName() + " did not stop");
            }
        }
    }

    private void awaitSeen(long target) {
        long deadline = System.nanoTime() + VISIBLE_TIMEOUT_NANOS;
        while (seen < target) {
            if (readFailure != null) {
                throw new IllegalStateException("the reader failed", readFailure);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("record " + target + " not visible to the reader after 10 s");
            }
            // The reader unparks this thread when it sees a record; the timeout only bounds a missed wake-up.
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void read() {
        try {
            while (reading) {
                long count = poller.poll();
                if (count > seen) {
                    seen = count;
                    Thread waiting = producer;
                    if (waiting != null) {
                        LockSupport.unpark(waiting);
                    }
                }
            }
        } catch (Exception | Error e) {
            readFailure = e;
        }
    }
}
