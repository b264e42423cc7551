package io.strata.node.kv.resp;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The keyspace commands through Jedis on a real node: TYPE, UNLINK, TOUCH, KEYS, SCAN (every key
 * that exists throughout a scan is returned, whatever is written meanwhile, also when the scan
 * goes on over another connection), RANDOMKEY, and FLUSHDB / FLUSHALL where the node allows them.
 */
class RespKeyspaceTest extends JedisOnANode {

    @BeforeAll
    static void start() {
        startNode(Map.of("strata.resp.allow-flush", "on"));
    }

    @Test
    void typeUnlinkTouch() {
        jedis.select(1);
        jedis.set("k:a", "1");
        jedis.set("k:b", "2");
        assertEquals("string", jedis.type("k:a"));
        assertEquals("none", jedis.type("k:absent"));
        assertEquals(2, jedis.touch("k:a", "k:b", "k:absent"));
        assertEquals(2, jedis.unlink("k:a", "k:b", "k:absent"));
        assertEquals(0, jedis.touch("k:a"));
    }

    @Test
    void renameAndCopyMoveValuesOfAnyTypeAtOnce() {
        jedis.select(11);
        jedis.set("{r}:a", "1");
        jedis.pexpire("{r}:a", 60_000);
        assertEquals("OK", jedis.rename("{r}:a", "{r}:b"));
        assertEquals(0, jedis.exists("{r}:a") ? 1 : 0);
        assertEquals("1", jedis.get("{r}:b"));
        assertTrue(jedis.pttl("{r}:b") > 50_000, "the expiry moves with the value");
        jedis.hset("{r}:h", Map.of("f", "v"));
        jedis.set("{r}:taken", "x");
        assertEquals(0, jedis.renamenx("{r}:h", "{r}:taken"));
        assertEquals(1, jedis.renamenx("{r}:h", "{r}:h2"));
        assertEquals("hash", jedis.type("{r}:h2"));
        assertTrue(jedis.copy("{r}:h2", "{r}:h3", false));
        assertTrue(!jedis.copy("{r}:h2", "{r}:taken", false), "the destination exists");
        assertTrue(jedis.copy("{r}:h2", "{r}:taken", true));
        assertEquals(Map.of("f", "v"), jedis.hgetAll("{r}:taken"));
        jedis.hset("{r}:h3", "f", "changed");
        assertEquals("v", jedis.hget("{r}:h2", "f"), "a copy is independent of its source");
        RespTest.assertError("ERR no such key", () -> jedis.rename("{r}:absent", "{r}:x"));
        RespTest.assertError("ERR source and destination objects are the same", () -> jedis.copy("{r}:b", "{r}:b", true));
        RespTest.assertError("CROSSSLOT", () -> jedis.rename("{r}:b", "{other}:b"));
        assertEquals("1", jedis.get("{r}:b"), "a refused rename changes nothing");

        // To another database: read here, written there, with the type and the expiry.
        assertTrue(jedis.copy("{r}:h2", "copied", 12, false));
        assertTrue(!jedis.copy("{r}:h2", "copied", 12, false), "the destination exists");
        assertEquals(1, jedis.move("{r}:b", 13));
        assertEquals(0, jedis.move("{r}:absent", 13));
        RespTest.assertError("ERR DB index is out of range", () -> jedis.move("{r}:h2", 99));
        RespTest.assertError("ERR source and destination objects are the same", () -> jedis.move("{r}:h2", 11));
        assertEquals(false, jedis.exists("{r}:b"), "moved away");
        jedis.select(12);
        assertEquals(Map.of("f", "v"), jedis.hgetAll("copied"));
        jedis.select(13);
        assertEquals("1", jedis.get("{r}:b"));
        assertTrue(jedis.pttl("{r}:b") > 50_000, "the expiry moves with the key");
    }

    @Test
    void keysMatchesRedisGlobs() {
        jedis.select(2);
        for (String key : List.of("user:1", "user:2", "user:10", "session:1", "hello", "hallo", "hxllo", "a*b")) {
            jedis.set(key, "v");
        }
        assertEquals(Set.of("user:1", "user:2", "user:10"), new HashSet<>(jedis.keys("user:*")));
        assertEquals(Set.of("user:1", "user:2"), new HashSet<>(jedis.keys("user:?")));
        assertEquals(Set.of("hello", "hallo"), new HashSet<>(jedis.keys("h[ae]llo")));
        assertEquals(Set.of("hxllo"), new HashSet<>(jedis.keys("h[^ae]llo")));
        assertEquals(Set.of("a*b"), new HashSet<>(jedis.keys("a\\*b")));
        assertEquals(8, jedis.keys("*").size());
        jedis.set("", "the empty key");
        assertEquals(Set.of(""), new HashSet<>(jedis.keys("")));
        assertEquals(9, jedis.keys("*").size());
        assertEquals(9, jedis.scan(ScanParams.SCAN_POINTER_START, new ScanParams().count(100)).getResult().size(), "SCAN sees it too");
        jedis.del("");
        assertEquals(Set.of(), jedis.keys("nothing:*"));
        jedis.select(9);
        assertEquals(Set.of(), jedis.keys("*"), "a database never written has no keys");
    }

