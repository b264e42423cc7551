package io.strata.node.kv.resp;

import io.strata.node.testing.Await;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.strata.node.kv.resp.RawResp.assertClosed;
import static io.strata.node.kv.resp.RawResp.expectReply;
import static io.strata.node.kv.resp.RawResp.read;
import static io.strata.node.kv.resp.RawResp.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The RESP listener on a real node in RESP2, through Jedis (a real Redis client) and raw sockets; RESP3 is {@link RespProtocolTest}'s. */
class RespTest extends JedisOnANode {

    @BeforeAll
    static void start() {
        startNode(Map.of("strata.http.max-body-bytes", "4096", "strata.kv.max-mget-keys", "50"));
    }

    @Test
    void pingEchoSetGet() {
        assertEquals("PONG", jedis.ping());
        assertEquals("hi", jedis.ping("hi"));
        assertEquals("hello", jedis.echo("hello"));
        assertEquals("OK", jedis.set("basic", "v1"));
        assertEquals("v1", jedis.get("basic"));
        assertNull(jedis.get("basic-absent"));
        byte[] binary = {0, 1, -2, '\r', '\n', -128, 127};
        assertEquals("OK", jedis.set("binary".getBytes(StandardCharsets.UTF_8), binary));
        assertArrayEquals(binary, jedis.get("binary".getBytes(StandardCharsets.UTF_8)));
        assertEquals("OK", jedis.setex("basic-ex", 100, "v"));
        assertTrue(jedis.ttl("basic-ex") > 95);
    }

    @Test
    void theEmptyKeyIsAKey() {
        assertNull(jedis.get(""));
        assertEquals("OK", jedis.set("", "empty"));
        assertEquals("empty", jedis.get(""));
        assertEquals(Arrays.asList("empty", null), jedis.mget("", "empty-absent"));
        assertEquals(1, jedis.del(""));
    }

    @Test
    void setOptionsNxXxExPx() {
        assertEquals("OK", jedis.set("nx", "1", SetParams.setParams().nx()));
        assertNull(jedis.set("nx", "2", SetParams.setParams().nx()), "NX on an existing key does nothing");
        assertEquals("1", jedis.get("nx"));
        assertNull(jedis.set("xx", "1", SetParams.setParams().xx()), "XX on an absent key does nothing");
        assertNull(jedis.get("xx"));
        assertEquals("OK", jedis.set("nx", "3", SetParams.setParams().xx()));
        assertEquals("3", jedis.get("nx"));
        assertEquals("OK", jedis.set("ex", "v", SetParams.setParams().ex(50)));
        long ttl = jedis.ttl("ex");
        assertTrue(ttl >= 49 && ttl <= 50, "ttl " + ttl);
        assertEquals("OK", jedis.set("px", "v", SetParams.setParams().px(50_000)));
        assertTrue(jedis.pttl("px") > 49_000);
        assertEquals("OK", jedis.set("ex", "plain"), "SET without EX clears the TTL, as in Redis");
        assertEquals(-1, jedis.ttl("ex"));
        assertError("ERR invalid expire time in 'set' command", () -> jedis.set("bad", "v", SetParams.setParams().ex(0)));
        assertError("ERR syntax error", () -> jedis.sendCommand(Protocol.Command.SET, "bad", "v", "NX", "XX"));
        assertError("ERR syntax error", () -> jedis.sendCommand(Protocol.Command.SET, "bad", "v", "EX"));
        assertError("ERR syntax error", () -> jedis.sendCommand(Protocol.Command.SET, "bad", "v", "KEEPTTL", "PX", "5"));
        assertError("ERR value is not an integer or out of range",
                () -> jedis.sendCommand(Protocol.Command.SET, "bad", "v", "EX", "ten"));
        assertNull(jedis.get("bad"));
    }

