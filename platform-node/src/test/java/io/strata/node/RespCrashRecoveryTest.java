package io.strata.node;

import io.strata.node.launch.NodeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.Tuple;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A list, a hash, a set and a sorted set changed over the Redis door, one command at a time, grow
 * large (held in place, their changes logged rather than their values); the node is killed with
 * SIGKILL mid-load. After a restart (a snapshot, then the logged changes after it) each holds what
 * the acknowledged commands left, or that and the one command in flight.
 */
class RespCrashRecoveryTest {

    /** Rounds to reach before the kill (each value then packs to 10 KB or more), or as many as a slow machine makes in the time. */
    private static final int KILL_AFTER_ROUNDS = 1_200;
    private static final long LOAD_MILLIS = 15_000;

    private final ChildNodes nodes = new ChildNodes();

    @AfterEach
    void killWhatWasStarted() throws InterruptedException {
        nodes.killAll();
    }

    @Test
    void acknowledgedChangesToLargeValuesSurviveKill9(@TempDir Path dir) throws Exception {
        NodeProcess.Builder builder = NodeProcess.builder(dir.resolve("data")).logFile(dir.resolve("node.log"))
                .args("--resp-port", "0", "-Dstrata.kv.snapshot.every-writes=500");
        NodeProcess node = nodes.start(builder);
        AtomicInteger acked = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        java.util.concurrent.CountDownLatch enough = new java.util.concurrent.CountDownLatch(1);
        ExecutorService pool = nodes.pool(Executors.newSingleThreadExecutor());
        Future<?> load = pool.submit(() -> {
            try (Jedis jedis = new Jedis("127.0.0.1", node.respPort().orElseThrow(), 10_000)) {
                for (int round = 0; !stop.get(); round++) {
                    change(jedis, round);
                    acked.set(round + 1);
                    if (round + 1 == KILL_AFTER_ROUNDS) {
                        enough.countDown();
                    }
                }
            } catch (RuntimeException killed) {
                // The node went away mid-command.
            }
        });
        // The kill comes mid-command, once the values are large, or when a slow machine's time is up.
        enough.await(LOAD_MILLIS, TimeUnit.MILLISECONDS);
        node.kill9();
        stop.set(true);
        load.get(30, TimeUnit.SECONDS);
        int rounds = acked.get();
        assertTrue(rounds >= 600, "only " + rounds + " rounds before the kill: the values never grew large (past 4 KiB)");

        NodeProcess restarted = nodes.start(builder);
        try (Jedis jedis = new Jedis("127.0.0.1", restarted.respPort().orElseThrow(), 10_000)) {
            List<String> violations = new ArrayList<>();
            check("list", jedis.lrange("q", 0, -1), n -> listAfter(n), rounds, violations);
            check("hash", new TreeMap<>(jedis.hgetAll("h")), n -> new TreeMap<>(hashAfter(n)), rounds, violations);
            check("set", jedis.smembers("s"), n -> setAfter(n), rounds, violations);
            check("sorted set", jedis.zrangeWithScores("z", 0, -1).stream().map(t -> t.getElement() + "=" + t.getScore()).toList(),
                    n -> sortedSetAfter(n), rounds, violations);
            assertTrue(violations.isEmpty(), rounds + " rounds acknowledged:\n" + String.join("\n", violations)
                    + "\nnode log tail:\n" + restarted.logTail());
        }
    }

    /** Round {@code i}'s four commands: a push (every tenth round a pop), a field set, a member added (or removed), a score set. */
    private static void change(Jedis jedis, int i) {
        if (i % 10 == 9) {
            jedis.lpop("q");
        } else {
            jedis.rpush("q", "job-" + i);
        }
        jedis.hset("h", "f" + (i % 2_000), "v" + i);
        if (i % 7 == 6) {
            jedis.srem("s", "m" + (i - 3));
        } else {
            jedis.sadd("s", "m" + i);
        }
        jedis.zadd("z", i % 50, "m" + (i % 3_000));
    }

    private static List<String> listAfter(int rounds) {
        java.util.ArrayDeque<String> q = new java.util.ArrayDeque<>();
        for (int i = 0; i < rounds; i++) {
            if (i % 10 == 9) {
                q.pollFirst();
            } else {
                q.addLast("job-" + i);
            }
        }
        return new ArrayList<>(q);
    }

    private static Map<String, String> hashAfter(int rounds) {
        Map<String, String> h = new LinkedHashMap<>();
        for (int i = 0; i < rounds; i++) {
            h.put("f" + (i % 2_000), "v" + i);
        }
        return h;
    }

    private static Set<String> setAfter(int rounds) {
        Set<String> s = new HashSet<>();
        for (int i = 0; i < rounds; i++) {
            if (i % 7 == 6) {
                s.remove("m" + (i - 3));
            } else {
                s.add("m" + i);
            }
        }
        return s;
    }

    private static List<String> sortedSetAfter(int rounds) {
        Map<String, Double> z = new LinkedHashMap<>();
        for (int i = 0; i < rounds; i++) {
            z.put("m" + (i % 3_000), (double) (i % 50));
        }
        return z.entrySet().stream().map(e -> new Tuple(e.getKey(), e.getValue())).sorted()
                .map(t -> t.getElement() + "=" + t.getScore()).toList();
    }

    /** The value holds what {@code rounds} acknowledged rounds left, or one more round's. */
    private static void check(String what, Object actual, IntFunction<Object> after, int rounds, List<String> violations) {
        if (!actual.equals(after.apply(rounds)) && !actual.equals(after.apply(rounds + 1))) {
            String text = actual.toString();
            violations.add(what + " differs from " + rounds + " (or " + (rounds + 1) + ") rounds: "
                    + text.substring(0, Math.min(300, text.length())));
        }
    }
}
