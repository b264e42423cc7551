package io.strata.bench;

import io.strata.bench.RedisAnchor.Persistence;
import io.strata.bench.RedisBenchmark.Load;
import io.strata.bench.Rounds.Step;
import io.strata.node.StrataNode;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The KV store over RESP against redis-server: the same {@code redis-benchmark} runs against
 * Strata's RESP listener and against a redis-server on the same machine, alternating.
 * <ul>
 *   <li>The matrix, on a node with the default durability ({@code mmap}) against Redis in memory
 *       only: SET and GET with {@code -c 50}, {@code -c 50 -P 16} and {@code -c 1}, all with
 *       {@code -d 100 -r 100000} (value size and random keys are options); every key is written
 *       on both sides before the runs, so that every GET finds its key.</li>
 *   <li>Durability: {@code -c 50} SET on that node against Redis with {@code appendfsync everysec}
 *       (both survive a killed process, neither a power cut); and on a second node with
 *       {@code fsync} durability against Redis with {@code appendfsync always}, unpipelined and
 *       with {@code -P 16}.</li>
 *   <li>Memory: bytes per key after writing 1M small keys to a fresh node (its heap after a full
 *       GC, before and after) and to a fresh redis-server ({@code used_memory}, before and after).</li>
 * </ul>
 */
final class RespBench {

    static final String MATRIX_ANCHOR = Persistence.NONE.anchor;
    static final String MEMORY_FIGURE = "resp.memory";
    static final String MEMORY_ANCHOR = "redis-used-memory";
    private static final long ASK_TIMERS_SETTLE_MILLIS = 1_000;

    private static final long PROBE_TIMEOUT_SECONDS = 60;
    private static final int LOAD_BATCH = 1000;
    private static final int LOAD_SYNC_EVERY = 10;
    private static final int GC_PASSES = 3;

    /**
     * @param clients the {@code -c} of the many-clients runs
     * @param pipeline the {@code -P} of the pipelined runs
     * @param randomKeys the {@code -r}: keys written before the runs, then picked at random
     * @param memoryKeys keys of the memory figure (0: not measured)
     * @param memoryValueSize the size of their values
     * @param durability whether to measure the durability figures (a second node)
     * @param redis whether redis may run (installing it if needed): without it nothing is measured
     */
    record Settings(Window window, int rounds, int clients, int pipeline, int valueSize, int randomKeys, int memoryKeys,
                    int memoryValueSize, boolean durability, boolean redis) {}

    private final Settings settings;
    private final Rounds rounds;
    private final PrintWriter progress;
    private final List<String> notes = new ArrayList<>();
    private final List<BenchReport.Skipped> skipped = new ArrayList<>();
    private final Map<String, Object> details = new LinkedHashMap<>();

    RespBench(Settings settings, PrintWriter progress) {
        this.settings = settings;
        this.progress = progress;
        this.rounds = new Rounds(settings.window(), settings.rounds(), progress);
    }

    List<String> notes() {
        return Collections.unmodifiableList(notes);
    }

    List<BenchReport.Skipped> skipped() {
        return Collections.unmodifiableList(skipped);
    }

    /** What is not a rate: the memory figure's parts, sizes on disk. */
    Map<String, Object> details() {
        return Collections.unmodifiableMap(details);
    }

    /** Every figure; when redis cannot be had, none, each recorded as skipped with the reason. */
    List<Figure> run() throws Exception {
        if (!settings.redis()) {
            skipAll("redis is off (--no-redis); redis-benchmark drives both sides");
            return List.of();
        }
        try (ScratchDir scratch = ScratchDir.create("strata-bench-resp-")) {
            Optional<String> missing = RedisAnchor.ensureInstalled(scratch.path(), progress);
            if (missing.isPresent()) {
                skipAll(missing.get());
                return List.of();
            }
        }
        List<Figure> figures = new ArrayList<>(matrix());
        if (settings.durability()) {
            figures.addAll(fsync());
        } else {
            skip(fsyncLoads().stream().map(RespBench::fsyncName).toList(), Persistence.ALWAYS.anchor, "off (--no-durability)");
        }
        if (settings.memoryKeys() > 0) {
            figures.add(memory());
        } else {
            skip(List.of(MEMORY_FIGURE), MEMORY_ANCHOR, "off (--memory-keys 0)");
        }
        return figures;
    }

