package io.strata.node.limits;

import io.strata.node.StartupException;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.strata.node.testing.TestNode.assertError;
import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node past its memory ceiling, in process: writes that need memory are refused on every door
 * (HTTP 507 {@code memory_full}, RESP {@code -OOM}, table ingest) and change nothing, while reads,
 * deletes, expiries and writes that need no more memory go on. The ceiling is set below what this
 * test JVM's heap holds anyway, so the node is past it from its first request.
 */
class MemoryCeilingTest {

    private static final String TABLE = "{\"columns\":[{\"name\":\"n\",\"type\":\"int64\"}],\"shards\":1}";

    @TempDir
    Path dir;

    private static TestNode start(Path dir, String maxMemory) {
        Map<String, String> settings = new HashMap<>();
        settings.put("strata.max-memory", maxMemory);
        settings.put("strata.resp.enabled", "on");
        settings.put("strata.resp.port", "0");
        return TestNode.start(dir, settings);
    }

    @Test
    void pastTheCeilingWritesAreRefusedOnEveryDoorAndReadsAndDeletesGoOn() {
        try (TestNode roomy = start(dir, "auto")) {
            assertEquals(201, roomy.put("/kv/users/alice", "a fairly long value").statusCode());
            assertEquals(201, roomy.put("/kv/users/bob", "bye").statusCode());
            assertEquals(201, roomy.put("/kv/0/counter", "9").statusCode());
            assertEquals(201, roomy.put("/tables/events", TABLE).statusCode());
            assertEquals(200, roomy.post("/tables/events/rows", "[{\"n\":1}]").statusCode());
        }
        try (TestNode full = start(dir, "1m");
             Jedis redis = new Jedis("127.0.0.1", full.node().respAddress().orElseThrow().getPort())) {
            // HTTP: a new key is refused with 507 and the error shape, and is not stored.
            assertError(507, "memory_full", full.put("/kv/users/carol", "hello"));
            assertTrue(json(full.put("/kv/users/carol", "hello")).get("error").get("message").asText()
                    .contains("strata.max-memory"), "the message names the setting");
            assertEquals(404, full.get("/kv/users/carol").statusCode(), "nothing stored");
            // A larger value for an existing key needs memory too; a smaller one does not.
            assertError(507, "memory_full", full.put("/kv/users/alice", "a fairly long value, made longer"));
            assertEquals(200, full.put("/kv/users/alice", "short").statusCode(), "a write that frees memory goes on");
            assertEquals("short", full.get("/kv/users/alice").body());
            // Reads and deletes go on.
            assertEquals("bye", full.get("/kv/users/bob").body());
            assertEquals(204, full.delete("/kv/users/bob").statusCode());
            assertEquals(404, full.get("/kv/users/bob").statusCode());

            // RESP: Redis's own wording, which client libraries recognise; GET, EXPIRE, TTL, DEL go on.
            JedisDataException oom = assertThrows(JedisDataException.class, () -> redis.set("new-key", "v"));
            assertTrue(oom.getMessage().startsWith("OOM command not allowed when used memory > 'maxmemory'"), oom.getMessage());
            assertThrows(JedisDataException.class, () -> redis.incr("counter"), "INCR grows the value");
            assertEquals("9", redis.get("counter"));
            assertEquals(1, redis.expire("counter", 100), "EXPIRE rewrites the same value: no more memory");
            assertTrue(redis.ttl("counter") > 0);
            assertEquals(1, redis.del("counter"));
            assertEquals(false, redis.exists("new-key"));
            String info = redis.info("memory");
            assertTrue(figure(info, "used_memory") > figure(info, "maxmemory"), info);
            assertEquals(1024 * 1024, figure(info, "maxmemory"));
            assertTrue(info.contains("maxmemory_policy:noeviction"), info);

            // Table ingest is refused whole; the table still answers queries.
            assertError(507, "memory_full", full.post("/tables/events/rows", "[{\"n\":2},{\"n\":3}]"));
            String count = full.post("/tables/events/query", "{\"aggregates\":[{\"fn\":\"count\",\"as\":\"c\"}]}").body();
            assertEquals(1, json(full.post("/tables/events/query", "{\"aggregates\":[{\"fn\":\"count\",\"as\":\"c\"}]}"))
                    .get("rows").get(0).get(0).asLong(), count);

            // The figures are on /metrics too.
            String metrics = full.get("/metrics").body();
            assertTrue(metrics.contains("strata_memory_max_bytes 1048576.0"), "the ceiling is exported");
            assertTrue(metric(metrics, "strata_memory_refused_writes_total") >= 5, "refusals are counted");
            assertEquals(200, full.get("/health").statusCode(), "the node is healthy: it serves reads");
        }
    }

    @Test
    void theCeilingMustFitTheHeap() {
        StartupException refused = assertThrows(StartupException.class,
                () -> start(dir, Long.toString(Runtime.getRuntime().maxMemory() + 1)));
        assertTrue(refused.getMessage().contains("strata.max-memory"), refused.getMessage());
    }

    private static long figure(String info, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ":(\\d+)\r?$").matcher(info);
        assertTrue(m.find(), name + " in " + info);
        return Long.parseLong(m.group(1));
    }

    private static double metric(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.E]+)$").matcher(metrics);
        assertTrue(m.find(), name + " in /metrics");
        return Double.parseDouble(m.group(2));
    }
}
