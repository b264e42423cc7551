package io.strata.bench;

import com.typesafe.config.Config;
import io.strata.node.NodeConfig;
import io.strata.node.StrataNode;
import io.strata.node.kv.KvPartition;
import io.strata.node.kv.KvStore;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The KV benchmark. For each durability mode, on a fresh node in a temporary directory: writes
 * every key once, then runs rounds of closed-loop runs, each figure followed by its anchor:
 * <ul>
 *   <li>{@code kv.put.inproc}, {@code kv.get.inproc}: {@link KvStore} calls (asks to the sharded
 *       partition entity), against {@link EchoActor} asks on the same dispatcher;</li>
 *   <li>{@code kv.put.http}, {@code kv.get.http}: requests to the node's HTTP gateway on keep-alive
 *       connections, against the same requests to {@link HelloServer}.</li>
 * </ul>
 * Figures are medians over the rounds; figures of other modes than {@code mmap} carry the mode as
 * a suffix ({@code kv.put.http.fsync}).
 */
final class KvBench {

    /** The keyspace the benchmark writes; it lives only in the temporary node. */
    static final String SPACE = "bench";

    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
    private static final int PRELOAD_BATCH = 256;
    private static final byte[] NO_BODY = new byte[0];

    /**
     * @param durabilities the {@code strata.kv.durability} modes to measure, a fresh node each
     */
    record Settings(Window window, int rounds, int concurrency, int valueSize, int keyspaceSize, List<String> durabilities) {}

    /** One run of a round: the figure or anchor it measures, and how. */
    private record Step(String name, Run run) {}

    /** A closed-loop run over a window. */
    private interface Run {
        RunResult over(Window window) throws Exception;
    }

    private final Settings settings;
    private final PrintWriter progress;
    private final String[] keys;
    private final byte[] value;

    /** @param progress where a line per run goes as the benchmark proceeds */
    KvBench(Settings settings, PrintWriter progress) {
        this.settings = settings;
        this.progress = progress;
        this.keys = new String[settings.keyspaceSize()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "k" + i;
        }
        this.value = new byte[settings.valueSize()];
        new SplittableRandom(42).nextBytes(value);
    }

    List<Figure> run() throws Exception {
        List<Figure> figures = new ArrayList<>();
        for (String durability : settings.durabilities()) {
            figures.addAll(runOn(durability));
        }
        return figures;
    }

    private List<Figure> runOn(String durability) throws Exception {
        String suffix = durability.equals("mmap") ? "" : "." + durability;
        try (ScratchDir dir = ScratchDir.create("strata-bench-kv-")) {
            StrataNode node = StrataNode.start(nodeConfig(dir, durability));
            dir.deleteAfter(node.system().getWhenTerminated());
            try (node; HelloServer hello = HelloServer.start(node.system())) {
                report("[%s] node up on 127.0.0.1:%d (data in %s); writing %,d keys of %d B", durability,
                        node.httpPort(), dir.path(), keys.length, value.length);
                preload(node.kv());

                KvStore kv = node.kv();
                EchoActor echo = EchoActor.start(node.system(), "strata.kv.dispatcher", ASK_TIMEOUT);
                Step putInProcess = new Step("kv.put.inproc" + suffix, window -> inProcess(window,
                        () -> kv.put(SPACE, randomKey(), value, 0, KvPartition.ANY_VERSION), KvPartition.Written.class::isInstance));
                Step getInProcess = new Step("kv.get.inproc" + suffix, window -> inProcess(window,
                        () -> kv.get(SPACE, randomKey()), KvPartition.Found.class::isInstance));
                Step echoAnchor = new Step(EchoActor.NAME, window -> inProcess(window, echo::ask, EchoActor.Pong.INSTANCE::equals));

                HttpLoad.Requests gets = new HttpLoad.Requests("GET", "/kv/" + SPACE + "/k", keys.length, NO_BODY);
                HttpLoad.Requests puts = new HttpLoad.Requests("PUT", "/kv/" + SPACE + "/k", keys.length, value);
                HttpLoad putLoad = new HttpLoad(node.httpAddress(), settings.concurrency(), puts, status -> status == 200 || status == 201);
                HttpLoad getLoad = new HttpLoad(node.httpAddress(), settings.concurrency(), gets, status -> status == 200);
                // The anchor gets the very requests kv.get.http sends: only what answers them differs.
                HttpLoad helloLoad = new HttpLoad(hello.address(), settings.concurrency(), gets, status -> status == 200);
                for (HttpLoad load : List.of(putLoad, getLoad, helloLoad)) {
                    load.prime();
                }
                Step putHttp = new Step("kv.put.http" + suffix, putLoad::run);
                Step getHttp = new Step("kv.get.http" + suffix, getLoad::run);
                Step helloAnchor = new Step(HelloServer.NAME, helloLoad::run);

                Map<String, List<RunResult>> results = runRounds(durability,
                        List.of(putInProcess, echoAnchor, getInProcess, echoAnchor, putHttp, helloAnchor, getHttp, helloAnchor));
                return List.of(
                        figure(putInProcess, echoAnchor, results),
                        figure(getInProcess, echoAnchor, results),
                        figure(putHttp, helloAnchor, results),
                        figure(getHttp, helloAnchor, results));
            }
        }
    }

