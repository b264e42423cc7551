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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.ObjIntConsumer;
import java.util.stream.Stream;

/**
 * The KV store over RESP against redis-server: the same {@code redis-benchmark} runs against
 * Strata's RESP listener and against a redis-server on the same machine, alternating.
 * <ul>
 *   <li>The matrix, on a node with the default durability ({@code mmap}) against Redis in memory
 *       only: SET and GET with {@code -c 50}, {@code -c 50 -P 16} and {@code -c 1}, all with
 *       {@code -d 100 -r 100000} (value size and random keys are options); every key is written
 *       on both sides before the runs, so that every GET finds its key.</li>
 *   <li>INCR ({@code -t incr}) with {@code -c 50} and {@code -c 50 -P 16}, on the same node and
 *       server after the matrix, in rounds of its own.</li>
 *   <li>One key that grows: redis-benchmark's {@code hset}, {@code lpush} and {@code zadd} tests
 *       (each writes one key: {@code myhash}, {@code mylist}, {@code myzset}) and HGET (its custom
 *       form, reading the fields the HSETs wrote), with {@code -c 50} and {@code -c 50 -P 16}, on a
 *       second node (with a longer ask timeout) against a second redis-server in memory only.</li>
 *   <li>Durability: {@code -c 50} SET on the matrix's node against Redis with {@code appendfsync everysec}
 *       (both survive a killed process, neither a power cut); and on a node of its own with
 *       {@code fsync} durability against Redis with {@code appendfsync always}, unpipelined and
 *       with {@code -P 16}.</li>
 *   <li>Memory: bytes per key after writing 1M small keys to a fresh node (its heap after a full
 *       GC, before and after) and to a fresh redis-server ({@code used_memory}, before and after);
 *       bytes per hash the same way, for 100k hashes of 10 small fields.</li>
 * </ul>
 */
final class RespBench {

    static final String MATRIX_ANCHOR = Persistence.NONE.anchor;
    static final String MEMORY_FIGURE = "resp.memory";
    static final String HASH_MEMORY_FIGURE = "resp.memory.hash";
    static final String MEMORY_ANCHOR = "redis-used-memory";
    static final int HASH_FIELDS = 10;
    private static final List<String> ONE_KEY_TESTS = List.of("hset", "hget", "lpush", "zadd");
    private static final Map<String, String> MMAP = Map.of("strata.kv.durability", "mmap");
    // At -c 50 -P 16 the commands of the one-key tests wait behind each other, 800 of them, each as slow as the key is
    // large: seconds, which past the default ask timeout (5 s) are TRYAGAIN errors that end redis-benchmark.
    private static final Map<String, String> ONE_KEY_NODE = Map.of("strata.kv.durability", "mmap", "strata.http.ask-timeout", "60s");
    // redis-benchmark has no HGET test: its custom form reads the fields its hset test writes, over the same -r numbers.
    private static final Map<String, List<String>> CUSTOM_TESTS = Map.of("hget", List.of("hget", "myhash", "element:__rand_int__"));
    private static final long ASK_TIMERS_SETTLE_MILLIS = 1_000;

    private static final long PROBE_TIMEOUT_SECONDS = 60;
    private static final int PROBE_REQUESTS = 1000;
    private static final int PROBE_REQUESTS_PER_SLOT = 20;
    private static final long PROBE_MAX_SECONDS = 10;
    private static final int LOAD_BATCH = 1000;
    private static final int LOAD_SYNC_EVERY = 10;
    private static final int GC_PASSES = 3;

    /**
     * @param clients the {@code -c} of the many-clients runs
     * @param pipeline the {@code -P} of the pipelined runs
     * @param randomKeys the {@code -r}: keys written before the runs, then picked at random
     * @param memoryKeys keys of the memory figure (0: not measured)
     * @param memoryValueSize the size of their values, and of the hashes' field values
     * @param memoryHashes hashes of {@value #HASH_FIELDS} fields of the hash memory figure (0: not measured)
     * @param durability whether to measure the durability figures (a second node)
     * @param redis whether redis may run (installing it if needed): without it nothing is measured
     */
    record Settings(Window window, int rounds, int clients, int pipeline, int valueSize, int randomKeys, int memoryKeys,
                    int memoryValueSize, int memoryHashes, boolean durability, boolean redis) {}

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