    @Test
    void ttlExpirePersist() throws Exception {
        assertEquals(-2, jedis.ttl("t-absent"));
        assertEquals(0, jedis.expire("t-absent", 10));
        assertEquals(0, jedis.persist("t-absent"));
        jedis.set("t", "v");
        assertEquals(-1, jedis.ttl("t"));
        assertEquals(0, jedis.persist("t"), "nothing to persist");
        assertEquals(1, jedis.expire("t", 100));
        assertTrue(jedis.ttl("t") > 95);
        assertEquals("v", jedis.get("t"), "EXPIRE keeps the value");
        assertEquals(1, jedis.persist("t"));
        assertEquals(-1, jedis.ttl("t"));
        assertEquals(1, jedis.expire("t", 0), "a non-positive EXPIRE deletes the key");
        assertNull(jedis.get("t"));

        jedis.set("short", "v", SetParams.setParams().px(300));
        assertEquals("v", jedis.get("short"));
        // A key past its PX deadline reads as absent: wait for it, bounded, rather than for a fixed time.
        Await.until(Duration.ofSeconds(10), () -> jedis.get("short"), value -> value == null, value -> "still " + value);
        assertNull(jedis.get("short"));
        assertEquals(-2, jedis.ttl("short"));
        assertFalse(jedis.exists("short"));
    }

    @Test
    void expireOptionsAbsoluteTimesAndInvalidTimes() {
        jedis.set("x", "v");
        assertEquals(0, jedis.expire("x", 100, ExpiryOption.XX), "XX: no expiry yet");
        assertEquals(0, jedis.expire("x", 100, ExpiryOption.GT), "GT: no expiry is later than any");
        assertEquals(1, jedis.expire("x", 100, ExpiryOption.NX));
        assertEquals(0, jedis.expire("x", 200, ExpiryOption.NX), "NX: it has one now");
        assertEquals(0, jedis.expire("x", 50, ExpiryOption.GT));
        assertEquals(1, jedis.expire("x", 200, ExpiryOption.GT));
        assertEquals(0, jedis.expire("x", 300, ExpiryOption.LT));
        assertEquals(1, jedis.expire("x", 150, ExpiryOption.LT));
        assertEquals(1, jedis.expire("x", 120, ExpiryOption.XX));
        long ttl = jedis.ttl("x");
        assertTrue(ttl > 115 && ttl <= 120, "ttl " + ttl);
        assertEquals(0, jedis.expire("x", -1, ExpiryOption.NX), "an option that does not hold leaves even a past time alone");
        assertEquals("v", jedis.get("x"));

        assertEquals(1, jedis.pexpire("x", 50_000));
        assertTrue(jedis.pttl("x") > 49_000 && jedis.pttl("x") <= 50_000);
        long at = System.currentTimeMillis() / 1000 + 1000;
        assertEquals(1, jedis.expireAt("x", at));
        assertEquals(at, jedis.expireTime("x"));
        assertEquals(1, jedis.pexpireAt("x", at * 1000 + 500));
        assertEquals(at * 1000 + 500, jedis.pexpireTime("x"));
        assertEquals(-2, jedis.expireTime("x-absent"));
        jedis.set("y", "v");
        assertEquals(-1, jedis.pexpireTime("y"));
        assertEquals(1, jedis.expireAt("y", System.currentTimeMillis() / 1000 - 10), "a time already past deletes the key");
        assertNull(jedis.get("y"));
        assertEquals(0, jedis.pexpireAt("y", 1), "no key, nothing to do");

        // Redis's refusals, in Redis's order (options, then the number, then its range); none changes the key.
        assertError("ERR invalid expire time in 'expire' command",
                () -> jedis.sendCommand(Protocol.Command.EXPIRE, "x", "-9223372036854776"));
        assertError("ERR invalid expire time in 'expire' command",
                () -> jedis.sendCommand(Protocol.Command.EXPIRE, "x", "9223372036854775"));
        assertError("ERR invalid expire time in 'pexpire' command",
                () -> jedis.sendCommand(Protocol.Command.PEXPIRE, "x", "9223372036854770000"));
        assertError("ERR value is not an integer or out of range", () -> jedis.sendCommand(Protocol.Command.EXPIRE, "x", "soon"));
        assertError("ERR Unsupported option SOON", () -> jedis.sendCommand(Protocol.Command.EXPIRE, "x", "10", "SOON"));
        assertError("ERR NX and XX, GT or LT options at the same time are not compatible",
                () -> jedis.sendCommand(Protocol.Command.EXPIRE, "x", "10", "NX", "GT"));
        assertError("ERR GT and LT options at the same time are not compatible",
                () -> jedis.sendCommand(Protocol.Command.EXPIRE, "x", "10", "GT", "LT"));
        assertEquals(at * 1000 + 500, jedis.pexpireTime("x"));
    }

