package io.strata.node.kv.resp;

import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.params.ScanParams;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sets through Jedis on a real node: members, random picks and pops, combinations and their STORE forms, WRONGTYPE, HTTP. */
class RespSetsTest extends JedisOnANode {

    @BeforeAll
    static void start() {
        startNode(Map.of());
    }

    @Test
    void membersAndCounts() {
        assertEquals(3, jedis.sadd("s:tags", "a", "b", "c"));
        assertEquals(1, jedis.sadd("s:tags", "c", "d"));
        assertEquals(Set.of("a", "b", "c", "d"), jedis.smembers("s:tags"));
        assertEquals(4, jedis.scard("s:tags"));
        assertTrue(jedis.sismember("s:tags", "a"));
        assertEquals(List.of(true, false), jedis.smismember("s:tags", "b", "z"));
        assertEquals(2, jedis.srem("s:tags", "a", "b", "z"));
        assertTrue(Set.of("c", "d").contains(jedis.srandmember("s:tags")));
        assertEquals(2, jedis.srandmember("s:tags", 5).size());
        assertEquals(6, jedis.srandmember("s:tags", -6).size());
        assertEquals(Set.of("c", "d"), new HashSet<>(jedis.sscan("s:tags", ScanParams.SCAN_POINTER_START).getResult()));
        String popped = jedis.spop("s:tags");
        assertTrue(Set.of("c", "d").contains(popped));
        assertEquals(1, jedis.spop("s:tags", 5).size());
        assertFalse(jedis.exists("s:tags"), "an empty set is gone");
        assertNull(jedis.spop("s:tags"));
        assertEquals(0, jedis.scard("s:tags"));
        assertEquals("set", type("s:other"));
    }

    private String type(String key) {
        jedis.sadd(key, "x");
        return jedis.type(key);
    }

    @Test
    void combinationsAndStore() {
        jedis.sadd("{c}:a", "1", "2", "3");
        jedis.sadd("{c}:b", "2", "3", "4");
        assertEquals(Set.of("2", "3"), jedis.sinter("{c}:a", "{c}:b"));
        assertEquals(Set.of("1", "2", "3", "4"), jedis.sunion("{c}:a", "{c}:b", "{c}:absent"));
        assertEquals(Set.of("1"), jedis.sdiff("{c}:a", "{c}:b"));
        assertEquals(Set.of(), jedis.sinter("{c}:a", "{c}:absent"));
        assertEquals(2, jedis.sintercard("{c}:a", "{c}:b"));
        assertEquals(1, jedis.sintercard(1, "{c}:a", "{c}:b"));
        assertEquals(4, jedis.sunionstore("{c}:u", "{c}:a", "{c}:b"));
        assertEquals(Set.of("1", "2", "3", "4"), jedis.smembers("{c}:u"));
        assertEquals(0, jedis.sinterstore("{c}:u", "{c}:a", "{c}:absent"));
        assertFalse(jedis.exists("{c}:u"), "an empty result deletes the destination");
        jedis.set("{c}:text", "v");
        String wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
        assertError(wrongType, () -> jedis.sinter("{c}:a", "{c}:text"));
        assertError(wrongType, () -> jedis.sadd("{c}:text", "x"));
        assertEquals(4, jedis.sunionstore("{c}:text", "{c}:a", "{c}:b"), "a STORE replaces a key of any type");
        assertEquals("set", jedis.type("{c}:text"));
        assertEquals(1, jedis.smove("{c}:a", "{c}:moved", "1"));
        assertEquals(0, jedis.smove("{c}:a", "{c}:moved", "1"), "no longer there");
        assertEquals(Set.of("1"), jedis.smembers("{c}:moved"));
        assertEquals(Set.of("2", "3"), jedis.smembers("{c}:a"));
        assertEquals(1, jedis.smove("{c}:a", "{c}:a", "2"), "onto itself: 1 when it holds the member");
        jedis.set("{c}:string", "v");
        assertError(wrongType, () -> jedis.smove("{c}:a", "{c}:string", "2"));
        assertEquals(Set.of("2", "3"), jedis.smembers("{c}:a"), "a refused move changes nothing");
        assertError("ERR numkeys should be greater than 0", () -> jedis.sendCommand(Protocol.Command.SINTERCARD, "0", "{c}:a"));
        var http = TestNode.json(node.get("/kv/0/%7Bc%7D:a"));
        assertEquals("set", http.get("type").asText());
        assertEquals(2, http.get("members").size());
    }
}
