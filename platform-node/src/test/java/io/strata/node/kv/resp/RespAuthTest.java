package io.strata.node.kv.resp;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.strata.node.kv.resp.RawResp.assertClosed;
import static io.strata.node.kv.resp.RawResp.exchange;
import static io.strata.node.kv.resp.RawResp.readUntil;
import static io.strata.node.kv.resp.RawResp.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * RESP with a password ({@code strata.http.auth-token}): as Redis with {@code requirepass}, nothing
 * but AUTH, HELLO and QUIT runs before AUTH, a wrong password changes nothing, and Redis clients
 * configured with the password (Jedis, Lettuce, redis-cli -a) work as against Redis.
 */
class RespAuthTest {

    private static final String TOKEN = "s3cret-token";
    private static final String NOAUTH = "-NOAUTH Authentication required.\r\n";
    private static final String WRONGPASS = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

    @TempDir
    static Path dir;

    private static TestNode node;
    private static int port;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("strata.resp.enabled", "on", "strata.resp.port", "0", "strata.http.auth-token", TOKEN));
        port = node.node().respAddress().orElseThrow().getPort();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aPipelineWithAuthInTheMiddleIsRefusedBeforeItAndRunsAfterIt() throws IOException {
        try (Socket socket = socket()) {
            // One write: the commands on either side of AUTH are batches of their own.
            exchange(socket, "SET pipe:k v\r\nGET pipe:k\r\nINCR pipe:n\r\nAUTH " + TOKEN + "\r\nSET pipe:k v\r\nGET pipe:k\r\n"
                    + "INCR pipe:n\r\n", NOAUTH + NOAUTH + NOAUTH + "+OK\r\n+OK\r\n$1\r\nv\r\n:1\r\n");
        }
    }

    @Test
    void beforeAuthOnlyAuthHelloAndQuitRunAndNothingChanges() throws IOException {
        try (Socket socket = socket()) {
            exchange(socket, "SET noauth:k v\r\n", NOAUTH);
            exchange(socket, "GET noauth:k\r\n", NOAUTH);
            exchange(socket, "PING\r\n", NOAUTH);
            exchange(socket, "SELECT 2\r\n", NOAUTH);
            exchange(socket, "INCR noauth:counter\r\n", NOAUTH);
            exchange(socket, "CLIENT SETNAME x\r\n", NOAUTH);
            // As in Redis, an unknown command or a wrong arity is answered as such before authentication.
            exchange(socket, "FOO\r\n", "-ERR unknown command 'FOO', with args beginning with: \r\n");
            exchange(socket, "AUTH\r\n", "-ERR wrong number of arguments for 'auth' command\r\n");
            exchange(socket, "AUTH wrong\r\n", WRONGPASS);
            exchange(socket, "AUTH admin " + TOKEN + "\r\n", WRONGPASS);
            exchange(socket, "AUTH default wrong\r\n", WRONGPASS);
            exchange(socket, "AUTH a b c\r\n", "-ERR syntax error\r\n");
            exchange(socket, "HELLO 2 AUTH default wrong\r\n", WRONGPASS);
            exchange(socket, "HELLO 2 AUTH default\r\n", "-ERR Syntax error in HELLO option 'AUTH'\r\n");
            exchange(socket, "HELLO 4 AUTH default " + TOKEN + "\r\n", "-NOPROTO unsupported protocol version\r\n");
            String hello = "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto>"
                    + " AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version"
                    + " at the same time\r\n";
            exchange(socket, "HELLO 2\r\n", hello);
            exchange(socket, "HELLO\r\n", hello);
            exchange(socket, "GET noauth:k\r\n", NOAUTH);
        }
        // Nothing the refused commands named was written.
        assertEquals(404, node.send(authorized("/kv/0/noauth:k")).statusCode());
        assertEquals(404, node.send(authorized("/kv/0/noauth:counter")).statusCode());
        try (Socket socket = socket()) {
            exchange(socket, "QUIT\r\n", "+OK\r\n");
            assertClosed(socket);
        }
    }

    @Test
    void authWithThePasswordOpensTheConnection() throws IOException {
        try (Socket socket = socket()) {
            exchange(socket, "AUTH " + TOKEN + "\r\n", "+OK\r\n");
            exchange(socket, "SET auth:k v1\r\n", "+OK\r\n");
            exchange(socket, "GET auth:k\r\n", "$2\r\nv1\r\n");
            // A wrong AUTH later is refused and leaves the connection authenticated, as in Redis.
            exchange(socket, "AUTH wrong\r\n", WRONGPASS);
            exchange(socket, "GET auth:k\r\n", "$2\r\nv1\r\n");
        }
        assertEquals("v1", node.send(authorized("/kv/0/auth:k")).body());
        try (Socket socket = socket()) {
            exchange(socket, "AUTH default " + TOKEN + "\r\n", "+OK\r\n");
            exchange(socket, "PING\r\n", "+PONG\r\n");
        }
        try (Socket socket = socket()) {
            // HELLO's reply, then an ECHO's, which marks where HELLO's ends.
            send(socket, "HELLO 2 AUTH default " + TOKEN + " SETNAME hello-auth\r\nECHO end-of-hello\r\n");
            String replies = readUntil(socket, "$12\r\nend-of-hello\r\n");
            assertTrue(replies.startsWith("*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n") && replies.contains("modules"), replies);
            exchange(socket, "CLIENT GETNAME\r\n", "$10\r\nhello-auth\r\n");
        }
        try (Socket socket = socket()) {
            // RESP3 and authentication in one handshake, as redis-py and Lettuce open; RESET forgets both.
            send(socket, "HELLO 3 AUTH default " + TOKEN + "\r\nECHO end-of-hello\r\n");
            assertTrue(readUntil(socket, "$12\r\nend-of-hello\r\n").startsWith("%7\r\n$6\r\nserver\r\n"));
            exchange(socket, "GET auth:absent\r\n", "_\r\n");
            exchange(socket, "RESET\r\n", "+RESET\r\n");
            exchange(socket, "GET auth:absent\r\n", NOAUTH);
        }
    }

    @Test
    void pipelinedCommandsBeforeAuthAreRefusedAndThoseAfterItRun() throws IOException {
        try (Socket socket = socket()) {
            // One write: the GET before AUTH is refused, the SET and GET after it run, in order.
            String pipeline = "GET pipe:k\r\nAUTH " + TOKEN + "\r\nSET pipe:k 1\r\nGET pipe:k\r\n";
            exchange(socket, pipeline, NOAUTH + "+OK\r\n+OK\r\n$1\r\n1\r\n");
        }
        try (Socket socket = socket()) {
            StringBuilder before = new StringBuilder();
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                before.append("INCR pipe:refused\r\n");
                expected.append(NOAUTH);
            }
            exchange(socket, before.toString(), expected.toString());
        }
        assertEquals(404, node.send(authorized("/kv/0/pipe:refused")).statusCode(), "no INCR sent before AUTH ran");
    }

    @Test
    void jedisWithThePassword() {
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().password(TOKEN).socketTimeoutMillis(10_000).build();
        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", port), config)) {
            assertEquals("OK", jedis.set("jedis:auth", "yes"));
            assertEquals("yes", jedis.get("jedis:auth"));
            // An authenticated connection may flush a database (database 7 here, not the others' 0).
            jedis.select(7);
            jedis.set("jedis:flushed", "v");
            assertEquals("OK", jedis.flushDB());
            assertEquals(0, jedis.dbSize());
        }
        // User and password, through HELLO 2 AUTH (Jedis's handshake when a protocol is chosen).
        DefaultJedisClientConfig hello = DefaultJedisClientConfig.builder().user("default").password(TOKEN)
                .protocol(RedisProtocol.RESP2).socketTimeoutMillis(10_000).build();
        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", port), hello)) {
            assertEquals("yes", jedis.get("jedis:auth"));
        }
        try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
            JedisDataException e = assertThrows(JedisDataException.class, () -> jedis.get("jedis:auth"));
            assertEquals("NOAUTH Authentication required.", e.getMessage());
        }
        DefaultJedisClientConfig wrong = DefaultJedisClientConfig.builder().password("wrong").socketTimeoutMillis(10_000).build();
        // Jedis authenticates as it connects: a wrong password fails the connection.
        JedisAccessControlException e = assertThrows(JedisAccessControlException.class,
                () -> new Jedis(new HostAndPort("127.0.0.1", port), wrong).close());
        assertTrue(e.getMessage().startsWith("WRONGPASS"), e.getMessage());
        assertEquals("yes", node.send(authorized("/kv/0/jedis:auth")).body());
    }

    @Test
    void lettuceWithThePassword() {
        RedisClient client = RedisClient.create();
        try {
            RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(port).withPassword(TOKEN.toCharArray())
                    .withTimeout(Duration.ofSeconds(10)).build();
            try (StatefulRedisConnection<String, String> connection = client.connect(uri)) {
                assertEquals("OK", connection.sync().set("lettuce:auth", "yes"));
                assertEquals("yes", connection.sync().get("lettuce:auth"));
            }
            RedisURI wrong = RedisURI.builder().withHost("127.0.0.1").withPort(port).withPassword("wrong".toCharArray())
                    .withTimeout(Duration.ofSeconds(10)).build();
            RedisConnectionException refused = assertThrows(RedisConnectionException.class, () -> client.connect(wrong));
            assertTrue(String.valueOf(refused.getCause()).contains("WRONGPASS"), String.valueOf(refused.getCause()));
            // Without one, the HELLO 3 Lettuce opens with is refused, as Redis 7 refuses it.
            RedisURI none = RedisURI.builder().withHost("127.0.0.1").withPort(port).withTimeout(Duration.ofSeconds(10)).build();
            RedisConnectionException unauthenticated = assertThrows(RedisConnectionException.class, () -> client.connect(none));
            assertTrue(unauthenticated.getCause() instanceof RedisCommandExecutionException e
                    && e.getMessage().startsWith("NOAUTH HELLO must be called with the client already authenticated"),
                    String.valueOf(unauthenticated.getCause()));
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        }
        assertEquals("yes", node.send(authorized("/kv/0/lettuce:auth")).body());
    }

    @Test
    void redisCliWithThePassword() throws Exception {
        assumeTrue(RespRedisCliTest.redisCli() != null, "redis-cli is not on the PATH");
        assertEquals("OK", RespRedisCliTest.run(port, "", "-a", TOKEN, "--no-auth-warning", "SET", "cli:auth", "yes").strip());
        assertEquals("yes", RespRedisCliTest.run(port, "", "--user", "default", "--pass", TOKEN, "--no-auth-warning",
                "GET", "cli:auth").strip());
        assertTrue(RespRedisCliTest.run(port, "", "GET", "cli:auth").contains("NOAUTH"));
        assertTrue(RespRedisCliTest.run(port, "", "-a", "wrong", "--no-auth-warning", "GET", "cli:auth").contains("WRONGPASS"));
    }

    private static HttpRequest.Builder authorized(String path) {
        return node.request(path).header("Authorization", "Bearer " + TOKEN).GET();
    }

    private static Socket socket() throws IOException {
        return RawResp.connect(port);
    }
}
