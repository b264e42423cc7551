package io.strata.node.storage;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.log.PartitionLog;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A data directory written by Strata ad817ef — the last version whose KV partitions and table
 * shards kept Chronicle-per-entry logs — made by {@code fixtures/make-data-ad817ef.sh} (that
 * version's node, driven over HTTP: KV puts past a snapshot, a delete and an incr; a topic; a
 * group's commit; a table with a sealed segment and rows in its log) and kept as a test resource.
 * A node of this version starts on it, moves every log to the partition log, and serves exactly
 * what that version answered; it keeps doing so after more writes and a restart.
 */
class PreviousVersionDataTest {

    @Test
    void aDataDirectoryOfThePreviousVersionIsServedWholeAfterItsLogsMove(@TempDir Path dir) throws Exception {
        extractFixture(dir);
        try (TestNode node = TestNode.start(dir.resolve("data"), Map.of())) {
            checkWhatThePreviousVersionAnswered(node);
            assertTrue(PartitionLog.holdsPartitionLog(dir.resolve("data/kv/users/0/log")), "a KV partition's log moved");
            assertTrue(PartitionLog.holdsPartitionLog(dir.resolve("data/tables/metrics/0/log-000002")), "a table shard's log moved");
            assertEquals(201, node.put("/kv/users/user-13", "v13").statusCode());
            assertEquals(200, node.post("/tables/metrics/rows", "[{\"id\":45,\"name\":\"n45\"}]").statusCode());
        }
        try (TestNode node = TestNode.start(dir.resolve("data"), Map.of())) {
            checkWhatThePreviousVersionAnswered(node);
            assertEquals("v13", node.get("/kv/users/user-13").body());
            JsonNode counted = json(node.post("/tables/metrics/query", "{\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}]}"));
            assertEquals(46, counted.at("/rows/0/0").asLong());
        }
    }

    private static void checkWhatThePreviousVersionAnswered(TestNode node) {
        for (int i = 3; i <= 12; i++) {
            assertEquals("v" + i, node.get("/kv/users/user-" + i).body(), "user-" + i);
        }
        assertEquals("v1-again", node.get("/kv/users/user-1").body());
        assertEquals(404, node.get("/kv/users/user-2").statusCode(), "deleted before the snapshot it follows");
        assertEquals("5", node.get("/kv/users/counter").body());

        JsonNode p1 = json(node.get("/topics/events/partitions/1/records?offset=0&max=100"));
        assertEquals(14, p1.get("next_offset").asLong());
        assertEquals("text 0", p1.at("/records/0/value").asText());
        JsonNode p0 = json(node.get("/topics/events/partitions/0/records?offset=0&max=100"));
        assertEquals(6, p0.get("next_offset").asLong(), "ten records in all, keyed over two partitions, and ten to partition 1");
        JsonNode offsets = json(node.get("/groups/g1"));
        assertEquals(3, offsets.at("/topics/0/committed/0").asLong(), offsets.toString());
        assertEquals(4, offsets.at("/topics/0/committed/1").asLong(), offsets.toString());

        JsonNode sums = json(node.post("/tables/metrics/query",
                "{\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"sum\",\"column\":\"id\",\"as\":\"s\"}],"
                        + "\"where\":{\"column\":\"id\",\"op\":\"<\",\"value\":45}}"));
        assertEquals(45, sums.at("/rows/0/0").asLong(), sums.toString());
        assertEquals(990, sums.at("/rows/0/1").asLong(), sums.toString());
    }

    /** Unpacks the fixture with tar, which keeps Chronicle's sparse files sparse. */
    private static void extractFixture(Path dir) throws Exception {
        Path archive = dir.resolve("data.tgz");
        try (InputStream in = PreviousVersionDataTest.class.getResourceAsStream("/fixtures/data-ad817ef.tgz")) {
            Files.copy(in, archive, StandardCopyOption.REPLACE_EXISTING);
        }
        Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", dir.toString()).inheritIO().start();
        assertTrue(tar.waitFor(60, TimeUnit.SECONDS), "tar finished");
        assertEquals(0, tar.exitValue(), "tar unpacked the fixture");
        Files.delete(archive);
    }
}
