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
    void aClosedCommitterRefusesRequests() {
        GroupCommitter committer = new GroupCommitter(Duration.ZERO, nanos -> { });
        committer.close();
        assertThrows(ExecutionException.class, () -> committer.sync(dir.toFile()).toCompletableFuture().get(5, TimeUnit.SECONDS));
    }
}
