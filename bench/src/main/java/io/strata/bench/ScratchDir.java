package io.strata.bench;

import io.strata.node.storage.Directories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A temporary directory for a benchmark's node, deleted on {@link #close}, and also when the JVM
 * stops first (Ctrl-C): a benchmark leaves no files behind.
 */
final class ScratchDir implements AutoCloseable {

    private static final long STOP_WAIT_SECONDS = 20;

    private final Path path;
    private volatile CompletionStage<?> ownerStopped;
    private final Thread onExit;

    private ScratchDir(Path path) {
        this.path = path;
        this.onExit = new Thread(this::deleteWhenOwnerStopped, "bench-scratch-cleanup");
    }

    static ScratchDir create(String prefix) throws IOException {
        ScratchDir dir = new ScratchDir(Files.createTempDirectory(prefix));
        Runtime.getRuntime().addShutdownHook(dir.onExit);
        return dir;
    }

    Path path() {
        return path;
    }

    /**
     * Makes a deletion at JVM exit wait (a bounded time) for {@code stopped}: the node that uses the
     * directory shuts down in its own shutdown hook and must not find its files gone half-way.
     */
    void deleteAfter(CompletionStage<?> stopped) {
        this.ownerStopped = stopped;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to: it deletes the directory.
            return;
        }
        delete();
    }

    private void deleteWhenOwnerStopped() {
        CompletionStage<?> stopped = ownerStopped;
        if (stopped != null) {
            try {
                stopped.toCompletableFuture().get(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Deleting under a node that did not stop in time beats leaving the directory.
            }
        }
        delete();
    }

    private void delete() {
        Directories.deleteTree(path);
    }
}
