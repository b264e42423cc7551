package io.strata.node.kv.resp;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.GetExParams;
import redis.clients.jedis.params.SetParams;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis's string commands beyond GET and SET, through Jedis on a real node: the read-modify-writes
 * (APPEND, SETRANGE, INCRBYFLOAT, SET ... GET / KEEPTTL, GETSET, GETDEL, GETEX) that the key's
 * partition applies at once — many clients on one key lose no update — and the plain ones (SETNX,
 * PSETEX, STRLEN, GETRANGE), with Redis's replies and errors; what they write reads back over HTTP.
 */
class RespStringsTest extends JedisOnANode {

    @BeforeAll
    static void start() {
        startNode(Map.of("strata.http.max-body-bytes", "4096"));
    }

    @Test
    void appendStrlenGetrangeSetrange() {
        assertEquals(5, jedis.append("s:greeting", "Hello"));
        assertEquals(11, jedis.append("s:greeting", " World"));
        assertEquals("Hello World", jedis.get("s:greeting"));
        assertEquals(11, jedis.strlen("s:greeting"));
        assertEquals(0, jedis.strlen("s:absent"));
        assertEquals("Hello World", node.get("/kv/0/s:greeting").body(), "one store, two doors");

        // GETRANGE as Redis's documentation shows it.
        jedis.set("s:range", "This is a string");
        assertEquals("This", jedis.getrange("s:range", 0, 3));
        assertEquals("ing", jedis.getrange("s:range", -3, -1));
        assertEquals("This is a string", jedis.getrange("s:range", 0, -1));
        assertEquals("string", jedis.getrange("s:range", 10, 100));
        assertEquals("", jedis.getrange("s:range", 5, 3));
        assertEquals("", jedis.getrange("s:range", -1, -5));
        assertEquals("", jedis.getrange("s:absent", 0, -1));

        assertEquals(11, jedis.setrange("s:greeting", 6, "Redis"));
        assertEquals("Hello Redis", jedis.get("s:greeting"));
        assertEquals(8, jedis.setrange("s:padded", 5, "abc"));
        assertArrayEquals(new byte[]{0, 0, 0, 0, 0, 'a', 'b', 'c'}, jedis.get("s:padded".getBytes(StandardCharsets.UTF_8)));
        assertEquals(0, jedis.setrange("s:never", 3, ""), "an empty SETRANGE creates no key");
        assertEquals(false, jedis.exists("s:never"));
        assertError("ERR offset is out of range", () -> jedis.setrange("s:greeting", -1, "x"));
        assertError("ERR string exceeds maximum allowed size (proto-max-bulk-len)", () -> jedis.setrange("s:greeting", 4096, "x"));
        for (long huge : new long[]{Long.MAX_VALUE, Integer.MAX_VALUE}) {
            assertError("ERR string exceeds maximum allowed size (proto-max-bulk-len)", () -> jedis.setrange("s:greeting", huge, "x"));
        }
        assertError("ERR string exceeds maximum allowed size (proto-max-bulk-len)", () -> jedis.append("s:greeting", "x".repeat(4090)));
        assertEquals("Hello Redis", jedis.get("s:greeting"), "a refused change changes nothing");
        assertError("ERR value is not an integer or out of range",
                () -> jedis.sendCommand(Protocol.Command.GETRANGE, "s:range", "zero", "1"));
    }

    @Test
    void incrByFloatAsRedisDocumentsIt() {
        jedis.set("s:float", "10.50");
        assertEquals(10.6, jedis.incrByFloat("s:float", 0.1));
        assertEquals("10.6", jedis.get("s:float"));
        assertEquals(5.6, jedis.incrByFloat("s:float", -5));
        jedis.set("s:float", "5.0e3");
        assertEquals("5200", new String((byte[]) jedis.sendCommand(Protocol.Command.INCRBYFLOAT, "s:float", "2.0e2"),
                StandardCharsets.UTF_8));
        assertEquals(1.5, jedis.incrByFloat("s:float-new", 1.5));
        jedis.set("s:text", "abc");
        assertError("ERR value is not a valid float", () -> jedis.incrByFloat("s:text", 1));
        assertError("ERR value is not a valid float", () -> jedis.sendCommand(Protocol.Command.INCRBYFLOAT, "s:float", "one"));
        assertError("ERR increment would produce NaN or Infinity", () -> jedis.sendCommand(Protocol.Command.INCRBYFLOAT, "s:float", "inf"));
        assertEquals("5200", jedis.get("s:float"));
    }