    /**
     * Runs every step of {@code round}, in order, once per round; returns the results by step name.
     * A first pass, not counted, runs each step for the warm-up time alone: the JIT compiles the
     * code that every step shares, so the first round is not slower than the others for that.
     */
    private Map<String, List<RunResult>> runRounds(String durability, List<Step> round) throws Exception {
        if (!settings.window().warmup().isZero()) {
            report("[%s] warming up", durability);
            for (Step step : new LinkedHashSet<>(round)) {
                step.run().over(new Window(Duration.ZERO, settings.window().warmup()));
            }
        }
        Map<String, List<RunResult>> results = new LinkedHashMap<>();
        for (int r = 1; r <= settings.rounds(); r++) {
            for (Step step : round) {
                RunResult result = step.run().over(settings.window());
                results.computeIfAbsent(step.name(), name -> new ArrayList<>()).add(result);
                report("[%s] round %d/%d %-22s %,9d ops/s  p50 %,6d µs  p99 %,7d µs", durability, r, settings.rounds(),
                        step.name(), result.opsPerS(), result.p50Us(), result.p99Us());
            }
        }
        return results;
    }

    private static Config nodeConfig(ScratchDir dir, String durability) {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("strata.data-dir", dir.path().toString());
        overrides.put("strata.kv.durability", durability);
        // Loopback and free ports whatever the environment's configuration says: the benchmark
        // must neither collide with a running node nor reach beyond this machine.
        overrides.put("strata.http.host", "127.0.0.1");
        overrides.put("strata.http.port", "0");
        overrides.put("strata.cluster.host", "127.0.0.1");
        overrides.put("strata.cluster.port", "0");
        overrides.put("strata.http.auth-token", "");
        return NodeConfig.load(Optional.empty(), overrides);
    }

    /** Writes every key once, so that every get finds its key. */
    private void preload(KvStore kv) throws Exception {
        for (int from = 0; from < keys.length; from += PRELOAD_BATCH) {
            List<CompletableFuture<KvPartition.Reply>> batch = new ArrayList<>();
            for (int i = from; i < Math.min(keys.length, from + PRELOAD_BATCH); i++) {
                batch.add(kv.put(SPACE, keys[i], value, 0, KvPartition.ANY_VERSION).toCompletableFuture());
            }
            for (CompletableFuture<KvPartition.Reply> put : batch) {
                KvPartition.Reply reply = put.get(30, TimeUnit.SECONDS);
                if (!(reply instanceof KvPartition.Written)) {
                    throw new IllegalStateException("preloading the keyspace failed: " + reply);
                }
            }
        }
    }

    private RunResult inProcess(Window window, Supplier<? extends CompletionStage<?>> call, Predicate<Object> expected)
            throws InterruptedException {
        return new AsyncLoad(call, expected, settings.concurrency()).run(window);
    }

    private String randomKey() {
        return keys[ThreadLocalRandom.current().nextInt(keys.length)];
    }

    private static Figure figure(Step measured, Step anchor, Map<String, List<RunResult>> results) {
        return Figure.of(measured.name(), results.get(measured.name()), anchor.name(), results.get(anchor.name()));
    }

    private void report(String format, Object... args) {
        progress.println(String.format(Locale.ROOT, format, args));
        progress.flush();
    }
}
