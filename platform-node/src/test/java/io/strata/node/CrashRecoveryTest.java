package io.strata.node;

import io.strata.node.KvTestClient.Reply;
import io.strata.node.launch.NodeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills a node with SIGKILL while eight writers hammer it over HTTP, restarts it on the same data
 * directory and checks that nothing acknowledged was lost and nothing was invented: every key holds
 * its last acknowledged value or a later one whose reply never came; counters lie between what was
 * acknowledged and what was sent; compare-and-set never lost an update. Then the recovered node takes
 * new writes, stops cleanly and must come back with exactly the same state again.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class CrashRecoveryTest {

    private static final String SPACE = "crash";
    private static final String SHARED = "shared-cas";
    private static final int WRITERS = 8;
    private static final int KEYS_PER_WRITER = 4;
    /** Writers run until the target of acknowledged writes or this long, whichever comes first... */
    private static final Duration WRITE_PHASE = Duration.ofSeconds(5);
    /** ...but at least until a quarter of the target is acknowledged, however slow a loaded machine is. */
    private static final Duration SLOW_MACHINE_LIMIT = Duration.ofSeconds(60);
    private static final long MAX_OPS_PER_WRITER = 100_000;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final ChildNodes nodes = new ChildNodes();

    @AfterEach
    void killWhatWasStarted() throws InterruptedException {
        nodes.killAll();
    }

    @ParameterizedTest(name = "durability {0}, {1} acknowledged writes or 5 s")
    @CsvSource({"mmap, 1500", "fsync, 400"})
    void acknowledgedWritesSurviveKill9(String durability, int targetAcks, @TempDir Path dir) throws Exception {
        NodeProcess.Builder builder = NodeProcess.builder(dir.resolve("data"))
                .logFile(dir.resolve("node.log"))
                // Frequent snapshots make recovery load a snapshot and replay the log after it.
                .args("--durability", durability, "-Dstrata.kv.snapshot.every-writes=100");
        NodeProcess node = start(builder);
        KvTestClient kv = new KvTestClient(http, node.httpBase());
        assertEquals(201, kv.put("/kv/" + SPACE, "{\"partitions\":8}").status());
        assertEquals(201, kv.put(path(SHARED), "0", "If-None-Match", "*").status());

        Load load = new Load(targetAcks);
        List<Writer> threads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            threads.add(new Writer(w, kv, load));
        }
        KillLoad.Killed<Writer> run = load.runUntilKill(nodes.pool(Executors.newFixedThreadPool(WRITERS)), threads, node,
                WRITE_PHASE, SLOW_MACHINE_LIMIT, "writes");
        List<Writer> writers = run.workers();
        long writeMillis = run.loadMillis();
        int inFlightBeforeKill = run.inFlightBeforeKill();

        long restartStart = System.nanoTime();
        NodeProcess restarted = start(builder);
        long readyMillis = millisSince(restartStart);
        kv = new KvTestClient(http, restarted.httpBase());
        Reply stats = awaitRecovered(kv);
        long recoveredMillis = millisSince(restartStart);
        assertEquals(200, stats.status(), stats.body());

        List<String> violations = new ArrayList<>();
        Map<String, Reply> state = readAll(kv, writers);
        writers.forEach(w -> w.verify(state, violations));
        verifyShared(state.get(SHARED), load, violations);
        assertTrue(violations.isEmpty(), violations.size() + " violations after recovery:\n" + String.join("\n", violations)
                + "\nnode log tail:\n" + restarted.logTail());
        long live = state.values().stream().filter(r -> r.status() == 200).count();
        assertTrue(stats.body().contains("\"keys\":" + live), "stats " + stats.body() + " but " + live + " keys answer");

        for (Writer w : writers) {
            w.writeAfterRecovery(kv, state, violations);
        }
        assertTrue(violations.isEmpty(), String.join("\n", violations));
        restarted.stop();

        long secondStart = System.nanoTime();
        NodeProcess again = start(builder);
        long secondMillis = millisSince(secondStart);
        KvTestClient afterStop = new KvTestClient(http, again.httpBase());
        assertEquals(200, awaitRecovered(afterStop).status());
        Map<String, Reply> afterCleanRestart = readAll(afterStop, writers);
        assertEquals(state, afterCleanRestart, "state after a clean restart differs from the state before it");
        again.stop();

        System.out.printf("[crash %s] %d writes acknowledged in %d ms by %d writers (%d puts, %d incr, %d cas, %d shared cas,"
                        + " %d shared cas conflicts); %d requests in flight before kill -9, %d unanswered; restart: ready in"
                        + " %d ms, every partition answering after %d ms (%s); clean restart ready in %d ms%n",
                durability, load.acked.get(), writeMillis, WRITERS, sum(writers, w -> w.puts), sum(writers, w -> w.incrs),
                sum(writers, w -> w.cases), load.sharedAcked.size(), load.sharedConflicts.get(), inFlightBeforeKill,
                load.unanswered.get(), readyMillis, recoveredMillis, recoveryLine(restarted), secondMillis);
    }

    /**
     * The keyspace statistics, which every partition answers once it has recovered. A request waits
     * for recovery up to the node's ask timeout (503 after it), so a slow machine gets a few tries.
     */
    private static Reply awaitRecovered(KvTestClient kv) throws IOException, InterruptedException {
        Reply stats = kv.get("/kv/" + SPACE);
        for (int attempt = 1; attempt < 6 && stats.status() == 503; attempt++) {
            stats = kv.get("/kv/" + SPACE);
        }
        return stats;
    }

    private NodeProcess start(NodeProcess.Builder builder) {
        return nodes.start(builder);
    }

    /** Every key the writers touched, as GET answers it now. */
    private static Map<String, Reply> readAll(KvTestClient kv, List<Writer> writers) throws IOException, InterruptedException {
        Map<String, Reply> state = new LinkedHashMap<>();
        for (Writer w : writers) {
            for (String key : w.keys()) {
                state.put(key, kv.get(path(key)));
            }
        }
        state.put(SHARED, kv.get(path(SHARED)));
        return state;
    }

    /**
     * The shared key was incremented by read + compare-and-set from every writer: each acknowledged
     * value must be unique (else two CAS succeeded from one version: a lost update), every value up
     * to the highest acknowledged one was written, and the final one is that or an unanswered later one.
     */
    private static void verifyShared(Reply reply, Load load, List<String> violations) {
        long maxAcked = load.sharedAcked.stream().mapToLong(Long::longValue).max().orElse(0);
        Long value = reply.status() == 200 ? parseLong(reply.body()) : null;
        if (value == null) {
            violations.add(SHARED + ": answered " + reply.status() + " '" + reply.body() + "'");
            return;
        }
        if (value != maxAcked && !load.sharedUnknown.contains(value)) {
            violations.add(SHARED + " = " + value + ": neither the last acknowledged " + maxAcked
                    + " nor an unanswered CAS " + load.sharedUnknown);
        }
        for (long n = 1; n <= maxAcked; n++) {
            if (!load.sharedAcked.contains(n) && !load.sharedUnknown.contains(n)) {
                violations.add(SHARED + ": value " + n + " was skipped below the acknowledged " + maxAcked);
            }
        }
    }

    private static String recoveryLine(NodeProcess node) {
        return node.logTail().lines().filter(l -> l.contains("KV recovered")).findFirst()
                .map(l -> l.substring(l.indexOf("KV recovered"))).orElse("recovery line not in the log tail");
    }

    private static String path(String key) {
        return "/kv/" + SPACE + "/" + key;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static long sum(List<Writer> writers, java.util.function.ToLongFunction<Writer> count) {
        return writers.stream().mapToLong(count).sum();
    }

    /** What all writers share besides the {@link KillLoad}: the shared CAS key's ledger and the unanswered requests. */
    private static final class Load extends KillLoad {
        final AtomicInteger unanswered = new AtomicInteger();
        final Set<Long> sharedAcked = ConcurrentHashMap.newKeySet();
        final Set<Long> sharedUnknown = ConcurrentHashMap.newKeySet();
        final AtomicInteger sharedConflicts = new AtomicInteger();

        Load(int target) {
            super(target);
        }
    }

    /** A value written to a key: the last acknowledged one, and those sent after it whose reply never came. */
    private static final class Ledger {
        long acked;
        final List<Long> unknown = new ArrayList<>();

        void ack(long n) {
            acked = n;
            unknown.clear();
        }
    }

    /**
     * One writer thread. Round after round it overwrites its own keys with increasing numbers,
     * increments its counter, compare-and-sets its CAS key, and increments the shared key by
     * read + compare-and-set. Its ledgers are confined to its thread until it returns itself.
     */
    private static final class Writer implements java.util.concurrent.Callable<Writer> {
        private final int id;
        private final KvTestClient kv;
        private final Load load;
        private final Ledger[] values = new Ledger[KEYS_PER_WRITER];
        private long counterAcked;
        private long counterLastValue;
        private int counterUnknownSinceAck;
        private int counterUnknown;
        private long casVersion;
        private String casValue;
        private final List<String> casUnknown = new ArrayList<>();
        private boolean stopped;
        long puts;
        long incrs;
        long cases;

        Writer(int id, KvTestClient kv, Load load) {
            this.id = id;
            this.kv = kv;
            this.load = load;
            for (int k = 0; k < KEYS_PER_WRITER; k++) {
                values[k] = new Ledger();
            }
        }

        List<String> keys() {
            List<String> keys = new ArrayList<>();
            for (int k = 0; k < KEYS_PER_WRITER; k++) {
                keys.add(valueKey(k));
            }
            keys.add(counterKey());
            keys.add(casKey());
            return keys;
        }

        private String valueKey(int k) {
            return "w" + id + "-k" + k;
        }

        private String counterKey() {
            return "w" + id + "-counter";
        }

        private String casKey() {
            return "w" + id + "-cas";
        }

        @Override
        public Writer call() throws InterruptedException {
            for (long i = 1; i <= MAX_OPS_PER_WRITER && !stopped && !load.killed.get(); i++) {
                int slot = (int) (i % 8);
                if (slot < KEYS_PER_WRITER) {
                    put(slot, i);
                } else if (slot < 6) {
                    incr();
                } else if (slot == 6) {
                    compareAndSet(i);
                } else {
                    incrementShared();
                }
            }
            return this;
        }

        private void put(int k, long n) throws InterruptedException {
            Reply reply = attempt(() -> kv.put(path(valueKey(k)), valueKey(k) + "-" + n));
            if (reply == null) {
                values[k].unknown.add(n);
            } else if (expect(reply, 200, 201)) {
                values[k].ack(n);
                puts++;
                load.ack();
            }
        }

        private void incr() throws InterruptedException {
            Reply reply = attempt(() -> kv.post(path(counterKey()) + "/incr", ""));
            if (reply == null) {
                counterUnknownSinceAck++;
                counterUnknown++;
            } else if (expect(reply, 200)) {
                long value = Long.parseLong(field(reply.body(), "value"));
                if (value <= counterLastValue || value > counterLastValue + 1 + counterUnknownSinceAck) {
                    load.error(counterKey() + ": incr answered " + value + " after " + counterLastValue);
                }
                counterLastValue = value;
                counterUnknownSinceAck = 0;
                counterAcked++;
                incrs++;
                load.ack();
            }
        }

        /** Compare-and-set on a key only this writer writes, so every CAS must succeed. */
        private void compareAndSet(long n) throws InterruptedException {
            if (!casUnknown.isEmpty()) {
                return; // Its version is unknown now; the ledger stays as it is for the final check.
            }
            String value = casKey() + "-" + n;
            String[] condition = casVersion == 0 ? new String[] {"If-None-Match", "*"}
                    : new String[] {"If-Match", "\"" + casVersion + "\""};
            Reply reply = attempt(() -> kv.put(path(casKey()), value, condition));
            if (reply == null) {
                casUnknown.add(value);
            } else if (expect(reply, casVersion == 0 ? 201 : 200)) {
                long version = reply.version().orElseThrow();
                if (version <= casVersion) {
                    load.error(casKey() + ": CAS from version " + casVersion + " answered version " + version);
                }
                casVersion = version;
                casValue = value;
                cases++;
                load.ack();
            }
        }

        /** Read, then compare-and-set to value + 1: contended by all writers. */
        private void incrementShared() throws InterruptedException {
            Reply current = attempt(() -> kv.get(path(SHARED)));
            if (current == null || !expect(current, 200)) {
                return;
            }
            long next = Long.parseLong(current.body()) + 1;
            String condition = "\"" + current.version().orElseThrow() + "\"";
            Reply reply = attempt(() -> kv.put(path(SHARED), Long.toString(next), "If-Match", condition));
            if (reply == null) {
                load.sharedUnknown.add(next);
            } else if (reply.status() == 412) {
                load.sharedConflicts.incrementAndGet();
            } else if (expect(reply, 200)) {
                if (!load.sharedAcked.add(next)) {
                    load.error(SHARED + ": two compare-and-sets both wrote " + next + " (lost update)");
                }
                load.ack();
            }
        }

        /** The reply, or null when the outcome is unknown: no answer (the node died) or 503 (it may still apply). */
        private Reply attempt(Request request) throws InterruptedException {
            load.inFlight.incrementAndGet();
            try {
                Reply reply = request.send();
                return reply.status() == 503 ? null : reply;
            } catch (HttpTimeoutException e) {
                return null;
            } catch (IOException e) {
                stopped = true;
                if (load.killed.get()) {
                    load.unanswered.incrementAndGet();
                } else {
                    load.error("writer " + id + ": " + e);
                }
                return null;
            } finally {
                load.inFlight.decrementAndGet();
            }
        }

        private boolean expect(Reply reply, int... statuses) {
            for (int status : statuses) {
                if (reply.status() == status) {
                    return true;
                }
            }
            stopped = true;
            load.error("writer " + id + ": unexpected " + reply.status() + " " + reply.body());
            return false;
        }

        /** Checks the recovered state of this writer's keys against its ledgers. */
        void verify(Map<String, Reply> state, List<String> violations) {
            for (int k = 0; k < KEYS_PER_WRITER; k++) {
                String key = valueKey(k);
                Reply reply = state.get(key);
                Ledger ledger = values[k];
                if (reply.status() == 404) {
                    if (ledger.acked != 0) {
                        violations.add(key + ": lost, its last acknowledged value was " + ledger.acked);
                    }
                    continue;
                }
                Matcher m = Pattern.compile(Pattern.quote(key) + "-(\\d+)").matcher(reply.body());
                if (reply.status() != 200 || !m.matches()) {
                    violations.add(key + ": answered " + reply.status() + " '" + reply.body() + "'");
                    continue;
                }
                long n = Long.parseLong(m.group(1));
                if (n != ledger.acked && !ledger.unknown.contains(n)) {
                    violations.add(key + " = " + n + ": neither the last acknowledged " + ledger.acked
                            + " nor an unanswered later write " + ledger.unknown);
                }
            }
            verifyCounter(state.get(counterKey()), violations);
            verifyCas(state.get(casKey()), violations);
        }

        private void verifyCounter(Reply reply, List<String> violations) {
            if (reply.status() == 404 && counterAcked == 0) {
                return;
            }
            Long value = reply.status() == 200 ? parseLong(reply.body()) : null;
            if (value == null) {
                violations.add(counterKey() + ": answered " + reply.status() + " '" + reply.body() + "'");
            } else if (value < counterAcked || value > counterAcked + counterUnknown) {
                violations.add(counterKey() + " = " + value + ": outside [acknowledged " + counterAcked
                        + ", acknowledged + unanswered " + (counterAcked + counterUnknown) + "]");
            } else if (value < counterLastValue || value > counterLastValue + counterUnknownSinceAck) {
                violations.add(counterKey() + " = " + value + ": the last acknowledged incr answered " + counterLastValue
                        + " and " + counterUnknownSinceAck + " went unanswered after it");
            }
        }

        private void verifyCas(Reply reply, List<String> violations) {
            if (reply.status() == 404) {
                if (casValue != null) {
                    violations.add(casKey() + ": lost, its last acknowledged value was " + casValue);
                }
                return;
            }
            long version = reply.version().orElse(-1);
            if (reply.body().equals(casValue)) {
                if (version != casVersion) {
                    violations.add(casKey() + ": holds its acknowledged value at version " + version
                            + ", acknowledged as version " + casVersion);
                }
            } else if (!casUnknown.contains(reply.body()) || version <= casVersion) {
                violations.add(casKey() + " = '" + reply.body() + "' (version " + version + "): neither the acknowledged '"
                        + casValue + "' (version " + casVersion + ") nor a later unanswered CAS " + casUnknown);
            }
        }

        /**
         * On the recovered node: a CAS with a stale version must fail and one with the current version
         * succeed; the counter counts on. Updates {@code state} with what was written.
         */
        void writeAfterRecovery(KvTestClient client, Map<String, Reply> state, List<String> violations)
                throws IOException, InterruptedException {
            Reply cas = state.get(casKey());
            if (cas.status() == 200) {
                long current = cas.version().orElseThrow();
                long staleVersion = current > 1 ? current - 1 : current + 1;
                Reply stale = client.put(path(casKey()), "stale", "If-Match", "\"" + staleVersion + "\"");
                if (stale.status() != 412 || !stale.body().contains("version_mismatch")) {
                    violations.add(casKey() + ": CAS with a stale version answered " + stale.status() + " " + stale.body());
                }
                Reply fresh = client.put(path(casKey()), "after-recovery", "If-Match", "\"" + current + "\"");
                if (fresh.status() != 200) {
                    violations.add(casKey() + ": CAS with the current version answered " + fresh.status() + " " + fresh.body());
                }
            }
            Reply incr = client.post(path(counterKey()) + "/incr", "");
            long before = state.get(counterKey()).status() == 200 ? Long.parseLong(state.get(counterKey()).body()) : 0;
            if (incr.status() != 200 || Long.parseLong(field(incr.body(), "value")) != before + 1) {
                violations.add(counterKey() + ": incr after recovery from " + before + " answered " + incr.body());
            }
            for (String key : List.of(casKey(), counterKey())) {
                state.put(key, client.get(path(key)));
            }
        }
    }

    @FunctionalInterface
    private interface Request {
        Reply send() throws IOException, InterruptedException;
    }

    /** The decimal number {@code text} holds, or null when it holds something else. */
    private static Long parseLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A numeric field of a flat JSON object such as {"value":5,"version":7}. */
    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(-?\\d+)").matcher(json);
        if (!m.find()) {
            throw new IllegalArgumentException("no field " + name + " in " + json);
        }
        return m.group(1);
    }
}
