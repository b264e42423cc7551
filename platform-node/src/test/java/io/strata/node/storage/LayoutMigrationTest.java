package io.strata.node.storage;

import io.strata.node.testing.TestNode;
import io.strata.node.bus.internal.GroupOffsetsLog;
import io.strata.node.log.PartitionLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A data directory written in the layout before {@link DataLayout} (catalogs beside the
 * user-named directories, group offsets in {@code bus/groups/} beside the partitions of a topic
 * called {@code groups}) is migrated when a node starts on it: everything is served afterwards,
 * the migration is idempotent, and a node killed between any two of its steps finishes it on its
 * next start with nothing lost.
 */
class LayoutMigrationTest {

    /** Where the layout before kept the files the migration moves: old path → current path. */
    private static final Map<String, String> OLD_CATALOGS = Map.of(
            "kv/keyspaces.json", "kv/_keyspaces.json", "bus/topics.json", "bus/_topics.json",
            "tables/tables.json", "tables/_tables.json", "jobs/jobs.json", "jobs/_jobs.json");
    private static final String CRASHED_CATALOG_WRITE = "kv/keyspaces.json.tmp";

    @Test
    void aDataDirectoryInTheOldLayoutIsMigratedOnStartAndServesEverything(@TempDir Path dir) throws Exception {
        writeInOldLayout(dir);
        assertFalse(LayoutMigration.plan(dir).isEmpty());
        try (TestNode node = TestNode.start(dir, Map.of())) {
            checkEverything(node);
        }
        assertInCurrentLayout(dir);
        try (TestNode node = TestNode.start(dir, Map.of())) {
            checkEverything(node);
        }
        assertEquals(0, LayoutMigration.run(dir), "a migrated directory needs nothing more");
    }

    @Test
    void aMigrationKilledBetweenAnyTwoStepsIsFinishedByTheNextStart(@TempDir Path dir) throws Exception {
        writeInOldLayout(dir);
        Map<Path, byte[]> oldFiles = filesTheMigrationMoves(dir);
        int steps = LayoutMigration.plan(dir).size();
        assertEquals(8, steps, "four catalogs, the crashed write, _groups and two offsets files: " + LayoutMigration.plan(dir));
        Map<String, byte[]> migrated = null;
        for (int done = 0; done <= steps; done++) {
            restoreOldLayout(dir, oldFiles);
            // Each step is one atomic rename, creation or removal: a kill -9 can only fall between two.
            List<LayoutMigration.Step> plan = LayoutMigration.plan(dir);
            assertEquals(steps, plan.size());
            plan.subList(0, done).forEach(LayoutMigration.Step::apply);
            try (TestNode node = TestNode.start(dir, Map.of())) {
                checkEverything(node);
            }
            assertInCurrentLayout(dir);
            Map<String, byte[]> tree = internalFiles(dir);
            if (migrated == null) {
                migrated = tree;
            }
            assertEquals(migrated.keySet(), tree.keySet(), "killed after step " + done);
            for (String file : tree.keySet()) {
                assertArrayEquals(migrated.get(file), tree.get(file), file + ", killed after step " + done);
            }
        }
    }

    @Test
    void groupOffsetsMoveOutOfBusGroupsWhichGoesWhenNoTopicIsCalledSo(@TempDir Path dir) throws Exception {
        Path old = Files.createDirectories(dir.resolve("bus/groups"));
        Files.writeString(old.resolve("billing.json"), "{\"events\":{\"0\":3}}");
        Files.writeString(old.resolve("audit.json.tmp"), "{\"ev");
        assertEquals(4, LayoutMigration.run(dir), "create _groups, two renames, remove groups");
        assertFalse(Files.exists(old));
        assertEquals("{\"events\":{\"0\":3}}", Files.readString(dir.resolve("bus/_groups/billing.json")));
        assertTrue(Files.exists(dir.resolve("bus/_groups/audit.json.tmp")));
        assertEquals(0, LayoutMigration.run(dir));
    }