    private List<Load> matrixLoads() {
        List<Load> loads = new ArrayList<>();
        for (int[] shape : new int[][] {{settings.clients(), 1}, {settings.clients(), settings.pipeline()}, {1, 1}}) {
            for (String test : List.of("set", "get")) {
                loads.add(load(test, shape[0], shape[1]));
            }
        }
        return loads;
    }

    private List<Load> fsyncLoads() {
        return List.of(load("set", settings.clients(), 1), load("set", settings.clients(), settings.pipeline()));
    }

    private Load load(String test, int clients, int pipeline) {
        return new Load(test, clients, pipeline, settings.valueSize(), settings.randomKeys());
    }

    private static String name(Load load) {
        return "resp." + load.test() + "." + load.label();
    }

    private static String fsyncName(Load load) {
        return name(load) + ".fsync";
    }

    private List<Figure> matrix() throws Exception {
        try (ScratchDir dir = ScratchDir.create("strata-bench-resp-")) {
            StrataNode node = startNode(dir, "mmap");
            try (node;
                 RedisAnchor redis = RedisAnchor.start(dir.path().resolve("redis"), Persistence.NONE);
                 RedisAnchor everysec = RedisAnchor.start(dir.path().resolve("redis-everysec"), Persistence.EVERYSEC)) {
                int port = respPort(node);
                rounds.report("[matrix] node up, RESP on 127.0.0.1:%d; redis-server on %d, with everysec on %d; writing %,d keys of %d B to each",
                        port, redis.port(), everysec.port(), settings.randomKeys(), settings.valueSize());
                RedisBenchmark benchmark = redis.benchmark();
                for (int target : List.of(port, redis.port(), everysec.port())) {
                    write(target, settings.randomKeys(), settings.valueSize());
                }
                List<Step> round = new ArrayList<>();
                List<Step[]> pairs = new ArrayList<>();
                for (Load load : matrixLoads()) {
                    Step strata = step(name(load), benchmark, port, load);
                    Step anchor = step(MATRIX_ANCHOR + "." + load.test() + "." + load.label(), benchmark, redis.port(), load);
                    round.addAll(List.of(strata, anchor));
                    pairs.add(new Step[] {strata, anchor});
                }
                Load set = load("set", settings.clients(), 1);
                Step everysecSet = step(Persistence.EVERYSEC.anchor + ".set." + set.label(), benchmark, everysec.port(), set);
                // Right after the Strata SET run it is compared with (the first step), as the others follow theirs.
                round.add(2, everysecSet);
                Map<String, List<RunResult>> results = rounds.run("matrix", round);
                List<Figure> figures = new ArrayList<>();
                for (Step[] pair : pairs) {
                    figures.add(Figure.of(pair[0].name(), results.get(pair[0].name()), MATRIX_ANCHOR, results.get(pair[1].name())));
                }
                figures.add(Figure.of(name(set) + ".mmap", results.get(name(set)), Persistence.EVERYSEC.anchor,
                        results.get(everysecSet.name())));
                return figures;
            }
        }
    }

    private List<Figure> fsync() throws Exception {
        try (ScratchDir dir = ScratchDir.create("strata-bench-resp-fsync-")) {
            StrataNode node = startNode(dir, "fsync");
            try (node; RedisAnchor always = RedisAnchor.start(dir.path().resolve("redis"), Persistence.ALWAYS)) {
                int port = respPort(node);
                rounds.report("[fsync] node up with fsync durability, RESP on 127.0.0.1:%d; redis-server (appendfsync always) on %d",
                        port, always.port());
                List<Step> round = new ArrayList<>();
                for (Load load : fsyncLoads()) {
                    round.add(step(fsyncName(load), always.benchmark(), port, load));
                    round.add(step(Persistence.ALWAYS.anchor + "." + load.test() + "." + load.label(), always.benchmark(),
                            always.port(), load));
                }
                Map<String, List<RunResult>> results = rounds.run("fsync", round);
                List<Figure> figures = new ArrayList<>();
                for (int i = 0; i < round.size(); i += 2) {
                    figures.add(Figure.of(round.get(i).name(), results.get(round.get(i).name()), Persistence.ALWAYS.anchor,
                            results.get(round.get(i + 1).name())));
                }
                return figures;
            }
        }
    }

