package io.strata.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Strata's summary of one load-test run (one scenario in one mode), written as JSON and as a
 * Markdown table beside Gatling's HTML report.
 *
 * @param scenario             the scenario's name
 * @param mode                 the chain's mode
 * @param policies             rpc: the hop timeout and the resilience policies; else null
 * @param hops                 the chain's length
 * @param rate                 users (requests) per second
 * @param durationS            how long users arrived, in seconds
 * @param faults               the faults, as written
 * @param expectedRequests     rate × duration: what the workload was to send
 * @param requests             the requests answered or given up on
 * @param succeeded            requests answered with success (2xx)
 * @param failed               the others
 * @param failureRate          failed / requests
 * @param predictedFailureRate rpc: 1 - (1 - p)^hops from the per-hop error rate; null in the other modes
 * @param failureInterval      compounding: the 99.9% interval the failure rate must lie in; else null
 * @param latencyMs            the requests' latency percentiles, from each request's send to its answer
 * @param throughputPerS       succeeded requests per second over the load
 * @param failuresByCode       failed requests by the error code of the answer ({@code no_code}: none)
 * @param completed            bus: the requests whose work finished at the last service (read from its topic); else null
 * @param maxLag               db and bus: the largest backlog sampled every 200 ms; else null
 * @param drainMs              db and bus: from the last answer until the backlog was empty; null if it did not empty
 * @param breakerOpenMs        rpc: how long the services' breakers were open, summed
 * @param outage               the outage scenario: the requests sent while the service was down; else null
 * @param byKind               the platform scenario: the figures per request kind; else null
 * @param gatlingStatus        Gatling's exit status: 0 when every assertion held
 * @param passed               the verdict: Gatling's assertions held and (bus) every accepted request completed
 * @param problems             why the verdict is a failure; empty when it passed
 * @param report               Gatling's report directory
 */
