package io.strata.node.storage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The logs that stopped entities are still closing, by directory: a close fsyncs and waits for the
 * reads under way, so it runs on the blocking-I/O pool, never on the actor that stops. The next
 * incarnation of the entity waits for it before it opens the same files, and the node's shutdown
 * waits for all of them before it releases the data directory. One per node; thread-safe.
 */
public final class Closings {

    private final Map<Path, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    private final Executor blockingIo;

    public Closings(Executor blockingIo) {
        this.blockingIo = blockingIo;
    }

    /** Closes {@code files} (the log in {@code dir}) on the blocking-I/O pool once {@code after} completes, however it does. */
    public void close(Path dir, CompletionStage<?> after, AutoCloseable files) {
        CompletableFuture<Void> closing = after.handle((done, failure) -> null).thenRunAsync(() -> {
            try {
                files.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the log in " + dir + " failed", e);
            }
        }, blockingIo).toCompletableFuture();
        inFlight.put(dir, closing);
        closing.whenComplete((done, failure) -> inFlight.remove(dir, closing));
    }

    /**
     * Waits, up to {@code limit}, for the close of the log in {@code dir} still under way, if any.
     * Blocking: on the blocking-I/O pool, where an entity opens its files.
     */
    public void awaitClosed(Path dir, Duration limit) {
        CompletableFuture<Void> closing = inFlight.get(dir);
        if (closing != null) {
            try {
                closing.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // A failed or stuck close left the files as a crash would: opening them recovers.
            }
        }
    }

    /** Completes when every close under way has finished, however it did. */
    public CompletableFuture<Void> allClosed() {
        return CompletableFuture.allOf(inFlight.values().stream().map(c -> c.handle((done, failure) -> null))
                .toArray(CompletableFuture[]::new));
    }
}
