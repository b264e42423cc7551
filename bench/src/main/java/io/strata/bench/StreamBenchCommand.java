package io.strata.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./strata bench stream}: stream jobs from a topic through a window to KV, against plain Pekko Streams (see {@link StreamBench}). */
@Command(name = "stream", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Stream jobs: topic → window → KV sink, against plain Pekko Streams.",
                "",
                "On a fresh node in a temporary directory, one topic of one partition holds",
                "--events JSON events {user, ts, amount} over --keys users (ts 1 ms apart,",
                "fixed seed) and an end event an hour later that fires every window.",
                "A job per run (POST /jobs; count and sum per user; KV sink) reads it all:",
                "  stream.tumbling       10s tumbling windows",
                "  stream.sliding        10s windows sliding by 5s",
                "  stream.session        sessions with a 20s gap",
                "    anchor pekko-streams.<window>: the same bytes, record pipeline and",
                "    window operator in a plain Pekko Streams graph into a map (no bus,",
                "    no job runtime, no KV). Figures: events per CPU-second of the JVM",
                "    (events/s per core); wall-clock events/s are in the notes.",
                "  stream.e2e.tumbling   append to visible in KV, one event at a time, on a",
                "                        caught-up job with 100ms windows (p50/p99)",
                "    anchor pekko-streams-e2e: the same into a queue-fed plain graph",
                "Runs alternate figure and anchor; figures are medians of the rounds. Every",
                "job must count every event and write the anchor's results, else the run fails.",
                "Prints BENCH lines and a table, and writes the same to DIR/stream.json.",
                ""})
final class StreamBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--events", paramLabel = "N", defaultValue = "200000",
            description = "Events in the topic each throughput run reads (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "10000",
            description = "Distinct keys (users) of the events (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
            description = "Rounds of alternating runs (figure, anchor, ...) after one uncounted warm-up pass; figures are medians over rounds (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "1",
            description = "Warm-up: each throughput run repeats uncounted for this long (at least once), and before each latency run (default: ${DEFAULT-VALUE}; 0: none).")
    double warmupSeconds;

    @Option(names = "--e2e-duration", paramLabel = "SECONDS", defaultValue = "5",
            description = "Measured time of each latency run (default: ${DEFAULT-VALUE}).")
    double e2eSeconds;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of the generated events (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Directory for the JSON results (default: target/bench under the Strata home, or the working directory).")
    Path outDir;

    @Override
    public Integer call() throws Exception {
        require(events >= 1 && events <= 50_000_000, "--events must be 1..50000000");
        require(keys >= 1, "--keys must be positive");
        require(rounds >= 1, "--rounds must be at least 1");
        require(warmupSeconds >= 0, "--warmup must not be negative");
        require(e2eSeconds > 0, "--e2e-duration must be positive");
        KvBenchCommand.quietNodeLogs();
        PrintWriter out = spec.commandLine().getOut();
        String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        int cores = Runtime.getRuntime().availableProcessors();
        Machine machine = Machine.start("a job is one stream; the node's threads (reads, job, KV, HTTP status polls) share the JVM's "
                + cores + " cores, so throughput figures are per CPU-second of the JVM");
        StreamBench.Outcome outcome = new StreamBench(new StreamBench.Settings(events, keys, rounds, seconds(warmupSeconds),
                seconds(e2eSeconds), seed), spec.commandLine().getErr()).run();

        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("rounds", rounds);
        settings.put("warmup_s", warmupSeconds);
        settings.put("e2e_duration_s", e2eSeconds);
        settings.put("events", events);
        settings.put("keys", keys);
        settings.put("partitions", 1);
        settings.put("seed", seed);
        BenchReport report = new BenchReport("stream", startedAt, machine.finish(), settings, outcome.figures(),
                outcome.notes(), outcome.details());
        report.publish(out, outDir != null ? outDir : BenchOptions.defaultOutputDir());
        return 0;
    }

    private static Duration seconds(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    private void require(boolean condition, String message) {
        if (!condition) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }
}
