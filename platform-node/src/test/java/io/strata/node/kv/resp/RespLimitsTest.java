package io.strata.node.kv.resp;

import io.strata.node.testing.Await;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.strata.node.testing.Sockets.assertClosedWithin;
import static io.strata.node.testing.Sockets.readLine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The RESP listener's limits over real connections (Jedis and raw sockets): {@code maxclients}
 * as Redis answers it, the idle {@code timeout}, and the input budget for pipelined floods and
 * unfinished commands.
 */
class RespLimitsTest {

    private static final Duration MARGIN = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private TestNode node;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private void start(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(extra);
        settings.put("strata.resp.enabled", "on");
        settings.put("strata.resp.port", "0");
        node = TestNode.start(dir, settings);
    }

    private int port() {
        return node.node().respAddress().orElseThrow().getPort();
    }

    private Jedis jedis() {
        Jedis jedis = new Jedis("127.0.0.1", port(), (int) MARGIN.toMillis());
        clients.add(jedis);
        return jedis;
    }

    /** A Jedis that sends no CLIENT SETINFO on connect, so its first command reads a connection's refusal. */
    private Jedis plainJedis() {
        return new Jedis(new HostAndPort("127.0.0.1", port()), DefaultJedisClientConfig.builder()
                .timeoutMillis((int) MARGIN.toMillis()).clientSetInfoConfig(ClientSetInfoConfig.DISABLED).build());
    }

    private Socket socket() throws IOException {
        Socket socket = new Socket("127.0.0.1", port());
        socket.setSoTimeout((int) MARGIN.toMillis());
        clients.add(socket);
        return socket;
    }

    @Test
    void aClientOverMaxClientsGetsRedissErrorAndOthersGoOn() throws Exception {
        start(Map.of("strata.resp.max-clients", "4"));
        List<Jedis> four = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Jedis jedis = jedis();
            assertEquals("OK", jedis.set("k" + i, "v" + i));
            four.add(jedis);
        }
        Socket extra = socket();
        assertEquals("-ERR max number of clients reached", readLine(extra.getInputStream()));
        assertClosedWithin(extra, MARGIN);
        // Jedis's first command reads Redis's refusal (without CLIENT SETINFO on connect, whose refusals it ignores).
        Jedis plain = plainJedis();
        clients.add(plain);
        JedisDataException refused = assertThrows(JedisDataException.class, plain::ping);
        assertEquals("ERR max number of clients reached", refused.getMessage());

        for (int i = 0; i < 4; i++) {
            assertEquals("v" + i, four.get(i).get("k" + i), "the first clients still work");
        }
        String info = four.get(0).info();
        assertEquals(4, field(info, "connected_clients"));
        assertEquals(4, field(info, "maxclients"));
        assertEquals(2, field(info, "rejected_connections"));

