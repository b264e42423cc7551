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

    private static long micros(long nanos) {
        return Math.round(nanos / 1000.0);
    }
}