    @Test
    void scanReturnsEveryKeyThatStaysWhateverIsWrittenMeanwhile() {
        jedis.select(3);
        Set<String> stay = new TreeSet<>();
        for (int i = 0; i < 300; i++) {
            String key = "scan:" + i;
            jedis.set(key, "v");
            if (i % 3 != 0) {
                stay.add(key);
            }
        }
        Set<String> seen = new HashSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        int pages = 0;
        int written = 0;
        try (Jedis other = new Jedis("127.0.0.1", port, 10_000)) {
            other.select(3);
            do {
                // Pages alternate between two connections, as a client's pool would use them.
                ScanResult<String> page = (pages % 2 == 0 ? jedis : other).scan(cursor, new ScanParams().count(17));
                seen.addAll(page.getResult());
                cursor = page.getCursor();
                pages++;
                // Meanwhile: keys of a third go, new ones come.
                if (written < 100) {
                    jedis.del("scan:" + (written * 3));
                    jedis.set("scan:new:" + written, "v");
                    written++;
                }
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        assertTrue(seen.containsAll(stay), "missed: " + difference(stay, seen));
        assertTrue(pages >= 300 / 17, "pages of about COUNT keys, got " + pages);

        Set<String> matched = new HashSet<>();
        cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = jedis.scan(cursor, new ScanParams().match("scan:new:*").count(50));
            matched.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        assertEquals(written, matched.size());
        assertTrue(matched.stream().allMatch(k -> k.startsWith("scan:new:")), matched.toString());

        assertEquals(List.of(), jedis.scan(ScanParams.SCAN_POINTER_START, new ScanParams().count(1000), "hash").getResult(),
                "Strata's keys hold strings");
        assertEquals(300, jedis.scan(ScanParams.SCAN_POINTER_START, new ScanParams().count(1000), "string").getResult().size(),
                "300 keys, less the deleted, plus the new");
    }

    @Test
    void scanRefusesWhatRedisRefuses() {
        assertError("ERR invalid cursor", () -> jedis.sendCommand(Protocol.Command.SCAN, "abc"));
        assertError("ERR invalid cursor", () -> jedis.sendCommand(Protocol.Command.SCAN, "123456"));
        assertError("ERR syntax error", () -> jedis.sendCommand(Protocol.Command.SCAN, "0", "COUNT", "0"));
        assertError("ERR syntax error", () -> jedis.sendCommand(Protocol.Command.SCAN, "0", "MATCH"));
        assertError("ERR value is not an integer or out of range", () -> jedis.sendCommand(Protocol.Command.SCAN, "0", "COUNT", "x"));
        jedis.select(8);
        ScanResult<String> empty = jedis.scan(ScanParams.SCAN_POINTER_START);
        assertEquals("0", empty.getCursor());
        assertEquals(List.of(), empty.getResult());
    }

    @Test
    void randomKeyAndFlush() {
        jedis.select(4);
        assertNull(jedis.randomKey());
        Set<String> keys = Set.of("r:1", "r:2", "r:3");
        keys.forEach(k -> jedis.set(k, "v"));
        for (int i = 0; i < 10; i++) {
            assertTrue(keys.contains(jedis.randomKey()));
        }
        jedis.select(5);
        jedis.set("f:1", "v");
        assertEquals("OK", jedis.flushDB());
        assertEquals(0, jedis.dbSize());
        assertNull(jedis.get("f:1"));
        jedis.set("f:2", "v");
        assertEquals(1, jedis.dbSize(), "a flushed database takes writes again");
        assertEquals(404, node.get("/kv/5/f:1").statusCode());
        jedis.select(4);
        assertEquals("OK", jedis.flushAll());
        assertEquals(0, jedis.dbSize());
        jedis.select(5);
        assertEquals(0, jedis.dbSize());
        assertError("ERR syntax error", () -> jedis.sendCommand(Protocol.Command.FLUSHDB, "LATER"));
    }

    private static List<String> difference(Set<String> expected, Set<String> seen) {
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(seen);
        return missing;
    }
}