        // Two leave: two newcomers get in (once the server has seen them go), and a third is refused again.
        four.get(0).close();
        four.get(1).close();
        for (int i = 0; i < 2; i++) {
            String key = "new" + i;
            Await.until(MARGIN, () -> {
                try (Jedis newcomer = plainJedis()) {
                    return newcomer.set(key, "in");
                } catch (JedisDataException full) {
                    return full.getMessage();
                }
            }, "OK"::equals, reply -> "a newcomer got: " + reply);
        }
        assertEquals("in", four.get(2).get("new1"));
    }

    @Test
    void anIdleClientIsClosedAfterTheTimeoutAndABusyOneIsNot() throws Exception {
        Duration timeout = Duration.ofSeconds(1);
        start(Map.of("strata.resp.timeout", timeout.toMillis() + "ms"));
        Socket idle = socket();
        send(idle, "PING\r\n");
        assertEquals("+PONG", readLine(idle.getInputStream()));
        Jedis busy = jedis();
        long until = System.nanoTime() + timeout.multipliedBy(3).toNanos();
        while (System.nanoTime() < until) {
            // A command at a fraction of the timeout keeps a connection open.
            assertEquals("PONG", busy.ping());
            Thread.sleep(timeout.toMillis() / 5);
        }
        assertClosedWithin(idle, MARGIN);
        assertEquals("PONG", busy.ping(), "the busy client was never idle for the timeout");
    }

    @Test
    void aPipelinedFloodLargerThanTheInputBudgetIsServedWholeWithinIt() throws Exception {
        long budget = 64 * 1024;
        start(Map.of("strata.resp.max-input-bytes", Long.toString(budget)));
        Jedis jedis = jedis();
        Jedis observer = jedis();
        byte[] value = new byte[8 * 1024];
        int commands = 2_000;
        AtomicLong mostHeld = new AtomicLong();
        AtomicBoolean flooding = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (flooding.get()) {
                mostHeld.accumulateAndGet(field(observer.info("memory"), "strata_input_bytes"), Math::max);
            }
        });
        watcher.start();
        Pipeline pipeline = jedis.pipelined();
        for (int i = 0; i < commands; i++) {
            value[0] = (byte) i;
            pipeline.set(("flood-" + i).getBytes(StandardCharsets.UTF_8), value.clone());
        }
        List<Object> replies = pipeline.syncAndReturnAll();
        flooding.set(false);
        watcher.join(MARGIN.toMillis());
        assertEquals(commands, replies.size());
        assertTrue(replies.stream().allMatch("OK"::equals), "every SET of a 16 MiB pipeline through a 64 KiB budget answered OK");
        assertTrue(mostHeld.get() > 0, "the watcher saw commands held");
        assertTrue(mostHeld.get() <= budget, "at most the budget held at once: " + mostHeld.get());
        value[0] = (byte) (commands - 1);
        assertArrayEquals(value, jedis.get(("flood-" + (commands - 1)).getBytes(StandardCharsets.UTF_8)));
        assertTrue(field(jedis.info("memory"), "strata_input_bytes") < 100, "every command's bytes were given back, but INFO's own");
    }

    @Test
    void aClientThatLeavesWithCommandsWaitingGivesItsInputBytesBack() throws Exception {
        start(Map.of("strata.resp.max-input-bytes", "64k"));
        Socket leaver = socket();
        String value = "v".repeat(8 * 1024);
        StringBuilder pipeline = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            String key = "leaver-" + i;
            pipeline.append("*3\r\n$3\r\nSET\r\n$").append(key.length()).append("\r\n").append(key)
                    .append("\r\n$").append(value.length()).append("\r\n").append(value).append("\r\n");
        }
        // 800 KiB of commands through a 64 KiB budget, replies never read, then gone.
        send(leaver, pipeline.toString());
        leaver.close();
        Jedis jedis = jedis();
        Await.until(MARGIN, () -> field(jedis.info("memory"), "strata_input_bytes"), held -> held < 100,
                held -> "input bytes still held: " + held);
        Pipeline more = jedis.pipelined();
        for (int i = 0; i < 100; i++) {
            more.set("after-" + i, value);
        }
        assertTrue(more.syncAndReturnAll().stream().allMatch("OK"::equals), "the whole budget is there for others");
    }

    @Test
    void unfinishedCommandsPastTheBudgetCloseTheLargestHolder() throws Exception {
        start(Map.of("strata.resp.max-input-bytes", "64k"));
        String head = "*3\r\n$3\r\nSET\r\n$1\r\n%s\r\n$30000\r\n";
        Socket a = socket();
        Socket b = socket();
        send(a, head.formatted("a") + "a".repeat(20_000));
        send(b, head.formatted("b") + "b".repeat(20_000));
        Jedis observer = jedis();
        Await.until(MARGIN, () -> field(observer.info("memory"), "strata_unfinished_input_bytes"), held -> held >= 40_000,
                held -> "unfinished bytes held: " + held);

        // A third unfinished command takes the total past 64 KiB: it is then the largest, and is closed.
        Socket c = socket();
        send(c, head.formatted("c") + "c".repeat(40_000));
        assertClosedWithin(c, MARGIN);
        assertEquals(1, field(observer.info("stats"), "evicted_clients"));

        // The others finish their commands (which the budget holds: 2 x 30,000 bytes).
        send(a, "a".repeat(10_000) + "\r\n");
        send(b, "b".repeat(10_000) + "\r\n");
        assertEquals("+OK", readLine(a.getInputStream()));
        assertEquals("+OK", readLine(b.getInputStream()));
        assertEquals(30_000, observer.get("a").length());
        assertEquals(false, observer.exists("c"), "the closed client's command never ran");
    }

    // ---- Helpers ------------------------------------------------------------------------------

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static long field(String info, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ":(\\d+)\r?$").matcher(info);
        assertTrue(m.find(), name + " in " + info);
        return Long.parseLong(m.group(1));
    }
}
