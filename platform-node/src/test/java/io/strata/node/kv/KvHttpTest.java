package io.strata.node.kv;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.http.Json;
import io.strata.node.kv.api.MultiGetRequest;
import io.strata.node.kv.api.MultiGetResponse;
import io.strata.node.testing.TestNode;

import static io.strata.node.testing.TestNode.assertError;
import static io.strata.node.testing.TestNode.json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The KV HTTP API on a real node over real HTTP: the happy paths and every kind of bad input. */
class KvHttpTest {

    @TempDir
    static Path dir;

    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("strata.http.max-body-bytes", "4096", "strata.kv.max-mget-keys", "50"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void putGetDeleteRoundTrip() {
        var created = node.put("/kv/http/alice", "hello");
        assertEquals(201, created.statusCode(), created.body());
        assertTrue(json(created).get("created").asBoolean());
        String etag = created.headers().firstValue("ETag").orElseThrow();
        assertEquals("\"" + json(created).get("version").asLong() + "\"", etag);

        var read = node.get("/kv/http/alice");
        assertEquals(200, read.statusCode());
        assertEquals("hello", read.body());
        assertEquals(etag, read.headers().firstValue("ETag").orElseThrow());

        assertEquals(200, node.put("/kv/http/alice", "again").statusCode(), "overwrite is 200");
        assertEquals(204, node.delete("/kv/http/alice").statusCode());
        assertError(404, "key_not_found", node.get("/kv/http/alice"));
        assertError(404, "key_not_found", node.delete("/kv/http/alice"));
    }

    @Test
    void keysAreUrlDecodedAndValuesAreBinary() {
        byte[] binary = {0, 1, -2, 3, -128, 127};
        var put = node.send(node.request("/kv/http/a%2Fb%20c%C3%A9").PUT(HttpRequest.BodyPublishers.ofByteArray(binary)));
        assertEquals(201, put.statusCode());
        var read = node.sendForBytes(node.request("/kv/http/a%2Fb%20c%C3%A9").GET());
        assertArrayEquals(binary, read.body());
        assertEquals("application/octet-stream", read.headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void ttlExpiresKeys() throws Exception {
        var put = node.put("/kv/http/session?ttl=1", "x");
        assertEquals(201, put.statusCode());
        assertTrue(json(put).has("expires_at"));
        assertTrue(node.get("/kv/http/session").headers().firstValue("X-Expires-At").isPresent());
        long deadline = System.currentTimeMillis() + 5_000;
        while (node.get("/kv/http/session").statusCode() == 200) {
            assertTrue(System.currentTimeMillis() < deadline, "key did not expire");
            Thread.sleep(100);
        }
        assertError(404, "key_not_found", node.get("/kv/http/session"));
    }

    @Test
    void compareAndSetWithIfMatchAndIfNoneMatch() {
        var created = node.send(node.request("/kv/http/cas").header("If-None-Match", "*").PUT(HttpRequest.BodyPublishers.ofString("v1")));
        assertEquals(201, created.statusCode());
        String etag = created.headers().firstValue("ETag").orElseThrow();
        assertError(412, "version_mismatch",
                node.send(node.request("/kv/http/cas").header("If-None-Match", "*").PUT(HttpRequest.BodyPublishers.ofString("x"))));

        var swapped = node.send(node.request("/kv/http/cas").header("If-Match", etag).PUT(HttpRequest.BodyPublishers.ofString("v2")));
        assertEquals(200, swapped.statusCode());
        assertError(412, "version_mismatch",
                node.send(node.request("/kv/http/cas").header("If-Match", etag).PUT(HttpRequest.BodyPublishers.ofString("lost"))));
        assertError(412, "version_mismatch",
                node.send(node.request("/kv/http/cas").header("If-Match", etag).DELETE()));
        assertEquals("v2", node.get("/kv/http/cas").body(), "failed CAS changed nothing");

        String current = swapped.headers().firstValue("ETag").orElseThrow();
        assertEquals(204, node.send(node.request("/kv/http/cas").header("If-Match", current).DELETE()).statusCode());
    }

    @Test
    void incrIsAnAtomicCounter() {
        var first = node.post("/kv/http/hits/incr", "");
        assertEquals(200, first.statusCode(), first.body());
        assertEquals(1, json(first).get("value").asLong());
        assertEquals(11, json(node.post("/kv/http/hits/incr?by=10", "")).get("value").asLong());
        assertEquals(-9, json(node.post("/kv/http/hits/incr?by=-20", "")).get("value").asLong());
        assertEquals("-9", node.get("/kv/http/hits").body());
    }

    @Test
    void concurrentIncrementsAreNotLost() {
        int threads = 8;
        int each = 50;
        IntStream.range(0, threads).parallel().forEach(t -> {
            for (int i = 0; i < each; i++) {
                assertEquals(200, node.post("/kv/http/race/incr", "").statusCode());
            }
        });
        assertEquals(Integer.toString(threads * each), node.get("/kv/http/race").body());
    }

    @Test
    void multiGetInJsonBase64AndProtobuf() {
        node.put("/kv/mget/a", "1");
        node.put("/kv/mget/b", "2");
        var response = node.post("/kv/mget/_mget", "[\"a\",\"missing\",\"b\"]");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("{\"a\":\"1\",\"missing\":null,\"b\":\"2\"}", response.body(), "request order, null for absent");

        node.send(node.request("/kv/mget/bin").PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[]{(byte) 0xff, 0})));
        assertError(422, "value_not_utf8", node.post("/kv/mget/_mget", "[\"bin\"]"));
        var base64 = node.post("/kv/mget/_mget?encoding=base64", "[\"bin\",\"a\"]");
        assertEquals(Base64.getEncoder().encodeToString(new byte[]{(byte) 0xff, 0}), json(base64).get("bin").asText());

        var proto = node.sendForBytes(node.request("/kv/mget/_mget")
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(
                        MultiGetRequest.newBuilder().addKeys("a").addKeys("nope").addKeys("bin").build().toByteArray())));
        assertEquals(200, proto.statusCode());
        assertEquals("application/x-protobuf", proto.headers().firstValue("Content-Type").orElseThrow());
        MultiGetResponse decoded = parse(proto.body());
        assertEquals(3, decoded.getEntriesCount());
        assertEquals("1", decoded.getEntries(0).getValue().toStringUtf8());
        assertEquals(false, decoded.getEntries(1).getFound());
        assertArrayEquals(new byte[]{(byte) 0xff, 0}, decoded.getEntries(2).getValue().toByteArray());
    }

