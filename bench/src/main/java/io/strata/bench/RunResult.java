package io.strata.bench;

import org.HdrHistogram.Histogram;

/**
 * What one measured run gave: operations completed in the window, its length, the throughput and
 * the latency percentiles (from an HdrHistogram of nanoseconds, reported in microseconds).
 */
record RunResult(long ops, double seconds, long opsPerS, long p50Us, long p99Us) {

    static RunResult of(Histogram latenciesNanos, double seconds) {
        long ops = latenciesNanos.getTotalCount();
        return new RunResult(ops, seconds, Math.round(ops / seconds),
                micros(latenciesNanos.getValueAtPercentile(50)), micros(latenciesNanos.getValueAtPercentile(99)));
    }

    /**
     * This run counted in records, each operation having carried {@code records} of them (a batch):
     * throughput scales, latency stays that of the whole operation.
     */
    RunResult perRecord(int records) {
        return new RunResult(ops * records, seconds, opsPerS * records, p50Us, p99Us);
    }

    private static long micros(long nanos) {
        return Math.round(nanos / 1000.0);
    }
}
