package io.strata.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
        deleteTree(path);
    }

    /** Deletes {@code path} and everything below it, if it exists. */
    static void deleteTree(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path, e);
        }
    }
}
