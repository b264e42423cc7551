package io.strata.bench;

import io.strata.bench.Rounds.Step;
import io.strata.node.StrataNode;
import io.strata.node.kv.KvPartition;
import io.strata.node.kv.KvStore;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    private final Settings settings;
    private final Rounds rounds;
    private final String[] keys;
    private final byte[] value;

    /** @param progress where a line per run goes as the benchmark proceeds */
    KvBench(Settings settings, PrintWriter progress) {
        this.settings = settings;
        this.rounds = new Rounds(settings.window(), settings.rounds(), progress);
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
            StrataNode node = StrataNode.start(Rounds.nodeConfig(dir, Map.of("strata.kv.durability", durability)));
            dir.deleteAfter(node.system().getWhenTerminated());
            try (node; HelloServer hello = HelloServer.start(node.system())) {
                report("[%s] node up on 127.0.0.1:%d (data in %s); writing %,d keys of %d B", durability,
                        node.httpPort(), dir.path(), keys.length, value.length);
                preload(node.kv());

                KvStore kv = node.kv();
                EchoActor echo = EchoActor.start(node.system(), "strata.entity-dispatcher", ASK_TIMEOUT);
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

                Map<String, List<RunResult>> results = rounds.run(durability,
                        List.of(putInProcess, echoAnchor, getInProcess, echoAnchor, putHttp, helloAnchor, getHttp, helloAnchor));
                return List.of(
                        figure(putInProcess, echoAnchor, results),
                        figure(getInProcess, echoAnchor, results),
                        figure(putHttp, helloAnchor, results),
                        figure(getHttp, helloAnchor, results));
            }
        }
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
        return Rounds.figure(measured, anchor, results);
    }

    private void report(String format, Object... args) {
        rounds.report(format, args);
    }
}
