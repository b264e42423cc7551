package io.strata.node.kv;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.storage.AtomicFiles;
import io.strata.node.storage.DataLayout;
import io.strata.node.testing.Await;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.strata.node.testing.TestNode.assertError;
import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Listing a keyspace's keys page by page ({@code GET /kv/{space}?list=keys}) and deleting a
 * keyspace ({@code DELETE /kv/{space}}), on a real node over real HTTP and RESP (Jedis).
 */
class KvKeyspaceHttpTest {

    private static final int MAX_LIST = 50;

    @TempDir
    static Path dir;

    private static TestNode node;

    @BeforeAll
    static void start() {
        // Expired keys stay in memory for an hour, so listing must skip them itself.
        node = TestNode.start(dir, Map.of("strata.kv.max-list-keys", Integer.toString(MAX_LIST),
                "strata.kv.expiry-sweep-interval", "1h", "strata.resp.enabled", "on", "strata.resp.port", "0"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void put(TestNode node, String space, String key, String value) {
        var response = node.put("/kv/" + space + "/" + encode(key).replace("+", "%20"), value);
        assertTrue(response.statusCode() == 201 || response.statusCode() == 200, response.body());
    }

    /** Follows next_cursor from the first page to the last; every page holds at most {@code limit} keys. */
    private static List<String> listAll(TestNode node, String space, String query, int limit) {
        List<String> keys = new ArrayList<>();
        String cursor = null;
        do {
            var page = node.get("/kv/" + space + "?list=keys&limit=" + limit + query + (cursor == null ? "" : "&cursor=" + cursor));
            assertEquals(200, page.statusCode(), page.body());
            JsonNode body = json(page);
            assertEquals(space, body.get("keyspace").asText());
            assertTrue(body.get("keys").size() <= limit, page.body());
            body.get("keys").forEach(k -> keys.add(k.asText()));
            cursor = body.get("next_cursor").isNull() ? null : body.get("next_cursor").asText();
        } while (cursor != null);
        return keys;
    }

    private static List<String> inByteOrder(Iterable<String> keys) {
        List<String> sorted = new ArrayList<>();
        keys.forEach(sorted::add);
        sorted.sort((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        return sorted;
    }

    @Test
    void listsEveryKeyOnceInUtf8ByteOrderWhateverThePartitioning() {
        assertEquals(201, node.put("/kv/listing", "{\"partitions\": 8}").statusCode());
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
            written.add("user:" + i);
        }
        written.addAll(List.of("é", "\uffff", "😀", "a b", "user:", "zz/top", "\u4e2d"));
        written.forEach(k -> put(node, "listing", k, "v"));

        List<String> expected = inByteOrder(written);
        assertEquals(expected, listAll(node, "listing", "", 7));
        assertEquals(expected, listAll(node, "listing", "", MAX_LIST));
        assertEquals(expected, listAll(node, "listing", "", 1));

        var first = json(node.get("/kv/listing?list=keys"));
        assertEquals(MAX_LIST, first.get("keys").size(), "without a limit a page holds max-list-keys keys");

        List<String> user1 = expected.stream().filter(k -> k.startsWith("user:1")).toList();
        assertEquals(111, user1.size());
        assertEquals(user1, listAll(node, "listing", "&prefix=" + encode("user:1"), 10));
        assertEquals(List.of(), listAll(node, "listing", "&prefix=nothing", 10));
        assertEquals(List.of("é"), listAll(node, "listing", "&prefix=" + encode("é"), 10));

        // encoding=base64: keys and the prefix are the base64 of their UTF-8 bytes
        String base64Prefix = Base64.getEncoder().encodeToString("user:2".getBytes(StandardCharsets.UTF_8));
        List<String> decoded = listAll(node, "listing", "&encoding=base64&prefix=" + encode(base64Prefix), 9).stream()
                .map(k -> new String(Base64.getDecoder().decode(k), StandardCharsets.UTF_8)).toList();
        assertEquals(expected.stream().filter(k -> k.startsWith("user:2")).toList(), decoded);
    }

    @Test
    void aListingYieldsEveryKeyThatExistsThroughoutOnceWhileOthersComeAndGo() throws Exception {
        assertEquals(201, node.put("/kv/churn", "{\"partitions\": 5}").statusCode());
        Set<String> stable = IntStream.range(0, 200).mapToObj(i -> String.format("s-%03d", i)).collect(Collectors.toSet());
        stable.forEach(k -> put(node, "churn", k, "v"));
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            // Keys before, between and after the stable ones appear and disappear while the listing runs.
            for (int i = 0; !stop.get(); i++) {
                String key = (i % 3 == 0 ? "a-" : i % 3 == 1 ? "s-" : "z-") + (i % 97) + "-x";
                put(node, "churn", key, "v");
                if (i % 2 == 0) {
                    node.delete("/kv/churn/" + key);
                }
            }
        });
        writer.start();
        try {
            List<String> listed = listAll(node, "churn", "", 11);
            assertEquals(new HashSet<>(listed).size(), listed.size(), "no key is listed twice");
            assertEquals(inByteOrder(listed), listed, "pages follow one another in order");
            assertTrue(listed.containsAll(stable), "every key that existed throughout is listed");
        } finally {
            stop.set(true);
            writer.join();
        }
    }

    @Test
    void expiredKeysAreNeverListed() {
        put(node, "ttl", "lasting", "v");
        assertEquals(201, node.put("/kv/ttl/fleeting?ttl=1", "v").statusCode());
        assertEquals(List.of("fleeting", "lasting"), listAll(node, "ttl", "", 10));
        Await.until(Duration.ofSeconds(10), () -> node.get("/kv/ttl/fleeting").statusCode(), status -> status == 404,
                status -> "still readable: " + status);
        assertEquals(List.of("lasting"), listAll(node, "ttl", "", 10), "expired, not yet reclaimed, and not listed");
    }

    @Test
    void badListingRequestsAreRefusedAndChangeNothing() {
        put(node, "strict", "k1", "v");
        put(node, "strict", "k2", "v");
        String before = node.get("/kv/strict").body();
        String cursorOfInvalidUtf8 = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[]{(byte) 0xff, (byte) 0xfe});
        String tooLongCursor = Base64.getUrlEncoder().withoutPadding().encodeToString("k".repeat(1025).getBytes(StandardCharsets.UTF_8));
        String prefixOfInvalidUtf8 = encode(Base64.getEncoder().encodeToString(new byte[]{(byte) 0xc3}));

        assertError(400, "invalid_list", node.get("/kv/strict?list=values"));
        assertError(400, "invalid_cursor", node.get("/kv/strict?list=keys&cursor=!!!"));
        assertError(400, "invalid_cursor", node.get("/kv/strict?list=keys&cursor=a%2Bb%2F"));
        // Keys are bytes (over RESP they need not be UTF-8): so are cursors and prefixes.
        assertEquals(200, node.get("/kv/strict?list=keys&cursor=" + cursorOfInvalidUtf8).statusCode());
        assertError(400, "invalid_cursor", node.get("/kv/strict?list=keys&cursor="));
        assertError(400, "invalid_cursor", node.get("/kv/strict?list=keys&cursor=" + tooLongCursor));
        assertError(400, "invalid_limit", node.get("/kv/strict?list=keys&limit=0"));
        assertError(400, "invalid_limit", node.get("/kv/strict?list=keys&limit=-1"));
        assertError(400, "invalid_limit", node.get("/kv/strict?list=keys&limit=" + (MAX_LIST + 1)));
        assertError(400, "invalid_limit", node.get("/kv/strict?list=keys&limit=ten"));
        assertError(400, "invalid_limit", node.get("/kv/strict?list=keys&limit=99999999999"));
        assertError(400, "invalid_prefix", node.get("/kv/strict?list=keys&encoding=base64&prefix=%25%25"));
        assertEquals(200, node.get("/kv/strict?list=keys&encoding=base64&prefix=" + prefixOfInvalidUtf8).statusCode());
        assertError(400, "invalid_prefix", node.get("/kv/strict?list=keys&prefix=" + "p".repeat(1025)));
        assertError(400, "invalid_encoding", node.get("/kv/strict?list=keys&encoding=hex"));
        assertError(404, "keyspace_not_found", node.get("/kv/never-made?list=keys"));
        assertError(400, "invalid_keyspace", node.get("/kv/_internal?list=keys"));

        assertEquals(before, node.get("/kv/strict").body(), "nothing changed");
        assertEquals(List.of("k1", "k2"), listAll(node, "strict", "", 10));
        assertFalse(node.get("/kv").body().contains("never-made"), "listing creates no keyspace");
    }

    @Test
    void aDeletedKeyspaceIsGoneWithItsFilesAndItsNameStartsAfreshWhenReused() {
        assertEquals(201, node.put("/kv/gone", "{\"partitions\": 4}").statusCode());
        for (int i = 0; i < 40; i++) {
            put(node, "gone", "old-" + i, "v" + i);
        }
        put(node, "kept", "k", "stays");
        Path files = DataLayout.of(dir).keyspaceDir("gone");
        assertTrue(Files.isDirectory(files));

        var deleted = node.delete("/kv/gone");
        assertEquals(204, deleted.statusCode(), deleted.body());
        assertFalse(Files.exists(files), "every partition deleted its files, and the keyspace's directory went");
        assertError(404, "keyspace_not_found", node.get("/kv/gone"));
        assertError(404, "keyspace_not_found", node.get("/kv/gone/old-1"));
        assertError(404, "keyspace_not_found", node.get("/kv/gone?list=keys"));
        assertError(404, "keyspace_not_found", node.delete("/kv/gone"));
        assertError(400, "invalid_keyspace", node.delete("/kv/_gone"));
        assertFalse(json(node.get("/kv")).toString().contains("\"gone\""));
        assertEquals("stays", node.get("/kv/kept/k").body(), "other keyspaces are untouched");

        put(node, "gone", "new", "v");
        assertEquals(List.of("new"), listAll(node, "gone", "", 10), "the name starts empty");
        assertEquals(8, json(node.get("/kv/gone")).get("partitions").asInt(), "with the default partition count");
        assertError(404, "key_not_found", node.get("/kv/gone/old-1"));
    }

    @Test
    void writesRacingADeletionAreRefusedOrDeletedNeverBringingBackTheOldKeys() throws Exception {
        assertEquals(201, node.put("/kv/race", "{\"partitions\": 4}").statusCode());
        for (int i = 0; i < 100; i++) {
            put(node, "race", "old-" + i, "v");
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean deleted = new AtomicBoolean();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> sentAfterDeletion = ConcurrentHashMap.newKeySet();
        Set<String> refusals = ConcurrentHashMap.newKeySet();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            int writer = w;
            writers.add(new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String key = "new-" + writer + "-" + i;
                    boolean afterDeletion = deleted.get();
                    HttpResponse<String> r = node.put("/kv/race/" + key, "v");
                    if (r.statusCode() == 200 || r.statusCode() == 201) {
                        acknowledged.add(key);
                        if (afterDeletion) {
                            sentAfterDeletion.add(key);
                        }
                    } else {
                        refusals.add(r.statusCode() + " " + json(r).at("/error/code").asText());
                    }
                }
            }));
        }
        writers.forEach(Thread::start);
        try {
            Await.until(Duration.ofSeconds(10), acknowledged::size, n -> n > 20, n -> n + " writes");
            assertEquals(204, node.delete("/kv/race").statusCode());
            deleted.set(true);
            int beforeDeleted = acknowledged.size();
            Await.until(Duration.ofSeconds(10), acknowledged::size, n -> n > beforeDeleted + 20, n -> n + " writes");
        } finally {
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
        }
        assertTrue(Set.of("404 keyspace_not_found", "409 keyspace_being_deleted").containsAll(refusals),
                "racing writes are refused as such: " + refusals);
        // Writes after the deletion made the keyspace anew: it holds them and nothing from before.
        List<String> left = listAll(node, "race", "", MAX_LIST);
        assertTrue(left.stream().noneMatch(k -> k.startsWith("old-")), "an old key came back: " + left);
        assertTrue(acknowledged.containsAll(left), "only acknowledged writes are there");
        assertTrue(left.containsAll(sentAfterDeletion), "a write made once the deletion was done stays");
        assertFalse(sentAfterDeletion.isEmpty());
        for (String key : left) {
            assertEquals("v", node.get("/kv/race/" + key).body());
        }
    }

    @Test
    void deletingARespDatabaseOverHttpEmptiesItAndRespGoesOn() {
        int port = node.node().respAddress().orElseThrow().getPort();
        try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
            jedis.select(3);
            assertEquals("OK", jedis.set("a", "1"));
            assertEquals("OK", jedis.set("b", "2"));
            assertEquals(2, jedis.dbSize());

            assertEquals(204, node.delete("/kv/3").statusCode());

            assertNull(jedis.get("a"), "the same connection sees the database empty, as after FLUSHDB");
            assertEquals(0, jedis.dbSize());
            assertEquals("OK", jedis.set("c", "3"));
            assertEquals("3", jedis.get("c"));
            assertNull(jedis.get("b"));
            assertEquals(1, jedis.dbSize());
        }
        assertEquals(List.of("c"), listAll(node, "3", "", 10));
    }

    @Test
    void deletionsHoldAcrossRestartsAndADeletionCutShortIsFinishedAtStart(@TempDir Path own) throws Exception {
        try (TestNode first = TestNode.start(own, Map.of())) {
            put(first, "dropped", "k", "v");
            put(first, "ghost", "k", "v");
            put(first, "kept", "k", "v");
            var dropped = first.delete("/kv/dropped");
            assertEquals(204, dropped.statusCode(), dropped.body());
        }
        // As if the node died right after a deletion wrote the catalog: the files of "ghost" are left behind.
        DataLayout layout = DataLayout.of(own);
        JsonNode catalog = AtomicFiles.readJson(layout.keyspaceCatalog(), JsonNode.class);
        List<JsonNode> remaining = new ArrayList<>();
        catalog.forEach(k -> {
            if (!k.get("name").asText().equals("ghost")) {
                remaining.add(k);
            }
        });
        AtomicFiles.writeJson(layout.keyspaceCatalog(), remaining);
        assertTrue(Files.isDirectory(layout.keyspaceDir("ghost")));

        try (TestNode second = TestNode.start(own, Map.of())) {
            Await.until(Duration.ofSeconds(30), () -> json(second.get("/health")), h -> h.get("kv_recovered").asBoolean(),
                    JsonNode::toString);
            // The clean-up runs beside recovery: awaited, not assumed done.
            Await.until(Duration.ofSeconds(30), () -> Files.exists(layout.keyspaceDir("ghost")) || Files.exists(layout.keyspaceDir("dropped")),
                    left -> !left, left -> "the files of keyspaces no longer in the catalog are still there");
            assertError(404, "keyspace_not_found", second.get("/kv/dropped/k"));
            assertError(404, "keyspace_not_found", second.get("/kv/ghost/k"));
            assertEquals("v", second.get("/kv/kept/k").body());
            put(second, "ghost", "fresh", "v");
            put(second, "dropped", "fresh", "v");
            assertEquals(List.of("fresh"), listAll(second, "ghost", "", 10));
            assertEquals(List.of("fresh"), listAll(second, "dropped", "", 10));
        }
    }
}
