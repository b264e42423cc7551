package io.strata.node.kv.resp;

import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hashes through Jedis on a real node: the field commands, field expiry as Redis 7.4 has it,
 * WRONGTYPE between strings and hashes, keys that are not UTF-8, and the same hash over HTTP.
 */
class RespHashesTest extends JedisOnANode {

    @BeforeAll
    static void start() {
        startNode(Map.of());
    }

    @Test
    void fieldCommands() {
        assertEquals(2, jedis.hset("h:user", ordered("name", "ada", "lang", "en")));
        assertEquals(1, jedis.hset("h:user", ordered("name", "grace", "born", "1906")), "one field is new");
        assertEquals("grace", jedis.hget("h:user", "name"));
        assertNull(jedis.hget("h:user", "absent"));
        assertNull(jedis.hget("h:absent", "name"));
        assertEquals(java.util.Arrays.asList("grace", null, "1906"), jedis.hmget("h:user", "name", "x", "born"));
        assertEquals(Map.of("name", "grace", "lang", "en", "born", "1906"), jedis.hgetAll("h:user"));
        @SuppressWarnings("unchecked")
        List<byte[]> names = (List<byte[]>) jedis.sendCommand(Protocol.Command.HKEYS, "h:user");
        assertEquals(List.of("name", "lang", "born"), names.stream().map(n -> new String(n, StandardCharsets.UTF_8)).toList(),
                "fields keep their first order");
        assertEquals(List.of("grace", "en", "1906"), jedis.hvals("h:user"));
        assertEquals(3, jedis.hlen("h:user"));
        assertTrue(jedis.hexists("h:user", "lang"));
        assertFalse(jedis.hexists("h:user", "nope"));
        assertEquals(5, jedis.hstrlen("h:user", "name"));
        assertEquals(0, jedis.hstrlen("h:user", "x"));
        assertEquals(0, jedis.hsetnx("h:user", "name", "other"));
        assertEquals(1, jedis.hsetnx("h:user", "nick", "amazing"));
        assertEquals("OK", jedis.hmset("h:user", Map.of("lang", "fr")));
        assertEquals("hash", jedis.type("h:user"));
        assertEquals(0, jedis.hlen("h:absent"));
        assertEquals(Map.of(), jedis.hgetAll("h:absent"));

        assertEquals(2, jedis.hdel("h:user", "lang", "nick", "nope"));
        assertEquals(2, jedis.hdel("h:user", "name", "born"));
        assertFalse(jedis.exists("h:user"), "the hash goes with its last field");
        assertEquals("none", jedis.type("h:user"));
        assertError("ERR wrong number of arguments for 'hset' command", () -> jedis.sendCommand(Protocol.Command.HSET, "h:x", "f"));
        assertError("ERR wrong number of arguments for 'hset' command",
                () -> jedis.sendCommand(Protocol.Command.HSET, "h:x", "f", "v", "g"));
        assertFalse(jedis.exists("h:x"), "a refused HSET writes nothing");
    }

    @Test
    void counters() {
        assertEquals(5, jedis.hincrBy("h:n", "c", 5));
        assertEquals(-3, jedis.hincrBy("h:n", "c", -8));
        assertEquals(10.5, jedis.hincrByFloat("h:n", "f", 10.5));
        assertEquals("10.6", new String((byte[]) jedis.sendCommand(Protocol.Command.HINCRBYFLOAT, "h:n", "f", "0.1"),
                StandardCharsets.US_ASCII));
        jedis.hset("h:n", "text", "abc");
        jedis.hset("h:n", "big", Long.toString(Long.MAX_VALUE));
        assertError("ERR hash value is not an integer", () -> jedis.hincrBy("h:n", "text", 1));
        assertError("ERR hash value is not a float", () -> jedis.hincrByFloat("h:n", "text", 1));
        assertError("ERR increment or decrement would overflow", () -> jedis.hincrBy("h:n", "big", 1));
        assertError("ERR value is not an integer or out of range", () -> jedis.sendCommand(Protocol.Command.HINCRBY, "h:n", "c", "x"));
        assertError("ERR value is not a valid float", () -> jedis.sendCommand(Protocol.Command.HINCRBYFLOAT, "h:n", "c", "x"));
        assertError("ERR value is NaN or Infinity", () -> jedis.sendCommand(Protocol.Command.HINCRBYFLOAT, "h:n", "c", "+inf"));
        assertEquals("-3", jedis.hget("h:n", "c"), "refused increments changed nothing");
    }

