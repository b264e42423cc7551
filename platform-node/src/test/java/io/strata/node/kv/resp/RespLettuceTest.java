package io.strata.node.kv.resp;

import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A second client library against the RESP listener: Lettuce (Netty, asynchronous, one shared
 * connection pipelining every caller's commands). It opens with {@code HELLO 3}, as with Redis 6
 * and later, and speaks RESP3 from then on.
 */
class RespLettuceTest {

    @TempDir
    static Path dir;

    private static TestNode node;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("strata.resp.enabled", "on", "strata.resp.port", "0"));
        int port = node.node().respAddress().orElseThrow().getPort();
        client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(port).withTimeout(Duration.ofSeconds(10)).build());
        connection = client.connect();
    }

    @AfterAll
    static void stop() {
        if (connection != null) {
            connection.close();
        }
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        }
        node.close();
    }

    @Test
    void synchronousCommands() {
        RedisCommands<String, String> redis = connection.sync();
        assertEquals("PONG", redis.ping());
        assertTrue(redis.clientInfo().contains(" resp=3 "), "Lettuce's HELLO 3 was accepted: " + redis.clientInfo());
        assertEquals("OK", redis.set("lettuce:greeting", "hello"));
        assertEquals("hello", redis.get("lettuce:greeting"));
        assertNull(redis.set("lettuce:greeting", "again", SetArgs.Builder.nx()));
        assertEquals(7L, redis.incrby("lettuce:counter", 7));
        assertEquals("OK", redis.setex("lettuce:session", 100, "token"));
        assertTrue(redis.ttl("lettuce:session") > 95);
        assertEquals(List.of(KeyValue.just("lettuce:greeting", "hello"), KeyValue.empty("lettuce:nobody")),
                redis.mget("lettuce:greeting", "lettuce:nobody"));
        assertEquals(1L, redis.del("lettuce:greeting"));
        RedisCommandExecutionException notInteger = assertThrows(RedisCommandExecutionException.class,
                () -> redis.incr("lettuce:session"));
        assertTrue(notInteger.getMessage().startsWith("ERR value is not an integer"), notInteger.getMessage());
        assertEquals("PONG", redis.ping(), "the connection stays usable after an error");
    }

    @Test
    void asynchronousCommandsArePipelinedAndAnsweredInOrder() throws Exception {
        RedisAsyncCommands<String, String> redis = connection.async();
        connection.setAutoFlushCommands(false);
        List<RedisFuture<?>> futures = new ArrayList<>();
        List<RedisFuture<Long>> counts = new ArrayList<>();
        try {
            for (int i = 0; i < 500; i++) {
                futures.add(redis.set("lettuce:key:" + i, Integer.toString(i)));
                RedisFuture<Long> count = redis.incr("lettuce:pipelined");
                counts.add(count);
                futures.add(count);
            }
            connection.flushCommands();
        } finally {
            connection.setAutoFlushCommands(true);
        }
        assertTrue(LettuceFutures.awaitAll(30, TimeUnit.SECONDS, futures.toArray(RedisFuture[]::new)));
        for (int i = 0; i < counts.size(); i++) {
            assertEquals(i + 1, counts.get(i).get());
        }
        assertEquals("499", connection.sync().get("lettuce:key:499"));
    }
}
