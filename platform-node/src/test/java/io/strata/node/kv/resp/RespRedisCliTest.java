package io.strata.node.kv.resp;

import io.strata.node.testing.ChildTool;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** redis-cli itself against the RESP listener, in RESP2 and RESP3 ({@code -3}); skipped where redis-cli is not on the PATH. */
class RespRedisCliTest {

    @TempDir
    static Path dir;

    private static TestNode node;
    private static int port;

    @BeforeAll
    static void start() {
        assumeTrue(redisCli() != null, "redis-cli is not on the PATH");
        node = TestNode.start(dir, Map.of("strata.resp.enabled", "on", "strata.resp.port", "0"));
        port = node.node().respAddress().orElseThrow().getPort();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void commandsFromTheCommandLine() throws Exception {
        assertEquals("PONG", cli("PING"));
        assertEquals("OK", cli("SET", "cli-key", "hello world"));
        assertEquals("hello world", cli("GET", "cli-key"));
        assertEquals("OK", cli("-n", "2", "SET", "cli-db", "two"));
        assertEquals("two", node.get("/kv/2/cli-db").body(), "database 2 is keyspace '2'");
        assertEquals("5", cli("INCRBY", "cli-counter", "5"));
        assertEquals("OK", cli("SET", "cli-ttl", "v", "EX", "100"));
        assertTrue(Long.parseLong(cli("TTL", "cli-ttl")) > 95);
        assertTrue(cli("FOO").startsWith("ERR unknown command 'FOO'"), cli("FOO"));
        assertTrue(cli("INFO", "server").contains("redis_mode:standalone"));
    }

    @Test
    void resp3Sessions() throws Exception {
        // redis-cli -3 opens with HELLO 3 and prints RESP3's maps as key and value, its nulls as empty lines.
        assertEquals("server redis\nversion 7.0.0\nproto 3", String.join("\n", cli("-3", "HELLO", "3").lines().limit(3).toList()));
        assertEquals("OK", cli("-3", "SET", "cli-resp3", "three"));
        assertEquals("three", cli("-3", "GET", "cli-resp3"));
        assertEquals("", cli("-3", "GET", "cli-resp3-absent"));
        assertEquals("databases 16", cli("-3", "CONFIG", "GET", "databases"));
        assertTrue(cli("-3", "CLIENT", "INFO").contains(" resp=3 "), cli("-3", "CLIENT", "INFO"));
        assertTrue(cli("-3", "INFO", "server").startsWith("# Server"), cli("-3", "INFO", "server"));
    }

    @Test
    void pipedCommands() throws Exception {
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            input.append("INCR cli-piped\n");
        }
        input.append("GET cli-piped\n");
        String out = run(input.toString());
        String[] lines = out.strip().split("\n");
        assertEquals(101, lines.length, out);
        assertEquals("100", lines[100]);
    }

    @Test
    void massInsertionWithPipe() throws Exception {
        // redis-cli --pipe: Redis's documented bulk load; the protocol as clients send it, then an ECHO it waits for.
        StringBuilder protocol = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            String key = "pipe:" + i;
            String value = "v" + i;
            protocol.append("*3\r\n$3\r\nSET\r\n$").append(key.length()).append("\r\n").append(key)
                    .append("\r\n$").append(value.length()).append("\r\n").append(value).append("\r\n");
        }
        String out = run(protocol.toString(), "--pipe");
        assertTrue(out.contains("errors: 0, replies: 5000"), out);
        assertEquals("v4999", cli("GET", "pipe:4999"));
        assertEquals("v0", cli("GET", "pipe:0"));
    }

    private static String cli(String... args) throws Exception {
        return run(port, "", args).strip();
    }

    private static String run(String stdin, String... args) throws Exception {
        return run(port, stdin, args);
    }

    /** redis-cli against 127.0.0.1:{@code port} with {@code args}, fed {@code stdin}: its output (stdout, then stderr). */
    static String run(int port, String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of(redisCli(), "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        ChildTool.Result result = ChildTool.run(command, Map.of(), stdin, Duration.ofSeconds(30));
        return result.out() + result.err();
    }

    /** The redis-cli on the PATH, or null. */
    static String redisCli() {
        return ChildTool.onPath("redis-cli").map(Path::toString).orElse(null);
    }
}
