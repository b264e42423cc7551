package io.strata.loadtest;

import io.strata.dataflow.chain.BusService;
import io.strata.dataflow.chain.Chain;
import io.strata.dataflow.chain.ChainSettings;
import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.experiment.BusCompletions;
import io.strata.dataflow.fault.ScheduledFault;
import io.strata.dataflow.store.StrataClient;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs load-test scenarios end to end against a node: for each run, starts the dataflow chain
 * (in this JVM, on free loopback ports), warms it up without faults, starts its fault clock, runs
 * the scenario's Gatling simulation in this JVM against the chain's entry, samples the backlog
 * (db, bus) until it drains, stops the chain, and writes Strata's summary beside Gatling's report.
 * Runs one at a time: the simulation reads its parameters from this JVM's system properties.
 */
public final class LoadTest {

    private static final Duration SAMPLE_EVERY = Duration.ofMillis(200);
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(30);
    private static final Duration WARMUP_LIMIT = Duration.ofSeconds(30);
    private static final int WARMUP_MAX_REQUESTS = 300;

    private final String nodeBase;
    private final Path resultsDir;
    private final Consumer<String> progress;

    /** Load tests against the node at {@code nodeBase}, writing reports under {@code resultsDir}, telling {@code progress} what they do. */
    public LoadTest(String nodeBase, Path resultsDir, Consumer<String> progress) {
        this.nodeBase = nodeBase;
        this.resultsDir = resultsDir.toAbsolutePath();
        this.progress = progress;
    }

    /** The runs a scenario makes: one per mode it covers, or only {@code loadtest.mode} when {@code props} has it. */
    public static List<LoadTestParams> runsOf(Scenario scenario, java.util.Properties props) {
        LoadTestParams params = LoadTestParams.from(scenario, props);
        if (props.getProperty(LoadTestParams.PREFIX + "mode") != null) {
            return List.of(params);
        }
        return scenario.variants(params);
    }

    /**
     * Runs {@code params}; the summary says whether the gate held: Gatling's assertions, and in the
     * bus mode that every request accepted also completed.
     */
    public LoadTestSummary run(LoadTestParams params) throws IOException, InterruptedException {
        Scenario scenario = Scenario.parse(params.scenario());
        if (!scenario.drivesChain()) {
            return runOnNode(scenario, params.withTarget(nodeBase));
        }
        String runId = "lt-" + params.mode().cliName() + "-" + Long.toString(System.currentTimeMillis(), 36)
                + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
        ChainSettings settings = new ChainSettings(runId, params.mode(), params.hops(), nodeBase, params.seed(), params.allFaults(),
                params.rpc(), Duration.ofSeconds(5), Duration.ofMillis(10));
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(daemon("strata-loadtest-sampler"));
        ExecutorService clientThreads = Executors.newCachedThreadPool(daemon("strata-loadtest-client"));
        try (Chain chain = Chain.start(settings, 0)) {
            params = params.withTarget(chain.entryUrl());
            progress.accept(params.describe() + "; entry " + chain.entryUrl());
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientThreads)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            warmUp(chain, params, http);

            BusCompletions completions = params.mode() == Mode.BUS
                    ? new BusCompletions(new StrataClient(nodeBase, http), chain.completionTopic(), BusService.PARTITIONS) : null;
            List<long[]> backlog = new ArrayList<>();
            if (params.mode() != Mode.RPC) {
                sampler.scheduleWithFixedDelay(() -> sample(chain, completions, backlog), 0, SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            }
            // The simulation starts the fault clock as its load begins, so a fault's @START counts from the first request.
            Recorder.INSTANCE.reset(chain::startClock);
            Set<Path> before = reports();
            int status = gatling(scenario, params);
            Recorder.Snapshot seen = Recorder.INSTANCE.snapshot();
            Long drainMs = null;
            if (params.mode() != Mode.RPC) {
                drainMs = drain(params, backlog, completions, seen);
            }
            sampler.shutdownNow();
            Path report = newReport(before);
            return written(summary(params, seen, backlog, completions, drainMs,
                    params.mode() == Mode.RPC && params.breaker() ? chain.breakerOpenMillis() : null, status, report), report);
        } finally {
            sampler.shutdownNow();
            clientThreads.shutdownNow();
        }
    }

    /** A scenario that hits the node's own API: no chain, no warm-up (its simulation sets up what it uses), no backlog. */
    private LoadTestSummary runOnNode(Scenario scenario, LoadTestParams params) throws IOException {
        progress.accept(params.describe() + "; node " + nodeBase);
        Recorder.INSTANCE.reset(nanos -> {});
        Set<Path> before = reports();
        int status = gatling(scenario, params);
        Path report = newReport(before);
        return written(summary(params, Recorder.INSTANCE.snapshot(), null, null, null, null, status, report), report);
    }

