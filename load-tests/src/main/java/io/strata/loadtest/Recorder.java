package io.strata.loadtest;

import org.HdrHistogram.Histogram;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * What the simulation saw, request by request, for the Strata summary: Gatling keeps its own
 * statistics for its report and assertions but offers no API to read them back, so the simulation
 * records each answer here too, overall and for the requests sent during an outage. Also carries
 * the runner's hook that starts the chain's fault clock when the simulation's load begins. One
 * recorder per JVM ({@link #INSTANCE}), reset before each run; thread-safe (Gatling calls it from
 * its event loops).
 */
public final class Recorder {

    /** The recorder the simulations in this JVM write to. */
    public static final Recorder INSTANCE = new Recorder();

    private Tally all = new Tally();
    private Tally outage = new Tally();
    private Map<String, Tally> byKind = new TreeMap<>();
    private long firstSentNanos = Long.MAX_VALUE;
    private long lastAnswerNanos = Long.MIN_VALUE;
    private long loadStartNanos;
    private LongConsumer onLoadStart = nanos -> {};

    private Recorder() {}

    /** Forgets every answer recorded so far; {@code onLoadStart} will be told when the next load starts. */
    public synchronized void reset(LongConsumer onLoadStart) {
        all = new Tally();
        outage = new Tally();
        byKind = new TreeMap<>();
        firstSentNanos = Long.MAX_VALUE;
        lastAnswerNanos = Long.MIN_VALUE;
        loadStartNanos = 0;
        this.onLoadStart = onLoadStart;
    }

    /** The simulation's load starts now: returns the time, after the runner's hook has started the fault clock at it. */
    public long loadStarts() {
        long now = System.nanoTime();
        LongConsumer hook;
        synchronized (this) {
            loadStartNanos = now;
            hook = onLoadStart;
        }
        hook.accept(now);
        return now;
    }

    /**
     * Records one request sent at {@code sentNanos} and answered (or given up) at {@code answeredNanos};
     * {@code code} is the error code of a failed one ({@code null}: no answer with a code), and
     * {@code duringOutage} whether it was sent while a service was down.
     */
    public void record(long sentNanos, long answeredNanos, boolean succeeded, String code, boolean duringOutage) {
        record(null, sentNanos, answeredNanos, succeeded, code, duringOutage);
    }

    /** As {@link #record(long, long, boolean, String, boolean)}, also counted under its request {@code kind} unless null. */
    public synchronized void record(String kind, long sentNanos, long answeredNanos, boolean succeeded, String code, boolean duringOutage) {
        if (kind != null) {
            byKind.computeIfAbsent(kind, k -> new Tally()).add(sentNanos, answeredNanos, succeeded, code);
        }
        firstSentNanos = Math.min(firstSentNanos, sentNanos);
        lastAnswerNanos = Math.max(lastAnswerNanos, answeredNanos);
        all.add(sentNanos, answeredNanos, succeeded, code);
        if (duringOutage) {
            outage.add(sentNanos, answeredNanos, succeeded, code);
        }
    }

    /** A copy of what was recorded so far. */
    public synchronized Snapshot snapshot() {
        Map<String, Tally> kinds = new TreeMap<>();
        byKind.forEach((k, t) -> kinds.put(k, t.copy()));
        return new Snapshot(all.copy(), outage.copy(), kinds, firstSentNanos, lastAnswerNanos, loadStartNanos);
    }

    /** What a run recorded, also per request kind (empty when the simulation named none); the histograms are copies the caller owns. */
    public record Snapshot(Tally all, Tally outage, Map<String, Tally> byKind, long firstSentNanos, long lastAnswerNanos, long loadStartNanos) {}

    /** Answers counted: latency in microseconds, successes, failures by error code. */
    public static final class Tally {
        private final Histogram latencyMicros;
        private long succeeded;
        private final Map<String, Long> failuresByCode;

        Tally() {
            this(new Histogram(3), 0, new TreeMap<>());
        }

        private Tally(Histogram latencyMicros, long succeeded, Map<String, Long> failuresByCode) {
            this.latencyMicros = latencyMicros;
            this.succeeded = succeeded;
            this.failuresByCode = failuresByCode;
        }

        void add(long sentNanos, long answeredNanos, boolean ok, String code) {
            latencyMicros.recordValue(Math.max(1, (answeredNanos - sentNanos) / 1000));
            if (ok) {
                succeeded++;
            } else {
                failuresByCode.merge(code == null ? "no_code" : code, 1L, Long::sum);
            }
        }

        Tally copy() {
            return new Tally(latencyMicros.copy(), succeeded, new TreeMap<>(failuresByCode));
        }

        public Histogram latencyMicros() {
            return latencyMicros;
        }

        public long requests() {
            return latencyMicros.getTotalCount();
        }

        public long succeeded() {
            return succeeded;
        }

        public long failed() {
            return requests() - succeeded;
        }

        public Map<String, Long> failuresByCode() {
            return Map.copyOf(failuresByCode);
        }
    }
}
