package io.strata.loadtest;

import org.HdrHistogram.Histogram;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the simulation saw, request by request, for the Strata summary: Gatling keeps its own
 * statistics for its report and assertions but offers no API to read them back, so the simulation
 * records each answer here too. One recorder per JVM ({@link #INSTANCE}), reset before each run;
 * thread-safe (Gatling calls it from its event loops).
 */
public final class Recorder {

    /** The recorder the simulations in this JVM write to. */
    public static final Recorder INSTANCE = new Recorder();

    private Histogram latencyMicros = new Histogram(3);
    private long ok;
    private long failed;
    private long firstSentNanos = Long.MAX_VALUE;
    private long lastAnswerNanos = Long.MIN_VALUE;
    private final Map<String, Long> failuresByCode = new TreeMap<>();

    private Recorder() {}

    /** Forgets every answer recorded so far. */
    public synchronized void reset() {
        latencyMicros = new Histogram(3);
        ok = 0;
        failed = 0;
        firstSentNanos = Long.MAX_VALUE;
        lastAnswerNanos = Long.MIN_VALUE;
        failuresByCode.clear();
    }

    /**
     * Records one request sent at {@code sentNanos} and answered (or given up) at {@code answeredNanos};
     * {@code code} is the error code of a failed one ({@code null}: no answer with a code).
     */
    public synchronized void record(long sentNanos, long answeredNanos, boolean succeeded, String code) {
        latencyMicros.recordValue(Math.max(1, (answeredNanos - sentNanos) / 1000));
        firstSentNanos = Math.min(firstSentNanos, sentNanos);
        lastAnswerNanos = Math.max(lastAnswerNanos, answeredNanos);
        if (succeeded) {
            ok++;
        } else {
            failed++;
            failuresByCode.merge(code == null ? "no_code" : code, 1L, Long::sum);
        }
    }

    /** A copy of what was recorded so far. */
    public synchronized Snapshot snapshot() {
        return new Snapshot(latencyMicros.copy(), ok, failed, firstSentNanos, lastAnswerNanos, Map.copyOf(failuresByCode));
    }

    /** What a run recorded; {@code latencyMicros} is a copy the caller owns. */
    public record Snapshot(Histogram latencyMicros, long succeeded, long failed, long firstSentNanos, long lastAnswerNanos,
                           Map<String, Long> failuresByCode) {

        public long requests() {
            return succeeded + failed;
        }
    }
}
