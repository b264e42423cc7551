package io.strata.node;

import io.strata.node.launch.NodeProcess;
import io.strata.node.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisDataException;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A flood of pipelined SETs against a node with a 256 MiB heap, in a child JVM: past the memory
 * ceiling the SETs are answered {@code -OOM}, the node stays up and answers GET, DEL and
 * {@code /health}, deletes make room so SET works again, and the node's log has no
 * OutOfMemoryError. Without the ceiling the heap fills until the JVM stops answering and exits.
 */
class MemoryFloodTest {

    private static final int HEAP_MIB = 256;
    private static final int VALUE_BYTES = 48 * 1024;
    private static final int BATCH = 64;
    private static final int CONNECTIONS = 4;
    private static final Duration MARGIN = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final ChildNodes nodes = new ChildNodes();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(MARGIN).build();

    @AfterEach
    void killNodes() throws InterruptedException {
        nodes.killAll();
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void pipelinedSetsPastTheCeilingGetOomAndTheNodeStaysUp() throws Exception {
        Path log = dir.resolve("node.log");
        NodeProcess node = nodes.start(NodeProcess.builder(dir.resolve("data")).logFile(log)
                .addJvmFlags("-Xmx" + HEAP_MIB + "m")
                .args("--resp-port", "0", "-Dstrata.max-memory-gc-interval=1s"));
        int port = node.respPort().orElseThrow();

        // Four connections pipeline SETs of 48 KiB values until they have sent twice the heap and seen OOM replies.
        long floodBytes = 2L * HEAP_MIB * 1024 * 1024;
        AtomicLong sent = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        ConcurrentLinkedQueue<String> stored = new ConcurrentLinkedQueue<>();
        var pool = nodes.pool(Executors.newFixedThreadPool(CONNECTIONS));
        List<Future<?>> floods = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            int connection = c;
            floods.add(pool.submit(() -> {
                try (Jedis jedis = new Jedis("127.0.0.1", port, (int) MARGIN.toMillis())) {
                    for (int batch = 0; sent.get() < floodBytes || refused.get() == 0; batch++) {
                        Pipeline pipeline = jedis.pipelined();
                        List<String> keys = new ArrayList<>();
                        for (int i = 0; i < BATCH; i++) {
                            String key = "c" + connection + "-" + batch + "-" + i;
                            keys.add(key);
                            pipeline.set(key.getBytes(StandardCharsets.UTF_8), valueOf(key));
                        }
                        List<Object> replies = pipeline.syncAndReturnAll();
                        sent.addAndGet((long) BATCH * VALUE_BYTES);
                        for (int i = 0; i < BATCH; i++) {
                            Object reply = replies.get(i);
                            if ("OK".equals(reply)) {
                                stored.add(keys.get(i));
                            } else if (reply instanceof JedisDataException e
                                    && e.getMessage().startsWith("OOM command not allowed when used memory > 'maxmemory'")) {
                                refused.incrementAndGet();
                            } else {
                                throw new AssertionError("unexpected reply to SET: " + reply);
                            }
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> flood : floods) {
            flood.get(5, TimeUnit.MINUTES);
        }
        assertTrue(node.isAlive(), "the node survived the flood");
        assertTrue(refused.get() > 0 && !stored.isEmpty(), "some SETs stored, then refused: " + stored.size() + " / " + refused.get());
        System.out.printf("flood: %d MiB sent, %d SETs stored, %d answered OOM%n", sent.get() >> 20, stored.size(), refused.get());

        try (Jedis jedis = new Jedis("127.0.0.1", port, (int) MARGIN.toMillis())) {
            String info = jedis.info("memory");
            long max = figure(info, "maxmemory");
            assertTrue(max > 0 && max < HEAP_MIB * 1024L * 1024, "the ceiling is a share of the heap: " + max);
            assertTrue((long) stored.size() * VALUE_BYTES <= max, "what was stored fits under the ceiling");

            // Reads, /health, and the HTTP door's refusal.
            String first = stored.peek();
            assertArrayEquals(valueOf(first), jedis.get(first.getBytes(StandardCharsets.UTF_8)));
            assertEquals(200, get("/health", node).statusCode());
            // A collection since the flood may have found a little room: HTTP PUTs fill it, then get 507.
            AtomicLong httpKeys = new AtomicLong();
            HttpResponse<String> put = Await.until(MARGIN, () -> {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                                URI.create(node.httpBase() + "/kv/0/over-http-" + httpKeys.incrementAndGet()))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[VALUE_BYTES])).timeout(MARGIN).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertTrue(response.statusCode() == 201 || response.statusCode() == 507, response.body());
                return response;
            }, response -> response.statusCode() == 507, response -> response.statusCode() + " " + response.body());
            assertTrue(put.body().contains("\"code\":\"memory_full\""), put.body());

            // Deleting half of what is stored makes room: SET works again, without a restart.
            List<String> keys = new ArrayList<>(stored);
            Pipeline deletes = jedis.pipelined();
            for (String key : keys.subList(0, keys.size() / 2)) {
                deletes.del(key);
            }
            assertTrue(deletes.syncAndReturnAll().stream().allMatch(Long.valueOf(1)::equals), "every DEL deleted its key");
            String reply = Await.until(MARGIN, () -> {
                try {
                    return jedis.set("after-deletes".getBytes(StandardCharsets.UTF_8), valueOf("after-deletes"));
                } catch (JedisDataException oom) {
                    return oom.getMessage();
                }
            }, "OK"::equals, r -> "SET after the deletes: " + r);
            assertEquals("OK", reply);
            assertArrayEquals(valueOf("after-deletes"), jedis.get("after-deletes".getBytes(StandardCharsets.UTF_8)));
        }
        assertTrue(node.isAlive());
        String output = Files.readString(log);
        assertFalse(output.contains("OutOfMemoryError"), "the node never ran out of heap:\n" + node.logTail());
        assertTrue(output.contains("writes are refused with memory_full"), "the node logged that it refuses writes");
    }

    /** A value that says which key it belongs to, so a read proves it is the right one. */
    private static byte[] valueOf(String key) {
        byte[] value = new byte[VALUE_BYTES];
        Arrays.fill(value, (byte) key.hashCode());
        byte[] name = key.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(name, 0, value, 0, name.length);
        return value;
    }

    private HttpResponse<String> get(String path, NodeProcess node) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(node.httpBase() + path)).timeout(MARGIN).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long figure(String info, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ":(\\d+)\r?$").matcher(info);
        assertTrue(m.find(), name + " in " + info);
        return Long.parseLong(m.group(1));
    }
}