    /**
     * One redis-benchmark run per call against {@code port}. redis-benchmark runs a request count,
     * not a time: each run is sized from the rate of the step's previous run (a first probe for
     * the first) to last about the window's duration, after an uncounted run as long as its warm-up.
     */
    private static Step step(String name, RedisBenchmark benchmark, int port, Load load) {
        AtomicLong rate = new AtomicLong();
        return new Step(name, window -> {
            if (rate.get() == 0) {
                int probe = Math.max(1000, load.clients() * load.pipeline() * 20);
                rate.set(benchmark.run(port, load, probe, PROBE_TIMEOUT_SECONDS).opsPerS());
            }
            if (!window.warmup().isZero()) {
                benchmark.run(port, load, requestsFor(rate.get(), window.warmup().toMillis(), load), timeout(window.warmup().toSeconds()));
            }
            RunResult result = benchmark.run(port, load, requestsFor(rate.get(), window.duration().toMillis(), load),
                    timeout(window.duration().toSeconds()));
            rate.set(Math.max(1, result.opsPerS()));
            return result;
        });
    }

    private static int requestsFor(long opsPerS, long millis, Load load) {
        long requests = opsPerS * millis / 1000;
        return (int) Math.min(Integer.MAX_VALUE, Math.max((long) load.clients() * load.pipeline() * 4, requests));
    }

    /** Generous: a run that slows down five-fold is slow, not stuck. */
    private static long timeout(long seconds) {
        return seconds * 5 + PROBE_TIMEOUT_SECONDS;
    }

    /**
     * Bytes per key: the node's heap after a full GC, and redis's {@code used_memory}, each
     * before and after {@code memoryKeys} keys are written to a fresh node and server in memory.
     */
    private Figure memory() throws Exception {
        int keys = settings.memoryKeys();
        try (ScratchDir dir = ScratchDir.create("strata-bench-resp-memory-")) {
            StrataNode node = startNode(dir, "mmap");
            try (node; RedisAnchor redis = RedisAnchor.start(dir.path().resolve("redis"), Persistence.NONE)) {
                int port = respPort(node);
                rounds.report("[memory] writing %,d keys of %d B to a fresh node (RESP on %d) and a fresh redis-server (%d)",
                        keys, settings.memoryValueSize(), port, redis.port());
                long heapBefore = heapAfterGc();
                long started = System.nanoTime();
                write(port, keys, settings.memoryValueSize());
                double strataSeconds = (System.nanoTime() - started) / 1e9;
                // Every ask leaves its timeout's timer task in Pekko's scheduler wheel until the timeout
                // passes, even when answered: in-flight bookkeeping, not the keys, so it is let go first.
                Thread.sleep(node.system().settings().config().getDuration("strata.http.ask-timeout").toMillis()
                        + ASK_TIMERS_SETTLE_MILLIS);
                long heapAfter = heapAfterGc();
                long strataBytes = Math.round((double) (heapAfter - heapBefore) / keys);

                Map<String, Long> redisBefore = redisMemory(redis.port());
                started = System.nanoTime();
                write(redis.port(), keys, settings.memoryValueSize());
                double redisSeconds = (System.nanoTime() - started) / 1e9;
                Map<String, Long> redisAfter = redisMemory(redis.port());
                long redisBytes = Math.round((double) (redisAfter.get("used_memory") - redisBefore.get("used_memory")) / keys);

                Map<String, Object> memory = new LinkedHashMap<>();
                memory.put("keys", keys);
                memory.put("key_bytes", RedisBenchmark.key(0).length());
                memory.put("value_bytes", settings.memoryValueSize());
                memory.put("strata_heap_bytes_per_key", strataBytes);
                memory.put("strata_heap_before_bytes", heapBefore);
                memory.put("strata_heap_after_bytes", heapAfter);
                memory.put("strata_disk_bytes_per_key", Math.round((double) directorySize(dir.path().resolve("node")) / keys));
                memory.put("strata_write_s", round(strataSeconds));
                memory.put("redis_used_memory_bytes_per_key", redisBytes);
                memory.put("redis_used_memory_rss_bytes_per_key",
                        Math.round((double) (redisAfter.get("used_memory_rss") - redisBefore.get("used_memory_rss")) / keys));
                memory.put("redis_write_s", round(redisSeconds));
                details.put("memory", memory);
                rounds.report("[memory] Strata heap %,d B/key, redis used_memory %,d B/key", strataBytes, redisBytes);
                // One measurement each: bytes per key do not vary from run to run as rates do.
                return Figure.of(MEMORY_FIGURE, List.of(new RunResult(keys, strataSeconds, strataBytes, 0, 0)), MEMORY_ANCHOR,
                        List.of(new RunResult(keys, redisSeconds, redisBytes, 0, 0)));
            }
        }
    }

