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
 * How a benchmark's rounds run (a picocli mixin): the warm-up and measured time of each run, how
 * many rounds, and where the JSON goes. {@link BenchOptions} adds the load and data options.
 */
public class RunOptions {

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

    @Option(names = "--out", paramLabel = "DIR",
            description = "Directory for the JSON results (default: target/bench under the Strata home, or the working directory).")
    Path outDir;

    /** Rejects values no run can use, as picocli rejects malformed ones. */
    void validate() {
        require(warmupSeconds >= 0, "--warmup must not be negative");
        require(durationSeconds > 0, "--duration must be positive");
        require(rounds >= 1, "--rounds must be at least 1");
    }

    /** A usage error (exit 2) unless {@code condition} holds. */
    void require(boolean condition, String message) {
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
        return settings;
    }

    private static Duration seconds(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }
}
