package io.strata.node.kv.resp;

import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A test class's node with its RESP door on, and a Jedis connection to it per test. A subclass
 * starts the node in its {@code @BeforeAll} with {@link #startNode}; it stops after the class.
 */
abstract class JedisOnANode {

    @TempDir
    static Path dir;

    static TestNode node;
    static int port;
    Jedis jedis;

    /** Starts the node, RESP on a free port, with {@code settings} besides. */
    static void startNode(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("strata.resp.enabled", "on");
        all.put("strata.resp.port", "0");
        node = TestNode.start(dir, all);
        port = node.node().respAddress().orElseThrow().getPort();
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
            node = null;
        }
    }

    @BeforeEach
    void connect() {
        jedis = new Jedis("127.0.0.1", port, 10_000);
    }

    @AfterEach
    void disconnect() {
        jedis.close();
    }

    /** Waits (5 s at most) until INFO counts exactly {@code clients} blocked clients. */
    void awaitBlocked(int clients) {
        io.strata.node.testing.Await.until(java.time.Duration.ofSeconds(5), () -> jedis.info("clients"),
                text -> text.contains("blocked_clients:" + clients), text -> text);
    }

    /** The call fails with exactly this Redis error. */
    static void assertError(String message, Executable call) {
        JedisDataException e = assertThrows(JedisDataException.class, call);
        assertEquals(message, e.getMessage());
    }
}
