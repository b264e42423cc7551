package io.strata.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Produce-to-visible latency: one producer thread writes a record, then waits until a reader
 * polling on another thread has seen it, then writes the next. Latency is from the write to the
 * moment the reader sees the record, as the reader's clock tells it (the producer, woken then,
 * takes that time); throughput is one record per round trip to the producer.
 * The reader polls without pause, as a consumer keeping up with a log does: on a thread of its
 * own ({@link #run}), or, for a store whose reads complete asynchronously, as a chain of
 * callbacks where each completed read starts the next ({@link #runAsync}), as an SSE stream or a
 * stream job reads.
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

    /** Starts one read and completes with how many records of the run the reader has seen so far. */
    @FunctionalInterface
    interface AsyncPoller {
        CompletionStage<Long> poll() throws Exception;
    }

    private final Writer writer;
    private final Poller poller;
    private final AsyncPoller asyncPoller;
    private final CompletableFuture<Void> asyncReaderStopped = new CompletableFuture<>();
    /** When the reader saw the {@link #seen}-th record; written before {@code seen}. */
    private volatile long seenAtNanos;
    private volatile long seen;
    private volatile boolean reading;
    private volatile Throwable readFailure;
    private volatile Thread producer;

    private EndToEnd(Writer writer, Poller poller, AsyncPoller asyncPoller) {
        this.writer = writer;
        this.poller = poller;
        this.asyncPoller = asyncPoller;
    }

    /** The reader is a thread calling {@code poller} in a loop. */
    static RunResult run(Window window, String name, Writer writer, Poller poller) throws InterruptedException {
        return new EndToEnd(writer, poller, null).run(window, name);
    }

    /** The reader is a chain of {@code poller}'s reads, each started when the one before completes. */
    static RunResult runAsync(Window window, String name, Writer writer, AsyncPoller poller) throws InterruptedException {
        return new EndToEnd(writer, null, poller).run(window, name);
    }

    private RunResult run(Window window, String name) throws InterruptedException {
        reading = true;
        if (asyncPoller != null) {
            readAsync();
            try {
                return produce(window, name);
            } finally {
                reading = false;
                awaitAsyncReaderStopped();
            }
        }
        Thread reader = new Thread(this::read, name + "-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            return produce(window, name);
        } finally {
            reading = false;
            reader.join(JOIN_TIMEOUT_MILLIS);
            if (reader.isAlive()) {
                throw new IllegalStateException(reader.getName() + " did not stop");
            }
        }
    }

    private RunResult produce(Window window, String name) throws InterruptedException {
        long[] sequence = {0};
        return LoopLoad.runTimed(window, name + "-producer", () -> {
            producer = Thread.currentThread();
            long target = ++sequence[0];
            writer.write(target);
            awaitSeen(target);
            // The producer writes the next record only now, so this is the time the target was seen.
            return seenAtNanos;
        });
    }

    private void awaitAsyncReaderStopped() {
        try {
            // The last read waits for a record that no longer comes: it ends when its long poll does.
            asyncReaderStopped.get(JOIN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the reader did not stop", e);
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
                see(poller.poll());
            }
        } catch (Exception | Error e) {
            readFailure = e;
        }
    }

    /**
     * Starts reads until one does not complete at once, then returns; that one's completion runs
     * this again on the thread that completed it (a loop, so reads that complete at once do not nest).
     */
    private void readAsync() {
        try {
            while (reading) {
                CompletableFuture<Long> next = asyncPoller.poll().toCompletableFuture();
                if (!next.isDone()) {
                    next.whenComplete((count, failure) -> {
                        if (seenOrFailed(count, failure)) {
                            readAsync();
                        }
                    });
                    return;
                }
                if (!seenOrFailed(next.getNow(null), null)) {
                    return;
                }
            }
            asyncReaderStopped.complete(null);
        } catch (Exception | Error e) {
            seenOrFailed(null, e);
        }
    }

    /** Records a completed read; false when it failed, which stops the reader. */
    private boolean seenOrFailed(Long count, Throwable failure) {
        if (failure != null) {
            readFailure = failure;
            asyncReaderStopped.complete(null);
            return false;
        }
        see(count);
        return true;
    }

    /** Notes that the reader has seen {@code count} records, and wakes the producer if that is more. */
    private void see(long count) {
        if (count > seen) {
            seenAtNanos = System.nanoTime();
            seen = count;
            Thread waiting = producer;
            if (waiting != null) {
                LockSupport.unpark(waiting);
            }
        }
    }
}
