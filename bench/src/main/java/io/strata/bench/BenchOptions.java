package io.strata.bench;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options every benchmark shares (a picocli mixin): how long each run lasts, how many rounds,
 * how much load, how big the data, and where the JSON goes.
 */
public final class BenchOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "1",
            description = "Warm-up before each measured run, not counted (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "2",
            description = "Measured time of each run (default: ${DEFAULT-VALUE}).")
    double durationSeconds;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
            description = "Rounds of alternating runs (figure, anchor, figure, anchor...); figures are medians over rounds (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = {"-c", "--concurrency"}, paramLabel = "N", defaultValue = "16",
            description = "Requests in flight: outstanding asks in process, keep-alive connections over HTTP (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--value-size", paramLabel = "BYTES", defaultValue = "100",
            description = "Size of each value written (default: ${DEFAULT-VALUE}).")
    int valueSize;

    @Option(names = "--keyspace-size", paramLabel = "N", defaultValue = "10000",
            description = "Distinct keys, all written before the runs and then picked uniformly at random (default: ${DEFAULT-VALUE}).")
    int keyspaceSize;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Directory for the JSON results (default: target/bench under the Strata home, or the working directory).")
    Path outDir;

    /** Rejects values no run can use, as picocli rejects malformed ones. */
    void validate() {
        require(warmupSeconds >= 0, "--warmup must not be negative");
        require(durationSeconds > 0, "--duration must be positive");
        require(rounds >= 1, "--rounds must be at least 1");
        require(concurrency >= 1 && concurrency <= 1024, "--concurrency must be 1..1024");
        require(valueSize >= 1, "--value-size must be positive");
        require(keyspaceSize >= 1, "--keyspace-size must be positive");
    }

    private void require(boolean condition, String message) {
        if (!condition) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    Window window() {
        return new Window(seconds(warmupSeconds), seconds(durationSeconds));
    }

    Path outputDir() {
        return outDir != null ? outDir : defaultOutputDir();
    }

    /** {@code target/bench} under the Strata home, or under the working directory. */
    static Path defaultOutputDir() {
        String home = System.getProperty("strata.home");
        return (home != null ? Paths.get(home) : Paths.get("").toAbsolutePath()).resolve("target").resolve("bench");
    }

    /** The options as the JSON results record them. */
    Map<String, Object> describe() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("warmup_s", warmupSeconds);
        settings.put("duration_s", durationSeconds);
        settings.put("rounds", rounds);
        settings.put("concurrency", concurrency);
        settings.put("value_size_bytes", valueSize);
        settings.put("keyspace_size", keyspaceSize);
        return settings;
    }

    private static Duration seconds(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }
}
