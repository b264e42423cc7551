package io.strata.loadtest;

/** The statistics behind the assertions: what a claim allows a run of a given size to measure. */
public final class Verdicts {

    /** The normal quantile of a two-sided 99.9% interval: a correct claim fails the gate once in a thousand runs. */
    public static final double Z_999 = 3.2905;

    private Verdicts() {}

    /** An interval of fractions, both ends included. */
    public record Interval(double low, double high) {
        public boolean contains(double x) {
            return x >= low && x <= high;
        }
    }

    /**
     * The 99.9% interval of the failed fraction of {@code requests} independent requests that each
     * fail with probability {@code p} (normal approximation of the binomial, clamped to [0, 1]).
     */
    public static Interval failureInterval(double p, long requests) {
        double sd = Math.sqrt(p * (1 - p) / Math.max(1, requests));
        return new Interval(Math.max(0, p - Z_999 * sd), Math.min(1, p + Z_999 * sd));
    }

    /**
     * The level L such that the empirical {@code q}-quantile of {@code n} independent draws lies at or
     * above the distribution's L-quantile but in one run of a thousand or less: q less 3.29 binomial
     * standard deviations of the fraction of draws below a quantile (normal approximation), at least 0.5.
     * A gate "the measured p99 is at least the L-quantile" then holds for a correct claim at any n.
     */
    public static double quantileLevelLowBound(double q, long n) {
        return Math.max(0.5, q - Z_999 * Math.sqrt(q * (1 - q) / Math.max(1, n)));
    }
}
