package io.strata.bench;

import com.typesafe.config.Config;
import io.strata.node.NodeConfig;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How every benchmark measures: rounds of closed-loop runs, each figure's run followed by its
 * anchor's, after one uncounted warm-up pass of every run; figures are medians over the rounds.
 * Also the configuration of the fresh node a benchmark measures. Progress lines go to the given writer.
 */
final class Rounds {

    /** One run of a round: the figure or anchor it measures, and how. */
    record Step(String name, Run run) {}

    /** A closed-loop run over a window. */
    interface Run {
        RunResult over(Window window) throws Exception;
    }

    private final Window window;
    private final int rounds;
    private final PrintWriter progress;

    Rounds(Window window, int rounds, PrintWriter progress) {
        this.window = window;
        this.rounds = rounds;
        this.progress = progress;
    }

    /**
     * Runs every step of {@code round}, in order, once per round; returns the results by step name.
     * A first pass, not counted, runs each step for the warm-up time alone: the JIT compiles the
     * code that every step shares, so the first round is not slower than the others for that.
     */
    Map<String, List<RunResult>> run(String label, List<Step> round) throws Exception {
        if (!window.warmup().isZero()) {
            report("[%s] warming up", label);
            for (Step step : new LinkedHashSet<>(round)) {
                step.run().over(new Window(Duration.ZERO, window.warmup()));
            }
        }
        Map<String, List<RunResult>> results = new LinkedHashMap<>();
        for (int r = 1; r <= rounds; r++) {
            for (Step step : round) {
                RunResult result = step.run().over(window);
                results.computeIfAbsent(step.name(), name -> new ArrayList<>()).add(result);
                report("[%s] round %d/%d %-24s %,10d ops/s  p50 %,6d µs  p99 %,7d µs", label, r, rounds,
                        step.name(), result.opsPerS(), result.p50Us(), result.p99Us());
            }
        }
        return results;
    }

    static Figure figure(Step measured, Step anchor, Map<String, List<RunResult>> results) {
        return Figure.of(measured.name(), results.get(measured.name()), anchor.name(), results.get(anchor.name()));
    }

    void report(String format, Object... args) {
        progress.println(String.format(Locale.ROOT, format, args));
        progress.flush();
    }

    /**
     * A fresh node's configuration: data in {@code dir}, loopback and free ports whatever the
     * environment's configuration says (a benchmark must neither collide with a running node nor
     * reach beyond this machine), no auth token, and {@code overrides}.
     */
    static Config nodeConfig(ScratchDir dir, Map<String, String> overrides) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("strata.data-dir", dir.path().toString());
        all.put("strata.http.host", "127.0.0.1");
        all.put("strata.http.port", "0");
        all.put("strata.cluster.host", "127.0.0.1");
        all.put("strata.cluster.port", "0");
        all.put("strata.http.auth-token", "");
        all.putAll(overrides);
        return NodeConfig.load(Optional.empty(), all);
    }
}
