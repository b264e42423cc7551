package io.strata.node.bus.internal;

import io.strata.node.storage.AtomicFiles;
import io.strata.node.storage.DiskSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A consumer group's offsets log: commits replayed in order, cut back, compacted, and moved over from the JSON file. */
class GroupOffsetsLogTest {

    @TempDir
    Path dir;

    private GroupOffsetsLog open() {
        return GroupOffsetsLog.open(dir.resolve("g"), dir.resolve("g.json"), DiskSpace.of(dir, 0, Duration.ofSeconds(1)),
                InstantSource.system());
    }

    @Test
    void commitsReplayInOrderAndACutOneIsGone() {
        try (GroupOffsetsLog log = open()) {
            assertEquals(Map.of(), log.recovered());
            log.append("events", Map.of(0, 5L, 1, 7L));
            log.append("events", Map.of(0, 9L));
            log.append("audit", Map.of(2, 1L));
            long refused = log.endOffset();
            log.append("events", Map.of(1, 100L, 0, 100L));
            log.flush();
            log.truncateTo(refused);
        }
        try (GroupOffsetsLog log = open()) {
            assertEquals(Map.of("events", Map.of(0, 9L, 1, 7L), "audit", Map.of(2, 1L)), log.recovered(),
                    "the last commit, cut off, is not applied; a batch is never applied in part");
        }
    }

    @Test
    void aLongLogIsCompactedIntoASnapshotAndKeepsEveryOffset() {
        Map<String, Map<Integer, Long>> committed = new TreeMap<>();
        long bytesBefore;
        try (GroupOffsetsLog log = open()) {
            for (int i = 0; i < 20_000; i++) {
                int partition = i % 8;
                log.append("events", Map.of(partition, (long) i));
                committed.computeIfAbsent("events", t -> new TreeMap<>()).put(partition, (long) i);
            }
            log.flush();
            bytesBefore = directorySize(dir.resolve("g"));
            assertTrue(log.compactIfLarge(committed), "20,000 commits of 8 partitions are well over a snapshot");
            log.releaseCompacted();
            log.append("events", Map.of(3, 1_000_000L));
            committed.get("events").put(3, 1_000_000L);
            log.flush();
        }
        try (GroupOffsetsLog log = open()) {
            assertEquals(committed, log.recovered());
        }
        assertTrue(bytesBefore > 0);
    }

    @Test
    void aClearedLogReplaysNothingButTheCommitsAfterTheClear() {
        try (GroupOffsetsLog log = open()) {
            log.append(Map.of("events", Map.of(0, 5L), "audit", Map.of(1, 2L)));
            log.flush();
            log.clear();
            log.releaseCompacted();
        }
        try (GroupOffsetsLog log = open()) {
            assertEquals(Map.of(), log.recovered(), "a deleted group's offsets stay deleted");
            log.append("events", Map.of(1, 3L));
            log.flush();
        }
        try (GroupOffsetsLog log = open()) {
            assertEquals(Map.of("events", Map.of(1, 3L)), log.recovered());
        }
    }

    @Test
    void theOffsetsOfTheJsonFileMoveIntoTheLog() throws Exception {
        AtomicFiles.writeJson(dir.resolve("g.json"), new GroupOffsetsLog.StoredOffsets(Map.of("events", Map.of(0, 3L, 4, 8L))));
        try (GroupOffsetsLog log = open()) {
            assertEquals(Map.of("events", Map.of(0, 3L, 4, 8L)), log.recovered());
            log.append("events", Map.of(0, 4L));
            log.flush();
        }
        assertFalse(Files.exists(dir.resolve("g.json")), "the file of the previous format is gone once the log holds its offsets");
        try (GroupOffsetsLog log = open()) {
            assertEquals(Map.of("events", Map.of(0, 4L, 4, 8L)), log.recovered());
        }
    }

    @Test
    void aMoveStoppedBeforeTheJsonFileWasDeletedIsDoneAgain() throws Exception {
        try (GroupOffsetsLog log = open()) {
            log.append("events", Map.of(0, 3L));
        }
        // As if the node died while the log took the offsets, before the old file was deleted.
        AtomicFiles.writeJson(dir.resolve("g.json"), new GroupOffsetsLog.StoredOffsets(Map.of("events", Map.of(0, 3L, 1, 6L))));
        try (GroupOffsetsLog log = open()) {
            assertEquals(Map.of("events", Map.of(0, 3L, 1, 6L)), log.recovered());
        }
        assertFalse(Files.exists(dir.resolve("g.json")));
        try (GroupOffsetsLog log = open()) {
            assertEquals(Map.of("events", Map.of(0, 3L, 1, 6L)), log.recovered(), "once, not twice");
        }
    }

    @Test
    void anUnreadableJsonFileFailsTheOpenAndIsKept() throws Exception {
        Files.writeString(dir.resolve("g.json"), "{ not JSON");
        org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class, this::open);
        assertTrue(Files.exists(dir.resolve("g.json")));
        assertFalse(Files.exists(dir.resolve("g")), "nothing written");
    }

    private static long directorySize(Path dir) {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