    @Test
    void countersAndTheirErrors() {
        assertEquals(1, jedis.incr("c"));
        assertEquals(11, jedis.incrBy("c", 10));
        assertEquals(10, jedis.decr("c"));
        assertEquals(7, jedis.decrBy("c", 3));
        assertEquals("7", jedis.get("c"));
        jedis.set("c-text", "abc");
        assertError("ERR value is not an integer or out of range", () -> jedis.incr("c-text"));
        assertError("ERR value is not an integer or out of range",
                () -> jedis.sendCommand(Protocol.Command.INCRBY, "c", "1.5"));
        jedis.set("c-max", Long.toString(Long.MAX_VALUE));
        assertError("ERR increment or decrement would overflow", () -> jedis.incr("c-max"));
        assertEquals("PONG", jedis.ping(), "the connection stays usable after errors");
    }

    @Test
    void multiKeyCommands() {
        assertEquals("OK", jedis.mset("m1", "a", "m2", "b", "m1", "c"));
        assertEquals(List.of("c", "b"), jedis.mget("m1", "m2"));
        List<String> withAbsent = jedis.mget("m1", "m-absent", "m2");
        assertEquals("c", withAbsent.get(0));
        assertNull(withAbsent.get(1));
        assertEquals(3, jedis.exists("m1", "m2", "m1", "m-absent"), "a key named twice counts twice");
        assertEquals(2, jedis.del("m1", "m2", "m-absent"));
        assertEquals(0, jedis.del("m1"));
        assertError("ERR wrong number of arguments for 'mset' command",
                () -> jedis.sendCommand(Protocol.Command.MSET, "a", "1", "b"));
    }

    @Test
    void selectIsTheKeyspaceOfTheHttpApi() {
        assertEquals("OK", jedis.select(3));
        assertEquals(0, jedis.dbSize());
        assertNull(jedis.get("shared"), "a database never written reads as empty");
        jedis.set("shared", "from-resp");
        var read = node.get("/kv/3/shared");
        assertEquals(200, read.statusCode());
        assertEquals("from-resp", read.body());

        assertEquals(201, node.put("/kv/4/from-http", "hello").statusCode());
        jedis.select(4);
        assertEquals("hello", jedis.get("from-http"));
        assertEquals(1, jedis.dbSize());
        jedis.select(3);
        assertEquals("from-resp", jedis.get("shared"));
        assertError("ERR DB index is out of range", () -> jedis.select(16));
        assertError("ERR value is not an integer or out of range", () -> jedis.sendCommand(Protocol.Command.SELECT, "x"));
        try (Jedis other = new Jedis("127.0.0.1", port, 10_000)) {
            assertNull(other.get("shared"), "the selected database belongs to the connection");
        }
    }