    /**
     * Writes keys {@code key:000000000000} .. (redis-benchmark's {@code -r} keys) with values of
     * {@code valueSize} bytes, by MSETs of {@value #LOAD_BATCH} keys, pipelined.
     */
    private static void write(int port, int keys, int valueSize) {
        byte[] value = new byte[valueSize];
        new SplittableRandom(42).nextBytes(value);
        try (Jedis jedis = new Jedis("127.0.0.1", port, 60_000)) {
            Pipeline pipeline = jedis.pipelined();
            int pending = 0;
            for (int from = 0; from < keys; from += LOAD_BATCH) {
                int to = Math.min(keys, from + LOAD_BATCH);
                byte[][] pairs = new byte[(to - from) * 2][];
                for (int i = from; i < to; i++) {
                    pairs[(i - from) * 2] = RedisBenchmark.key(i).getBytes(StandardCharsets.US_ASCII);
                    pairs[(i - from) * 2 + 1] = value;
                }
                pipeline.mset(pairs);
                if (++pending == LOAD_SYNC_EVERY) {
                    pipeline.sync();
                    pending = 0;
                }
            }
            pipeline.sync();
        }
    }

    private static Map<String, Long> redisMemory(int port) {
        try (Jedis jedis = new Jedis("127.0.0.1", port, 60_000)) {
            Map<String, Long> fields = new LinkedHashMap<>();
            for (String line : jedis.info("memory").split("\r\n")) {
                String[] field = line.split(":", 2);
                if (field.length == 2 && (field[0].equals("used_memory") || field[0].equals("used_memory_rss"))) {
                    fields.put(field[0], Long.parseLong(field[1].trim()));
                }
            }
            return fields;
        }
    }

    /** The heap in use after full collections, with pauses between them for whatever they let finish. */
    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < GC_PASSES; i++) {
            System.gc();
            TimeUnit.MILLISECONDS.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long directorySize(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double round(double seconds) {
        return Math.round(seconds * 100) / 100.0;
    }

    private StrataNode startNode(ScratchDir dir, String durability) {
        StrataNode node = StrataNode.start(Rounds.nodeConfig(dir, Map.of(
                "strata.data-dir", dir.path().resolve("node").toString(),
                "strata.kv.durability", durability,
                "strata.resp.enabled", "true",
                "strata.resp.host", "127.0.0.1",
                "strata.resp.port", "0")));
        dir.deleteAfter(node.system().getWhenTerminated());
        return node;
    }

    private static int respPort(StrataNode node) {
        return node.respAddress().orElseThrow(() -> new IllegalStateException("the node started without its RESP listener")).getPort();
    }

    private void skipAll(String why) {
        List<String> names = new ArrayList<>(matrixLoads().stream().map(RespBench::name).toList());
        skip(names, MATRIX_ANCHOR, why);
        Load set = load("set", settings.clients(), 1);
        skip(List.of(name(set) + ".mmap"), Persistence.EVERYSEC.anchor, why);
        skip(fsyncLoads().stream().map(RespBench::fsyncName).toList(), Persistence.ALWAYS.anchor, why);
        skip(List.of(MEMORY_FIGURE), MEMORY_ANCHOR, why);
    }

    private void skip(List<String> figures, String anchor, String why) {
        figures.forEach(figure -> skipped.add(new BenchReport.Skipped(figure, anchor, why)));
        String note = String.join(", ", figures) + " not measured: " + why;
        notes.add(note);
        rounds.report("[resp] %s", note);
    }
}