    @Test
    void wrongTypeBetweenStringsAndHashes() {
        jedis.set("t:s", "v");
        jedis.hset("t:h", "f", "v");
        String wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
        assertError(wrongType, () -> jedis.hset("t:s", "f", "v"));
        assertError(wrongType, () -> jedis.hget("t:s", "f"));
        assertError(wrongType, () -> jedis.hgetAll("t:s"));
        assertError(wrongType, () -> jedis.get("t:h"));
        assertError(wrongType, () -> jedis.incr("t:h"));
        assertError(wrongType, () -> jedis.append("t:h", "x"));
        assertError(wrongType, () -> jedis.strlen("t:h"));
        assertError(wrongType, () -> jedis.setGet("t:h", "x"));
        assertError(wrongType, () -> jedis.getDel("t:h"));
        assertEquals(java.util.Arrays.asList("v", null), jedis.mget("t:s", "t:h"), "MGET reads another type as absent");
        assertEquals(1, jedis.expire("t:h", 100));
        assertTrue(jedis.ttl("t:h") > 90);
        assertEquals("hash", jedis.type("t:h"), "EXPIRE keeps the hash");
        assertEquals("v", jedis.hget("t:h", "f"));
        ScanResult<String> hashes = jedis.scan(ScanParams.SCAN_POINTER_START, new ScanParams().match("t:*").count(100), "hash");
        assertEquals(List.of("t:h"), hashes.getResult());
        assertEquals("OK", jedis.set("t:h", "now a string"), "SET replaces a key of any type");
        assertEquals("string", jedis.type("t:h"));
        assertEquals(1, jedis.del("t:s"));
    }

    @Test
    void fieldExpiry() throws InterruptedException {
        jedis.hset("e:h", Map.of("keep", "1", "brief", "2", "later", "3"));
        assertEquals(List.of(1L, -2L), hexpire("e:h", "HPEXPIRE", "300", null, "brief", "absent"));
        assertEquals(List.of(1L), hexpire("e:h", "HEXPIRE", "1000", null, "later"));
        assertEquals(List.of(0L), hexpire("e:h", "HEXPIRE", "10", "NX", "later"), "NX: it has an expiry already");
        assertEquals(List.of(0L), hexpire("e:h", "HEXPIRE", "2000", "LT", "later"));
        assertEquals(List.of(1L), hexpire("e:h", "HEXPIRE", "2000", "GT", "later"));
        assertEquals(List.of(0L), hexpire("e:h", "HEXPIRE", "2000", "XX", "keep"), "XX: it has none");
        List<Long> ttls = longs(jedis.sendCommand(Protocol.Command.HTTL, "e:h", "FIELDS", "3", "keep", "later", "absent"));
        assertEquals(-1L, ttls.get(0));
        assertTrue(ttls.get(1) > 1990 && ttls.get(1) <= 2000, "HTTL " + ttls);
        assertEquals(-2L, ttls.get(2));
        long at = longs(jedis.sendCommand(Protocol.Command.HPEXPIRETIME, "e:h", "FIELDS", "1", "later")).get(0);
        assertTrue(Math.abs(at - (System.currentTimeMillis() + 2_000_000)) < 10_000, "HPEXPIRETIME " + at);
        assertEquals(List.of(1L, -1L, -2L),
                longs(jedis.sendCommand(Protocol.Command.HPERSIST, "e:h", "FIELDS", "3", "later", "keep", "absent")));

        io.strata.node.testing.Await.until(java.time.Duration.ofSeconds(5), () -> jedis.hget("e:h", "brief"), v -> v == null,
                v -> "the field did not expire: " + v);
        assertEquals(2, jedis.hlen("e:h"));
        assertEquals(List.of(2L), hexpire("e:h", "HEXPIRE", "0", null, "keep"), "a time already past deletes the field");
        assertEquals(Map.of("later", "3"), jedis.hgetAll("e:h"));

        jedis.hset("e:all", Map.of("a", "1", "b", "2"));
        assertEquals(List.of(1L, 1L), hexpire("e:all", "HPEXPIRE", "200", null, "a", "b"));
        io.strata.node.testing.Await.until(java.time.Duration.ofSeconds(5), () -> jedis.exists("e:all"), exists -> !exists,
                exists -> "a hash whose fields all expired is still there");
        assertEquals(List.of(-2L), hexpire("e:all", "HEXPIRE", "10", null, "a"));

        assertError("ERR Mandatory argument FIELDS is missing or not at the right position",
                () -> jedis.sendCommand(Protocol.Command.HEXPIRE, "e:h", "10", "FIELD", "1", "a"));
        assertError("ERR The `numfields` parameter must match the number of arguments",
                () -> jedis.sendCommand(Protocol.Command.HEXPIRE, "e:h", "10", "FIELDS", "2", "a"));
        assertError("ERR Number of fields must be a positive integer",
                () -> jedis.sendCommand(Protocol.Command.HEXPIRE, "e:h", "10", "FIELDS", "0", "a"));
        assertError("ERR invalid expire time, must be >= 0",
                () -> jedis.sendCommand(Protocol.Command.HEXPIRE, "e:h", "-1", "FIELDS", "1", "a"));
        assertError("ERR invalid expire time in 'hexpire' command",
                () -> jedis.sendCommand(Protocol.Command.HEXPIRE, "e:h", "9223372036854775", "FIELDS", "1", "a"));
    }