    @Test
    void pipelinedRepliesComeInOrder() {
        Pipeline pipeline = jedis.pipelined();
        List<Response<Long>> counts = new ArrayList<>();
        List<Response<String>> reads = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            counts.add(pipeline.incr("pipe-counter"));
            pipeline.set("pipe-" + i, "v" + i);
            reads.add(pipeline.get("pipe-" + i));
        }
        pipeline.sync();
        for (int i = 0; i < 500; i++) {
            assertEquals(i + 1, counts.get(i).get());
            assertEquals("v" + i, reads.get(i).get());
        }
    }

    @Test
    void pipelinedCommandsOnOneKeyTakeEffectInOrder() {
        try (Pipeline pipeline = jedis.pipelined()) {
            List<Response<Long>> incrs = new ArrayList<>();
            List<Response<String>> reads = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                pipeline.set("other:" + i, "x");
                incrs.add(pipeline.incr("ordered:counter"));
                pipeline.set("ordered:last", Integer.toString(i));
                reads.add(pipeline.get("ordered:last"));
            }
            pipeline.sync();
            for (int i = 0; i < 300; i++) {
                assertEquals(i + 1, incrs.get(i).get());
                assertEquals(Integer.toString(i), reads.get(i).get());
            }
        }
        assertEquals("300", jedis.get("ordered:counter"));
    }

    @Test
    void selectInAPipelineAppliesToTheCommandsAfterIt() throws IOException {
        try (Socket socket = socket()) {
            send(socket, "SET sel:a zero\r\nSELECT 3\r\nGET sel:a\r\nSET sel:a three\r\nSELECT 0\r\nGET sel:a\r\n"
                    + "SELECT 3\r\nGET sel:a\r\nQUIT\r\nSET sel:after-quit x\r\n");
            expectReply(socket, "+OK\r\n+OK\r\n$-1\r\n+OK\r\n+OK\r\n$4\r\nzero\r\n+OK\r\n$5\r\nthree\r\n+OK\r\n");
            assertClosed(socket);
        }
        assertNull(jedis.get("sel:after-quit"), "a command pipelined behind QUIT is not run");
    }

    @Test
    void unknownCommandsAndWrongArityKeepTheConnection() {
        assertError("ERR unknown command 'FOO', with args beginning with: 'a' 'b' ",
                () -> jedis.sendCommand(() -> "FOO".getBytes(StandardCharsets.UTF_8), "a", "b"));
        assertError("ERR wrong number of arguments for 'get' command", () -> jedis.sendCommand(Protocol.Command.GET));
        assertError("ERR wrong number of arguments for 'get' command",
                () -> jedis.sendCommand(Protocol.Command.GET, "a", "b"));
        assertError("ERR invalid_key: key of 1025 bytes exceeds the limit of 1024",
                () -> jedis.sendCommand(Protocol.Command.GET, "k".repeat(1025)));
        assertEquals("PONG", jedis.ping());
    }

    @Test
    void infoAndCommand() {
        String info = jedis.info();
        assertTrue(info.contains("redis_version:") && info.contains("connected_clients:"), info);
        jedis.select(5);
        jedis.set("k", "v");
        assertTrue(jedis.info("keyspace").contains("db5:keys=1"), jedis.info("keyspace"));
        Object commands = jedis.sendCommand(Protocol.Command.COMMAND);
        assertTrue(commands instanceof List<?> list && list.size() > 20, String.valueOf(commands));
        assertEquals(RespCommands.all().size(), (Long) jedis.sendCommand(Protocol.Command.COMMAND, "COUNT"));
    }

    @Test
    void helloSpeaksProtocolTwoAndRefusesOthers() {
        List<?> hello = (List<?>) jedis.sendCommand(Protocol.Command.HELLO, "2", "SETNAME", "hello-client");
        List<String> fields = new ArrayList<>();
        for (Object item : hello) {
            fields.add(item instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(item));
        }
        assertEquals(List.of("server", "redis", "version", "7.0.0", "proto", "2"), fields.subList(0, 6));
        assertEquals("hello-client", jedis.clientGetname());
        assertEquals(hello.size(), ((List<?>) jedis.sendCommand(Protocol.Command.HELLO)).size(), "HELLO alone describes the server too");
        assertError("NOPROTO unsupported protocol version", () -> jedis.sendCommand(Protocol.Command.HELLO, "4"));
        assertError("ERR Protocol version is not an integer or out of range", () -> jedis.sendCommand(Protocol.Command.HELLO, "two"));
        // No password is set: the default user needs none, as in Redis.
        assertEquals(hello.size(), ((List<?>) jedis.sendCommand(Protocol.Command.HELLO, "2", "AUTH", "default", "any")).size());
        assertError("WRONGPASS", () -> jedis.sendCommand(Protocol.Command.HELLO, "2", "AUTH", "admin", "any"));
        assertError("ERR Syntax error in HELLO option 'FAST'", () -> jedis.sendCommand(Protocol.Command.HELLO, "2", "FAST"));
        assertEquals("PONG", jedis.ping());
    }

    @Test
    void functionsThereAreNone() {
        assertEquals("OK", jedis.functionFlush());
        assertEquals(List.of(), jedis.functionList());
        assertError("ERR syntax error", () -> jedis.sendCommand(Protocol.Command.FUNCTION, "FLUSH", "LATER"));
        assertError("ERR FUNCTION LOAD is not supported: Strata runs no server-side functions",
                () -> jedis.functionLoad("#!lua name=lib\nredis.register_function('f', function() return 1 end)"));
    }

    @Test
    void flushIsRefusedWithoutAPasswordOrAllowFlush() {
        jedis.set("flush:kept", "v");
        assertError("ERR FLUSHDB is disabled on this node", () -> jedis.flushDB());
        assertError("ERR FLUSHALL is disabled on this node", () -> jedis.flushAll());
        assertEquals("v", jedis.get("flush:kept"));
    }

    @Test
    void authWithoutAPasswordAnswersAsRedisDoes() {
        assertError("ERR AUTH <password> called without any password configured for the default user. Are you sure your"
                + " configuration is correct?", () -> jedis.auth("secret"));
        assertEquals("OK", jedis.auth("default", "anything"), "the default user has no password");
        assertError("WRONGPASS invalid username-password pair or user is disabled.", () -> jedis.auth("admin", "secret"));
        assertError("ERR syntax error", () -> jedis.sendCommand(Protocol.Command.AUTH, "a", "b", "c"));
        assertEquals("PONG", jedis.ping());
    }

    @Test
    void configGetAnswersWhatRedisBenchmarkAsksAndSetIsRefused() {
        assertEquals(java.util.Map.of("save", "", "appendonly", "no"), jedis.configGet("save", "appendonly"));
        assertEquals(8 + 14, jedis.configGet("*").size(), "eight of the node's, fourteen encoding thresholds");
        assertEquals(java.util.Map.of("databases", "16"), jedis.configGet("DATABASES"));
        assertEquals(java.util.Map.of("maxclients", "10000"), jedis.configGet("maxclients"));
        assertEquals(java.util.Map.of("maxmemory-policy", "noeviction"), jedis.configGet("maxmemory-p*"));
        assertEquals(java.util.Map.of(), jedis.configGet("no-such-parameter"));
        assertEquals(java.util.Map.of("save", "", "databases", "16"), jedis.configGet("save", "d?tabases"));
        assertError("ERR CONFIG SET of 'save' is not supported", () -> jedis.configSet("save", "60 1"));
        assertEquals("OK", jedis.configSet("save", ""), "a parameter of the node set to the value it has");
        assertEquals("OK", jedis.configSet("hash-max-ziplist-value", "10"));
        assertEquals(java.util.Map.of("hash-max-listpack-value", "10"), jedis.configGet("hash-max-listpack-value"),
                "an encoding threshold reads back as set, under both its names");
        assertError("ERR CONFIG SET failed (possibly related to argument 'zset-max-listpack-entries')",
                () -> jedis.configSet("hash-max-listpack-value", "64", "zset-max-listpack-entries", "many"));
        assertEquals(java.util.Map.of("hash-max-ziplist-value", "10"), jedis.configGet("hash-max-ziplist-value"), "all or nothing");
        jedis.configSet("hash-max-listpack-value", "64");
        assertError("ERR wrong number of arguments for 'config|get' command",
                () -> jedis.sendCommand(Protocol.Command.CONFIG, "GET"));
        assertError("ERR wrong number of arguments for 'config' command", () -> jedis.sendCommand(Protocol.Command.CONFIG));
        assertEquals("PONG", jedis.ping());
    }

    // ---- Raw sockets: inline commands, framing errors, limits, QUIT ----------------------------

    @Test
    void inlineCommandsAsTelnetSendsThem() throws IOException {
        try (Socket socket = socket()) {
            send(socket, "PING\r\nSET inline \"hello world\"\r\n\r\nGET inline\nEXISTS inline 'x y'\r\n");
            expectReply(socket, "+PONG\r\n+OK\r\n$11\r\nhello world\r\n:1\r\n");
            send(socket, "GET \"unbalanced\r\n");
            expectReply(socket, "-ERR Protocol error: unbalanced quotes in request\r\n");
            assertClosed(socket);
        }
    }

    @Test
    void manyCommandsInOneWrite() throws IOException {
        try (Socket socket = socket()) {
            StringBuilder batch = new StringBuilder();
            StringBuilder expected = new StringBuilder();
            for (int i = 1; i <= 200; i++) {
                batch.append("*2\r\n$4\r\nINCR\r\n$8\r\nraw-incr\r\n");
                expected.append(':').append(i).append("\r\n");
            }
            send(socket, batch.toString());
            assertEquals(expected.toString(), read(socket, expected.length()));
        }
    }

    @Test
    void commandsSplitAcrossWritesAreReassembled() throws Exception {
        try (Socket socket = socket()) {
            String command = "*3\r\n$3\r\nSET\r\n$5\r\nsplit\r\n$10\r\n0123456789\r\n*2\r\n$3\r\nGET\r\n$5\r\nsplit\r\n";
            for (char c : command.toCharArray()) {
                send(socket, String.valueOf(c));
            }
            expectReply(socket, "+OK\r\n$10\r\n0123456789\r\n");
        }
    }

    @Test
    void malformedProtocolIsAnsweredThenClosed() throws IOException {
        try (Socket socket = socket()) {
            send(socket, "*2\r\n$3\r\nGET\r\nx\r\n");
            expectReply(socket, "-ERR Protocol error: expected '$', got 'x'\r\n");
            assertClosed(socket);
        }
        try (Socket socket = socket()) {
            send(socket, "*1\r\n$-5\r\n");
            expectReply(socket, "-ERR Protocol error: invalid bulk length\r\n");
            assertClosed(socket);
        }
    }

    @Test
    void oversizedRequestsAreRefusedAndClosed() throws IOException {
        long limit = 4096 + RespSettings.AUTO_SLACK_BYTES;
        String error = "-ERR Protocol error: request exceeds the limit of " + limit + " bytes (strata.resp.max-request-bytes)\r\n";
        try (Socket socket = socket()) {
            send(socket, "*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + (limit - 10) + "\r\n");
            assertEquals(error, read(socket, error.length()), "a request whose declared lengths add up past the limit is refused at once");
            assertClosed(socket);
        }
        try (Socket socket = socket()) {
            send(socket, "*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$2000000000\r\n");
            String bulk = "-ERR Protocol error: invalid bulk length (2000000000 bytes, over the limit of " + limit
                    + " bytes: strata.resp.max-request-bytes)\r\n";
            assertEquals(bulk, read(socket, bulk.length()), "one bulk string over the limit, in Redis's words");
            assertClosed(socket);
        }
        try (Socket socket = socket()) {
            send(socket, "SET big " + "x".repeat((int) limit + 10));
            expectReply(socket, "-ERR Protocol error: too big inline request\r\n");
            assertClosed(socket);
        }
        // Within the RESP limit but over the KV value limit: refused by the store; the connection stays.
        byte[] value = new byte[5000];
        assertError("ERR payload_too_large", () -> jedis.set("big".getBytes(StandardCharsets.UTF_8), value));
        assertEquals("PONG", jedis.ping());
    }

    @Test
    void quitAnswersOkAndCloses() throws IOException {
        try (Socket socket = socket()) {
            send(socket, "*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n");
            expectReply(socket, "+OK\r\n");
            assertClosed(socket);
        }
    }

    // ---- Helpers ------------------------------------------------------------------------------

    /** Unlike {@link JedisOnANode#assertError}: the error starts with {@code prefix}. */
    static void assertError(String prefix, org.junit.jupiter.api.function.Executable call) {
        JedisDataException e = assertThrows(JedisDataException.class, call);
        assertTrue(e.getMessage().startsWith(prefix), "expected '" + prefix + "', got '" + e.getMessage() + "'");
    }

    private static Socket socket() throws IOException {
        return RawResp.connect(port);
    }
}