    /** What is not a rate: the memory figures' parts, sizes on disk. */
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
        figures.addAll(onFreshNode("one-key", ONE_KEY_NODE, Persistence.NONE, oneKeyLoads(), RespBench::name));
        if (settings.durability()) {
            figures.addAll(onFreshNode("fsync", Map.of("strata.kv.durability", "fsync"), Persistence.ALWAYS, fsyncLoads(),
                    RespBench::fsyncName));
        } else {
            skip(fsyncLoads().stream().map(RespBench::fsyncName).toList(), Persistence.ALWAYS.anchor, "off (--no-durability)");
        }
        if (settings.memoryKeys() > 0) {
            figures.add(memory());
        } else {
            skip(List.of(MEMORY_FIGURE), MEMORY_ANCHOR, "off (--memory-keys 0)");
        }
        if (settings.memoryHashes() > 0) {
            figures.add(hashMemory());
        } else {
            skip(List.of(HASH_MEMORY_FIGURE), MEMORY_ANCHOR, "off (--memory-hashes 0)");
        }
        return figures;
    }

    private List<Load> matrixLoads() {
        return loads(List.of("set", "get"), new int[][] {{settings.clients(), 1}, {settings.clients(), settings.pipeline()}, {1, 1}});
    }

    private List<Load> incrLoads() {
        return loads(List.of("incr"), manyClients());
    }

    private List<Load> oneKeyLoads() {
        return loads(ONE_KEY_TESTS, manyClients());
    }

    private int[][] manyClients() {
        return new int[][] {{settings.clients(), 1}, {settings.clients(), settings.pipeline()}};
    }

    /** Every test at every shape ({@code {clients, pipeline}}), shape by shape, the tests in their order. */
    private List<Load> loads(List<String> tests, int[][] shapes) {
        List<Load> loads = new ArrayList<>();
        for (int[] shape : shapes) {
            for (String test : tests) {
                loads.add(load(test, shape[0], shape[1]));
            }
        }
        return loads;
    }

    private List<Load> fsyncLoads() {
        return List.of(load("set", settings.clients(), 1), load("set", settings.clients(), settings.pipeline()));
    }

    private Load load(String test, int clients, int pipeline) {
        return new Load(test, CUSTOM_TESTS.getOrDefault(test, List.of()), clients, pipeline, settings.valueSize(), settings.randomKeys());
    }

    private static String name(Load load) {
        return "resp." + load.test() + "." + load.label();
    }

    private static String fsyncName(Load load) {
        return name(load) + ".fsync";
    }

    private static String anchorName(String anchor, Load load) {
        return anchor + "." + load.test() + "." + load.label();
    }

    private List<Figure> matrix() throws Exception {
        try (ScratchDir dir = ScratchDir.create("strata-bench-resp-")) {
            StrataNode node = startNode(dir, MMAP);
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
                List<Step> pairs = versus(matrixLoads(), RespBench::name, MATRIX_ANCHOR, benchmark, port, redis.port());
                Load set = load("set", settings.clients(), 1);
                Step everysecSet = step(anchorName(Persistence.EVERYSEC.anchor, set), benchmark, everysec.port(), set);
                List<Step> round = new ArrayList<>(pairs);
                // Right after the Strata SET run it is compared with (the first step), as the others follow theirs.
                round.add(2, everysecSet);
                Map<String, List<RunResult>> results = rounds.run("matrix", round);
                List<Figure> figures = new ArrayList<>(figures(pairs, MATRIX_ANCHOR, results));
                figures.add(Figure.of(name(set) + ".mmap", results.get(name(set)), Persistence.EVERYSEC.anchor,
                        results.get(everysecSet.name())));
                // Rounds of their own, so that the SET / GET rounds run as they did before INCR was measured.
                List<Step> incr = versus(incrLoads(), RespBench::name, MATRIX_ANCHOR, benchmark, port, redis.port());
                figures.addAll(figures(incr, MATRIX_ANCHOR, rounds.run("incr", incr)));
                return figures;
            }
        }
    }

    /**
     * {@code loads} against a fresh node configured with {@code config} and a fresh redis-server keeping its data as
     * {@code persistence}, the anchor, in rounds of their own.
     */
    private List<Figure> onFreshNode(String label, Map<String, String> config, Persistence persistence, List<Load> loads,
                                     Function<Load, String> name) throws Exception {
        try (ScratchDir dir = ScratchDir.create("strata-bench-resp-" + label + "-")) {
            StrataNode node = startNode(dir, config);
            try (node; RedisAnchor redis = RedisAnchor.start(dir.path().resolve("redis"), persistence)) {
                int port = respPort(node);
                rounds.report("[%s] node up with %s, RESP on 127.0.0.1:%d; redis-server (%s) on %d", label, config, port,
                        persistence.anchor, redis.port());
                List<Step> round = versus(loads, name, persistence.anchor, redis.benchmark(), port, redis.port());
                return figures(round, persistence.anchor, rounds.run(label, round));
            }
        }
    }

    /** Each load against Strata's {@code port}, then the same against {@code anchorPort}: a round's steps, two by two. */
    private static List<Step> versus(List<Load> loads, Function<Load, String> name, String anchor, RedisBenchmark benchmark,
                                     int port, int anchorPort) {
        List<Step> steps = new ArrayList<>();
        for (Load load : loads) {
            steps.add(step(name.apply(load), benchmark, port, load));
            steps.add(step(anchorName(anchor, load), benchmark, anchorPort, load));
        }
        return steps;
    }

    /** The figures of {@link #versus}'s steps: each Strata step's results against those of the anchor step after it. */
    private static List<Figure> figures(List<Step> pairs, String anchor, Map<String, List<RunResult>> results) {
        List<Figure> figures = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i += 2) {
            figures.add(Figure.of(pairs.get(i).name(), results.get(pairs.get(i).name()), anchor, results.get(pairs.get(i + 1).name())));
        }
        return figures;
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
                rate.set(benchmark.run(port, load, PROBE_REQUESTS, PROBE_TIMEOUT_SECONDS).opsPerS());
                int probe = load.clients() * load.pipeline() * PROBE_REQUESTS_PER_SLOT;
                // A longer probe gives a steadier rate, unless it would take too long at the first one's: an HSET, LPUSH
                // or ZADD of one key that grows slows down with it.
                if (probe > PROBE_REQUESTS && probe <= rate.get() * PROBE_MAX_SECONDS) {
                    rate.set(benchmark.run(port, load, probe, PROBE_TIMEOUT_SECONDS).opsPerS());
                }
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

    /** At least one pipeline of requests per connection: the one-key loads may run at a few hundred a second. */
    private static int requestsFor(long opsPerS, long millis, Load load) {
        long requests = opsPerS * millis / 1000;
        return (int) Math.min(Integer.MAX_VALUE, Math.max((long) load.clients() * load.pipeline(), requests));
    }

    /** Generous: a run that slows down five-fold is slow, not stuck. */
    private static long timeout(long seconds) {
        return seconds * 5 + PROBE_TIMEOUT_SECONDS;
    }

    /** Bytes per key of {@code memoryKeys} string keys. */
    private Figure memory() throws Exception {
        int keys = settings.memoryKeys();
        Map<String, Object> shape = new LinkedHashMap<>();
        shape.put("keys", keys);
        shape.put("key_bytes", RedisBenchmark.key(0).length());
        shape.put("value_bytes", settings.memoryValueSize());
        return memory(MEMORY_FIGURE, "key", keys, shape, port -> write(port, keys, settings.memoryValueSize()));
    }

    /** Bytes per hash of {@code memoryHashes} hashes of {@value #HASH_FIELDS} fields. */
    private Figure hashMemory() throws Exception {
        int hashes = settings.memoryHashes();
        Map<String, Object> shape = new LinkedHashMap<>();
        shape.put("hashes", hashes);
        shape.put("fields_per_hash", HASH_FIELDS);
        shape.put("key_bytes", RedisBenchmark.key(0).length());
        shape.put("field_bytes", hashField(0).length);
        shape.put("value_bytes", settings.memoryValueSize());
        return memory(HASH_MEMORY_FIGURE, "hash", hashes, shape, port -> writeHashes(port, hashes, settings.memoryValueSize()));
    }

    /**
     * Bytes per {@code unit}: the node's heap after a full GC, and redis's {@code used_memory}, each before and after
     * {@code write} (given a RESP port) wrote {@code count} of them to a fresh node and server in memory. The parts go
     * to {@link #details()} under the figure's name after {@code resp.}, with {@code shape}.
     */
    private Figure memory(String figure, String unit, int count, Map<String, Object> shape, IntConsumer write) throws Exception {
        String label = figure.substring("resp.".length()).replace('.', '_');
        try (ScratchDir dir = ScratchDir.create("strata-bench-resp-memory-")) {
            StrataNode node = startNode(dir, MMAP);
            try (node; RedisAnchor redis = RedisAnchor.start(dir.path().resolve("redis"), Persistence.NONE)) {
                int port = respPort(node);
                rounds.report("[%s] writing %s to a fresh node (RESP on %d) and a fresh redis-server (%d)", label, shape, port,
                        redis.port());
                long heapBefore = heapAfterGc();
                long started = System.nanoTime();
                write.accept(port);
                double strataSeconds = (System.nanoTime() - started) / 1e9;
                // Every ask leaves its timeout's timer task in Pekko's scheduler wheel until the timeout
                // passes, even when answered: in-flight bookkeeping, not the data, so it is let go first.
                Thread.sleep(node.system().settings().config().getDuration("strata.http.ask-timeout").toMillis()
                        + ASK_TIMERS_SETTLE_MILLIS);
                long heapAfter = heapAfterGc();
                long strataBytes = Math.round((double) (heapAfter - heapBefore) / count);

                Map<String, Long> redisBefore = redisMemory(redis.port());
                started = System.nanoTime();
                write.accept(redis.port());
                double redisSeconds = (System.nanoTime() - started) / 1e9;
                Map<String, Long> redisAfter = redisMemory(redis.port());
                long redisBytes = Math.round((double) (redisAfter.get("used_memory") - redisBefore.get("used_memory")) / count);

                Map<String, Object> memory = new LinkedHashMap<>(shape);
                memory.put("strata_heap_bytes_per_" + unit, strataBytes);
                memory.put("strata_heap_before_bytes", heapBefore);
                memory.put("strata_heap_after_bytes", heapAfter);
                memory.put("strata_disk_bytes_per_" + unit, Math.round((double) directorySize(dir.path().resolve("node")) / count));
                memory.put("strata_write_s", round(strataSeconds));
                memory.put("redis_used_memory_bytes_per_" + unit, redisBytes);
                memory.put("redis_used_memory_rss_bytes_per_" + unit,
                        Math.round((double) (redisAfter.get("used_memory_rss") - redisBefore.get("used_memory_rss")) / count));
                memory.put("redis_write_s", round(redisSeconds));
                details.put(label, memory);
                rounds.report("[%s] Strata heap %,d B/%s, redis used_memory %,d B/%s", label, strataBytes, unit, redisBytes, unit);
                // One measurement each: bytes per key do not vary from run to run as rates do.
                return Figure.of(figure, List.of(new RunResult(count, strataSeconds, strataBytes, 0, 0)), MEMORY_ANCHOR,
                        List.of(new RunResult(count, redisSeconds, redisBytes, 0, 0)));
            }
        }
    }

    /**
     * Writes keys {@code key:000000000000} .. (redis-benchmark's {@code -r} keys) with values of
     * {@code valueSize} bytes, by MSETs of {@value #LOAD_BATCH} keys, pipelined.
     */
    private static void write(int port, int keys, int valueSize) {
        byte[] value = value(valueSize);
        pipelined(port, (keys + LOAD_BATCH - 1) / LOAD_BATCH, LOAD_SYNC_EVERY, (pipeline, batch) -> {
            int from = batch * LOAD_BATCH;
            int to = Math.min(keys, from + LOAD_BATCH);
            byte[][] pairs = new byte[(to - from) * 2][];
            for (int i = from; i < to; i++) {
                pairs[(i - from) * 2] = RedisBenchmark.key(i).getBytes(StandardCharsets.US_ASCII);
                pairs[(i - from) * 2 + 1] = value;
            }
            pipeline.mset(pairs);
        });
    }

    /**
     * Writes hashes {@code key:000000000000} .. of {@value #HASH_FIELDS} fields {@code field:00} .. with
     * values of {@code valueSize} bytes, one HSET each, pipelined.
     */
    private static void writeHashes(int port, int hashes, int valueSize) {
        byte[] value = value(valueSize);
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        for (int f = 0; f < HASH_FIELDS; f++) {
            fields.put(hashField(f), value);
        }
        pipelined(port, hashes, LOAD_BATCH, (pipeline, i) -> pipeline.hset(RedisBenchmark.key(i).getBytes(StandardCharsets.US_ASCII),
                fields));
    }

    private static byte[] hashField(int f) {
        return String.format(Locale.ROOT, "field:%02d", f).getBytes(StandardCharsets.US_ASCII);
    }

    /** Random bytes, the same on every run: not numbers, which Redis would keep as integers. */
    private static byte[] value(int size) {
        byte[] value = new byte[size];
        new SplittableRandom(42).nextBytes(value);
        return value;
    }

    /** Sends {@code commands} commands ({@code command} adds the i-th) pipelined, awaiting the replies every {@code syncEvery}. */
    private static void pipelined(int port, int commands, int syncEvery, ObjIntConsumer<Pipeline> command) {
        try (Jedis jedis = new Jedis("127.0.0.1", port, 60_000)) {
            Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < commands; i++) {
                command.accept(pipeline, i);
                if ((i + 1) % syncEvery == 0) {
                    pipeline.sync();
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

    /** A fresh node with its RESP listener on a free loopback port, data in {@code dir}, and {@code config}. */
    private StrataNode startNode(ScratchDir dir, Map<String, String> config) {
        Map<String, String> all = new LinkedHashMap<>(Map.of(
                "strata.data-dir", dir.path().resolve("node").toString(),
                "strata.resp.enabled", "true",
                "strata.resp.host", "127.0.0.1",
                "strata.resp.port", "0"));
        all.putAll(config);
        StrataNode node = StrataNode.start(Rounds.nodeConfig(dir, all));
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
        skip(Stream.concat(incrLoads().stream(), oneKeyLoads().stream()).map(RespBench::name).toList(), MATRIX_ANCHOR, why);
        skip(fsyncLoads().stream().map(RespBench::fsyncName).toList(), Persistence.ALWAYS.anchor, why);
        skip(List.of(MEMORY_FIGURE, HASH_MEMORY_FIGURE), MEMORY_ANCHOR, why);
    }

    private void skip(List<String> figures, String anchor, String why) {
        figures.forEach(figure -> skipped.add(new BenchReport.Skipped(figure, anchor, why)));
        String note = String.join(", ", figures) + " not measured: " + why;
        notes.add(note);
        rounds.report("[resp] %s", note);
    }
}