public record LoadTestSummary(String scenario, String mode, String policies, int hops, double rate, double durationS,
                              List<String> faults, long expectedRequests, long requests, long succeeded, long failed, double failureRate,
                              Double predictedFailureRate, List<Double> failureInterval, Latency latencyMs, double throughputPerS,
                              Map<String, Long> failuresByCode, Long completed, Long maxLag, Long drainMs, Long breakerOpenMs,
                              Outage outage, Map<String, Kind> byKind, int gatlingStatus, boolean passed, List<String> problems, String report) {

    /** Latency percentiles in milliseconds. */
    public record Latency(double p50, double p95, double p99, double max) {}

    /**
     * The requests sent during an outage (in rpc mode, those sent early enough to meet it still down
     * when their hop times out: up to two hop timeouts before its end).
     *
     * @param fault       the outage, as written
     * @param requests    how many were sent
     * @param failureRate the fraction that failed
     * @param latencyMs   their latency percentiles
     */
    public record Outage(String fault, long requests, double failureRate, Latency latencyMs) {}

    /**
     * One kind of request of a mixed load.
     *
     * @param requests       how many were answered or given up on
     * @param failed         how many failed
     * @param failureRate    failed / requests
     * @param latencyMs      their latency percentiles
     * @param throughputPerS succeeded requests of this kind per second over the load
     */
    public record Kind(long requests, long failed, double failureRate, Latency latencyMs, double throughputPerS) {}

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /** Writes {@code {"runs":[...]}} to {@code file}, creating its folder. */
    public static void writeJson(Path file, List<LoadTestSummary> runs) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        MAPPER.writeValue(file.toFile(), Map.of("runs", runs));
    }

    /** Writes {@link #markdown} of {@code runs} to {@code file}, creating its folder. */
    public static void writeMarkdown(Path file, List<LoadTestSummary> runs) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, markdown(runs));
    }

    /** The runs side by side: a row per figure, a column per run. */
    public static String markdown(List<LoadTestSummary> runs) {
        List<String> rows = new ArrayList<>();
        rows.add(row("", runs, r -> r.scenario() + " " + r.mode() + (r.policies() != null && r.policies().contains("breaker") ? " + breaker" : "")));
        rows.add(row("---", runs, r -> "---"));
        rows.add(row("verdict", runs, r -> r.passed() ? "**pass**" : "**FAIL**: " + String.join("; ", r.problems())));
        rows.add(row("load", runs, r -> r.hops() == 0 ? fmt("node API mix, %.0f/s for %.0f s", r.rate(), r.durationS())
                : fmt("%d hops, %.0f/s for %.0f s", r.hops(), r.rate(), r.durationS())));
        rows.add(row("rpc policies", runs, r -> r.policies() == null ? "-" : r.policies()));
        rows.add(row("faults", runs, r -> r.faults().isEmpty() ? "none" : String.join(", ", r.faults())));
        rows.add(row("requests", runs, r -> r.requests() + " of " + r.expectedRequests()));
        rows.add(row("failed", runs, r -> Long.toString(r.failed())));
        rows.add(row("failure rate", runs, r -> pct(r.failureRate())));
        rows.add(row("predicted failure rate", runs, r -> r.predictedFailureRate() == null ? "-" : pct(r.predictedFailureRate())));
        rows.add(row("allowed (99.9% interval)", runs, r -> r.failureInterval() == null ? "-"
                : pct(r.failureInterval().get(0)) + " to " + pct(r.failureInterval().get(1))));
        rows.add(row("latency p50 / p95 / p99 / max ms", runs, r -> fmt("%.1f / %.1f / %.1f / %.1f",
                r.latencyMs().p50(), r.latencyMs().p95(), r.latencyMs().p99(), r.latencyMs().max())));
        rows.add(row("throughput /s", runs, r -> fmt("%.1f", r.throughputPerS())));
        rows.add(row("failures by code", runs, r -> r.failuresByCode().isEmpty() ? "-" : r.failuresByCode().toString()));
        rows.add(row("during the outage: requests, failed", runs, r -> r.outage() == null ? "-"
                : r.outage().requests() + ", " + pct(r.outage().failureRate())));
        rows.add(row("during the outage: p50 / p99 ms", runs, r -> r.outage() == null ? "-"
                : fmt("%.1f / %.1f", r.outage().latencyMs().p50(), r.outage().latencyMs().p99())));
        rows.add(row("completed", runs, r -> r.completed() == null ? "-" : Long.toString(r.completed())));
        rows.add(row("backlog peak", runs, r -> r.maxLag() == null ? "-" : Long.toString(r.maxLag())));
        rows.add(row("drain ms", runs, r -> r.drainMs() == null ? "-" : Long.toString(r.drainMs())));
        rows.add(row("breaker open ms", runs, r -> r.breakerOpenMs() == null ? "-" : Long.toString(r.breakerOpenMs())));
        runs.stream().filter(r -> r.byKind() != null).flatMap(r -> r.byKind().keySet().stream()).distinct().sorted()
                .forEach(kind -> rows.add(row(kind + ": requests, failed, p50 / p95 / p99 / max ms, /s", runs, r -> {
                    Kind k = r.byKind() == null ? null : r.byKind().get(kind);
                    return k == null ? "-" : fmt("%d, %s, %.1f / %.1f / %.1f / %.1f, %.1f", k.requests(), pct(k.failureRate()),
                            k.latencyMs().p50(), k.latencyMs().p95(), k.latencyMs().p99(), k.latencyMs().max(), k.throughputPerS());
                })));
        return String.join("\n", rows) + "\n";
    }

    private static String row(String label, List<LoadTestSummary> runs, Function<LoadTestSummary, String> cell) {
        StringBuilder b = new StringBuilder("| ").append(label);
        runs.forEach(r -> b.append(" | ").append(cell.apply(r)));
        return b.append(" |").toString();
    }

    private static String pct(double fraction) {
        return fmt("%.2f%%", fraction * 100);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
