package io.strata.node.kv.resp;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pipelines on a real node: the commands one read brings are sent to the partitions as one
 * message per partition ({@code KvBatch}), and still answer exactly as they would one by one —
 * every reply in order, a read after a write of its key seeing it, an error staying with its
 * command — while SELECT, MULTI / EXEC, WATCH and QUIT in the middle of a pipeline keep their
 * meaning.
 */
class RespPipelineTest extends JedisOnANode {

    @BeforeAll
    static void start() {
        startNode(Map.of());
    }

    /** One command of the pipeline and the check of its reply. */
    private record Sent(String what, Response<?> reply, Consumer<Response<?>> check) {}

    @Test
    void thousandsOfMixedCommandsInOnePipelineAnswerAsOneByOne() {
        Random random = new Random(19);
        Map<String, String> strings = new HashMap<>();
        Map<String, Long> counters = new HashMap<>();
        Map<String, Map<String, String>> hashes = new HashMap<>();
        Map<String, List<String>> lists = new HashMap<>();
        Pipeline pipeline = jedis.pipelined();
        List<Sent> sent = new ArrayList<>();
        for (int i = 0; i < 6_000; i++) {
            String s = "s:" + random.nextInt(300);
            String n = "n:" + random.nextInt(100);
            switch (random.nextInt(10)) {
                case 0, 1 -> {
                    String value = "v" + i;
                    strings.put(s, value);
                    sent.add(new Sent("SET " + s, pipeline.set(s, value), r -> assertEquals("OK", r.get())));
                }
                case 2, 3 -> {
                    String expected = strings.get(s);
                    sent.add(new Sent("GET " + s, pipeline.get(s), r -> assertEquals(expected, r.get())));
                }
                case 4 -> {
                    long expected = counters.merge(n, 1L, Long::sum);
                    sent.add(new Sent("INCR " + n, pipeline.incr(n), r -> assertEquals(expected, r.get())));
                }
                case 5 -> {
                    long by = random.nextInt(1000) - 500;
                    long expected = counters.merge(n, by, Long::sum);
                    sent.add(new Sent("INCRBY " + n, pipeline.incrBy(n, by), r -> assertEquals(expected, r.get())));
                }
                case 6 -> {
                    String expected = counters.containsKey(n) ? Long.toString(counters.get(n)) : null;
                    sent.add(new Sent("GET " + n, pipeline.get(n), r -> assertEquals(expected, r.get())));
                }
                case 7 -> {
                    String h = "h:" + random.nextInt(20);
                    String field = "f" + random.nextInt(5);
                    Map<String, String> hash = hashes.computeIfAbsent(h, k -> new HashMap<>());
                    if (random.nextBoolean()) {
                        long added = hash.put(field, "x" + i) == null ? 1 : 0;
                        sent.add(new Sent("HSET " + h, pipeline.hset(h, field, "x" + i), r -> assertEquals(added, r.get())));
                    } else {
                        String expected = hash.get(field);
                        sent.add(new Sent("HGET " + h, pipeline.hget(h, field), r -> assertEquals(expected, r.get())));
                    }
                }
                case 8 -> {
                    String l = "l:" + random.nextInt(20);
                    List<String> list = lists.computeIfAbsent(l, k -> new ArrayList<>());
                    if (random.nextInt(3) > 0) {
                        list.add(0, "e" + i);
                        long length = list.size();
                        sent.add(new Sent("LPUSH " + l, pipeline.lpush(l, "e" + i), r -> assertEquals(length, r.get())));
                    } else {
                        String expected = list.isEmpty() ? null : list.remove(list.size() - 1);
                        sent.add(new Sent("RPOP " + l, pipeline.rpop(l), r -> assertEquals(expected, r.get())));
                    }
                }
                default -> {
                    if (strings.containsKey(s)) {
                        // An error stays with its command: the commands around it answer as they would.
                        sent.add(new Sent("INCR " + s, pipeline.incr(s), r -> assertEquals(RespSession.NOT_INTEGER,
                                assertThrows(JedisDataException.class, r::get).getMessage())));
                    } else {
                        List<String> keys = List.of(s, "s:" + random.nextInt(300));
                        List<String> expected = keys.stream().map(strings::get).toList();
                        sent.add(new Sent("MGET " + keys, pipeline.mget(keys.toArray(String[]::new)),
                                r -> assertEquals(expected, r.get())));
                    }
                }
            }
        }
        pipeline.sync();
        for (int i = 0; i < sent.size(); i++) {
            Sent command = sent.get(i);
            try {
                command.check().accept(command.reply());
            } catch (AssertionError e) {
                throw new AssertionError("command " + i + " (" + command.what() + "): " + e.getMessage(), e);
            }
        }
        strings.forEach((key, value) -> assertEquals(value, jedis.get(key), key));
        counters.forEach((key, value) -> assertEquals(Long.toString(value), jedis.get(key), key));
    }

