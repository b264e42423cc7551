package io.strata.dataflow.experiment;

import io.strata.dataflow.chain.BusService;
import io.strata.dataflow.chain.Chain;
import io.strata.dataflow.chain.ChainHandle;
import io.strata.dataflow.chain.ChainSettings;
import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.chain.ProcessChain;
import io.strata.dataflow.fault.FaultInjector;
import io.strata.dataflow.fault.ScheduledFault;
import io.strata.dataflow.store.StrataClient;
import org.HdrHistogram.Histogram;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs one {@link ExperimentSpec} against a Strata node: starts the chain, sends the workload to
 * its entry, samples the backlog while it runs, waits (db and bus) for the backlog to drain, stops
 * the chain, and reports what it measured as an {@link ExperimentResult}.
 */
public final class Experiment {

    private static final int WARMUP_MAX_REQUESTS = 2000;
    private static final Duration WARMUP_DRAIN = Duration.ofSeconds(10);
    private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final String nodeBase;
    private final Consumer<String> progress;
    private final Function<ChainSettings, ChainHandle> launcher;

    /** Experiments against the node at {@code nodeBase}, telling {@code progress} what they are doing; services run in this JVM. */
    public Experiment(String nodeBase, Consumer<String> progress) {
        this(nodeBase, progress, settings -> Chain.start(settings, 0));
    }

    private Experiment(String nodeBase, Consumer<String> progress, Function<ChainSettings, ChainHandle> launcher) {
        this.nodeBase = nodeBase;
        this.progress = progress;
        this.launcher = launcher;
    }

    /** The same experiments with every service in a JVM of its own, logging to {@code logDir}. */
    public Experiment inProcesses(Path logDir) {
        return new Experiment(nodeBase, progress, settings -> ProcessChain.start(settings, logDir));
    }

