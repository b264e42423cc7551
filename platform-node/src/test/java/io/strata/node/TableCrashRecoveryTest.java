package io.strata.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.node.KvTestClient.Reply;
import io.strata.node.launch.NodeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills a node with SIGKILL while four writers ingest rows into a 3-shard table over HTTP, with
 * blocks and segments so small that the shards seal their tails into segment files throughout the
 * load (so the kill may land mid-seal, and rows are both in segments and in the log-backed tail).
 * Batches have 1 to 300 rows, as JSON or NDJSON, some atomic. After a restart on the same data
 * directory the whole table is exported: every acknowledged row is there once with its values;
 * nothing is duplicated or invented; a batch whose reply never came is all or nothing on each shard
 * it went to. The count query, the description and a GROUP BY agree with the export, and rows
 * appended after the restart are visible. A second test does the same across a clean stop.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TableCrashRecoveryTest {

    private static final String TABLE = "crash";
    private static final int SHARDS = 3;
    private static final int WRITERS = 4;
    private static final int BLOCK_ROWS = 256;
    private static final int SEGMENT_ROWS = 1024;
    private static final int MAX_BATCH_ROWS = 300;
    /** Writers run until the target of acknowledged rows or this long, whichever comes first... */
    private static final Duration PRODUCE_PHASE = Duration.ofSeconds(5);
    /** ...but at least until a quarter of the target is acknowledged, however slow a loaded machine is. */
    private static final Duration SLOW_MACHINE_LIMIT = Duration.ofSeconds(60);
    private static final int MAX_REQUESTS_PER_WRITER = 100_000;
    /**
     * How long the shards may take to open after a restart: about a second each here; a shard that
     * appended to a log file the kill left without a header used to wait ~30 s in Chronicle.
     */
    private static final Duration SHARDS_OPEN_LIMIT = Duration.ofSeconds(25);
    private static final long BASE_MILLIS = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final String SCHEMA = "{\"columns\":["
            + "{\"name\":\"writer\",\"type\":\"int64\",\"nullable\":false},"
            + "{\"name\":\"seq\",\"type\":\"int64\",\"nullable\":false},"
            + "{\"name\":\"label\",\"type\":\"string\",\"nullable\":false},"
            + "{\"name\":\"reading\",\"type\":\"float64\",\"nullable\":true},"
            + "{\"name\":\"at\",\"type\":\"timestamp\",\"nullable\":false},"
            + "{\"name\":\"flag\",\"type\":\"bool\",\"nullable\":false}],"
            + "\"shards\":" + SHARDS + "}";
    /** A shard's recovery line in the node log: rows in segments, and rows replayed from its log into the tail. */
    private static final Pattern RECOVERED = Pattern.compile(
            "table shard \\S+ recovered: (\\d+) rows \\((\\d+) in segments, (\\d+) replayed from the log\\) in (\\d+) ms");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final ChildNodes nodes = new ChildNodes();

    /** A row's identity: its writer and the writer's sequence number. */
    private record Key(long writer, long seq) {}

    /** A row with every value; the values of row (writer, seq) are a function of it, see {@link #expected}. */
    private record Row(long writer, long seq, String label, Double reading, long atMillis, boolean flag) {
        Key key() {
            return new Key(writer, seq);
        }
    }

    /**
     * One request: rows {@code firstSeq .. firstSeq + rows - 1} of a writer. How the node spreads
     * it over the shards (TableStore.append): an atomic batch or one smaller than a block goes whole to
     * one shard; a larger one is cut into contiguous runs, one per shard, each appended atomically.
     */
    private record Batch(int writer, long firstSeq, int rows, boolean atomic, boolean ndjson) {
        int runs() {
            return atomic || rows < BLOCK_ROWS ? 1 : Math.min(SHARDS, (rows + BLOCK_ROWS - 1) / BLOCK_ROWS);
        }

        /** The run (0-based) row {@code seq} of this batch belongs to. */
        int runOf(long seq) {
            int perRun = (rows + runs() - 1) / runs();
            return (int) ((seq - firstSeq) / perRun);
        }

        int runRows(int run) {
            int perRun = (rows + runs() - 1) / runs();
            return Math.min(rows, (run + 1) * perRun) - run * perRun;
        }
    }

    @AfterEach
    void killWhatWasStarted() throws InterruptedException {
        nodes.killAll();
    }

    @ParameterizedTest(name = "durability {0}, {1} acknowledged rows or 5 s")
    @CsvSource({"mmap, 30000", "fsync, 12000"})
    void acknowledgedRowsSurviveKill9(String durability, int targetAcks, @TempDir Path dir) throws Exception {
        Path log = dir.resolve("node.log");
        NodeProcess.Builder builder = builder(dir, log).args("--durability", durability);
        NodeProcess node = nodes.start(builder);
        KvTestClient client = new KvTestClient(http, node.httpBase());
        Reply created = client.put("/tables/" + TABLE, SCHEMA);
        assertEquals(201, created.status(), created.body());

        KillLoad load = new KillLoad(targetAcks);
        List<Writer> threads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            threads.add(new Writer(w, client, load));
        }
        KillLoad.Killed<Writer> run = load.runUntilKill(nodes.pool(Executors.newFixedThreadPool(WRITERS)), threads, node,
                PRODUCE_PHASE, SLOW_MACHINE_LIMIT, "rows");
        List<Writer> writers = run.workers();

        int sealsCutShort = sealsInProgress(dir.resolve("data"));
        long logLinesBefore = Files.readAllLines(log, StandardCharsets.UTF_8).size();
        long restartStart = System.nanoTime();
        NodeProcess restarted = nodes.start(builder);
        long readyMillis = millisSince(restartStart);
        client = new KvTestClient(http, restarted.httpBase());
        JsonNode described = describe(client, restarted);
        long recoveredMillis = millisSince(restartStart);
        long[] recovery = recoveredShards(log, logLinesBefore);

        List<Batch> acked = new ArrayList<>();
        List<Batch> unacked = new ArrayList<>();
        writers.forEach(w -> {
            acked.addAll(w.acked);
            unacked.addAll(w.unacked);
        });
        List<String> violations = new ArrayList<>();
        Map<Key, Row> rows = export(client, violations);
        int unackedPresent = verify(rows, acked, unacked, violations);
        assertTrue(violations.isEmpty(), violations.size() + " violations after recovery:\n"
                + String.join("\n", violations.subList(0, Math.min(violations.size(), 50)))
                + "\nnode log tail:\n" + restarted.logTail());
        assertEquals(rows.size(), described.get("rows").asLong(), "rows in the description after the restart");
        assertTrue(described.get("segments").asInt() > 0, "no segment was sealed during the load: " + described);
        assertEquals(SHARDS, recovery[0], "shards that logged their recovery");
        assertTrue(recovery[1] > 0 && recovery[2] > 0, "rows in segments (" + recovery[1] + ") and replayed from the"
                + " logs (" + recovery[2] + ") at the kill: both should be > 0");
        assertCountAndGroups(client, rows);

        appendAfterRecovery(client, rows, writers.stream().mapToLong(w -> w.nextSeq).toArray());
        restarted.stop();

        System.out.printf("[table crash %s] %d rows acknowledged in %d ms by %d writers (%d requests, %d of them"
                        + " acknowledged); %d requests in flight before kill -9 (%d rows unacknowledged, %d of them present"
                        + " after restart); at the kill %d rows were in segments and %d in logs/tails, %d shards were"
                        + " sealing; restart: ready in %d ms, every shard open after %d ms (slowest shard recovery %d ms);"
                        + " %d segments, %d rows after recovery%n",
                durability, load.acked.get(), run.loadMillis(), WRITERS, acked.size() + unacked.size(), acked.size(),
                run.inFlightBeforeKill(), unacked.stream().mapToInt(Batch::rows).sum(), unackedPresent, recovery[1], recovery[2],
                sealsCutShort, readyMillis, recoveredMillis, recovery[3], described.get("segments").asInt(), rows.size());
    }

    @Test
    void rowsSurviveACleanRestart(@TempDir Path dir) throws Exception {
        NodeProcess.Builder builder = builder(dir, dir.resolve("node.log"));
        NodeProcess node = nodes.start(builder);
        KvTestClient client = new KvTestClient(http, node.httpBase());
        assertEquals(201, client.put("/tables/" + TABLE, SCHEMA).status());
        List<Batch> written = new ArrayList<>();
        long seq = 0;
        for (int i = 0; i < 30; i++) {
            // Enough rows for every shard to seal segments: 30 batches of 121..300 rows, cycling through the formats.
            Batch batch = new Batch(0, seq, 121 + (i * 97) % 180, i % 3 == 0, i % 2 == 0);
            Reply reply = post(client, batch);
            assertEquals(200, reply.status(), reply.body());
            written.add(batch);
            seq += batch.rows();
        }
        node.stop();

        NodeProcess again = nodes.start(builder);
        client = new KvTestClient(http, again.httpBase());
        JsonNode described = describe(client, again);
        List<String> violations = new ArrayList<>();
        Map<Key, Row> rows = export(client, violations);
        verify(rows, written, List.of(), violations);
        assertTrue(violations.isEmpty(), String.join("\n", violations.subList(0, Math.min(violations.size(), 50))));
        assertEquals(seq, rows.size());
        assertEquals(seq, described.get("rows").asLong());
        assertTrue(described.get("segments").asInt() > 0, "no segment was sealed: " + described);
        assertCountAndGroups(client, rows);
        appendAfterRecovery(client, rows, new long[] {seq});
        again.stop();
    }

    private static NodeProcess.Builder builder(Path dir, Path log) {
        return NodeProcess.builder(dir.resolve("data")).logFile(log)
                .args("-Dstrata.columnar.block-rows=" + BLOCK_ROWS, "-Dstrata.columnar.segment-rows=" + SEGMENT_ROWS);
    }

    // ---- Rows and requests --------------------------------------------------------------------

    /** The values of row {@code seq} of {@code writer}: strings with quotes, commas and non-ASCII; every fifth reading null. */
    private static Row expected(long writer, long seq) {
        String label = "w" + writer + "-" + seq + switch ((int) (seq % 4)) {
            case 0 -> "";
            case 1 -> " \"quoted\"";
            case 2 -> ", with a comma";
            default -> " ünïcødé ✓";
        };
        Double reading = seq % 5 == 0 ? null : new SplittableRandom(writer * 1_000_003L + seq).nextDouble(-1e6, 1e6);
        return new Row(writer, seq, label, reading, BASE_MILLIS + writer * 1_000_000_000L + seq * 37, (seq + writer) % 3 == 0);
    }

    /** Sends a batch's rows (timestamps as epoch milliseconds or ISO-8601, alternately) as a JSON array or NDJSON. */
    private static Reply post(KvTestClient client, Batch batch) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder(batch.ndjson ? "" : "[");
        for (int i = 0; i < batch.rows; i++) {
            Row row = expected(batch.writer, batch.firstSeq + i);
            ObjectNode json = JSON.createObjectNode()
                    .put("writer", row.writer).put("seq", row.seq).put("label", row.label).put("reading", row.reading)
                    .put("flag", row.flag);
            if (row.seq % 2 == 0) {
                json.put("at", row.atMillis);
            } else {
                json.put("at", Instant.ofEpochMilli(row.atMillis).toString());
            }
            if (i > 0) {
                body.append(batch.ndjson ? "\n" : ",");
            }
            body.append(json);
        }
        body.append(batch.ndjson ? "\n" : "]");
        return client.post("/tables/" + TABLE + "/rows" + (batch.atomic ? "?atomic=true" : ""), body.toString(),
                "Content-Type", batch.ndjson ? "application/x-ndjson" : "application/json");
    }

    /** Whether a 200 answer accepted every row of the batch. */
    private static boolean acceptedWhole(Reply reply, Batch batch) throws IOException {
        JsonNode body = JSON.readTree(reply.body());
        return body.get("accepted").asLong() == batch.rows && body.get("rejected").asLong() == 0;
    }

    // ---- Reading back -------------------------------------------------------------------------

    /**
     * The table's description once every shard has opened. A request waits for that up to the
     * node's ask timeout (503 after it), so this asks again until {@link #SHARDS_OPEN_LIMIT}: a
     * slow machine opens shards slowly. (A kill that lands while a log creates a Chronicle file
     * leaves it with a zeroed first header, which Chronicle would wait on for seconds at open; the
     * partition log removes such files before it opens, see PartitionLogTest.)
     */
    private static JsonNode describe(KvTestClient client, NodeProcess node) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + SHARDS_OPEN_LIMIT.toNanos();
        Reply described = client.get("/tables/" + TABLE);
        while (described.status() == 503 && System.nanoTime() < deadline) {
            described = client.get("/tables/" + TABLE);
        }
        assertEquals(200, described.status(), described.body() + "\nnode log tail:\n" + node.logTail());
        return JSON.readTree(described.body());
    }

    /** Every row, by key, from the NDJSON export; unreadable and duplicated rows are violations. */
    private static Map<Key, Row> export(KvTestClient client, List<String> violations) throws IOException, InterruptedException {
        Reply reply = client.get("/tables/" + TABLE + "/export?format=ndjson");
        assertEquals(200, reply.status(), reply.body());
        Map<Key, Row> rows = new HashMap<>();
        for (String line : reply.body().split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            Row row;
            try {
                JsonNode json = JSON.readTree(line);
                JsonNode reading = json.get("reading");
                JsonNode at = json.get("at");
                row = new Row(json.get("writer").longValue(), json.get("seq").longValue(), json.get("label").textValue(),
                        reading.isNull() ? null : reading.doubleValue(),
                        at.isNumber() ? at.longValue() : Instant.parse(at.textValue()).toEpochMilli(),
                        json.get("flag").booleanValue());
            } catch (IOException | RuntimeException e) {
                violations.add("unreadable exported row " + line + ": " + e);
                continue;
            }
            Row earlier = rows.put(row.key(), row);
            if (earlier != null) {
                violations.add(row.key() + ": exported twice: " + earlier + " and " + row);
            }
        }
        return rows;
    }

    /**
     * Checks the exported rows against what was sent and acknowledged; returns how many rows of
     * unacknowledged batches are present.
     */
    private static int verify(Map<Key, Row> rows, List<Batch> acked, List<Batch> unacked, List<String> violations) {
        Map<Key, Batch> sentIn = new HashMap<>();
        for (List<Batch> batches : List.of(acked, unacked)) {
            for (Batch b : batches) {
                for (int i = 0; i < b.rows; i++) {
                    sentIn.put(new Key(b.writer, b.firstSeq + i), b);
                }
            }
        }
        // Per unacknowledged batch and run: how many of its rows are present.
        Map<Batch, TreeMap<Integer, Integer>> presentRuns = new HashMap<>();
        for (Row row : rows.values()) {
            Batch batch = sentIn.get(row.key());
            if (batch == null) {
                violations.add(row.key() + ": present but never sent: " + row);
                continue;
            }
            Row expected = expected(row.writer, row.seq);
            if (!row.equals(expected)) {
                violations.add(row.key() + ": stored as " + row + ", sent as " + expected);
            }
            presentRuns.computeIfAbsent(batch, b -> new TreeMap<>()).merge(batch.runOf(row.seq), 1, Integer::sum);
        }
        for (Batch b : acked) {
            for (int i = 0; i < b.rows; i++) {
                if (!rows.containsKey(new Key(b.writer, b.firstSeq + i))) {
                    violations.add(new Key(b.writer, b.firstSeq + i) + ": acknowledged in " + b + " but lost");
                }
            }
        }
        int unackedPresent = 0;
        for (Batch b : unacked) {
            TreeMap<Integer, Integer> runs = presentRuns.getOrDefault(b, new TreeMap<>());
            for (Map.Entry<Integer, Integer> run : runs.entrySet()) {
                unackedPresent += run.getValue();
                if (run.getValue() != b.runRows(run.getKey())) {
                    violations.add("unacknowledged " + b + ": " + run.getValue() + " of the " + b.runRows(run.getKey())
                            + " rows of run " + run.getKey() + " (of " + b.runs() + ") are present: not all or nothing");
                }
            }
        }
        return unackedPresent;
    }

    /** The count query and a GROUP BY writer agree with the exported rows. */
    private static void assertCountAndGroups(KvTestClient client, Map<Key, Row> rows) throws IOException, InterruptedException {
        Reply count = client.post("/tables/" + TABLE + "/query", "{\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}]}");
        assertEquals(200, count.status(), count.body());
        assertEquals(rows.size(), JSON.readTree(count.body()).at("/rows/0/0").asLong(), "count query: " + count.body());

        Reply grouped = client.post("/tables/" + TABLE + "/query", "{\"select\":[\"writer\"],\"aggregates\":[{\"fn\":"
                + "\"count\",\"as\":\"n\"}],\"group_by\":[\"writer\"],\"order_by\":[{\"column\":\"writer\"}]}");
        assertEquals(200, grouped.status(), grouped.body());
        Map<Long, Long> perWriter = new TreeMap<>();
        for (JsonNode group : JSON.readTree(grouped.body()).get("rows")) {
            perWriter.put(group.get(0).asLong(), group.get(1).asLong());
        }
        Map<Long, Long> exported = new TreeMap<>();
        rows.keySet().forEach(k -> exported.merge(k.writer, 1L, Long::sum));
        assertEquals(exported, perWriter, "rows per writer: GROUP BY against the export");
    }

    /**
     * Appends for every writer, after its last sequence sent, a small JSON batch and an atomic
     * NDJSON batch larger than a block; the export then holds the recovered rows and these.
     */
    private static void appendAfterRecovery(KvTestClient client, Map<Key, Row> recovered, long[] nextSeq)
            throws IOException, InterruptedException {
        List<Batch> appended = new ArrayList<>();
        for (int w = 0; w < nextSeq.length; w++) {
            Batch small = new Batch(w, nextSeq[w], 7, false, false);
            Batch large = new Batch(w, nextSeq[w] + small.rows, BLOCK_ROWS + 44, true, true);
            for (Batch b : List.of(small, large)) {
                Reply reply = post(client, b);
                assertEquals(200, reply.status(), "append after recovery: " + reply.body());
                assertTrue(acceptedWhole(reply, b), reply.body());
                appended.add(b);
            }
        }
        List<String> violations = new ArrayList<>();
        Map<Key, Row> after = export(client, violations);
        Map<Key, Row> expected = new HashMap<>(recovered);
        for (Batch b : appended) {
            for (int i = 0; i < b.rows; i++) {
                expected.put(new Key(b.writer, b.firstSeq + i), expected(b.writer, b.firstSeq + i));
            }
        }
        assertTrue(violations.isEmpty(), String.join("\n", violations.subList(0, Math.min(violations.size(), 50))));
        assertEquals(expected.size(), after.size(), "rows after appending to the recovered table");
        assertTrue(expected.equals(after), "the export after the appends differs from the recovered rows plus the appended ones");
        assertCountAndGroups(client, after);
    }

    /**
     * From the node log lines after {@code skipLines}: {shards that logged their recovery, rows
     * they found in segments, rows they replayed from their logs, the longest recovery in ms}.
     */
    private static long[] recoveredShards(Path log, long skipLines) throws IOException {
        long[] sums = new long[4];
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        for (String line : lines.subList((int) skipLines, lines.size())) {
            Matcher m = RECOVERED.matcher(line);
            if (m.find()) {
                sums[0]++;
                sums[1] += Long.parseLong(m.group(2));
                sums[2] += Long.parseLong(m.group(3));
                sums[3] = Math.max(sums[3], Long.parseLong(m.group(4)));
            }
        }
        return sums;
    }

    /**
     * Shards whose files show a seal the kill cut short: more than one log generation (a seal
     * started a new one and had not deleted the old), or a segment file the manifest does not name.
     */
    private static int sealsInProgress(Path dataDir) throws IOException {
        List<Path> shards;
        try (Stream<Path> files = Files.walk(dataDir)) {
            shards = files.filter(p -> p.getFileName().toString().startsWith("log-") && Files.isDirectory(p))
                    .map(Path::getParent).distinct().toList();
        }
        int sealing = 0;
        for (Path shard : shards) {
            List<String> names;
            try (Stream<Path> files = Files.list(shard)) {
                names = files.map(p -> p.getFileName().toString()).toList();
            }
            Path manifest = shard.resolve("manifest.json");
            JsonNode named = Files.exists(manifest) ? JSON.readTree(manifest.toFile()).get("segments") : JSON.createArrayNode();
            List<String> sealed = new ArrayList<>();
            named.forEach(n -> sealed.add(n.asText()));
            boolean unnamedSegment = names.stream().anyMatch(n -> n.startsWith("seg-") && !sealed.contains(n));
            if (names.stream().filter(n -> n.startsWith("log-")).count() > 1 || unnamedSegment) {
                sealing++;
            }
        }
        return sealing;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    /**
     * One writer thread: request after request of 1 to 300 rows with consecutive sequence numbers,
     * as JSON or NDJSON, a quarter of them atomic. Its ledgers are confined to its thread until it
     * returns itself.
     */
    private static final class Writer implements Callable<Writer> {
        final int id;
        private final KvTestClient client;
        private final KillLoad load;
        private final SplittableRandom random;
        final List<Batch> acked = new ArrayList<>();
        /** Batches sent whose reply never came (in flight at the kill). */
        final List<Batch> unacked = new ArrayList<>();
        long nextSeq;

        Writer(int id, KvTestClient client, KillLoad load) {
            this.id = id;
            this.client = client;
            this.load = load;
            this.random = new SplittableRandom(id);
        }

        @Override
        public Writer call() {
            for (int i = 0; i < MAX_REQUESTS_PER_WRITER && !load.killed.get(); i++) {
                int kind = random.nextInt(4);
                int rows = kind == 0 ? 1 + random.nextInt(5)
                        : kind == 3 ? BLOCK_ROWS - 10 + random.nextInt(MAX_BATCH_ROWS - BLOCK_ROWS + 11)
                        : 6 + random.nextInt(BLOCK_ROWS - 6);
                Batch batch = new Batch(id, nextSeq, rows, random.nextInt(4) == 0, random.nextBoolean());
                nextSeq += rows;
                if (!send(batch)) {
                    break;
                }
            }
            return this;
        }

        /** Sends one batch and books it; false when this writer must stop. */
        private boolean send(Batch batch) {
            load.inFlight.incrementAndGet();
            Reply reply;
            try {
                reply = post(client, batch);
            } catch (IOException | InterruptedException e) {
                return unanswered(batch, e.toString());
            } finally {
                load.inFlight.decrementAndGet();
            }
            if (reply.status() == 503) {
                // It may still be appended: an unknown outcome.
                return unanswered(batch, "503 " + reply.body());
            }
            try {
                if (reply.status() != 200 || !acceptedWhole(reply, batch)) {
                    load.error("writer " + id + ": unexpected " + reply.status() + " " + reply.body() + " for " + batch);
                    return false;
                }
            } catch (IOException | RuntimeException e) {
                load.error("writer " + id + ": unparseable reply " + reply.body());
                return false;
            }
            acked.add(batch);
            load.ack(batch.rows);
            return true;
        }

        private boolean unanswered(Batch batch, String why) {
            unacked.add(batch);
            if (!load.killed.get()) {
                load.error("writer " + id + ": no answer before the kill: " + why);
            }
            return false;
        }
    }
}