    @Test
    void setWithGetKeepTtlAndAbsoluteTimes() {
        assertNull(jedis.setGet("s:set", "one"), "no previous value");
        assertEquals("one", jedis.setGet("s:set", "two"));
        assertEquals("two", jedis.setGet("s:set", "three", SetParams.setParams().nx()), "NX with GET: the old value, nothing set");
        assertEquals("two", jedis.get("s:set"));
        assertNull(jedis.setGet("s:set-absent", "x", SetParams.setParams().xx()));
        assertEquals(false, jedis.exists("s:set-absent"));

        jedis.set("s:ttl", "v", SetParams.setParams().ex(100));
        assertEquals("OK", jedis.set("s:ttl", "w", SetParams.setParams().keepTtl()));
        assertTrue(jedis.ttl("s:ttl") > 95, "KEEPTTL keeps it");
        assertEquals("w", jedis.get("s:ttl"));
        assertNull(jedis.set("s:ttl-absent", "w", SetParams.setParams().keepTtl().xx()));

        long at = System.currentTimeMillis() / 1000 + 1000;
        assertEquals("OK", jedis.set("s:at", "v", SetParams.setParams().exAt(at)));
        assertEquals(at, jedis.expireTime("s:at"));
        assertEquals("OK", jedis.set("s:at", "v", SetParams.setParams().pxAt(at * 1000 + 7)));
        assertEquals(at * 1000 + 7, jedis.pexpireTime("s:at"));
        assertError("ERR syntax error", () -> jedis.sendCommand(Protocol.Command.SET, "s:at", "v", "KEEPTTL", "EX", "10"));
        assertError("ERR invalid expire time in 'set' command", () -> jedis.sendCommand(Protocol.Command.SET, "s:at", "v", "EXAT", "0"));

        assertEquals(1, jedis.setnx("s:nx", "first"));
        assertEquals(0, jedis.setnx("s:nx", "second"));
        assertEquals("first", jedis.get("s:nx"));
        assertEquals("OK", jedis.psetex("s:psetex", 50_000, "v"));
        assertTrue(jedis.pttl("s:psetex") > 49_000);
        assertError("ERR invalid expire time in 'psetex' command", () -> jedis.psetex("s:psetex", 0, "v"));
    }

    @Test
    void getsetGetdelGetex() {
        assertNull(jedis.getSet("s:gs", "a"));
        assertEquals("a", jedis.getSet("s:gs", "b"));
        assertEquals("b", jedis.getDel("s:gs"));
        assertNull(jedis.get("s:gs"));
        assertNull(jedis.getDel("s:gs"));

        jedis.set("s:ex", "v");
        assertEquals("v", jedis.getEx("s:ex", GetExParams.getExParams().ex(100)));
        assertTrue(jedis.ttl("s:ex") > 95);
        assertEquals("v", jedis.getEx("s:ex", GetExParams.getExParams().persist()));
        assertEquals(-1, jedis.ttl("s:ex"));
        assertEquals("v", jedis.getEx("s:ex", GetExParams.getExParams().pxAt(System.currentTimeMillis() + 60_000)));
        assertTrue(jedis.pttl("s:ex") > 50_000);
        assertEquals("v", (new String((byte[]) jedis.sendCommand(Protocol.Command.GETEX, "s:ex"), StandardCharsets.UTF_8)));
        assertEquals("v", jedis.getEx("s:ex", GetExParams.getExParams().exAt(System.currentTimeMillis() / 1000 - 5)),
                "a time already past: the value, and the key deleted");
        assertNull(jedis.get("s:ex"));
        assertNull(jedis.getEx("s:ex", GetExParams.getExParams().ex(10)));
        assertError("ERR syntax error", () -> jedis.sendCommand(Protocol.Command.GETEX, "s:ex", "EX", "10", "PERSIST"));
        assertError("ERR invalid expire time in 'getex' command", () -> jedis.sendCommand(Protocol.Command.GETEX, "s:ex", "EX", "0"));
    }

    @Test
    void msetnxIsAllOrNothingWithinAHashTag() {
        assertEquals(1, jedis.msetnx("{cart}:a", "1", "{cart}:b", "2", "{cart}:a", "3"));
        assertEquals(Arrays.asList("3", "2"), jedis.mget("{cart}:a", "{cart}:b"), "a key named twice: its last value");
        assertEquals(0, jedis.msetnx("{cart}:c", "9", "{cart}:b", "9"), "one key exists: nothing is set");
        assertNull(jedis.get("{cart}:c"));
        assertEquals("2", jedis.get("{cart}:b"));
        String[] spread = new String[40];
        for (int i = 0; i < 20; i++) {
            spread[2 * i] = "spread:" + i;
            spread[2 * i + 1] = "v";
        }
        JedisDataException crossSlot = assertThrows(JedisDataException.class, () -> jedis.msetnx(spread));
        assertTrue(crossSlot.getMessage().startsWith("CROSSSLOT Keys in request don't hash to the same slot"), crossSlot.getMessage());
        assertEquals(0, jedis.exists("spread:0", "spread:1", "spread:2"), "refused whole");
        assertError("ERR wrong number of arguments for 'msetnx' command", () -> jedis.sendCommand(Protocol.Command.MSETNX, "a", "1", "b"));
    }

    @Test
    void concurrentReadModifyWritesOnOneKeyLoseNothing() throws Exception {
        int clients = 8;
        int each = 200;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(() -> {
                    try (Jedis client = new Jedis("127.0.0.1", port, 10_000)) {
                        for (int i = 0; i < each; i++) {
                            client.append("s:shared-append", "x");
                            client.incrByFloat("s:shared-float", 0.5);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(clients * each, jedis.strlen("s:shared-append"));
        assertEquals(String.valueOf(clients * each / 2), jedis.get("s:shared-float"));
    }
}
