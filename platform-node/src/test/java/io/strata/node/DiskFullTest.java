package io.strata.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.node.launch.NodeProcess;
import io.strata.node.testing.Await;
import io.strata.node.testing.SmallFilesystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node whose data directory is on a real 48 MiB filesystem that fills up, as an unlucky operator
 * would see it: KV puts, produces, table ingests and consumer commits of about 100 KiB each, until
 * every kind is refused. Every refusal is 507 {@code storage_full} in the JSON error shape (RESP:
 * {@code MISCONF}); the node stays up and keeps serving reads; once the operator frees space, writes
 * resume without a restart; and after {@code kill -9} and a restart, every acknowledged value,
 * record, row and commit reads back exactly — nothing zeroed, nothing unreadable.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DiskFullTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int VALUE_BYTES = 100 << 10;
    private static final int ROWS_PER_INSERT = 50;
    private static final int MAX_ROUNDS = 400;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ChildNodes nodes = new ChildNodes();
    private SmallFilesystem fs;

    /** What the node acknowledged, to read back. */
    private final Map<String, byte[]> values = new LinkedHashMap<>();
    private final Map<Integer, List<String>> records = new TreeMap<>(Map.of(0, new ArrayList<>(), 1, new ArrayList<>()));
    private long rows;
    private long idSum;
    private Map<String, Long> committed = Map.of();

    @AfterEach
    void stopAndUnmount() throws Exception {
        nodes.killAll();
        if (fs != null) {
            fs.close();
        }
    }

    @ParameterizedTest(name = "durability {0}")
    @ValueSource(strings = {"mmap", "fsync"})
    void aFullDiskRefusesWritesKeepsServingReadsAndLosesNothing(String durability, @TempDir Path dir) throws Exception {
        fs = SmallFilesystem.mount(dir.resolve("mnt"), 48);
        // Taken by "another program": freeing it is how the operator makes room.
        Path ballast = fs.root().resolve("ballast");
        fs.fill(ballast, 8 << 20);
        NodeProcess.Builder builder = NodeProcess.builder(fs.root().resolve("data"))
                .logFile(dir.resolve("node.log"))
                .args("--durability", durability, "--resp-port", "0", "-Dstrata.storage.min-free=4m",
                        "-Dstrata.bus.group.session-timeout=60s");
        NodeProcess node = nodes.start(builder);
        String base = node.httpBase();
        assertEquals(201, send(base, "PUT", "/topics/events", "{\"partitions\":2}").statusCode());
        // A keyspace never written: its partitions first open while the disk is full, and must still be read.
        assertEquals(201, send(base, "PUT", "/kv/quiet", "{\"partitions\":4}").statusCode());
        assertEquals(201, send(base, "PUT", "/tables/rows",
                "{\"columns\":[{\"name\":\"id\",\"type\":\"int64\"},{\"name\":\"payload\",\"type\":\"string\"}],\"shards\":1}")
                .statusCode());
        assertEquals(200, send(base, "POST", "/groups/readers/poll",
                "{\"topic\":\"events\",\"member\":\"m1\",\"max\":1,\"auto_offset_reset\":\"earliest\"}").statusCode());
        try (Jedis redis = new Jedis("127.0.0.1", node.respPort().orElseThrow())) {
            assertEquals("OK", redis.set("session", "before"));
        }

        boolean[] refused = new boolean[3];
        int round = 0;
        while (!(refused[0] && refused[1] && refused[2])) {
            assertTrue(round < MAX_ROUNDS, "not every kind of write was refused after " + round + " rounds: "
                    + Arrays.toString(refused));
            refused[0] |= !put(base, "k" + round);
            refused[1] |= !produce(base, round);
            refused[2] |= !insert(base, round);
            assertTrue(commit(base), "a commit of a few KiB fits while the reserve is not reached");
            round++;
        }
        // Small writes fit until the reserve itself would be used: another program takes the rest.
        Path more = fs.root().resolve("more-ballast");
        fs.fill(more, fs.freeBytes() - (1 << 20));
        assertFalse(commit(base), "a commit once the reserve is reached");
        assertFalse(put(base, "k-reserve"), "a put once the reserve is reached");
        // Even with not a byte left, a partition never written answers reads: it makes no file until written.
        Path lastBytes = fs.root().resolve("last-bytes");
        fs.fill(lastBytes, Long.MAX_VALUE);
        for (String key : List.of("nothing", "none", "nil", "void")) {
            HttpResponse<String> quiet = send(base, "GET", "/kv/quiet/" + key, null);
            assertEquals(404, quiet.statusCode(), "a read of a partition never written answers, full disk or not: " + quiet.body());
        }
        assertEquals(200, send(base, "GET", "/kv/users/k0", null).statusCode());
        Files.delete(lastBytes);
        // Nothing new is created either: no catalog entry for a keyspace or topic that could not be stored.
        assertTrue(!acknowledged(send(base, "PUT", "/kv/brand-new/k", "v")), "a write to a new keyspace");
        assertEquals(404, send(base, "GET", "/kv/brand-new", null).statusCode());
        assertTrue(!acknowledged(send(base, "PUT", "/topics/brand-new", "{\"partitions\":1}")), "a new topic");
        assertEquals(404, send(base, "GET", "/topics/brand-new", null).statusCode());

        assertTrue(node.isAlive(), "the node died of the full disk:\n" + node.logTail());
        JsonNode health = JSON.readTree(send(base, "GET", "/health", null).body());
        assertEquals("ok", health.get("status").asText(), health.toString());
        assertFalse(health.get("writable").asBoolean(), health.toString());
        try (Jedis redis = new Jedis("127.0.0.1", node.respPort().orElseThrow())) {
            JedisDataException misconf = assertThrows(JedisDataException.class, () -> redis.set("session", "after"));
            assertTrue(misconf.getMessage().startsWith("MISCONF"), misconf.getMessage());
            assertEquals("before", redis.get("session"));
            // A transaction is refused whole: none of its writes is applied, in memory or on disk.
            Transaction tx = redis.multi();
            tx.hset("{s}:profile", Map.of("lang", "en"));
            tx.set("{s}:flag", "x");
            JedisDataException refusedTx = assertThrows(JedisDataException.class, tx::exec);
            assertTrue(refusedTx.getMessage().startsWith("MISCONF"), refusedTx.getMessage());
            assertFalse(redis.exists("{s}:profile"));
            assertFalse(redis.exists("{s}:flag"));
        }
        assertEverythingReadsBack(base);

        Files.delete(ballast);
        Files.delete(more);
        Await.until(Duration.ofSeconds(30), () -> put(base, "after-freeing"), ok -> ok, ok -> "PUT still refused");
        assertTrue(produce(base, round), "produce after freeing space");
        assertTrue(insert(base, round), "insert after freeing space");
        assertTrue(commit(base), "commit after freeing space");
        assertTrue(JSON.readTree(send(base, "GET", "/health", null).body()).get("writable").asBoolean());
        try (Jedis redis = new Jedis("127.0.0.1", node.respPort().orElseThrow())) {
            Transaction tx = redis.multi();
            tx.hset("{s}:profile", Map.of("lang", "en", "tz", "UTC"));
            tx.incr("{s}:visits");
            assertEquals(List.of(2L, 1L), tx.exec(), "a transaction after freeing space");
        }

        node.kill9();
        NodeProcess restarted = nodes.start(builder);
        Await.until(Duration.ofSeconds(60), () -> JSON.readTree(send(restarted.httpBase(), "GET", "/health", null).body()),
                h -> h.get("kv_recovered").asBoolean(), JsonNode::toString);
        assertEverythingReadsBack(restarted.httpBase());
        try (Jedis redis = new Jedis("127.0.0.1", restarted.respPort().orElseThrow())) {
            assertEquals(Map.of("lang", "en", "tz", "UTC"), redis.hgetAll("{s}:profile"), "an acknowledged transaction survives kill -9");
            assertEquals("1", redis.get("{s}:visits"));
            assertFalse(redis.exists("{s}:flag"));
        }
    }

    /** PUTs a 100 KiB value; true when acknowledged, false when refused for want of space. */
    private boolean put(String base, String key) throws Exception {
        byte[] value = new byte[VALUE_BYTES];
        new SplittableRandom(key.hashCode()).nextBytes(value);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/kv/users/" + key))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build(), HttpResponse.BodyHandlers.ofString());
        if (acknowledged(response)) {
            values.put(key, value);
            return true;
        }
        return false;
    }

    private boolean produce(String base, int round) throws Exception {
        String value = text(round, VALUE_BYTES);
        int partition = round % 2;
        HttpResponse<String> response = send(base, "POST", "/topics/events/records",
                JSON.writeValueAsString(List.of(Map.of("partition", partition, "value", value))));
        if (!acknowledged(response)) {
            return false;
        }
        JsonNode position = JSON.readTree(response.body()).get("offsets").get(0);
        assertEquals(partition, position.get("partition").asInt());
        assertEquals(records.get(partition).size(), position.get("offset").asLong(), "offsets stay dense");
        records.get(partition).add(value);
        return true;
    }

    private boolean insert(String base, int round) throws Exception {
        List<Map<String, Object>> batch = new ArrayList<>();
        long sum = 0;
        for (int r = 0; r < ROWS_PER_INSERT; r++) {
            long id = (long) round * ROWS_PER_INSERT + r;
            batch.add(Map.of("id", id, "payload", text(round * 1000 + r, VALUE_BYTES / ROWS_PER_INSERT)));
            sum += id;
        }
        HttpResponse<String> response = send(base, "POST", "/tables/rows/rows?atomic=true", JSON.writeValueAsString(batch));
        if (!acknowledged(response)) {
            return false;
        }
        assertEquals(ROWS_PER_INSERT, JSON.readTree(response.body()).get("accepted").asInt());
        rows += ROWS_PER_INSERT;
        idSum += sum;
        return true;
    }

    /** Commits the end of each partition as acknowledged so far. */
    private boolean commit(String base) throws Exception {
        Map<String, Long> offsets = new TreeMap<>();
        records.forEach((partition, stored) -> offsets.put(Integer.toString(partition), (long) stored.size()));
        HttpResponse<String> response = send(base, "POST", "/groups/readers/commit",
                JSON.writeValueAsString(Map.of("topic", "events", "member", "m1", "offsets", offsets)));
        if (!acknowledged(response)) {
            return false;
        }
        committed = offsets;
        return true;
    }

    /** True for a 2xx; false for 507 storage_full in the error shape; fails on anything else. */
    private static boolean acknowledged(HttpResponse<String> response) throws Exception {
        if (response.statusCode() / 100 == 2) {
            return true;
        }
        assertEquals(507, response.statusCode(), response.body());
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertEquals("storage_full", error.get("code").asText(), response.body());
        assertTrue(error.get("message").asText().contains("reserve") || error.get("message").asText().contains("space"),
                response.body());
        return false;
    }

    private void assertEverythingReadsBack(String base) throws Exception {
        for (Map.Entry<String, byte[]> e : values.entrySet()) {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(base + "/kv/users/" + e.getKey()))
                    .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, response.statusCode(), "key " + e.getKey());
            assertArrayEquals(e.getValue(), response.body(), "value of key " + e.getKey());
        }
        for (Map.Entry<Integer, List<String>> partition : records.entrySet()) {
            List<String> stored = partition.getValue();
            for (int offset = 0; offset < stored.size(); offset++) {
                HttpResponse<String> response = send(base, "GET", "/topics/events/partitions/" + partition.getKey()
                        + "/records?offset=" + offset + "&max=1", null);
                assertEquals(200, response.statusCode(), response.body());
                JsonNode record = JSON.readTree(response.body()).get("records").get(0);
                assertEquals(offset, record.get("offset").asLong());
                assertEquals(stored.get(offset), record.get("value").asText(),
                        "record " + partition.getKey() + "/" + offset);
            }
        }
        JsonNode answer = JSON.readTree(send(base, "POST", "/tables/rows/query",
                "{\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"sum\",\"column\":\"id\",\"as\":\"s\"}]}").body());
        assertEquals(rows, answer.get("rows").get(0).get(0).asLong(), answer.toString());
        assertEquals(idSum, answer.get("rows").get(0).get(1).asLong(), answer.toString());
        JsonNode group = JSON.readTree(send(base, "GET", "/groups/readers/lag", null).body());
        for (JsonNode p : group.get("topics").get(0).get("partitions")) {
            assertEquals(committed.getOrDefault(p.get("partition").asText(), 0L).longValue(), p.get("committed").asLong(),
                    group.toString());
        }
    }

    private HttpResponse<String> send(String base, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code length} printable characters, different for every {@code seed}. */
    private static String text(int seed, int length) {
        SplittableRandom random = new SplittableRandom(seed);
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = (char) ('a' + random.nextInt(26));
        }
        return new String(chars);
    }
}