    private Path newReport(Set<Path> before) throws IOException {
        return reports().stream().filter(p -> !before.contains(p)).findFirst().orElse(resultsDir);
    }

    private LoadTestSummary written(LoadTestSummary summary, Path report) throws IOException {
        LoadTestSummary.writeJson(report.resolve("strata-summary.json"), List.of(summary));
        LoadTestSummary.writeMarkdown(report.resolve("strata-summary.md"), List.of(summary));
        progress.accept(summary.scenario() + " " + summary.mode() + (summary.passed() ? ": pass" : ": FAIL " + summary.problems()));
        return summary;
    }

    /**
     * Runs the scenario's simulation in this JVM with {@code params} as system properties (restored
     * afterwards) and returns Gatling's status: 0 when every assertion held.
     */
    private int gatling(Scenario scenario, LoadTestParams params) {
        Map<String, String> props = new HashMap<>(params.toProperties());
        props.putAll(noOutboundCalls());
        Map<String, String> saved = new HashMap<>();
        props.forEach((k, v) -> saved.put(k, System.getProperty(k)));
        props.forEach(System::setProperty);
        try {
            return io.gatling.app.Gatling$.MODULE$.fromArgs(new String[] {
                    "--simulation", scenario.simulation().getName(),
                    "--results-folder", resultsDir.toString(),
                    "--run-description", params.describe()});
        } finally {
            saved.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
    }

    /**
     * The system properties that keep Gatling on loopback, over what gatling.conf already says:
     * no analytics, no warm-up request to gatling.io, and its check for a newer release (an HTTPS
     * request to Maven Central) sent to a proxy on a closed loopback port, so it fails at once.
     * Its result is kept in Java preferences, which go under the results, not the home directory.
     */
    private Map<String, String> noOutboundCalls() {
        Map<String, String> props = new HashMap<>(Map.of(
                "gatling.data.enableAnalytics", "false",
                "gatling.http.warmUpUrl", ""));
        if (System.getProperty("https.proxyHost") == null) {
            props.put("https.proxyHost", "127.0.0.1");
            props.put("https.proxyPort", Integer.toString(closedPort()));
        }
        if (System.getProperty("java.util.prefs.userRoot") == null) {
            props.put("java.util.prefs.userRoot", resultsDir.resolve(".java-prefs").toString());
        }
        return props;
    }

    /** A loopback port nothing listens on (it was free a moment ago, and nothing here binds it). */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            return 9;
        }
    }

    /**
     * Sends a few hundred fault-free requests (ids below zero: the run's ids start at 0) before the
     * fault clock starts, so connections are open and the JIT has compiled the hot paths; then, in
     * the db and bus modes, waits for the backlog to empty.
     */
    private void warmUp(Chain chain, LoadTestParams params, HttpClient http) throws InterruptedException {
        int n = (int) Math.min(WARMUP_MAX_REQUESTS, Math.max(50, params.rate() * 3));
        double rate = Math.max(50, params.rate());
        progress.accept("warming up with " + n + " requests, no faults");
        List<CompletableFuture<?>> answers = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 1; i <= n; i++) {
            long due = start + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create(chain.entryUrl())).timeout(WARMUP_LIMIT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"id\":" + (-i) + ",\"user\":\"warm\",\"amount\":1.00}")).build();
            answers.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding()));
        }
        try {
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(WARMUP_LIMIT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            progress.accept("warm-up: not every request was answered (" + e + "); going on");
        }
        long deadline = System.nanoTime() + WARMUP_LIMIT.toNanos();
        while (params.mode() != Mode.RPC && System.nanoTime() < deadline && backlogNow(chain) != 0) {
            Thread.sleep(100);
        }
    }

    private static long backlogNow(Chain chain) {
        try {
            return chain.backlog().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return -1;
        }
    }

    private static void sample(Chain chain, BusCompletions completions, List<long[]> samples) {
        if (completions != null) {
            try {
                completions.catchUp().get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                // The node was too busy to answer in time; the next sample reads on from the same offsets.
            }
        }
        long b = backlogNow(chain);
        if (b >= 0) {
            synchronized (samples) {
                samples.add(new long[] {System.nanoTime(), b});
            }
        }
    }

    /**
     * Waits (at most {@link #DRAIN_LIMIT}) until a sample after the last answer shows an empty backlog
     * and, in the bus mode, every accepted request completed. Returns the drain time: after an
     * outage, from its end until the backlog was back to its peak before the outage; else from the
     * last answer until the backlog was empty; null if it did not get there.
     */
    private static Long drain(LoadTestParams params, List<long[]> samples, BusCompletions completions, Recorder.Snapshot seen)
            throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            boolean allDone = completions == null || completions.count() >= seen.all().succeeded();
            synchronized (samples) {
                if (allDone && !samples.isEmpty() && samples.get(samples.size() - 1)[0] > seen.lastAnswerNanos()
                        && samples.get(samples.size() - 1)[1] == 0) {
                    break;
                }
            }
            Thread.sleep(100);
        }
        ScheduledFault outage = params.outage();
        long from = outage != null && outage.end() != null ? seen.loadStartNanos() + outage.end().toNanos() : seen.lastAnswerNanos();
        long level = 0;
        synchronized (samples) {
            if (outage != null) {
                long outageStart = seen.loadStartNanos() + outage.start().toNanos();
                level = samples.stream().filter(s -> s[0] < outageStart).mapToLong(s -> s[1]).max().orElse(0);
            }
            for (long[] s : samples) {
                if (s[0] >= from && s[1] <= level) {
                    return (s[0] - from) / 1_000_000;
                }
            }
        }
        return null;
    }

    private Set<Path> reports() throws IOException {
        if (!Files.isDirectory(resultsDir)) {
            return Set.of();
        }
        try (Stream<Path> dirs = Files.list(resultsDir)) {
            return dirs.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).collect(Collectors.toSet());
        }
    }

    private static LoadTestSummary summary(LoadTestParams params, Recorder.Snapshot seen, List<long[]> backlog,
                                           BusCompletions completions, Long drainMs, Long breakerOpenMs, int status, Path report) {
        Recorder.Tally all = seen.all();
        long n = all.requests();
        double seconds = n == 0 ? 1 : Math.max(1e-9, (seen.lastAnswerNanos() - seen.firstSentNanos()) / 1e9);
        boolean chained = Scenario.parse(params.scenario()).drivesChain();
        boolean rpc = chained && params.mode() == Mode.RPC;
        boolean compounding = Scenario.parse(params.scenario()) == Scenario.COMPOUNDING;
        Verdicts.Interval allowed = Verdicts.failureInterval(params.predictedFailureRate(), params.requests());
        Long maxLag = null;
        if (backlog != null && !rpc) {
            synchronized (backlog) {
                maxLag = backlog.stream().mapToLong(s -> s[1]).max().orElse(0);
            }
        }
        List<String> problems = new ArrayList<>();
        if (status != 0) {
            problems.add("Gatling's assertions failed (status " + status + "; its console output lists them)");
        }
        Long completed = completions == null ? null : (long) completions.count();
        if (completed != null && completed < all.succeeded()) {
            problems.add((all.succeeded() - completed) + " accepted requests never completed");
        }
        Recorder.Tally outage = seen.outage();
        LoadTestSummary.Outage outageFigures = params.outage() == null ? null : new LoadTestSummary.Outage(params.outage().toString(),
                outage.requests(), outage.requests() == 0 ? 0 : (double) outage.failed() / outage.requests(), latency(outage));
        Map<String, LoadTestSummary.Kind> byKind = null;
        if (!seen.byKind().isEmpty()) {
            byKind = new java.util.TreeMap<>();
            for (Map.Entry<String, Recorder.Tally> kind : seen.byKind().entrySet()) {
                Recorder.Tally t = kind.getValue();
                byKind.put(kind.getKey(), new LoadTestSummary.Kind(t.requests(), t.failed(),
                        t.requests() == 0 ? 0 : (double) t.failed() / t.requests(), latency(t), t.succeeded() / seconds));
            }
        }
        return new LoadTestSummary(params.scenario(), chained ? params.mode().cliName() : "node", rpc ? params.rpc().describe() : null,
                chained ? params.hops() : 0,
                params.rate(), params.duration().toMillis() / 1000.0, params.allFaults().stream().map(ScheduledFault::toString).toList(),
                params.requests(), n, all.succeeded(), all.failed(), n == 0 ? 0 : (double) all.failed() / n,
                rpc && params.errorRate() + params.predictedFailureRate() > 0 ? params.predictedFailureRate() : null, compounding ? List.of(allowed.low(), allowed.high()) : null,
                latency(all), all.succeeded() / seconds, all.failuresByCode(), completed, maxLag, drainMs, breakerOpenMs,
                outageFigures, byKind, status, problems.isEmpty(), problems, report.toString());
    }

    private static LoadTestSummary.Latency latency(Recorder.Tally tally) {
        Histogram h = tally.latencyMicros();
        return new LoadTestSummary.Latency(ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(95)),
                ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()));
    }

    private static double ms(long micros) {
        return Math.round(micros / 10.0) / 100.0;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
