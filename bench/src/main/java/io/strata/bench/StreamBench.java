package io.strata.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.strata.bench.Rounds.Step;
import io.strata.node.StrataNode;
import io.strata.node.bus.BusStore;
import io.strata.node.bus.Retention;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.bus.proto.ValueFormat;
import io.strata.node.kv.KvPartition;
import io.strata.node.kv.KvStore;
import io.strata.node.stream.spec.JobSpec;
import io.strata.node.stream.spec.RecordPipeline;
import io.strata.node.stream.window.WindowOperator;
import io.strata.node.stream.window.WindowOutput;
import io.strata.node.stream.window.WindowResult;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The stream jobs benchmark. On a fresh node (in process, a temporary directory) a one-partition
 * topic is filled once with {@code events} JSON records {@code {"user": "u<k>", "ts": <ms>, "amount": <n>}}:
 * keys drawn uniformly from {@code keys}, event times 1 ms apart, then one end record an hour
 * later (key {@value #END_KEY}) whose watermark fires every window. Per window type:
 * <ul>
 *   <li>{@code stream.<type>}: a job (POST /jobs: count and sum per user, KV sink) reads the topic
 *       from offset 0; the run ends when every window's result has been written and the last
 *       window of the last event's key is visible in KV. Figure: events per CPU-second of the
 *       node's JVM (events/s per core) over the run; anchor {@value #ANCHOR}: the same records
 *       (as bytes, in memory) through the same {@link RecordPipeline} and {@link WindowOperator} in
 *       a plain Pekko Streams graph into a map, per CPU-second likewise.</li>
 *   <li>{@code stream.e2e.tumbling}: append-to-visible-in-KV latency of a caught-up job on 100 ms
 *       tumbling windows: each appended event's time is the end of the previous event's window, so
 *       it fires that window; latency from the append until KV holds that window's result. One event
 *       at a time, a pause between; anchor {@value #E2E_ANCHOR}: the same into a queue-fed Pekko
 *       Streams graph with the same operator and a map, polled the same way. The window closes
 *       (the job's watermark passes its end) when the job reads that event, after its append
 *       began: so the same latencies bound the delay from the window's close to its result in KV,
 *       which the notes hold against the target {@value #E2E_BOUND_MS} ms.</li>
 * </ul>
 * Every Strata run must count every event and write as many results as the anchor computed, and
 * the last key's KV value must equal the anchor's, else the benchmark fails.
 */
final class StreamBench {

    static final String ANCHOR = "pekko-streams";
    static final String E2E_ANCHOR = "pekko-streams-e2e";
    static final String TOPIC = "bench-events";
    static final String E2E_TOPIC = "bench-e2e";
    static final String END_KEY = "end";
    /** The windows measured: name, then the spec's window object. */
    static final Map<String, String> WINDOWS = windows();
    /** The e2e job's window size, and the pause between two e2e events. */
    static final Duration E2E_WINDOW = Duration.ofMillis(100);
    static final Duration E2E_PAUSE = Duration.ofMillis(10);
    /** The target: a window's result visible in the sink within this long of the window's close. */
    static final long E2E_BOUND_MS = 50;

    /** Event time of the first event: aligned to every window size. */
    private static final long BASE_TS = 1_700_000_400_000L;
    private static final long END_GAP_MS = TimeUnit.HOURS.toMillis(1);
    private static final int PREFILL_BATCH = 1000;
    private static final long TIMEOUT_S = 120;
    private static final long STATUS_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long KV_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    record Settings(int events, int keys, int rounds, Duration warmup, Duration e2eDuration, long seed) {}

    /** What the benchmark gives: figures, notes for the table, and the wall-clock details for the JSON. */
    record Outcome(List<Figure> figures, List<String> notes, Map<String, Object> details) {}

    /** One throughput run's wall and CPU time. */
    private record Timing(long events, double wallSeconds, double cpuSeconds) {
        RunResult result() {
            long micros = Math.max(1, Math.round(wallSeconds * 1e6));
            return new RunResult(events, wallSeconds, Math.max(1, Math.round(events / cpuSeconds)), micros, micros);
        }
    }

    /** What the anchor computed for a window type: its results count and each key's latest result. */
    private record Reference(long results, Map<String, WindowResult> latest) {}

    private final Settings settings;
    private final PrintWriter progress;
    private final List<byte[]> values = new ArrayList<>();
    private final String lastKey;
    private final Map<String, List<Timing>> timings = new LinkedHashMap<>();
    private final Map<String, Reference> references = new HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final AtomicInteger jobCounter = new AtomicInteger();
    private final List<String> notes = new ArrayList<>();
    /** The e2e figure, whose latencies bound the delay from a window's close to its result in KV. */
    private Figure closeToVisible;

    StreamBench(Settings settings, PrintWriter progress) {
        this.settings = settings;
        this.progress = progress;
        SplittableRandom random = new SplittableRandom(settings.seed());
        String key = null;
        for (int i = 0; i < settings.events(); i++) {
            key = "u" + random.nextInt(settings.keys());
            values.add(event(key, BASE_TS + i, 1 + random.nextInt(100)));
        }
        values.add(event(END_KEY, BASE_TS + settings.events() - 1 + END_GAP_MS, 0));
        this.lastKey = key;
    }

    private static Map<String, String> windows() {
        Map<String, String> w = new LinkedHashMap<>();
        w.put("tumbling", "{\"type\": \"tumbling\", \"size\": \"10s\"}");
        w.put("sliding", "{\"type\": \"sliding\", \"size\": \"10s\", \"slide\": \"5s\"}");
        w.put("session", "{\"type\": \"session\", \"gap\": \"20s\"}");
        return w;
    }

    private static byte[] event(String user, long ts, long amount) {
        return String.format(Locale.ROOT, "{\"user\":\"%s\",\"ts\":%d,\"amount\":%d}", user, ts, amount)
                .getBytes(StandardCharsets.UTF_8);
    }

    Outcome run() throws Exception {
        List<Figure> figures = new ArrayList<>();
        try (ScratchDir dir = ScratchDir.create("strata-bench-stream-")) {
            StrataNode node = StrataNode.start(Rounds.nodeConfig(dir, Map.of("strata.data-dir", dir.path().resolve("node").toString())));
            dir.deleteAfter(node.system().getWhenTerminated());
            try (node) {
                BusStore bus = node.bus();
                bus.createTopic(TOPIC, 1, Retention.FOREVER).toCompletableFuture().join();
                bus.createTopic(E2E_TOPIC, 1, Retention.FOREVER).toCompletableFuture().join();
                report("[stream] node up on 127.0.0.1:%d (data in %s); appending %,d events over %,d keys (+1 end event)",
                        node.httpPort(), dir.path(), settings.events(), settings.keys());
                prefill(bus);

                Rounds rounds = new Rounds(new Window(settings.warmup(), Duration.ZERO), settings.rounds(), progress);
                List<Step> round = new ArrayList<>();
                List<Step[]> pairs = new ArrayList<>();
                for (Map.Entry<String, String> w : WINDOWS.entrySet()) {
                    String type = w.getKey();
                    JobSpec spec = JobSpec.parse(JSON.readTree(jobJson("reference-" + type, TOPIC, w.getValue(), "bench_" + type)));
                    references.put(type, reference(spec, node.system()));
                    Step strata = new Step("stream." + type, window -> repeat(window, "stream." + type,
                            () -> jobRun(node, type, w.getValue())));
                    Step anchor = new Step(ANCHOR + "." + type, window -> repeat(window, ANCHOR + "." + type,
                            () -> anchorRun(spec, node.system(), type)));
                    round.add(strata);
                    round.add(anchor);
                    pairs.add(new Step[] {strata, anchor});
                    report("[stream] %s: %,d results (key, window) expected", type, references.get(type).results());
                }
                Map<String, List<RunResult>> results = rounds.run("throughput", round);
                for (Step[] pair : pairs) {
                    figures.add(Rounds.figure(pair[0], pair[1], results));
                }

                Rounds e2eRounds = new Rounds(new Window(settings.warmup(), settings.e2eDuration()), settings.rounds(), progress);
                Step e2e = new Step("stream.e2e.tumbling", window -> endToEnd(node, window));
                Step e2eAnchor = new Step(E2E_ANCHOR, window -> endToEndAnchor(node.system(), window));
                Map<String, List<RunResult>> e2eResults = e2eRounds.run("e2e", List.of(e2e, e2eAnchor));
                Figure e2eFigure = Rounds.figure(e2e, e2eAnchor, e2eResults);
                figures.add(e2eFigure);
                closeToVisible = e2eFigure;
            }
        }
        notes.add("stream.<window> and their anchors: ops/s = events per CPU-second of the JVM (events/s per core);"
                + " wall-clock events/s and cores busy are in the JSON details, and here:");
        for (Map.Entry<String, List<Timing>> t : timings.entrySet()) {
            List<Timing> list = t.getValue();
            double wall = median(list.stream().mapToDouble(x -> x.events() / x.wallSeconds()).toArray());
            double cores = median(list.stream().mapToDouble(x -> x.cpuSeconds() / x.wallSeconds()).toArray());
            notes.add(String.format(Locale.ROOT, "  %-26s %,10d events/s wall, %.2f cores busy (medians)", t.getKey(), Math.round(wall), cores));
        }
        notes.add("stream.e2e.tumbling: p50/p99 = append to the window's result visible in KV; ops/s = events"
                + " measured per second, one at a time with a " + E2E_PAUSE.toMillis() + " ms pause (not a throughput)");
        notes.add(String.format(Locale.ROOT, "stream.e2e.tumbling: window close -> result visible in KV (at most the above):"
                        + " p50 %.1f ms, p99 %.1f ms against the target window close + %d ms: %s",
                closeToVisible.p50Us() / 1000.0, closeToVisible.p99Us() / 1000.0, E2E_BOUND_MS, withinBound() ? "met" : "MISSED"));
        return new Outcome(figures, notes, details());
    }

    private Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        Map<String, Object> runs = new LinkedHashMap<>();
        timings.forEach((name, list) -> runs.put(name, list.stream().map(t -> Map.of(
                "events", t.events(), "wall_s", round3(t.wallSeconds()), "cpu_s", round3(t.cpuSeconds()),
                "events_per_s_wall", Math.round(t.events() / t.wallSeconds()),
                "cores_busy", round3(t.cpuSeconds() / t.wallSeconds()))).toList()));
        details.put("throughput_runs", runs);
        Map<String, Object> bound = new LinkedHashMap<>();
        bound.put("p50_ms", closeToVisible.p50Us() / 1000.0);
        bound.put("p99_ms", closeToVisible.p99Us() / 1000.0);
        bound.put("bound_ms", E2E_BOUND_MS);
        bound.put("within_bound", withinBound());
        details.put("e2e_close_to_visible", bound);
        Map<String, Object> windows = new LinkedHashMap<>();
        WINDOWS.forEach((type, json) -> windows.put(type, json));
        details.put("windows", windows);
        details.put("results_expected", references.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().results())));
        return details;
    }

    /** Whether the e2e p99 (an upper bound on close to visible) is within {@link #E2E_BOUND_MS}. */
    private boolean withinBound() {
        return closeToVisible.p99Us() <= E2E_BOUND_MS * 1000;
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    private void prefill(BusStore bus) throws Exception {
        for (int from = 0; from < values.size(); from += PREFILL_BATCH) {
            List<BusRecord> batch = new ArrayList<>(PREFILL_BATCH);
            for (int i = from; i < Math.min(values.size(), from + PREFILL_BATCH); i++) {
                batch.add(record(values.get(i)));
            }
            bus.produce(TOPIC, batch).toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
        }
    }

    private static BusRecord record(byte[] value) {
        return BusRecord.newBuilder().setValue(ByteString.copyFrom(value)).setFormat(ValueFormat.JSON).build();
    }

    private static String jobJson(String name, String topic, String window, String space) {
        return "{\"name\": \"" + name + "\", \"source\": {\"topic\": \"" + topic + "\", \"group\": \"" + name + "\"},"
                + " \"key\": \"user\", \"event_time\": \"ts\", \"window\": " + window + ","
                + " \"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"}, {\"fn\": \"sum\", \"column\": \"amount\", \"as\": \"spend\"}],"
                + " \"sinks\": [{\"kv\": {\"space\": \"" + space + "\"}}]}";
    }

    /** A measured run is one pass; the uncounted warm-up pass repeats it for its duration, at least once. */
    private RunResult repeat(Window window, String name, java.util.concurrent.Callable<Timing> pass) throws Exception {
        long deadline = System.nanoTime() + window.duration().toNanos();
        Timing t;
        do {
            System.gc();
            t = pass.call();
        } while (System.nanoTime() < deadline);
        if (!window.duration().isZero()) {
            return t.result();
        }
        timings.computeIfAbsent(name, n -> new ArrayList<>()).add(t);
        return t.result();
    }

    // ---- Strata: a job from the topic through its window to KV ----

    private Timing jobRun(StrataNode node, String type, String window) throws Exception {
        String name = "bench-" + type + "-" + jobCounter.incrementAndGet();
        String space = "bench_" + type;
        Reference ref = references.get(type);
        WindowResult last = ref.latest().get(lastKey);
        long cpu0 = OS.getProcessCpuTime();
        long t0 = System.nanoTime();
        HttpResponse<String> submitted = send(node, "POST", "/jobs", jobJson(name, TOPIC, window, space));
        if (submitted.statusCode() != 201) {
            throw new IllegalStateException("job submit: " + submitted.statusCode() + " " + submitted.body());
        }
        long deadline = t0 + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        JsonNode status;
        while (true) {
            status = JSON.readTree(send(node, "GET", "/jobs/" + name, null).body());
            if (status.path("results_out").asLong() >= ref.results() && status.path("events_in").asLong() >= values.size()) {
                break;
            }
            if (!status.path("last_error").isNull() && !status.path("last_error").isMissingNode()) {
                throw new IllegalStateException("job " + name + " failed: " + status.path("last_error").asText());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + name + " not done after " + TIMEOUT_S + " s: " + status);
            }
            LockSupport.parkNanos(STATUS_POLL_NANOS);
        }
        // The results are written; the last of them visible in KV ends the run.
        awaitKv(node.kv(), space, lastKey, last, deadline);
        long wall = System.nanoTime() - t0;
        long cpu = OS.getProcessCpuTime() - cpu0;
        send(node, "DELETE", "/jobs/" + name, null);
        if (status.path("events_in").asLong() != values.size() || status.path("results_out").asLong() != ref.results()
                || status.path("late_events").asLong() != 0 || status.path("bad_records").asLong() != 0) {
            throw new IllegalStateException("job " + name + " disagrees with the anchor (" + values.size() + " events, "
                    + ref.results() + " results, none late or bad): " + status);
        }
        return new Timing(values.size(), wall / 1e9, cpu / 1e9);
    }

    /** Waits until KV holds {@code expected} (window end and count) under {@code key}. */
    private static void awaitKv(KvStore kv, String space, String key, WindowResult expected, long deadline) throws Exception {
        String end = Instant.ofEpochMilli(expected.windowEnd()).toString();
        long n = ((Number) expected.values().get("n")).longValue();
        while (true) {
            KvPartition.Reply reply = kv.get(space, key).toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
            if (reply instanceof KvPartition.Found found) {
                JsonNode v = JSON.readTree(found.value());
                if (v.path("window_end").asText().equals(end) && v.path("n").asLong() == n) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("KV " + space + "/" + key + " never showed " + expected + ": " + reply);
            }
            LockSupport.parkNanos(KV_POLL_NANOS);
        }
    }

    private HttpResponse<String> send(StrataNode node, String method, String path, String body) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + node.httpPort() + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    // ---- Anchor: the same records, pipeline and operator in a plain Pekko Streams graph ----

    private Reference reference(JobSpec spec, ActorSystem<?> system) throws Exception {
        Map<String, WindowResult> latest = new HashMap<>();
        long[] count = {0};
        aggregate(spec, system, r -> {
            count[0]++;
            latest.put(r.key(), r);
        });
        return new Reference(count[0], latest);
    }

    private Timing anchorRun(JobSpec spec, ActorSystem<?> system, String type) throws Exception {
        Map<String, WindowResult> latest = new HashMap<>();
        long[] count = {0};
        long cpu0 = OS.getProcessCpuTime();
        long t0 = System.nanoTime();
        aggregate(spec, system, r -> {
            count[0]++;
            latest.put(r.key(), r);
        });
        long wall = System.nanoTime() - t0;
        long cpu = OS.getProcessCpuTime() - cpu0;
        if (count[0] != references.get(type).results()) {
            throw new IllegalStateException("anchor " + type + " gave " + count[0] + " results, first pass " + references.get(type).results());
        }
        return new Timing(values.size(), wall / 1e9, cpu / 1e9);
    }

    private interface ResultSink {
        void accept(WindowResult r);
    }

    /** Bytes → RecordPipeline → WindowOperator → the results a KV sink would get (not FINAL), in one stream. */
    private void aggregate(JobSpec spec, ActorSystem<?> system, ResultSink sink) throws Exception {
        RecordPipeline pipeline = RecordPipeline.create(spec);
        WindowOperator operator = new WindowOperator(settings(spec), Set.of(0), System.currentTimeMillis());
        Source.from(values).zipWithIndex()
                .mapConcat(p -> apply(pipeline, operator, p))
                .runWith(Sink.foreach(sink::accept), system)
                .toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    private static WindowOperator.Settings settings(JobSpec spec) {
        return new WindowOperator.Settings(spec.window(), spec.aggregates(), spec.outOfOrderness(),
                spec.allowedLateness(), spec.idleTimeout(), spec.earlyEvery(), 1_000_000);
    }

    private static List<WindowResult> apply(RecordPipeline pipeline, WindowOperator operator, Pair<byte[], Long> p) {
        RecordPipeline.Outcome outcome = pipeline.apply(0, p.second(), p.first());
        if (!(outcome instanceof RecordPipeline.Event e)) {
            throw new IllegalStateException("record " + p.second() + " rejected: " + outcome);
        }
        List<WindowOutput> outputs = operator.onEvent(e.event(), System.currentTimeMillis());
        List<WindowResult> results = new ArrayList<>(outputs.size());
        for (WindowOutput o : outputs) {
            if (o instanceof WindowResult r && r.kind() != WindowResult.Kind.FINAL) {
                results.add(r);
            } else if (!(o instanceof WindowResult)) {
                throw new IllegalStateException("late event in order: " + o);
            }
        }
        return results;
    }

    // ---- Append to visible in KV ----

    /** The last event appended to the e2e job's topic: its runs continue the sequence. */
    private final long[] e2eSequence = {0};
    private String e2eJob;

    /** Event {@code seq} of the e2e runs: time seq × window, so it closes event seq − 1's window. */
    private static byte[] e2eEvent(long seq) {
        return event("e" + seq, BASE_TS + seq * E2E_WINDOW.toMillis(), 1);
    }

    private RunResult endToEnd(StrataNode node, Window window) throws Exception {
        String space = "bench_e2e";
        if (e2eJob == null) {
            e2eJob = "bench-e2e";
            String spec = jobJson(e2eJob, E2E_TOPIC, "{\"type\": \"tumbling\", \"size\": \"" + E2E_WINDOW.toMillis() + "ms\"}", space);
            HttpResponse<String> submitted = send(node, "POST", "/jobs", spec);
            if (submitted.statusCode() != 201) {
                throw new IllegalStateException("job submit: " + submitted.statusCode() + " " + submitted.body());
            }
            node.bus().produce(E2E_TOPIC, List.of(record(e2eEvent(e2eSequence[0])))).toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
        }
        KvStore kv = node.kv();
        return latencyLoop(window, e2eSequence, seq -> node.bus().produce(E2E_TOPIC, List.of(record(e2eEvent(seq)))), seq -> {
            KvPartition.Reply reply = kv.get(space, "e" + (seq - 1)).toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
            return reply instanceof KvPartition.Found;
        });
    }

    private RunResult endToEndAnchor(ActorSystem<?> system, Window window) throws Exception {
        JobSpec spec = JobSpec.parse(JSON.readTree(jobJson("anchor-e2e", E2E_TOPIC,
                "{\"type\": \"tumbling\", \"size\": \"" + E2E_WINDOW.toMillis() + "ms\"}", "x")));
        RecordPipeline pipeline = RecordPipeline.create(spec);
        WindowOperator operator = new WindowOperator(settings(spec), Set.of(0), System.currentTimeMillis());
        Map<String, WindowResult> kv = new ConcurrentHashMap<>();
        Pair<BoundedSourceQueue<Pair<byte[], Long>>, CompletionStage<org.apache.pekko.Done>> graph =
                Source.<Pair<byte[], Long>>queue(1024)
                        .mapConcat(p -> apply(pipeline, operator, p))
                        .toMat(Sink.foreach(r -> kv.put(r.key(), r)), Keep.both())
                        .run(system);
        BoundedSourceQueue<Pair<byte[], Long>> queue = graph.first();
        try {
            // A fresh operator and map each run: its own sequence from 0.
            long[] sequence = {0};
            queue.offer(Pair.create(e2eEvent(0), 0L));
            return latencyLoop(window, sequence, seq -> {
                if (queue.offer(Pair.create(e2eEvent(seq), seq)) != QueueOfferResult.enqueued()) {
                    throw new IllegalStateException("anchor queue refused an event");
                }
            }, seq -> kv.containsKey("e" + (seq - 1)));
        } finally {
            queue.complete();
            graph.second().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
        }
    }

    private interface Append {
        void append(long seq) throws Exception;
    }

    private interface Visible {
        boolean visible(long seq) throws Exception;
    }

    /**
     * Appends one event at a time (sequence numbers continuing across runs), polls until its
     * window result is visible, records the latency, pauses, and repeats: the warm-up, then the
     * measured duration.
     */
    private RunResult latencyLoop(Window window, long[] sequence, Append append, Visible visible) throws Exception {
        Histogram histogram = new Histogram(3);
        long start = System.nanoTime();
        long measureFrom = start + window.warmup().toNanos();
        long end = measureFrom + window.duration().toNanos();
        long measuredStart = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            long seq = ++sequence[0];
            long t0 = System.nanoTime();
            append.append(seq);
            long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
            while (!visible.visible(seq)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("e2e event " + seq + " not visible after 30 s");
                }
                LockSupport.parkNanos(KV_POLL_NANOS);
            }
            long latency = System.nanoTime() - t0;
            if (t0 >= measureFrom) {
                if (measuredStart == 0) {
                    measuredStart = t0;
                }
                histogram.recordValue(latency);
            }
            LockSupport.parkNanos(E2E_PAUSE.toNanos());
        }
        if (histogram.getTotalCount() == 0) {
            throw new IllegalStateException("no e2e event completed in " + window.duration().toMillis() + " ms");
        }
        return RunResult.of(histogram, (System.nanoTime() - measuredStart) / 1e9);
    }

    private void report(String format, Object... args) {
        progress.println(String.format(Locale.ROOT, format, args));
        progress.flush();
    }
}
