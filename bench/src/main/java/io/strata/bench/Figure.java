package io.strata.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * One figure of a benchmark: medians over the rounds of a measured run and of its anchor, and
 * their ratio ({@code ops_per_s / anchor_ops_per_s}, to two significant digits: run-to-run noise
 * on a shared machine makes a third meaningless). The per-round results stay with it for the JSON.
 */
record Figure(String name, long opsPerS, long p50Us, long p99Us, String anchor, long anchorOpsPerS, double ratio,
              List<RunResult> runs, List<RunResult> anchorRuns) {

    private static final MathContext RATIO_PRECISION = new MathContext(2);

    static Figure of(String name, List<RunResult> runs, String anchor, List<RunResult> anchorRuns) {
        return of(name, median(runs, RunResult::opsPerS), median(runs, RunResult::p50Us), median(runs, RunResult::p99Us),
                anchor, median(anchorRuns, RunResult::opsPerS), runs, anchorRuns);
    }

    /** A figure whose values were computed elsewhere (JMH's scores), with the ratio rounded as above. */
    static Figure of(String name, long opsPerS, long p50Us, long p99Us, String anchor, long anchorOpsPerS,
                     List<RunResult> runs, List<RunResult> anchorRuns) {
        double ratio = new BigDecimal((double) opsPerS / anchorOpsPerS).round(RATIO_PRECISION).doubleValue();
        return new Figure(name, opsPerS, p50Us, p99Us, anchor, anchorOpsPerS, ratio, List.copyOf(runs), List.copyOf(anchorRuns));
    }

    /** The machine-readable line: {@code BENCH name=... ops_per_s=... p50_us=... p99_us=... anchor=... anchor_ops_per_s=... ratio=...}. */
    String benchLine() {
        return String.format(Locale.ROOT, "BENCH name=%s ops_per_s=%d p50_us=%d p99_us=%d anchor=%s anchor_ops_per_s=%d ratio=%s",
                name, opsPerS, p50Us, p99Us, anchor, anchorOpsPerS, ratioText());
    }

    String ratioText() {
        return BigDecimal.valueOf(ratio).toPlainString();
    }

    /** The median; of an even count, the mean of the middle two. */
    private static long median(List<RunResult> runs, ToLongFunction<RunResult> value) {
        long[] sorted = runs.stream().mapToLong(value).sorted().toArray();
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : Math.round((sorted[middle - 1] + sorted[middle]) / 2.0);
    }
}
