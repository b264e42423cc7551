package io.strata.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.node.KvTestClient.Reply;
import io.strata.node.launch.NodeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills a node with SIGKILL while a stream job is mid-stream: after at least one checkpoint, with
 * records of its 3-partition source topic still unread. After a restart on the same data
 * directory, the rest of the input is produced, then one event per partition far in the future so
 * every window of the real input closes. The job's table sink then holds exactly one row per key
 * and window of a reference computation over the whole input, with its values (nothing counted
 * twice, nothing missed), and its KV sink holds each key's latest window as computed by the
 * reference. The restarted job resumed from its checkpoint's offsets, and (unless it failed and
 * restarted again inside the node) read the events after them, not the whole input again.
 *
 * <p>The input is deterministic (seeded): event times increase within each partition with a
 * jitter below the job's out-of-orderness bound, so no event is ever late and the reference needs
 * no lateness rules.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StreamJobCrashRecoveryTest {

    private static final String TOPIC = "clicks";
    private static final String JOB = "crash";
    private static final String TABLE = "crash_windows";
    private static final String SPACE = "crash_features";
    private static final int PARTITIONS = 3;
    private static final int USERS = 100;
    private static final int EVENTS = 30_000;
    private static final int BATCH = 1000;
    /** Event time advances this much per event; each event is up to {@link #JITTER_MS} earlier. */
    private static final long STEP_MS = 20;
    private static final long JITTER_MS = 2000;
    /** The job's out-of-orderness bound, above the jitter: no event is late. */
    private static final String OUT_OF_ORDERNESS = "5s";
    private static final int ITEMS = 25;
    /** The input produced before the job starts, so that it starts on a backlog... */
    private static final int BACKLOG = EVENTS * 2 / 5;
    /**
     * ...and at most this much before the kill, produced batch by batch while waiting for the kill
     * point: two checkpoints taken, a quarter of the backlog read, and records still to read.
     */
    private static final int MAX_BEFORE_KILL = EVENTS * 4 / 5;
    private static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(60);
    private static final long BASE_MILLIS = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final long FLUSH_MILLIS = BASE_MILLIS + TimeUnit.DAYS.toMillis(1);
    private static final String FLUSH_USER = "flush";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final ChildNodes nodes = new ChildNodes();

    /** One input event; the user decides the partition, so each user's events are in order of production. */
    private record Event(String user, int partition, long ts, int amount, int item) {}

    /** A (user, window) of the reference, and of the table. */
    private record WindowKey(String user, long start, long end) {}

    /** A window's aggregates: count, sum, min, max of the amount, and distinct items. */
    private record Values(long n, double total, double lo, double hi, long items) {}

    /** The reference's running state of one window. */
    private static final class Acc {
        long n;
        double total;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        final Set<Integer> items = new HashSet<>();

        void add(Event e) {
            n++;
            total += e.amount();
            lo = Math.min(lo, e.amount());
            hi = Math.max(hi, e.amount());
            items.add(e.item());
        }

        Values values() {
            return new Values(n, total, lo, hi, items.size());
        }
    }

    @AfterEach
    void killWhatWasStarted() throws InterruptedException {
        nodes.killAll();
    }

    @ParameterizedTest(name = "{0} windows")
    @CsvSource(delimiter = '|', value = {
            "tumbling | {\"type\":\"tumbling\",\"size\":\"10s\"} | 10000 | 10000",
            "sliding  | {\"type\":\"sliding\",\"size\":\"10s\",\"slide\":\"5s\"} | 10000 | 5000"})
    void sinksEqualTheReferenceAfterAKillMidStream(String kind, String window, long sizeMillis, long slideMillis,
                                                   @TempDir Path dir) throws Exception {
        List<Event> input = generate();
        NodeProcess.Builder builder = NodeProcess.builder(dir.resolve("data")).logFile(dir.resolve("node.log"))
                .args("-Dstrata.stream.checkpoint-interval=200ms", "-Dstrata.stream.tick-interval=50ms",
                        "-Dstrata.stream.poll-interval=20ms");
        NodeProcess node = nodes.start(builder);
        KvTestClient client = new KvTestClient(http, node.httpBase());
        Reply created = client.put("/topics/" + TOPIC, "{\"partitions\":" + PARTITIONS + "}");
        assertEquals(201, created.status(), created.body());

        int produced = produce(client, input, 0, BACKLOG);
        Reply submitted = client.post("/jobs", spec(window));
        assertEquals(201, submitted.status(), submitted.body());
        JsonNode atKill = null;
        while (atKill == null) {
            JsonNode status = JSON.readTree(client.get("/jobs/" + JOB).body());
            if (status.get("checkpoint_epoch").asLong() > 1 && status.get("events_in").asLong() >= BACKLOG / 4
                    && status.get("lag").asLong() > 0) {
                atKill = status;
            } else if (status.get("lag").asLong() == 0 && produced < MAX_BEFORE_KILL) {
                produced = produce(client, input, produced, Math.min(produced + BATCH, MAX_BEFORE_KILL));
            } else {
                assertTrue(produced < MAX_BEFORE_KILL || status.get("lag").asLong() > 0,
                        "the job caught up with " + produced + " events before a checkpoint: " + status);
                Thread.sleep(5);
            }
        }
        node.kill9();

        long restartStart = System.nanoTime();
        NodeProcess restarted = nodes.start(builder);
        long readyMillis = (System.nanoTime() - restartStart) / 1_000_000;
        client = new KvTestClient(http, restarted.httpBase());
        JsonNode resumed = awaitJob(client, restarted, s -> "running".equals(s.get("state").asText()));
        long restartMillis = (System.nanoTime() - restartStart) / 1_000_000;
        long resumedFrom = committed(resumed);
        assertTrue(resumedFrom > 0 && resumedFrom <= produced, "the job did not resume from a checkpoint: " + resumed);

        produce(client, input, produced, input.size());
        StringBuilder flush = new StringBuilder("[");
        for (int p = 0; p < PARTITIONS; p++) {
            flush.append(p == 0 ? "" : ",").append(record(new Event(FLUSH_USER, p, FLUSH_MILLIS, 0, 0)));
        }
        assertEquals(200, client.post("/topics/" + TOPIC + "/records", flush.append(']').toString()).status());

        Map<WindowKey, Values> reference = reference(input, sizeMillis, slideMillis);
        JsonNode caughtUp = awaitJob(client, restarted, s -> s.get("lag").asLong() == 0);
        Map<WindowKey, Values> table = awaitTableRows(client, restarted, reference.size());
        List<String> violations = new ArrayList<>();
        compareTable(reference, table, violations);
        compareKv(client, reference, violations);
        assertTrue(violations.isEmpty(), violations.size() + " differences from the reference:\n"
                + String.join("\n", violations.subList(0, Math.min(violations.size(), 50))) + "\njob: " + caughtUp
                + "\nnode log tail:\n" + restarted.logTail());

        JsonNode status = JSON.readTree(client.get("/jobs/" + JOB).body());
        long eventsAfterRestart = status.get("events_in").asLong();
        long jobRestarts = status.get("restarts").asLong();
        assertEquals(0, status.get("late_events").asLong(), "no event of the input is late: " + status);
        assertEquals(input.size() + PARTITIONS, committed(status), "offsets committed at the end: " + status);
        if (jobRestarts == 0) {
            // Events read count every run of the job in this node; one run reads what follows its checkpoint, and
            // resumedFrom may already include a checkpoint the restarted job took.
            assertTrue(eventsAfterRestart < input.size() + PARTITIONS && eventsAfterRestart >= input.size() + PARTITIONS
                    - resumedFrom, "events read after the restart: " + status);
        }
        restarted.stop();

        System.out.printf("[stream job crash %s] %d events (%d produced before kill -9); at the kill: checkpoint epoch %d,"
                        + " lag %d, %d events read; restart: node ready after %d ms, job running after %d ms, resumed from"
                        + " a checkpoint covering %d events, %d events read after it (%d in-node job restarts); %d table rows,"
                        + " %d KV keys equal to the reference%n",
                kind, input.size(), produced, atKill.get("checkpoint_epoch").asLong(), atKill.get("lag").asLong(),
                atKill.get("events_in").asLong(), readyMillis, restartMillis, resumedFrom, eventsAfterRestart,
                jobRestarts, table.size(), USERS);
    }

    private static String spec(String window) {
        return "{\"name\":\"" + JOB + "\",\"source\":{\"topic\":\"" + TOPIC + "\",\"group\":\"crash-job\"},"
                + "\"key\":\"user\",\"event_time\":\"ts\",\"window\":" + window + ","
                + "\"out_of_orderness\":\"" + OUT_OF_ORDERNESS + "\",\"allowed_lateness\":\"0s\",\"idle_timeout\":\"60s\","
                + "\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"sum\",\"column\":\"amount\",\"as\":\"total\"},"
                + "{\"fn\":\"min\",\"column\":\"amount\",\"as\":\"lo\"},{\"fn\":\"max\",\"column\":\"amount\",\"as\":\"hi\"},"
                + "{\"fn\":\"count_distinct\",\"column\":\"item\",\"as\":\"items\"}],"
                + "\"sinks\":[{\"kv\":{\"space\":\"" + SPACE + "\",\"ttl\":\"1d\"}},{\"table\":\"" + TABLE + "\"}]}";
    }

    // ---- Input and reference -------------------------------------------------------------------

    /** The seeded input: event {@code i} at about {@code i * STEP_MS}, up to {@code JITTER_MS} earlier. */
    private static List<Event> generate() {
        SplittableRandom random = new SplittableRandom(20260101);
        List<Event> events = new ArrayList<>(EVENTS);
        for (int i = 0; i < EVENTS; i++) {
            int user = random.nextInt(USERS);
            long ts = BASE_MILLIS + JITTER_MS + i * STEP_MS - random.nextLong(JITTER_MS);
            events.add(new Event("u" + user, user % PARTITIONS, ts, 1 + random.nextInt(1000), random.nextInt(ITEMS)));
        }
        return events;
    }

    /** Per (user, window) the aggregates over the whole input, windows aligned to the epoch. */
    private static Map<WindowKey, Values> reference(List<Event> input, long size, long slide) {
        Map<WindowKey, Acc> windows = new HashMap<>();
        for (Event e : input) {
            for (long start = Math.floorDiv(e.ts(), slide) * slide; start > e.ts() - size; start -= slide) {
                windows.computeIfAbsent(new WindowKey(e.user(), start, start + size), k -> new Acc()).add(e);
            }
        }
        Map<WindowKey, Values> values = new HashMap<>();
        windows.forEach((k, acc) -> values.put(k, acc.values()));
        return values;
    }

    private static String record(Event e) {
        return "{\"key\":\"" + e.user() + "\",\"partition\":" + e.partition() + ",\"value\":{\"user\":\"" + e.user()
                + "\",\"ts\":\"" + Instant.ofEpochMilli(e.ts()) + "\",\"amount\":" + e.amount() + ",\"item\":" + e.item() + "}}";
    }

    /** Produces events {@code from .. to - 1} in batches; returns {@code to}. */
    private static int produce(KvTestClient client, List<Event> input, int from, int to)
            throws IOException, InterruptedException {
        for (int first = from; first < to; first += BATCH) {
            StringBuilder body = new StringBuilder("[");
            for (int i = first; i < Math.min(to, first + BATCH); i++) {
                body.append(i == first ? "" : ",").append(record(input.get(i)));
            }
            Reply reply = client.post("/topics/" + TOPIC + "/records", body.append(']').toString());
            assertEquals(200, reply.status(), reply.body());
        }
        return to;
    }

    // ---- Reading the sinks ---------------------------------------------------------------------

    /** The job's status once {@code done} holds, asking until {@link #CATCH_UP_LIMIT}. */
    private static JsonNode awaitJob(KvTestClient client, NodeProcess node, Predicate<JsonNode> done)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            Reply reply = client.get("/jobs/" + JOB);
            if (reply.status() == 200) {
                last = JSON.readTree(reply.body());
                if (done.test(last)) {
                    return last;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the job did not get there in time: " + last + "\nnode log tail:\n" + node.logTail());
    }

    /**
     * The table's rows once it has at least {@code expected} and two more checkpoints have passed
     * without a change (so a row written twice would show).
     */
    private static Map<WindowKey, Values> awaitTableRows(KvTestClient client, NodeProcess node, int expected)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
        List<JsonNode> rows = exportTable(client);
        while (rows.size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
            rows = exportTable(client);
        }
        // Two more checkpoints write whatever final rows were still pending, twice over if a row were written twice.
        long epoch = awaitJob(client, node, status -> true).get("checkpoint_epoch").asLong();
        awaitJob(client, node, status -> status.get("checkpoint_epoch").asLong() >= epoch + 2);
        rows = exportTable(client);
        Map<WindowKey, Values> table = new TreeMap<>((a, b) -> a.user().equals(b.user())
                ? Long.compare(a.start(), b.start()) : a.user().compareTo(b.user()));
        List<String> duplicates = new ArrayList<>();
        for (JsonNode row : rows) {
            WindowKey key = new WindowKey(row.get("user").asText(), millis(row.get("window_start")),
                    millis(row.get("window_end")));
            Values v = new Values(row.get("n").asLong(), row.get("total").asDouble(), row.get("lo").asDouble(),
                    row.get("hi").asDouble(), row.get("items").asLong());
            if (table.put(key, v) != null) {
                duplicates.add(key.toString());
            }
        }
        assertTrue(duplicates.isEmpty(), duplicates.size() + " (user, window) rows written more than once, e.g. "
                + duplicates.subList(0, Math.min(10, duplicates.size())) + "\nnode log tail:\n" + node.logTail());
        return table;
    }

    private static List<JsonNode> exportTable(KvTestClient client) throws IOException, InterruptedException {
        Reply reply = client.get("/tables/" + TABLE + "/export?format=ndjson");
        assertEquals(200, reply.status(), reply.body());
        List<JsonNode> rows = new ArrayList<>();
        for (String line : reply.body().split("\n")) {
            if (!line.isEmpty()) {
                rows.add(JSON.readTree(line));
            }
        }
        return rows;
    }

    /** The offsets of a job status's last checkpoint, summed over the partitions: the records it covers. */
    private static long committed(JsonNode status) {
        long sum = 0;
        for (JsonNode partition : status.get("partitions")) {
            sum += partition.get("committed").asLong();
        }
        return sum;
    }

    private static long millis(JsonNode timestamp) {
        return timestamp.isNumber() ? timestamp.longValue() : Instant.parse(timestamp.textValue()).toEpochMilli();
    }

    private static void compareTable(Map<WindowKey, Values> reference, Map<WindowKey, Values> table, List<String> violations) {
        reference.forEach((key, expected) -> {
            Values actual = table.get(key);
            if (actual == null) {
                violations.add("table: missing " + key + " " + expected);
            } else if (!actual.equals(expected)) {
                violations.add("table: " + key + " is " + actual + ", the reference " + expected);
            }
        });
        table.keySet().stream().filter(k -> !reference.containsKey(k))
                .forEach(k -> violations.add("table: " + k + " " + table.get(k) + " is not in the reference"));
    }

    /** Each user's KV value against the reference's window of that user with the greatest end. */
    private static void compareKv(KvTestClient client, Map<WindowKey, Values> reference, List<String> violations)
            throws IOException, InterruptedException {
        Map<String, WindowKey> latest = new HashMap<>();
        reference.keySet().forEach(k -> latest.merge(k.user(), k, (a, b) -> a.end() >= b.end() ? a : b));
        for (Map.Entry<String, WindowKey> user : new TreeMap<>(latest).entrySet()) {
            Reply reply = client.get("/kv/" + SPACE + "/" + user.getKey());
            if (reply.status() != 200) {
                violations.add("kv: " + user.getKey() + " answered " + reply.status() + " " + reply.body());
                continue;
            }
            JsonNode v = JSON.readTree(reply.body());
            WindowKey key = new WindowKey(v.get("user").asText(), millis(v.get("window_start")), millis(v.get("window_end")));
            Values actual = new Values(v.get("n").asLong(), v.get("total").asDouble(), v.get("lo").asDouble(),
                    v.get("hi").asDouble(), v.get("items").asLong());
            Values expected = reference.get(user.getValue());
            if (!key.equals(user.getValue()) || !actual.equals(expected)) {
                violations.add("kv: " + user.getKey() + " holds " + key + " " + actual + ", the reference's latest window is "
                        + user.getValue() + " " + expected);
            }
        }
    }
}
