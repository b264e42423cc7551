package io.strata.bench;

import io.strata.bench.Rounds.Step;
import io.strata.node.StrataNode;
import io.strata.node.kv.KvPartition;
import io.strata.node.kv.KvStore;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
 *       connections, against the same requests to {@link HelloServer};</li>
 *   <li>{@code kv.put.http.wrk}, {@code kv.get.http.wrk}: the same requests sent by {@link Wrk}, a
 *       process of its own, against the same GETs to {@link HelloServer} and the same PUTs to its
 *       body-reading twin (skipped, with a note, when wrk cannot be had).</li>
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
    private static final String OCTET_STREAM = "application/octet-stream";
    private static final String PUT_WRK = "kv.put.http.wrk";
    private static final String GET_WRK = "kv.get.http.wrk";
    private static final String HELLO_WRK = HelloServer.NAME + ".wrk";
    private static final String HELLO_BODY_WRK = HelloServer.READING_BODIES_NAME + ".wrk";

    /**
     * @param durabilities the {@code strata.kv.durability} modes to measure, a fresh node each
     * @param wrk whether to measure the wrk figures at all (installing wrk if needed)
     * @param wrkThreads wrk's {@code -t}, at most {@code concurrency}
     */
    record Settings(Window window, int rounds, int concurrency, int valueSize, int keyspaceSize, List<String> durabilities,
                    boolean wrk, int wrkThreads) {}

    /** A figure's run and its anchor's. */
    private record Compared(Step measured, Step anchor) {}

    /** The wrk scripts of a run, and where wrk's output goes. */
    private record WrkScripts(Path dir, Path gets, Path puts) {}

    private final Settings settings;
    private final Rounds rounds;
    private final PrintWriter progress;
    private final String[] keys;
    private final byte[] value;
    private final List<String> notes = new ArrayList<>();
    private final List<BenchReport.Skipped> skipped = new ArrayList<>();

    /** @param progress where a line per run goes as the benchmark proceeds */
    KvBench(Settings settings, PrintWriter progress) {
        this.settings = settings;
        this.progress = progress;
        this.rounds = new Rounds(settings.window(), settings.rounds(), progress);
        this.keys = new String[settings.keyspaceSize()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "k" + i;
        }
        this.value = new byte[settings.valueSize()];
        new SplittableRandom(42).nextBytes(value);
    }

    List<Figure> run() throws Exception {
        if (!settings.wrk()) {
            skipWrk("off (--no-wrk)");
            return runAll(null);
        }
        try (ScratchDir dir = ScratchDir.create("strata-bench-kv-wrk-")) {
            Optional<String> missing = DebianPackage.ensureInstalled(dir.path(), progress, "wrk", Wrk.PACKAGE, Wrk.PROGRAM);
            if (missing.isPresent()) {
                notes.add("the wrk figures were not measured: " + missing.get());
                skipWrk(missing.get());
                return runAll(null);
            }
            long seconds = Wrk.wholeSeconds(settings.window().duration());
            if (seconds * 1_000_000_000L != settings.window().duration().toNanos()) {
                notes.add("wrk runs last whole seconds: its measured runs took " + seconds + " s each");
            }
            return runAll(new WrkScripts(dir.path(), Wrk.writeScript(dir.path(), "get", gets()), Wrk.writeScript(dir.path(), "put", puts())));
        }
    }

    /** The figures the run left out (the wrk figures, without wrk or with --no-wrk), and why. */
    List<BenchReport.Skipped> skipped() {
        return Collections.unmodifiableList(skipped);
    }

    /** What the run could not measure or measured otherwise than asked, and why. */
    List<String> notes() {
        return Collections.unmodifiableList(notes);
    }

    private void skipWrk(String why) {
        for (String durability : settings.durabilities()) {
            skipped.add(new BenchReport.Skipped(PUT_WRK + suffix(durability), HELLO_BODY_WRK, why));
            skipped.add(new BenchReport.Skipped(GET_WRK + suffix(durability), HELLO_WRK, why));
        }
        report("[wrk] the wrk figures are not measured: %s", why);
    }

    private List<Figure> runAll(WrkScripts wrk) throws Exception {
        List<Figure> figures = new ArrayList<>();
        for (String durability : settings.durabilities()) {
            figures.addAll(runOn(durability, wrk));
        }
        return figures;
    }

    private static String suffix(String durability) {
        return durability.equals("mmap") ? "" : "." + durability;
    }

    private HttpLoad.Requests gets() {
        return new HttpLoad.Requests("GET", "/kv/" + SPACE + "/k", keys.length, NO_BODY);
    }

    private HttpLoad.Requests puts() {
        return new HttpLoad.Requests("PUT", "/kv/" + SPACE + "/k", keys.length, OCTET_STREAM, value);
    }

    private List<Figure> runOn(String durability, WrkScripts wrk) throws Exception {
        String suffix = suffix(durability);
        try (ScratchDir dir = ScratchDir.create("strata-bench-kv-")) {
            StrataNode node = StrataNode.start(Rounds.nodeConfig(dir, Map.of("strata.kv.durability", durability)));
            dir.deleteAfter(node.system().getWhenTerminated());
            try (node; HelloServer hello = HelloServer.start(node.system());
                 HelloServer helloBodies = HelloServer.startReadingBodies(node.system())) {
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

                HttpLoad.Requests gets = gets();
                HttpLoad.Requests puts = puts();
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

                List<Step> round = new ArrayList<>(
                        List.of(putInProcess, echoAnchor, getInProcess, echoAnchor, putHttp, helloAnchor, getHttp, helloAnchor));
                List<Compared> figures = new ArrayList<>(List.of(new Compared(putInProcess, echoAnchor),
                        new Compared(getInProcess, echoAnchor), new Compared(putHttp, helloAnchor), new Compared(getHttp, helloAnchor)));
                if (wrk != null) {
                    // Each anchor gets the very requests (script) of its figure, as helloLoad does.
                    Step putWrk = wrkStep(PUT_WRK + suffix, wrk, wrk.puts(), node.httpAddress());
                    Step helloBodyWrk = wrkStep(HELLO_BODY_WRK, wrk, wrk.puts(), helloBodies.address());
                    Step getWrk = wrkStep(GET_WRK + suffix, wrk, wrk.gets(), node.httpAddress());
                    Step helloWrk = wrkStep(HELLO_WRK, wrk, wrk.gets(), hello.address());
                    round.addAll(List.of(putWrk, helloBodyWrk, getWrk, helloWrk));
                    figures.addAll(List.of(new Compared(putWrk, helloBodyWrk), new Compared(getWrk, helloWrk)));
                }
                Map<String, List<RunResult>> results = rounds.run(durability, round);
                return figures.stream().map(f -> figure(f.measured(), f.anchor(), results)).toList();
            }
        }
    }

    private Step wrkStep(String name, WrkScripts wrk, Path script, InetSocketAddress server) {
        return new Step(name, new Wrk(settings.wrkThreads(), settings.concurrency(), script, server, wrk.dir())::run);
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