    @Test
    void randomFieldsAndScans() {
        Map<String, String> all = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            all.put("f" + i, "v" + i);
        }
        jedis.hset("r:h", all);
        assertTrue(all.containsKey(jedis.hrandfield("r:h")));
        List<String> five = jedis.hrandfield("r:h", 5);
        assertEquals(5, new HashSet<>(five).size(), "a positive count gives distinct fields");
        assertEquals(20, jedis.hrandfield("r:h", 100).size(), "at most every field");
        assertEquals(50, jedis.hrandfield("r:h", -50).size(), "a negative count may repeat");
        jedis.hrandfieldWithValues("r:h", 3).forEach(e -> assertEquals(all.get(e.getKey()), e.getValue()));
        assertNull(jedis.hrandfield("r:absent"));
        assertEquals(List.of(), jedis.hrandfield("r:absent", 3));

        ScanResult<Map.Entry<String, String>> page = jedis.hscan("r:h", ScanParams.SCAN_POINTER_START, new ScanParams().match("f1*"));
        assertEquals("0", page.getCursor());
        Set<String> names = new HashSet<>();
        page.getResult().forEach(e -> names.add(e.getKey()));
        assertEquals(Set.of("f1", "f10", "f11", "f12", "f13", "f14", "f15", "f16", "f17", "f18", "f19"), names);
        assertError("ERR invalid cursor", () -> jedis.sendCommand(Protocol.Command.HSCAN, "r:h", "x"));
    }

    @Test
    void keysAndFieldsAreBytes() {
        // A Feast entity key: a serialised int64, not UTF-8.
        byte[] key = {0x02, 0, 0, 0, (byte) 0xC3, 0x28, (byte) 0xFF, 0x00, 'p'};
        byte[] field = {(byte) 0x80, (byte) 0xFE, 'x'};
        byte[] value = {0, (byte) 0xFF, 1};
        assertEquals("OK", jedis.set(key, value));
        assertArrayEquals(value, jedis.get(key));
        byte[] hashKey = {(byte) 0xFF, 'h'};
        assertEquals(1, jedis.hset(hashKey, field, value));
        assertArrayEquals(value, jedis.hget(hashKey, field));
        Set<byte[]> keys = jedis.keys(new byte[]{'*'});
        assertTrue(keys.stream().anyMatch(k -> java.util.Arrays.equals(k, key)), "KEYS gives the exact bytes back");
        assertTrue(keys.stream().anyMatch(k -> java.util.Arrays.equals(k, hashKey)));
        List<byte[]> matched = new ArrayList<>(jedis.keys(new byte[]{0x02, '*'}));
        assertEquals(1, matched.size(), "patterns match bytes");
        assertArrayEquals(key, matched.get(0));

        TestNode.assertError(400, "invalid_key_encoding", node.get("/kv/0/x?key_encoding=hex"));
        var http = node.get("/kv/0/" + Base64.getUrlEncoder().encodeToString(hashKey) + "?key_encoding=base64&encoding=base64");
        assertEquals(200, http.statusCode(), http.body());
        var body = TestNode.json(http);
        assertEquals("hash", body.get("type").asText());
        assertEquals(Base64.getEncoder().encodeToString(value), body.get("fields").get(Base64.getEncoder().encodeToString(field)).asText());
        var list = TestNode.json(node.get("/kv/0?list=keys&encoding=base64"));
        List<String> listed = new ArrayList<>();
        list.get("keys").forEach(k -> listed.add(k.asText()));
        assertTrue(listed.contains(Base64.getEncoder().encodeToString(key)), listed.toString());
        assertEquals(200, node.get("/kv/0?list=keys").statusCode(), "a listing as text shows what is not text as U+FFFD");
    }

    private static Map<String, String> ordered(String... namesAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }

    private List<Long> hexpire(String key, String command, String time, String condition, String... fields) {
        List<String> args = new ArrayList<>(List.of(key, time));
        if (condition != null) {
            args.add(condition);
        }
        args.add("FIELDS");
        args.add(Integer.toString(fields.length));
        args.addAll(List.of(fields));
        return longs(jedis.sendCommand(Protocol.Command.valueOf(command), args.toArray(String[]::new)));
    }

    @SuppressWarnings("unchecked")
    private static List<Long> longs(Object reply) {
        return (List<Long>) reply;
    }
}