    @Test
    void aFileAtAnOldPathBesideItsMigratedCopyIsLeftAloneAndTheCopyWins(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("kv"));
        Files.writeString(dir.resolve("kv/_keyspaces.json"), "[{\"name\":\"current\",\"partitions\":1}]");
        Files.writeString(dir.resolve("kv/keyspaces.json"), "[{\"name\":\"stale\",\"partitions\":1}]");
        assertEquals(0, LayoutMigration.run(dir));
        try (TestNode node = TestNode.start(dir, Map.of())) {
            assertEquals("current", json(node.get("/kv")).at("/keyspaces/0/name").asText());
            assertEquals(1, json(node.get("/kv")).get("keyspaces").size());
        }
    }

    // ---- The old layout ----------------------------------------------------------------------

    /**
     * Data written through a node, then its internal files put where the layout before kept them
     * (their formats did not change): catalogs as {@code keyspaces.json} and so on beside the
     * user-named directories, group offsets in {@code bus/groups/} with the partitions of topic
     * {@code groups}, and a catalog write a crash interrupted.
     */
    private static void writeInOldLayout(Path dir) throws IOException {
        try (TestNode node = TestNode.start(dir, Map.of())) {
            EveryStore.write(node);
        }
        for (Map.Entry<String, String> catalog : OLD_CATALOGS.entrySet()) {
            Files.move(dir.resolve(catalog.getValue()), dir.resolve(catalog.getKey()));
        }
        Path groups = dir.resolve("bus/groups");
        assertTrue(Files.isDirectory(groups.resolve("0")), "topic 'groups' keeps its partitions there");
        // The layout before kept a group's offsets in one JSON file, rewritten whole at each commit.
        try (Stream<Path> logs = Files.list(dir.resolve("bus/_offsets"))) {
            for (Path log : logs.toList()) {
                AtomicFiles.writeJson(groups.resolve(log.getFileName() + ".json"), new GroupOffsetsLog.StoredOffsets(offsetsOf(log)));
                Directories.deleteTree(log);
            }
        }
        Files.delete(dir.resolve("bus/_offsets"));
        Files.writeString(dir.resolve(CRASHED_CATALOG_WRITE), "[{\"name\":\"never-acknowledged\",\"parti");
    }

    private static Map<Path, byte[]> filesTheMigrationMoves(Path dir) throws IOException {
        Map<Path, byte[]> files = new LinkedHashMap<>();
        for (String old : OLD_CATALOGS.keySet()) {
            files.put(dir.resolve(old), Files.readAllBytes(dir.resolve(old)));
        }
        files.put(dir.resolve(CRASHED_CATALOG_WRITE), Files.readAllBytes(dir.resolve(CRASHED_CATALOG_WRITE)));
        try (Stream<Path> groups = Files.list(dir.resolve("bus/groups"))) {
            for (Path file : groups.filter(Files::isRegularFile).toList()) {
                files.put(file, Files.readAllBytes(file));
            }
        }
        return files;
    }

    private static void restoreOldLayout(Path dir, Map<Path, byte[]> oldFiles) throws IOException {
        for (String current : OLD_CATALOGS.values()) {
            Files.deleteIfExists(dir.resolve(current));
        }
        Directories.deleteTree(dir.resolve("bus/_groups"));
        Directories.deleteTree(dir.resolve("bus/_offsets"));
        for (Map.Entry<Path, byte[]> file : oldFiles.entrySet()) {
            Files.write(file.getKey(), file.getValue());
        }
    }

    private static void assertInCurrentLayout(Path dir) throws IOException {
        for (Map.Entry<String, String> catalog : OLD_CATALOGS.entrySet()) {
            assertFalse(Files.exists(dir.resolve(catalog.getKey())), catalog.getKey());
            assertTrue(Files.isRegularFile(dir.resolve(catalog.getValue())), catalog.getValue());
        }
        assertFalse(Files.exists(dir.resolve(CRASHED_CATALOG_WRITE)));
        try (Stream<Path> groups = Files.list(dir.resolve("bus/groups"))) {
            assertEquals(List.of("0", "1"), groups.map(p -> p.getFileName().toString()).sorted().toList(),
                    "only topic 'groups' is left in bus/groups");
        }
        assertTrue(PartitionLog.holdsPartitionLog(dir.resolve("bus/_offsets/billing")), "the offsets moved on into a log");
        assertTrue(PartitionLog.holdsPartitionLog(dir.resolve("bus/_offsets/audit")));
        assertFalse(Files.exists(dir.resolve("bus/_groups/billing.json")));
        assertEquals(List.of(), LayoutMigration.plan(dir));
    }

    /** A group's committed offsets, as its log holds them. */
    private static Map<String, Map<Integer, Long>> offsetsOf(Path groupLog) {
        try (GroupOffsetsLog log = GroupOffsetsLog.open(groupLog, groupLog.resolveSibling(groupLog.getFileName() + ".json"),
                DiskSpace.of(groupLog.getParent(), 0, java.time.Duration.ofSeconds(1)), java.time.InstantSource.system())) {
            return log.recovered();
        }
    }

    /**
     * What the migration moves, by path: the catalogs' bytes (a node's start writes none of them) and
     * each group's committed offsets (its log's files are written by the node).
     */
    private static Map<String, byte[]> internalFiles(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> logs = Files.list(dir.resolve("bus/_offsets"))) {
            for (Path log : logs.toList()) {
                files.put(dir.relativize(log).toString(), offsetsOf(log).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        List<Path> roots = new ArrayList<>();
        OLD_CATALOGS.values().forEach(current -> roots.add(dir.resolve(current)));
        for (Path root : roots) {
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path file : walk.filter(Files::isRegularFile).toList()) {
                    files.put(dir.relativize(file).toString(), Files.readAllBytes(file));
                }
            }
        }
        return files;
    }

    private static void checkEverything(TestNode node) {
        EveryStore.check(node);
        assertFalse(node.get("/kv").body().contains("never-acknowledged"), "a catalog write that never finished stays unwritten");
    }
}
