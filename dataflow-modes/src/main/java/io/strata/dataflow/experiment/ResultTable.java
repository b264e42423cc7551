package io.strata.dataflow.experiment;

import io.strata.dataflow.experiment.ExperimentResult.Latency;
import io.strata.dataflow.experiment.ExperimentResult.TimePoint;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Prints experiment results as plain-text tables: one experiment as label / value rows, or several
 * side by side with one column per result ({@code ./strata experiment --compare}). Both views show
 * the same figures; a figure that does not apply to a mode prints as {@code -}. Only ASCII is
 * printed, so the output survives any terminal and log file.
 */
public final class ResultTable {

    static final String NONE = "-";

    /** How many backlog values the "lag samples" row shows, first and last included. */
    private static final int LAG_SAMPLES = 8;

    /** The widest sparkline; longer timelines are folded into this many characters. */
    private static final int SPARK_WIDTH = 24;

    /** Low to high; '_' marks an interval with nothing, so zero stays visible (a blank would not). */
    private static final String SPARK_RAMP = "_.:-=+*#%@";

    private ResultTable() {}

    /** One figure: its label and one cell per result. */
    private record Row(String label, List<String> cells) {}

    /** Prints one experiment, one figure a line. */
    public static void print(PrintWriter out, ExperimentResult r) {
        render(out, null, rows(List.of(r), true));
    }

    /** Prints the results side by side: a column per result, headed by its mode, and a row per figure. */
    public static void printComparison(PrintWriter out, List<ExperimentResult> results) {
        if (results.isEmpty()) {
            out.println("no experiments");
            out.flush();
            return;
        }
        List<String> header = new ArrayList<>();
        for (ExperimentResult r : results) {
            header.add(text(r.mode()));
        }
        render(out, header, rows(results, false));
    }

    /**
     * The figures of the results. A single experiment shows its mode as a row and the predicted
     * failure rate beside the measured one; side by side, the mode heads the column and the
     * predicted rate gets a row of its own, so the rate column stays narrow and comparable.
     */
    private static List<Row> rows(List<ExperimentResult> rs, boolean single) {
        List<Row> rows = new ArrayList<>();
        if (single) {
            rows.add(row("mode", rs, r -> text(r.mode())));
        }
        rows.add(row("hops", rs, r -> String.valueOf(r.hops())));
        rows.add(row("requests", rs, r -> String.valueOf(r.requests())));
        rows.add(row("succeeded", rs, r -> String.valueOf(r.succeeded())));
        rows.add(row("failed", rs, r -> String.valueOf(r.failed())));
        if (single) {
            rows.add(row("failure rate", rs, ResultTable::failureRate));
        } else {
            rows.add(row("failure rate", rs, r -> percent(r.failureRate())));
            rows.add(row("predicted failure rate", rs, r -> percent(r.predictedFailureRate())));
        }
        rows.add(row("completed", rs, r -> count(r.completed())));
        addLatencyRows(rows, rs, "latency", ExperimentResult::latencyMs);
        addLatencyRows(rows, rs, "completion", ExperimentResult::completionMs);
        rows.add(row("throughput /s", rs, r -> number(r.throughputPerS(), 1)));
        addFailureKindRows(rows, rs);
        rows.add(row("max lag", rs, r -> count(r.maxLag())));
        rows.add(row("drain ms", rs, r -> count(r.drainMs())));
        rows.add(row("breaker open ms", rs, r -> count(r.breakerOpenMs())));
        rows.add(row("lag over time", rs, r -> sparkline(lagSeries(r))));
        rows.add(row("lag samples", rs, r -> samples(lagSeries(r))));
        rows.add(row("failures over time", rs, r -> sparkline(series(r, p -> p.failed()))));
        rows.add(row("faults", rs, r -> r.faults() == null || r.faults().isEmpty() ? NONE : String.join(" ", r.faults())));
        rows.add(row("policies", rs, r -> text(r.policies())));
        rows.add(row("duration s", rs, r -> number(r.durationMs() / 1000.0, 1)));
        rows.add(row("seed", rs, r -> String.valueOf(r.seed())));
        return rows;
    }

    private static void addLatencyRows(List<Row> rows, List<ExperimentResult> rs, String name,
                                       Function<ExperimentResult, Latency> latency) {
        addLatencyRow(rows, rs, name + " p50 ms", latency, Latency::p50);
        addLatencyRow(rows, rs, name + " p95 ms", latency, Latency::p95);
        addLatencyRow(rows, rs, name + " p99 ms", latency, Latency::p99);
        addLatencyRow(rows, rs, name + " max ms", latency, Latency::max);
    }

    private static void addLatencyRow(List<Row> rows, List<ExperimentResult> rs, String label,
                                      Function<ExperimentResult, Latency> latency, ToDoubleFunction<Latency> figure) {
        rows.add(row(label, rs, r -> {
            Latency l = latency.apply(r);
            return l == null ? NONE : ms(figure.applyAsDouble(l));
        }));
    }

