package io.strata.dataflow.fault;

import java.time.Duration;

/**
 * Added latency: a fixed delay plus a uniform jitter ({@code 50ms}, {@code 50ms+20ms}), or a
 * heavy-tailed log-normal delay given by its median and 99th percentile
 * ({@code lognormal:20ms:400ms}): most calls take about the median, one in a hundred takes the p99
 * or more, and a few take far longer, as real slow dependencies do.
 */
public final class LatencySpec {

    /** The standard normal's 99th percentile: p99 = median * exp(Z99 * sigma). */
    private static final double Z99 = 2.3263478740408408;

    private final long fixedNanos;
    private final long jitterNanos;
    private final boolean logNormal;
    private final double sigma;
    private final String text;

    private LatencySpec(long fixedNanos, long jitterNanos, boolean logNormal, double sigma, String text) {
        this.fixedNanos = fixedNanos;
        this.jitterNanos = jitterNanos;
        this.logNormal = logNormal;
        this.sigma = sigma;
        this.text = text;
    }

    /** A fixed delay with a uniform jitter in [0, jitter). */
    public static LatencySpec fixed(Duration fixed, Duration jitter) {
        String text = Durations.format(fixed) + (jitter.isZero() ? "" : "+" + Durations.format(jitter));
        return new LatencySpec(fixed.toNanos(), jitter.toNanos(), false, 0, text);
    }

    /** A log-normal delay with the given median and 99th percentile (p99 at least the median). */
    public static LatencySpec logNormal(Duration median, Duration p99) {
        if (p99.compareTo(median) < 0 || median.isZero()) {
            throw new IllegalArgumentException("a lognormal latency needs 0 < median <= p99, got median "
                    + Durations.format(median) + " and p99 " + Durations.format(p99));
        }
        double sigma = Math.log((double) p99.toNanos() / median.toNanos()) / Z99;
        return new LatencySpec(median.toNanos(), 0, true, sigma,
                "lognormal:" + Durations.format(median) + ":" + Durations.format(p99));
    }

    /** Parses {@code 50ms}, {@code 50ms+20ms} or {@code lognormal:MEDIAN:P99}. */
    public static LatencySpec parse(String text) {
        String t = text.trim();
        if (t.startsWith("lognormal:")) {
            String[] parts = t.split(":");
            if (parts.length != 3) {
                throw new IllegalArgumentException("a heavy-tailed latency is lognormal:MEDIAN:P99, such as lognormal:20ms:400ms, got '" + text + "'");
            }
            return logNormal(Durations.parse("the median latency", parts[1]), Durations.parse("the p99 latency", parts[2]));
        }
        int plus = t.indexOf('+');
        if (plus < 0) {
            return fixed(Durations.parse("latency", t), Duration.ZERO);
        }
        return fixed(Durations.parse("latency", t.substring(0, plus)), Durations.parse("the latency's jitter", t.substring(plus + 1)));
    }

    /** The delay for two independent uniform draws in [0, 1). */
    public long sampleNanos(double u1, double u2) {
        if (!logNormal) {
            return fixedNanos + (long) (u1 * jitterNanos);
        }
        // Box-Muller: one standard normal from two uniforms; 1 - u1 keeps the log's argument above 0.
        double normal = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
        return (long) (fixedNanos * Math.exp(sigma * normal));
    }

    /**
     * The delay at quantile {@code level} of this distribution, in (0, 1): {@code fixed + level * jitter},
     * or {@code median * exp(sigma * z)} with z the standard normal's quantile at {@code level}.
     */
    public long quantileNanos(double level) {
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("a quantile's level lies in (0, 1), got " + level);
        }
        if (!logNormal) {
            return fixedNanos + (long) (level * jitterNanos);
        }
        return (long) (fixedNanos * Math.exp(sigma * normalQuantile(level)));
    }

    /** The standard normal's quantile by bisection on its CDF: 60 halvings of [-10, 10] are exact to double precision. */
    private static double normalQuantile(double level) {
        double low = -10;
        double high = 10;
        for (int i = 0; i < 60; i++) {
            double mid = (low + high) / 2;
            if (normalCdf(mid) < level) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return (low + high) / 2;
    }

    /** Φ(x) through erfc's Chebyshev fit (Numerical Recipes' erfcc): relative error below 1.2e-7 everywhere. */
    private static double normalCdf(double x) {
        double z = Math.abs(x) / Math.sqrt(2);
        double t = 1 / (1 + z / 2);
        double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - erfc / 2 : erfc / 2;
    }

    @Override
    public String toString() {
        return text;
    }
}
