package io.strata.node.storage;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Group commit for the {@code fsync} durability mode: partitions ask for their log file to be
 * fsynced; one thread takes every request queued so far, fsyncs each distinct file once, and
 * completes them all. Writers that arrive while an fsync runs share the next one, so many writers
 * pay for one fsync, as in a database's group commit.
 *
 * <p>Thread-safe. {@link #sync} never blocks the caller. Close it once, after the partitions that
 * use it have stopped; requests still queued then fail.
 */
public final class GroupCommitter implements AutoCloseable {

    private record Request(File file, CompletableFuture<Void> done) {}

    private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    /** Owned by the committer thread. */
    private final java.util.Map<File, File> lastFileByDir = new java.util.HashMap<>();
    private final long commitDelayNanos;
    private final LongConsumer onFsync;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param commitDelay how long to wait after the first request for more to arrive (0: no wait)
     * @param onFsync     told the duration in nanoseconds of each fsync batch (metrics)
     */
    public GroupCommitter(Duration commitDelay, LongConsumer onFsync) {
        this.commitDelayNanos = commitDelay.toNanos();
        this.onFsync = onFsync;
        this.thread = new Thread(this::run, "strata-group-commit");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Completes once {@code file}, with everything written to it before this call, is on disk. */
    public CompletionStage<Void> sync(File file) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new IllegalStateException("group committer is closed"));
        } else {
            requests.add(new Request(file, done));
        }
        return done;
    }

    private void run() {
        List<Request> batch = new ArrayList<>();
        while (!closed) {
            try {
                Request first = requests.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                if (commitDelayNanos > 0) {
                    TimeUnit.NANOSECONDS.sleep(commitDelayNanos);
                }
                requests.drainTo(batch);
                commit(batch);
                batch.clear();
            } catch (InterruptedException e) {
                break;
            }
        }
        requests.drainTo(batch);
        batch.forEach(r -> r.done.completeExceptionally(new IllegalStateException("group committer closed")));
    }

    private void commit(List<Request> batch) {
        long start = System.nanoTime();
        Set<File> files = new LinkedHashSet<>();
        batch.forEach(r -> files.add(r.file));
        for (File file : files) {
            try {
                force(file);
                completeAll(batch, file, null);
            } catch (IOException | RuntimeException e) {
                completeAll(batch, file, e);
            }
        }
        onFsync.accept(System.nanoTime() - start);
    }

    private static void completeAll(List<Request> batch, File file, Exception failure) {
        for (Request r : batch) {
            if (r.file.equals(file)) {
                if (failure == null) {
                    r.done.complete(null);
                } else {
                    r.done.completeExceptionally(new UncheckedIOException("fsync of " + file + " failed",
                            failure instanceof IOException io ? io : new IOException(failure)));
                }
            }
        }
    }

    private void force(File file) throws IOException {
        // Linux writes back the pages Chronicle dirtied through its memory map when any descriptor
        // of the file is fsynced. fdatasync, as Redis's appendfsync always: it still makes durable
        // the metadata reading the data back needs (size, blocks), not the times a commit would wait on.
        try (FileChannel ch = FileChannel.open(file.toPath(), StandardOpenOption.READ)) {
            ch.force(false);
        }
        // A log file new to its directory (a new roll cycle) needs the directory entry made durable too.
        File dir = file.getAbsoluteFile().getParentFile();
        if (!file.equals(lastFileByDir.get(dir))) {
            AtomicFiles.fsync(dir.toPath());
            lastFileByDir.put(dir, file);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