    private static MultiGetResponse parse(byte[] bytes) {
        try {
            return MultiGetResponse.parseFrom(bytes);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void keyspacesAreCreatedListedAndDescribed() {
        var created = node.put("/kv/explicit", "{\"partitions\": 3}");
        assertEquals(201, created.statusCode(), created.body());
        assertEquals(200, node.put("/kv/explicit", "{\"partitions\": 3}").statusCode(), "idempotent");
        assertError(409, "keyspace_exists", node.put("/kv/explicit", "{\"partitions\": 4}"));
        assertError(400, "invalid_partitions", node.put("/kv/other", "{\"partitions\": 0}"));
        assertError(400, "invalid_partitions", node.put("/kv/other", "{\"partitions\": \"many\"}"));
        assertError(400, "invalid_json", node.put("/kv/other", "{partitions"));

        for (int i = 0; i < 10; i++) {
            node.put("/kv/explicit/k" + i, "x".repeat(i));
        }
        JsonNode described = json(node.get("/kv/explicit"));
        assertEquals(3, described.get("partitions").asInt());
        assertEquals(10, described.get("keys").asLong());
        assertEquals(45, described.get("value_bytes").asLong());
        assertTrue(node.get("/kv").body().contains("\"explicit\""));
    }

    @Test
    void badInputGetsAClearErrorAndChangesNothing() {
        node.put("/kv/bad/k", "original");

        assertError(400, "invalid_keyspace", node.put("/kv/bad%20space/k", "x"));
        assertError(400, "invalid_keyspace", node.put("/kv/..hidden/k", "x"));
        assertError(400, "invalid_key", node.put("/kv/bad/", "x"));
        assertError(400, "invalid_key", node.put("/kv/bad/" + "k".repeat(1025), "x"));
        for (String ttl : List.of("0", "-5", "abc", "1.5", "", "99999999999")) {
            assertError(400, "invalid_ttl", node.put("/kv/bad/k?ttl=" + ttl, "x"));
        }
        assertError(413, "payload_too_large", node.put("/kv/bad/k", "x".repeat(5000)));
        assertError(400, "invalid_version",
                node.send(node.request("/kv/bad/k").header("If-Match", "W/\"1\"").PUT(HttpRequest.BodyPublishers.ofString("x"))));
        assertError(400, "invalid_version",
                node.send(node.request("/kv/bad/k").header("If-None-Match", "\"3\"").PUT(HttpRequest.BodyPublishers.ofString("x"))));
        assertError(400, "invalid_version",
                node.send(node.request("/kv/bad/k").header("If-Match", "\"9999999999999999999\"").PUT(HttpRequest.BodyPublishers.ofString("x"))));
        assertError(409, "not_an_integer", node.post("/kv/bad/k/incr", ""));
        assertError(400, "invalid_increment", node.post("/kv/bad/k/incr?by=1e3", ""));
        node.put("/kv/bad/max", Long.toString(Long.MAX_VALUE));
        assertError(409, "integer_overflow", node.post("/kv/bad/max/incr", ""));

        assertError(404, "keyspace_not_found", node.get("/kv/nowhere/k"));
        assertError(404, "keyspace_not_found", node.get("/kv/nowhere"));
        assertError(404, "keyspace_not_found", node.delete("/kv/nowhere/k"));
        assertError(404, "keyspace_not_found", node.post("/kv/nowhere/_mget", "[\"k\"]"));

        assertError(400, "invalid_json", node.post("/kv/bad/_mget", "{\"k\": 1}"));
        assertError(400, "invalid_json", node.post("/kv/bad/_mget", "not json"));
        assertError(400, "invalid_key", node.post("/kv/bad/_mget", "[1, 2]"));
        assertError(400, "invalid_encoding", node.post("/kv/bad/_mget?encoding=hex", "[\"k\"]"));
        String tooMany = IntStream.range(0, 51).mapToObj(i -> "\"k" + i + "\"").collect(Collectors.joining(",", "[", "]"));
        assertError(400, "too_many_keys", node.post("/kv/bad/_mget", tooMany));
        assertError(400, "invalid_protobuf", node.send(node.request("/kv/bad/_mget")
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[]{(byte) 0xff, (byte) 0xff}))));

        assertError(404, "not_found", node.get("/nothing/here"));
        assertError(405, "method_not_allowed", node.send(node.request("/kv/bad/k").method("PATCH", HttpRequest.BodyPublishers.noBody())));

        // Inputs that would be taken changed: bytes that are not UTF-8 (Pekko would decode both keys
        // below to U+FFFD U+FFFD, one key), a parameter given twice, more after a JSON body, a
        // number beyond float64, a lone surrogate.
        assertError(400, "invalid_utf8", node.put("/kv/bad/%ff%fe", "x"));
        assertError(400, "invalid_utf8", node.put("/kv/bad/%fe%ff", "y"));
        assertError(400, "invalid_utf8", node.get("/kv/bad/%fe%ff"));
        assertError(400, "invalid_utf8", node.put("/kv/bad/ok%c3", "x"));
        assertError(400, "invalid_utf8", node.put("/kv/b%e9d/k", "x"));
        assertError(400, "invalid_utf8", node.post("/kv/bad/k%80/incr", ""));
        assertError(400, "invalid_utf8", node.put("/kv/bad/k?ttl=%ff", "x"));
        assertError(400, "invalid_utf8", node.put("/kv/bad/k?%ff=1", "x"));
        assertError(400, "duplicate_parameter", node.put("/kv/bad/k?ttl=5&ttl=9", "x"));
        assertError(400, "duplicate_parameter", node.post("/kv/bad/k/incr?by=1&by=2", ""));
        assertError(400, "duplicate_parameter", node.post("/kv/bad/_mget?encoding=utf8&encoding=base64", "[\"k\"]"));
        assertError(400, "invalid_json", node.post("/kv/bad/_mget", "[\"k\"]xyz"));
        assertError(400, "invalid_json", node.post("/kv/bad/_mget", "[\"k\"]\n[\"max\"]"));
        assertError(400, "invalid_string", node.post("/kv/bad/_mget", "[\"\\ud800\"]"));
        assertError(400, "invalid_json", node.put("/kv/other", "{\"partitions\": 3} {\"partitions\": 4}"));
        assertError(400, "invalid_number", node.put("/kv/other", "{\"partitions\": 1e400}"));
        assertError(404, "keyspace_not_found", node.get("/kv/other"));

        assertEquals("original", node.get("/kv/bad/k").body(), "no bad request changed the stored value");
        assertError(404, "key_not_found", node.get("/kv/bad/%EF%BF%BD%EF%BF%BD"));
        assertEquals(2, json(node.get("/kv/bad")).get("keys").asLong(), "no bad request created a key");
        assertEquals(201, node.put("/kv/bad/%EF%BF%BD", "a real U+FFFD").statusCode(), "U+FFFD itself, sent as UTF-8, is a key like any other");
        assertEquals("a real U+FFFD", node.get("/kv/bad/%EF%BF%BD").body());
    }

    @Test
    void healthClusterAndMetrics() {
        var health = node.get("/health");
        assertEquals(200, health.statusCode());
        assertEquals("ok", json(health).get("status").asText());

        node.put("/kv/meta/k", "v");
        JsonNode cluster = json(node.get("/cluster"));
        assertEquals(1, cluster.get("members").size());
        assertEquals("Up", cluster.get("members").get(0).get("status").asText());
        assertTrue(cluster.get("members").get(0).get("roles").toString().contains("data"));
        assertTrue(cluster.get("kv_shards").get("by_node").size() == 1);
        assertTrue(cluster.get("kv_shards").get("local").toString().contains("meta-"), cluster.toString());

        String metrics = node.get("/metrics").body();
        assertTrue(metrics.contains("strata_http_requests_seconds_count{area=\"kv\",method=\"PUT\""), "request counts and latencies");
        assertTrue(metrics.contains("strata_kv_ops_total{op=\"put\",outcome=\"ok\"}"), "KV ops");
        assertTrue(metrics.contains("strata_log_appends_total"), "log appends");
        assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM metrics");
    }
}