    /**
     * Runs {@code spec} and returns what it measured. A warm-up without faults goes first, on the
     * same chain (its fault schedule has not begun yet) with request ids below zero that no count
     * includes, so the JIT has compiled the hot paths, connections are open and the node has
     * opened the partitions before anything is measured.
     */
    public ExperimentResult run(ExperimentSpec spec) throws InterruptedException {
        String runId = spec.mode().cliName() + "-" + Long.toString(System.currentTimeMillis(), 36)
                + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
        ChainSettings settings = new ChainSettings(runId, spec.mode(), spec.hops(), nodeBase, spec.seed(), spec.allFaults(),
                spec.rpc(), spec.entryTimeout(), spec.pollInterval());
        ExecutorService clientThreads = Executors.newCachedThreadPool(daemon("strata-experiment-client"));
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(daemon("strata-experiment-sampler"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientThreads)
                .connectTimeout(Duration.ofSeconds(5)).build();
        try (ChainHandle chain = launcher.apply(settings)) {
            LoadDriver driver = new LoadDriver(chain.entryUrl(), http, clientTimeout(spec), spec.seed());
            warmUp(spec, chain, driver);
            progress.accept(String.format(java.util.Locale.ROOT, "%s: %d hops, %d requests at %.0f/s, entry %s",
                    spec.mode().cliName(), spec.hops(), spec.requests(), spec.rate(), chain.entryUrl()));
            StrataClient store = new StrataClient(nodeBase, http);
            BusCompletions completions = spec.mode() == Mode.BUS
                    ? new BusCompletions(store, chain.completionTopic(), BusService.PARTITIONS) : null;
            long completedBefore = chain.dbCompleted();
            Samples samples = new Samples();
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            long startMillis = System.currentTimeMillis() + 50;
            chain.startClock(start);
            sampler.scheduleWithFixedDelay(() -> samples.take(chain, completions, start), 0, SAMPLE_NANOS, TimeUnit.NANOSECONDS);

            LoadDriver.Outcomes outcomes = driver.run(0, spec.requests(), spec.rate(), start);
            long loadEnd = System.nanoTime();
            long accepted = java.util.stream.IntStream.range(0, outcomes.size()).filter(outcomes::succeeded).count();
            Long drainNanos = null;
            if (spec.mode() != Mode.RPC) {
                progress.accept(spec.mode().cliName() + ": load sent; waiting for the backlog to drain");
                drainNanos = drain(spec, chain, samples, completions, accepted, start, loadEnd);
            }
            sampler.shutdownNow();
            long end = System.nanoTime();
            return result(spec, chain, outcomes, samples, completions, completedBefore, startMillis, start, loadEnd, end, drainNanos);
        } finally {
            sampler.shutdownNow();
            clientThreads.shutdownNow();
        }
    }

    /** Sends the warm-up's requests (ids below zero) at the run's rate, then waits for the backlog to empty. */
    private void warmUp(ExperimentSpec spec, ChainHandle chain, LoadDriver driver) throws InterruptedException {
        if (spec.warmup().isZero()) {
            return;
        }
        int n = (int) Math.max(1, Math.min(WARMUP_MAX_REQUESTS, spec.rate() * spec.warmup().toMillis() / 1000));
        progress.accept(spec.mode().cliName() + ": warming up with " + n + " requests, no faults");
        driver.run(-WARMUP_MAX_REQUESTS - 1L, n, spec.rate(), System.nanoTime());
        long deadline = System.nanoTime() + WARMUP_DRAIN.toNanos();
        while (spec.mode() != Mode.RPC && System.nanoTime() < deadline) {
            try {
                if (chain.backlog().get(2, TimeUnit.SECONDS) == 0) {
                    return;
                }
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // The node was too busy to answer; look again.
            }
            Thread.sleep(100);
        }
    }

    /** How long the load driver waits for an answer: longer than the chain itself can take. */
    private static Duration clientTimeout(ExperimentSpec spec) {
        return switch (spec.mode()) {
            case RPC -> spec.rpc().timeout().multipliedBy((long) (spec.rpc().retries() + 1) * spec.hops()).plusSeconds(5);
            case DB -> spec.entryTimeout().plusSeconds(5);
            case BUS -> Duration.ofSeconds(35);
        };
    }

    /**
     * Waits until the work accepted has all completed and the backlog is empty, or the drain limit
     * passes; returns how long the backlog took to drain after the last outage ended (or after the
     * load, without one), or null if it did not drain.
     */
    private Long drain(ExperimentSpec spec, ChainHandle chain, Samples samples, BusCompletions completions, long accepted,
                       long start, long loadEnd) throws InterruptedException {
        // After an outage the drain is timed from its end, even when the load went on after it.
        long drainFrom = hasOutage(spec) ? start + lastOutageEnd(spec).toNanos() : loadEnd;
        long deadline = loadEnd + spec.drainLimit().toNanos();
        long baseline = samples.maxBacklogBefore(start + firstOutageStart(spec).toNanos());
        Long drainedAt = null;
        while (System.nanoTime() < deadline) {
            Samples.Sample last = samples.last();
            boolean allDone = completions == null || completions.count() >= accepted;
            if (last != null && last.nanos() > loadEnd && last.backlog() == 0 && allDone) {
                break;
            }
            if (drainedAt == null && hasOutage(spec)) {
                drainedAt = samples.firstAtOrBelow(drainFrom, baseline);
            }
            Thread.sleep(100);
        }
        if (drainedAt == null && hasOutage(spec)) {
            drainedAt = samples.firstAtOrBelow(drainFrom, baseline);
        }
        if (!hasOutage(spec)) {
            Samples.Sample last = samples.last();
            drainedAt = last != null && last.backlog() == 0 ? samples.firstAtOrBelow(loadEnd, 0) : null;
        }
        return drainedAt == null ? null : Math.max(0, drainedAt - drainFrom);
    }

    private static boolean hasOutage(ExperimentSpec spec) {
        return spec.faults().stream().anyMatch(f -> f.kind() == ScheduledFault.Kind.DOWN);
    }

    private static Duration firstOutageStart(ExperimentSpec spec) {
        return spec.faults().stream().filter(f -> f.kind() == ScheduledFault.Kind.DOWN).map(ScheduledFault::start)
                .min(Duration::compareTo).orElse(Duration.ZERO);
    }

    private static Duration lastOutageEnd(ExperimentSpec spec) {
        return spec.faults().stream().filter(f -> f.kind() == ScheduledFault.Kind.DOWN)
                .map(f -> f.end() == null ? Duration.ZERO : f.end()).max(Duration::compareTo).orElse(Duration.ZERO);
    }

    private ExperimentResult result(ExperimentSpec spec, ChainHandle chain, LoadDriver.Outcomes outcomes, Samples samples,
                                    BusCompletions completions, long completedBefore, long startMillis, long start, long loadEnd, long end,
                                    Long drainNanos) {
        int n = outcomes.size();
        Histogram latency = new Histogram(3);
        Histogram completion = new Histogram(3);
        Map<String, Long> failuresByKind = new TreeMap<>();
        long succeeded = 0;
        long lastAnswer = start;
        long interval = timelineInterval(loadEnd - start);
        int buckets = (int) ((Math.max(end, loadEnd) - start) / interval) + 1;
        Bucket[] timeline = new Bucket[buckets];
        for (int b = 0; b < buckets; b++) {
            timeline[b] = new Bucket();
        }
        for (int i = 0; i < n; i++) {
            long micros = Math.max(1, (outcomes.answeredNanos[i] - outcomes.scheduledNanos[i]) / 1000);
            latency.recordValue(micros);
            lastAnswer = Math.max(lastAnswer, outcomes.answeredNanos[i]);
            timeline[bucket(outcomes.scheduledNanos[i], start, interval, buckets)].sent++;
            Bucket answered = timeline[bucket(outcomes.answeredNanos[i], start, interval, buckets)];
            answered.latency.recordValue(micros);
            if (outcomes.succeeded(i)) {
                succeeded++;
                answered.succeeded++;
            } else {
                answered.failed++;
                failuresByKind.merge(outcomes.code[i], 1L, Long::sum);
            }
            if (completions != null) {
                Long doneAt = completions.completedAt(i);
                if (doneAt != null) {
                    long scheduledMillis = startMillis + (outcomes.scheduledNanos[i] - start) / 1_000_000;
                    completion.recordValue(Math.max(1, (doneAt - scheduledMillis) * 1000));
                    timeline[bucket(start + (doneAt - startMillis) * 1_000_000, start, interval, buckets)].completed++;
                }
            }
        }
        samples.fill(timeline, start, interval);
        List<ExperimentResult.TimePoint> points = new ArrayList<>();
        boolean hasBacklog = spec.mode() != Mode.RPC;
        for (int b = 0; b < buckets; b++) {
            Bucket bucket = timeline[b];
            double p99 = bucket.latency.getTotalCount() == 0 ? 0 : bucket.latency.getValueAtPercentile(99) / 1000.0;
            points.add(new ExperimentResult.TimePoint(b * interval / 1_000_000, bucket.sent, bucket.succeeded, bucket.failed,
                    p99, hasBacklog ? bucket.lag : null, completions != null ? Long.valueOf(bucket.completed) : null));
        }
        long failed = n - succeeded;
        double loadSeconds = Math.max(1e-9, (lastAnswer - start) / 1e9);
        Long completed = switch (spec.mode()) {
            case BUS -> (long) completions.count();
            case DB -> chain.dbCompleted() - completedBefore;
            case RPC -> null;
        };
        return new ExperimentResult(spec.mode().cliName(), spec.hops(), n, succeeded, failed, (double) failed / n,
                spec.mode() == Mode.RPC ? predictedFailureRate(chain.settings()) : null, completed, summary(latency),
                completions != null && completion.getTotalCount() > 0 ? summary(completion) : null,
                succeeded / loadSeconds, hasBacklog ? samples.maxBacklog() : null,
                drainNanos == null ? null : drainNanos / 1_000_000,
                spec.mode() == Mode.RPC && spec.rpc().breaker() ? Long.valueOf(chain.breakerOpenMillis()) : null, failuresByKind, points, spec.faultDescriptions(),
                spec.mode() == Mode.RPC ? spec.rpc().describe() : null, (end - start) / 1_000_000, spec.seed());
    }

    /** 1 - product over the services of (1 - their error rate at the start of the run): what independent failures compound to. */
    private static double predictedFailureRate(ChainSettings settings) {
        double allPass = 1;
        for (String service : settings.serviceNames()) {
            FaultInjector faults = new FaultInjector(service, settings.seed(), settings.faults());
            faults.startClock(0);
            allPass *= 1 - faults.effective(0).errorRate();
        }
        return 1 - allPass;
    }

    private static ExperimentResult.Latency summary(Histogram h) {
        return new ExperimentResult.Latency(h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(95) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0, Math.round(h.getMean()) / 1000.0, h.getTotalCount());
    }

    private static long timelineInterval(long loadNanos) {
        long target = loadNanos / 60;
        long interval = TimeUnit.MILLISECONDS.toNanos(250);
        while (interval < target) {
            interval *= 2;
        }
        return interval;
    }

    private static int bucket(long nanos, long start, long interval, int buckets) {
        return (int) Math.min(buckets - 1, Math.max(0, (nanos - start) / interval));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One interval of the timeline while it is being filled. */
    static final class Bucket {
        long sent;
        long succeeded;
        long failed;
        long completed;
        Long lag;
        final Histogram latency = new Histogram(3);
    }

    /** The backlog (and the bus mode's completions) sampled during the run. */
    static final class Samples {
        record Sample(long nanos, long backlog) {}

        private final List<Sample> samples = new ArrayList<>();

        void take(ChainHandle chain, BusCompletions completions, long start) {
            try {
                long backlog = chain.backlog().get(2, TimeUnit.SECONDS);
                if (completions != null) {
                    completions.catchUp().get(2, TimeUnit.SECONDS);
                }
                if (backlog >= 0) {
                    synchronized (this) {
                        samples.add(new Sample(System.nanoTime(), backlog));
                    }
                }
            } catch (Exception e) {
                // A sample the node could not answer in time is skipped; the next one follows.
            }
        }

        synchronized Sample last() {
            return samples.isEmpty() ? null : samples.get(samples.size() - 1);
        }

        synchronized Long maxBacklog() {
            return samples.stream().mapToLong(Sample::backlog).max().orElse(0);
        }

        synchronized long maxBacklogBefore(long nanos) {
            return samples.stream().filter(s -> s.nanos() < nanos).mapToLong(Sample::backlog).max().orElse(0);
        }

        /** The time of the first sample from {@code from} on with a backlog of at most {@code level}, or null. */
        synchronized Long firstAtOrBelow(long from, long level) {
            return samples.stream().filter(s -> s.nanos() >= from && s.backlog() <= level).map(Sample::nanos).findFirst().orElse(null);
        }

        synchronized void fill(Bucket[] timeline, long start, long interval) {
            for (Sample s : samples) {
                timeline[bucket(s.nanos(), start, interval, timeline.length)].lag = s.backlog();
            }
        }
    }

}
