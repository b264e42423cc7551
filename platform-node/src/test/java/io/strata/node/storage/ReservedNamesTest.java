package io.strata.node.storage;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static io.strata.node.storage.EveryStore.ok;
import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No name a user chooses reaches an internal file: every name the data directory uses for itself,
 * now or in the layout before it, used as a keyspace, topic, table, consumer group and job through
 * HTTP on a real node. Each is an ordinary name (created, used, deleted, created again) or refused
 * with a 400 that changes nothing; either way every other catalog entry and its data survive a
 * restart.
 */
class ReservedNamesTest {

    /** Names of files and directories the node keeps, or kept before, which are valid names: they must just work. */
    private static final List<String> ORDINARY = List.of("keyspaces.json", "keyspaces.json.tmp", "topics.json",
            "topics.json.tmp", "tables.json", "tables.json.tmp", "jobs.json", "jobs.json.tmp", "groups", "node-id", "ddata",
            "kv", "bus", "tables", "jobs", "log", "snapshots", "manifest.json", "checkpoint.pb", "metadata.cq4t", "node.log",
            "node.pid", "0");

    /** The node's own names, which no name may be. */
    private static final List<String> REFUSED = List.of("_keyspaces.json", "_keyspaces.json.tmp", "_topics.json",
            "_topics.json.tmp", "_tables.json", "_tables.json.tmp", "_jobs.json", "_jobs.json.tmp", "_groups", ".lock",
            ".incoming", ".tmp");

    /** Topic {@code groups} is one of {@link EveryStore}'s, made and kept across the restart with the rest. */
    private static boolean ownTopic(String name) {
        return !EveryStore.TOPICS.contains(name);
    }

    private static void noContent(HttpResponse<String> response) {
        assertEquals(204, response.statusCode(), response.body());
    }

    private static void refused(HttpResponse<String> response, String name) {
        assertEquals(400, response.statusCode(), name + ": " + response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        JsonNode error = json(response).get("error");
        assertTrue(error.get("code").asText().startsWith("invalid_"), response.body());
        assertTrue(error.get("message").asText().contains(name), "the message names the name: " + response.body());
    }

    @Test
    void everyInternalNameIsAnOrdinaryNameOrRefusedAndNothingElseIsTouched(@TempDir Path dir) throws Exception {
        DataLayout layout = DataLayout.of(dir);
        try (TestNode node = TestNode.start(dir, Map.of())) {
            EveryStore.write(node);
            List<byte[]> catalogs = catalogFiles(layout);
            for (String name : REFUSED) {
                refused(node.put("/kv/" + name, "{\"partitions\":1}"), name);
                refused(node.put("/kv/" + name + "/k", "v"), name);
                refused(node.delete("/kv/" + name), name);
                refused(node.put("/topics/" + name, "{\"partitions\":1}"), name);
                refused(node.post("/topics/" + name + "/records", "[{\"value\":1}]"), name);
                refused(node.delete("/topics/" + name), name);
                refused(node.put("/tables/" + name, "{\"columns\":[{\"name\":\"x\",\"type\":\"string\"}],\"shards\":1}"), name);
                refused(node.delete("/tables/" + name), name);
                refused(node.post("/groups/" + name + "/poll", "{\"topic\":\"events\",\"member\":\"m\"}"), name);
                refused(node.post("/jobs", EveryStore.jobSpec(name, "out")), name);
                refused(node.delete("/jobs/" + name), name);
            }
            for (int i = 0; i < catalogs.size(); i++) {
                assertArrayEquals(catalogs.get(i), catalogFiles(layout).get(i), "a refused name changed no catalog");
            }

            for (String name : ORDINARY) {
                create(node, name);
            }
            for (String name : ORDINARY) {
                check(node, name);
                noContent(node.delete("/kv/" + name));
                if (ownTopic(name)) {
                    noContent(node.delete("/topics/" + name));
                    assertEquals(404, node.get("/topics/" + name).statusCode());
                }
                noContent(node.delete("/tables/" + name));
                noContent(node.delete("/jobs/" + name));
                assertEquals(404, node.get("/kv/" + name).statusCode());
                assertEquals(404, node.get("/tables/" + name).statusCode());
                assertEquals(404, node.get("/jobs/" + name).statusCode());
            }
            EveryStore.check(node);
            for (String name : ORDINARY) {
                create(node, name);
            }
        }
        try (TestNode node = TestNode.start(dir, Map.of())) {
            EveryStore.check(node);
            for (String name : ORDINARY) {
                check(node, name);
            }
        }
        try (Stream<Path> root = Files.list(dir)) {
            assertEquals(Set.of(".lock", "kv", "bus", "tables", "jobs"),
                    Set.copyOf(root.map(p -> p.getFileName().toString()).toList()), "the data directory holds only fixed names");
        }
    }

    private static List<byte[]> catalogFiles(DataLayout layout) throws Exception {
        List<byte[]> files = new ArrayList<>();
        for (Path catalog : List.of(layout.keyspaceCatalog(), layout.topicCatalog(), layout.tableCatalog(), layout.jobCatalog())) {
            files.add(Files.readAllBytes(catalog));
        }
        return files;
    }

    private static void create(TestNode node, String name) {
        ok(node.put("/kv/" + name, "{\"partitions\":1}"));
        ok(node.put("/kv/" + name + "/k", "kv:" + name));
        if (ownTopic(name)) {
            ok(node.put("/topics/" + name, "{\"partitions\":1}"));
            ok(node.post("/topics/" + name + "/records", "[{\"value\":\"topic:" + name + "\"}]"));
        }
        ok(node.put("/tables/" + name, "{\"columns\":[{\"name\":\"x\",\"type\":\"string\"}],\"shards\":1}"));
        ok(node.post("/tables/" + name + "/rows", "[{\"x\":\"table:" + name + "\"}]"));
        ok(node.post("/groups/" + name + "/poll", "{\"topic\":\"events\",\"member\":\"m\"}"));
        ok(node.post("/groups/" + name + "/commit", "{\"topic\":\"events\",\"member\":\"m\",\"offsets\":{\"0\":1}}"));
        ok(node.post("/jobs", EveryStore.jobSpec(name, "out")));
    }

    private static void check(TestNode node, String name) {
        assertEquals("kv:" + name, node.get("/kv/" + name + "/k").body());
        if (ownTopic(name)) {
            JsonNode records = ok(node.get("/topics/" + name + "/partitions/0/records?offset=0"));
            assertEquals("topic:" + name, records.at("/records/0/value").asText(), records.toString());
        }
        JsonNode rows = ok(node.post("/tables/" + name + "/query", "{\"select\":[\"x\"]}"));
        assertEquals("table:" + name, rows.at("/rows/0/0").asText(), rows.toString());
        JsonNode lag = ok(node.get("/groups/" + name + "/lag"));
        assertEquals(1, lag.at("/topics/0/partitions/0/committed").asLong(), lag.toString());
        assertTrue(ok(node.get("/jobs/" + name)).has("state"), name);
    }
}