    /** A row per failure kind seen in any result, so the kinds line up across the columns. */
    private static void addFailureKindRows(List<Row> rows, List<ExperimentResult> rs) {
        TreeSet<String> kinds = new TreeSet<>();
        for (ExperimentResult r : rs) {
            if (r.failuresByKind() != null) {
                r.failuresByKind().keySet().stream().filter(Objects::nonNull).forEach(kinds::add);
            }
        }
        if (kinds.isEmpty()) {
            rows.add(row("failures by kind", rs, r -> NONE));
            return;
        }
        for (String kind : kinds) {
            rows.add(row("failed: " + kind, rs, r -> {
                Map<String, Long> byKind = r.failuresByKind();
                if (byKind == null) {
                    return NONE;
                }
                Long n = byKind.get(kind);
                return n == null ? "0" : String.valueOf(n);
            }));
        }
    }

    private static Row row(String label, List<ExperimentResult> rs, Function<ExperimentResult, String> cell) {
        return new Row(label, rs.stream().map(cell).toList());
    }


    private static void render(PrintWriter out, List<String> header, List<Row> rows) {
        int columns = rows.get(0).cells().size();
        int labelWidth = 0;
        int[] widths = new int[columns];
        for (Row row : rows) {
            labelWidth = Math.max(labelWidth, row.label().length());
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row.cells().get(c).length());
            }
        }
        if (header != null) {
            StringBuilder line = new StringBuilder(pad("", labelWidth, false));
            StringBuilder rule = new StringBuilder("-".repeat(labelWidth));
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], header.get(c).length());
                line.append("  ").append(pad(header.get(c), widths[c], true));
                rule.append("  ").append("-".repeat(widths[c]));
            }
            out.println(line.toString().stripTrailing());
            out.println(rule);
        }
        for (Row row : rows) {
            StringBuilder line = new StringBuilder(pad(row.label(), labelWidth, false));
            for (int c = 0; c < columns; c++) {
                // a single experiment reads as "label  value"; side by side, cells sit under their header
                line.append("  ").append(pad(row.cells().get(c), widths[c], header != null));
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - s.length()));
        return right ? fill + s : s + fill;
    }

    private static String failureRate(ExperimentResult r) {
        String measured = percent(r.failureRate());
        if (r.predictedFailureRate() == null) {
            return measured;
        }
        return "measured " + measured + "  predicted " + percent(r.predictedFailureRate());
    }

    /** The backlog per interval; empty when the mode has none (rpc). */
    private static List<Long> lagSeries(ExperimentResult r) {
        List<Long> lags = new ArrayList<>();
        for (TimePoint p : points(r)) {
            if (p.lag() != null) {
                lags.add(p.lag());
            }
        }
        return lags;
    }

    private static List<Long> series(ExperimentResult r, ToLongFunction<TimePoint> value) {
        return points(r).stream().map(value::applyAsLong).toList();
    }

    /** The timeline without null entries; empty when there is none. */
    static List<TimePoint> points(ExperimentResult r) {
        return r.timeline() == null ? List.of() : r.timeline().stream().filter(Objects::nonNull).toList();
    }

    /**
     * The values as one character each, scaled to their own maximum; a longer series is folded
     * into {@link #SPARK_WIDTH} characters, each showing the largest value it covers.
     */
    static String sparkline(List<Long> values) {
        if (values.isEmpty()) {
            return NONE;
        }
        int width = Math.min(values.size(), SPARK_WIDTH);
        long[] folded = new long[width];
        for (int i = 0; i < values.size(); i++) {
            int slot = (int) ((long) i * width / values.size());
            folded[slot] = Math.max(folded[slot], values.get(i));
        }
        long max = 0;
        for (long v : folded) {
            max = Math.max(max, v);
        }
        StringBuilder line = new StringBuilder();
        int top = SPARK_RAMP.length() - 1;
        for (long v : folded) {
            // any value above zero gets at least the lowest mark, so a small backlog is not hidden
            int level = v <= 0 ? 0 : 1 + (int) Math.min(top - 1, (double) v / max * (top - 1) + 0.5);
            line.append(SPARK_RAMP.charAt(Math.min(level, top)));
        }
        return line.toString();
    }

    /** Up to {@link #LAG_SAMPLES} values spread evenly over the series, first and last included. */
    static String samples(List<Long> values) {
        if (values.isEmpty()) {
            return NONE;
        }
        int n = Math.min(values.size(), LAG_SAMPLES);
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = n == 1 ? 0 : (int) Math.round((double) i * (values.size() - 1) / (n - 1));
            picked.add(compact(values.get(index)));
        }
        return String.join(" ", picked);
    }

    /** A count short enough for a sample row: 1800, 12k, 3.4M. */
    static String compact(long v) {
        if (Math.abs(v) < 10_000) {
            return String.valueOf(v);
        }
        if (Math.abs(v) < 1_000_000) {
            return Math.round(v / 1000.0) + "k";
        }
        return String.format(Locale.ROOT, "%.1fM", v / 1_000_000.0);
    }

    static String text(String s) {
        return s == null || s.isBlank() ? NONE : s;
    }

    static String count(Long v) {
        return v == null ? NONE : String.valueOf(v);
    }

    /** A rate such as 0.0391 as "3.91%". */
    static String percent(Double rate) {
        return rate == null ? NONE : number(rate * 100, 2) + (Double.isFinite(rate) ? "%" : "");
    }

    /** Milliseconds with fewer decimals as they grow: 0.42, 12.3, 1530. */
    static String ms(double v) {
        if (!Double.isFinite(v)) {
            return NONE;
        }
        double abs = Math.abs(v);
        return number(v, abs < 10 ? 2 : abs < 1000 ? 1 : 0);
    }

    static String number(double v, int decimals) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : NONE;
    }
}
