package io.strata.node.kv.resp;

import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.strata.node.kv.resp.RawResp.exchange;
import static io.strata.node.kv.resp.RawResp.expectReply;
import static io.strata.node.kv.resp.RawResp.readUntil;
import static io.strata.node.kv.resp.RawResp.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connection commands and RESP3: {@code HELLO 3} switches a connection's replies to RESP3
 * (nulls, maps, sets, verbatim strings) and {@code HELLO 2} or {@code RESET} back; {@code CLIENT}
 * names, lists and describes connections as Redis does; {@code TIME}, {@code COMMAND DOCS}. Byte
 * for byte over raw sockets, then through Jedis speaking RESP3.
 */
class RespProtocolTest {

    @TempDir
    static Path dir;

    private static TestNode node;
    private static int port;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("strata.resp.enabled", "on", "strata.resp.port", "0"));
        port = node.node().respAddress().orElseThrow().getPort();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void helloThreeSwitchesRepliesToResp3AndHelloTwoBack() throws IOException {
        try (Socket socket = RawResp.connect(port)) {
            exchange(socket, "SET proto:k v\r\n", "+OK\r\n");
            exchange(socket, "HELLO 4\r\n", "-NOPROTO unsupported protocol version\r\n");
            exchange(socket, "GET proto:absent\r\n", "$-1\r\n");
            send(socket, "HELLO 3 SETNAME three\r\nECHO end\r\n");
            String hello = readUntil(socket, "$3\r\nend\r\n");
            assertTrue(hello.startsWith("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.0.0\r\n"
                    + "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:"),
                    hello);
            assertTrue(hello.endsWith("$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
                    + "$7\r\nmodules\r\n*0\r\n$3\r\nend\r\n"),
                    hello);
            exchange(socket, "GET proto:absent\r\n", "_\r\n");
            exchange(socket, "MGET proto:k proto:absent\r\n", "*2\r\n$1\r\nv\r\n_\r\n");
            exchange(socket, "SET proto:k w NX\r\n", "_\r\n");
            exchange(socket, "CONFIG GET save\r\n", "%1\r\n$4\r\nsave\r\n$0\r\n\r\n");
            exchange(socket, "CLIENT GETNAME\r\n", "$5\r\nthree\r\n");
            exchange(socket, "COMMAND INFO nosuch\r\n", "*1\r\n_\r\n");
            send(socket, "INFO server\r\n");
            String info = readUntil(socket, "\r\n\r\n\r\n");
            assertTrue(info.startsWith("=") && info.contains("\r\ntxt:# Server\r\n") && info.contains("redis_version:7.0.0"), info);
            // A refused HELLO changes nothing: still RESP3.
            exchange(socket, "HELLO 3 AUTH admin wrong\r\n", "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
            exchange(socket, "HELLO 1\r\n", "-NOPROTO unsupported protocol version\r\n");
            exchange(socket, "GET proto:absent\r\n", "_\r\n");
            send(socket, "HELLO 2\r\nECHO end\r\n");
            assertTrue(readUntil(socket, "$3\r\nend\r\n").startsWith("*14\r\n$6\r\nserver\r\n"));
            exchange(socket, "GET proto:absent\r\n", "$-1\r\n");
            exchange(socket, "CONFIG GET save\r\n", "*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
        }
    }

    @Test
    void resetReturnsTheConnectionToHowItStarted() throws IOException {
        try (Socket socket = RawResp.connect(port)) {
            exchange(socket, "SELECT 3\r\n", "+OK\r\n");
            exchange(socket, "SET reset:k in-three\r\n", "+OK\r\n");
            exchange(socket, "CLIENT SETNAME before-reset\r\n", "+OK\r\n");
            exchange(socket, "CLIENT NO-EVICT on\r\n", "+OK\r\n");
            send(socket, "HELLO 3\r\nECHO end\r\n");
            readUntil(socket, "$3\r\nend\r\n");
            exchange(socket, "RESET\r\n", "+RESET\r\n");
            exchange(socket, "CLIENT GETNAME\r\n", "$-1\r\n");
            exchange(socket, "GET reset:k\r\n", "$-1\r\n");
            exchange(socket, "SELECT 3\r\n", "+OK\r\n");
            exchange(socket, "GET reset:k\r\n", "$8\r\nin-three\r\n");
            send(socket, "CLIENT INFO\r\n");
            String line = readUntil(socket, "\n\r\n");
            assertTrue(line.contains(" flags=N ") && line.contains(" resp=2 ") && line.contains(" name= "), line);
        }
    }

    @Test
    void clientNamesLibrariesAndTheConnectionList() throws IOException {
        try (Socket first = RawResp.connect(port); Socket second = RawResp.connect(port)) {
            exchange(first, multiBulk("CLIENT", "SETNAME", "has space"),
                    "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
            exchange(first, multiBulk("HELLO", "3", "SETNAME", "bad\u0001name"),
                    "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
            exchange(first, "CLIENT GETNAME\r\n", "$-1\r\n");
            exchange(first, "CLIENT SETNAME first-client\r\n", "+OK\r\n");
            exchange(first, "CLIENT SETINFO LIB-NAME strata-test\r\n", "+OK\r\n");
            exchange(first, "CLIENT SETINFO lib-ver 1.2.3\r\n", "+OK\r\n");
            exchange(first, multiBulk("CLIENT", "SETINFO", "LIB-NAME", "two words"),
                    "-ERR lib-name cannot contain spaces, newlines or special characters.\r\n");
            exchange(first, "CLIENT SETINFO LIB-COLOR blue\r\n", "-ERR Unrecognized option 'LIB-COLOR'\r\n");
            exchange(first, "CLIENT NO-TOUCH maybe\r\n", "-ERR syntax error\r\n");
            exchange(first, "CLIENT NO-TOUCH on\r\n", "+OK\r\n");
            exchange(first, "CLIENT GETREDIR\r\n", ":-1\r\n");
            exchange(first, "CLIENT FLY\r\n", "-ERR unknown subcommand or wrong number of arguments for 'FLY'. Try CLIENT HELP.\r\n");
            exchange(second, "CLIENT SETNAME second-client\r\n", "+OK\r\n");
            long firstId = id(first);
            long secondId = id(second);

            String mine = bulk(first, "CLIENT INFO\r\n");
            assertTrue(mine.startsWith("id=" + firstId + " addr=127.0.0.1:" + first.getLocalPort() + " laddr=127.0.0.1:" + port), mine);
            assertTrue(mine.contains(" name=first-client ") && mine.contains(" flags=T ") && mine.contains(" db=0 ")
                    && mine.contains(" cmd=client|info ") && mine.contains(" lib-name=strata-test lib-ver=1.2.3\n"), mine);

            String all = bulk(first, "CLIENT LIST\r\n");
            assertTrue(all.contains("id=" + firstId + " ") && all.contains("id=" + secondId + " ")
                    && all.contains("name=second-client"), all);
            String only = bulk(first, "CLIENT LIST ID " + secondId + "\r\n");
            assertEquals(1, only.lines().count(), only);
            assertTrue(only.startsWith("id=" + secondId + " ") && only.contains(" name=second-client "), only);
            exchange(first, "CLIENT LIST TYPE pubsub\r\n", "$0\r\n\r\n");
            exchange(first, "CLIENT LIST TYPE nobody\r\n", "-ERR Unknown client type 'nobody'\r\n");
            exchange(first, "CLIENT LIST ID x\r\n", "-ERR Invalid client ID\r\n");
            exchange(first, multiBulk("CLIENT", "SETNAME", ""), "+OK\r\n");
            exchange(first, "CLIENT GETNAME\r\n", "$-1\r\n");
        }
    }

    @Test
    void timeAndCommandDocs() throws IOException {
        try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
            List<String> time = jedis.time();
            long seconds = Long.parseLong(time.get(0));
            assertTrue(Math.abs(seconds - System.currentTimeMillis() / 1000) <= 5, time.toString());
            long micros = Long.parseLong(time.get(1));
            assertTrue(micros >= 0 && micros < 1_000_000, time.toString());
            List<?> docs = (List<?>) jedis.sendCommand(Protocol.Command.COMMAND, "DOCS", "get");
            assertEquals(List.of("get", List.of("summary", "Returns the string value of a key.", "since", "1.0.0", "group", "string")),
                    strings(docs));
            List<?> names = (List<?>) jedis.sendCommand(Protocol.Command.COMMAND, "LIST");
            assertTrue(strings(names).containsAll(List.of("get", "hello", "reset", "time", "client")), strings(names).toString());
        }
    }

    @Test
    void jedisSpeakingResp3() {
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP3)
                .clientName("jedis-resp3").socketTimeoutMillis(10_000).build();
        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", port), config)) {
            assertEquals("OK", jedis.set("resp3:k", "v"));
            assertEquals("v", jedis.get("resp3:k"));
            assertNull(jedis.get("resp3:absent"));
            assertEquals(Arrays.asList("v", null), jedis.mget("resp3:k", "resp3:absent"));
            assertEquals(Map.of("save", "", "appendonly", "no"), jedis.configGet("save", "appendonly"));
            assertTrue(jedis.clientInfo().contains(" resp=3 "), jedis.clientInfo());
            assertEquals("jedis-resp3", jedis.clientGetname());
            assertTrue(jedis.info("server").contains("redis_version:7.0.0"), jedis.info("server"));
            JedisDataException refused = assertThrows(JedisDataException.class, () -> jedis.incr("resp3:k"));
            assertTrue(refused.getMessage().startsWith("ERR value is not an integer"), refused.getMessage());
            assertEquals("PONG", jedis.ping());
        }
    }


    /** A command as clients send it: an array of bulk strings (ASCII). */
    private static String multiBulk(String... args) {
        StringBuilder out = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            out.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
        }
        return out.toString();
    }

    private static long id(Socket socket) throws IOException {
        send(socket, "CLIENT ID\r\n");
        String reply = readUntil(socket, "\r\n");
        return Long.parseLong(reply.substring(1).strip());
    }

    /** A RESP2 bulk string reply's text. */
    private static String bulk(Socket socket, String command) throws IOException {
        send(socket, command);
        String header = readUntil(socket, "\r\n");
        int length = Integer.parseInt(header.substring(1).strip());
        String text = new String(socket.getInputStream().readNBytes(length), StandardCharsets.UTF_8);
        expectReply(socket, "\r\n");
        return text;
    }

    /** Jedis's raw reply with its byte arrays as text. */
    private static List<Object> strings(List<?> reply) {
        return reply.stream().map(item -> item instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                : item instanceof List<?> list ? strings(list) : item).toList();
    }
}
