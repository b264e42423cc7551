package io.strata.node.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupCommitterTest {

    @TempDir
    Path dir;

    @Test
    void concurrentRequestsShareFsyncs() throws Exception {
        File file = Files.writeString(dir.resolve("log"), "data").toFile();
        AtomicInteger batches = new AtomicInteger();
        try (GroupCommitter committer = new GroupCommitter(Duration.ofMillis(2), nanos -> batches.incrementAndGet())) {
            List<CompletableFuture<Void>> syncs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                syncs.add(committer.sync(file).toCompletableFuture());
            }
            CompletableFuture.allOf(syncs.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertTrue(batches.get() < 200, "requests queued together share an fsync: " + batches.get() + " batches");
        }
    }

    @Test
    void failuresAreReportedNotSwallowed() {
        File missing = dir.resolve("missing").toFile();
        try (GroupCommitter committer = new GroupCommitter(Duration.ZERO, nanos -> { })) {
            var failed = assertThrows(ExecutionException.class, () -> committer.sync(missing).toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertTrue(failed.getCause().getMessage().contains("fsync"));
        }
    }

    @Test
    void eachFileOfABatchIsFsyncedOnceAndAnswersForItself() throws Exception {
        List<File> files = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Path partition = Files.createDirectories(dir.resolve("p" + i));
            files.add(Files.writeString(partition.resolve("log"), "data " + i).toFile());
        }
        File missing = dir.resolve("p0").resolve("gone").toFile();
        AtomicInteger batches = new AtomicInteger();
        // The delay gathers every request in one batch of thirteen files.
        try (GroupCommitter committer = new GroupCommitter(Duration.ofMillis(200), nanos -> batches.incrementAndGet())) {
            List<CompletableFuture<Void>> syncs = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                files.forEach(f -> syncs.add(committer.sync(f).toCompletableFuture()));
            }
            CompletableFuture<Void> failing = committer.sync(missing).toCompletableFuture();
            CompletableFuture.allOf(syncs.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            var failed = assertThrows(ExecutionException.class, () -> failing.get(10, TimeUnit.SECONDS));
            assertTrue(failed.getCause().getMessage().contains("gone"), failed.getCause().getMessage());
        }
        // Counted once the batch is done, after its requests are answered: read once the committer has stopped.
        assertEquals(1, batches.get(), "one batch for every file");
    }

    @Test
    void aClosedCommitterRefusesRequests() {
        GroupCommitter committer = new GroupCommitter(Duration.ZERO, nanos -> { });
        committer.close();
        assertThrows(ExecutionException.class, () -> committer.sync(dir.toFile()).toCompletableFuture().get(5, TimeUnit.SECONDS));
    }
}