    @Test
    void aPipelineTakesFewerPartitionMessagesThanCommands() {
        double asksBefore = metric("strata_kv_partition_asks_total");
        double batchesBefore = metric("strata_kv_ops_total\\{op=\"batch\",outcome=\"ok\"}");
        int commands = 4_000;
        Pipeline pipeline = jedis.pipelined();
        List<Response<?>> replies = new ArrayList<>();
        for (int i = 0; i < commands / 2; i++) {
            replies.add(pipeline.set("p:" + (i % 4), "v" + i));
            replies.add(pipeline.get("p:" + (i % 4)));
        }
        pipeline.sync();
        for (int i = 0; i < commands / 2; i++) {
            assertEquals("OK", replies.get(2 * i).get());
            assertEquals("v" + i, replies.get(2 * i + 1).get(), "a GET sees the SET before it in the pipeline");
        }
        double asks = metric("strata_kv_partition_asks_total") - asksBefore;
        double batches = metric("strata_kv_ops_total\\{op=\"batch\",outcome=\"ok\"}") - batchesBefore;
        assertTrue(batches > 0, "partitions ran batches: " + batches);
        // A read brings hundreds of these commands, run in groups of max-in-flight (32): one message per
        // partition of the 4 keys' (at most 4) per group, where one by one would take 32.
        assertTrue(asks <= commands / 4.0, commands + " commands took " + asks + " partition messages");
    }

    @Test
    void selectMultiWatchAndQuitInAPipelineMeanWhatTheyMeanOneByOne() throws Exception {
        try (Socket socket = RawResp.connect(port)) {
            RawResp.send(socket, commands(
                    "SET a 1", "SET b 2", "SELECT 1", "GET a", "SET a x", "GET a", "SELECT 0", "GET a",
                    "MULTI", "INCR a", "GET a", "EXEC", "GET a", "INCR b",
                    "WATCH a", "SET a 9", "GET a", "MULTI", "INCR a", "EXEC", "GET a",
                    "SELECT 7", "GET nothing", "GET none", "SET c 1", "GET c", "SELECT 0",
                    "SET q 1", "GET q", "QUIT", "SET q 2", "GET q"));
            RawResp.expectReply(socket, "+OK\r\n+OK\r\n+OK\r\n$-1\r\n+OK\r\n$1\r\nx\r\n+OK\r\n$1\r\n1\r\n"
                    + "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n:2\r\n$1\r\n2\r\n$1\r\n2\r\n:3\r\n"
                    + "+OK\r\n+OK\r\n$1\r\n9\r\n+OK\r\n+QUEUED\r\n*-1\r\n$1\r\n9\r\n"
                    + "+OK\r\n$-1\r\n$-1\r\n+OK\r\n$1\r\n1\r\n+OK\r\n"
                    + "+OK\r\n$1\r\n1\r\n+OK\r\n");
            RawResp.assertClosed(socket);
        }
        assertEquals("1", jedis.get("q"), "nothing after QUIT ran");
        assertEquals("9", jedis.get("a"));
        jedis.select(1);
        assertEquals("x", jedis.get("a"));
        jedis.select(7);
        assertEquals("1", jedis.get("c"));
    }

    /** The commands as RESP arrays, written as one. */
    private static String commands(String... lines) {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            String[] words = line.split(" ");
            text.append('*').append(words.length).append("\r\n");
            for (String word : words) {
                text.append('$').append(word.length()).append("\r\n").append(word).append("\r\n");
            }
        }
        return text.toString();
    }

    private static double metric(String name) {
        String metrics = node.get("/metrics").body();
        Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.E+]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
