package io.strata.dataflow.chain;

import io.strata.dataflow.fault.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How an rpc service calls the next one: a timeout per call, and the optional resilience policies
 * that contain a cascade.
 *
 * @param timeout          how long a call waits for the next service's answer
 * @param retries          further attempts after a failed call (0: none)
 * @param backoff          the first retry's delay; each further one doubles it, with jitter
 * @param retryBudget      retries allowed as a fraction of first attempts (as Finagle's retry
 *                         budget: 0.1 lets retries add at most 10% load), plus a small reserve
 * @param breaker          whether calls go through a circuit breaker
 * @param breakerFailures  consecutive failures that open the breaker
 * @param breakerReset     how long it stays open before letting one trial call through
 * @param bulkhead         the most calls in flight to the next service (0: unlimited); beyond
 *                         it, calls fail at once instead of queueing
 */
public record RpcPolicies(Duration timeout, int retries, Duration backoff, double retryBudget,
                          boolean breaker, int breakerFailures, Duration breakerReset, int bulkhead) {

    /** A 1 s timeout and nothing else: the plain chain whose failures compound. */
    public static final RpcPolicies PLAIN = new RpcPolicies(Duration.ofSeconds(1), 0, Duration.ofMillis(20), 0.1,
            false, 5, Duration.ofSeconds(1), 0);

    public RpcPolicies {
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("the rpc timeout must be above zero, got " + Durations.format(timeout));
        }
        if (retries < 0 || retries > 10) {
            throw new IllegalArgumentException("retries must be between 0 and 10, got " + retries);
        }
        if (!(retryBudget >= 0 && retryBudget <= 1)) {
            throw new IllegalArgumentException("the retry budget is a fraction in [0, 1], got " + retryBudget);
        }
        if (breakerFailures < 1) {
            throw new IllegalArgumentException("the breaker needs at least 1 failure to open, got " + breakerFailures);
        }
        if (bulkhead < 0) {
            throw new IllegalArgumentException("the bulkhead is a number of calls >= 1 (0 for none), got " + bulkhead);
        }
    }

    public RpcPolicies withTimeout(Duration t) {
        return new RpcPolicies(t, retries, backoff, retryBudget, breaker, breakerFailures, breakerReset, bulkhead);
    }

    public RpcPolicies withRetries(int n, Duration firstBackoff, double budget) {
        return new RpcPolicies(timeout, n, firstBackoff, budget, breaker, breakerFailures, breakerReset, bulkhead);
    }

    public RpcPolicies withBreaker(boolean on, int failures, Duration reset) {
        return new RpcPolicies(timeout, retries, backoff, retryBudget, on, failures, reset, bulkhead);
    }

    public RpcPolicies withBulkhead(int limit) {
        return new RpcPolicies(timeout, retries, backoff, retryBudget, breaker, breakerFailures, breakerReset, limit);
    }

    /** The policies in a few words, such as {@code timeout=1s retries=2(budget 10%) breaker(5, 1s) bulkhead=64}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        parts.add("timeout=" + Durations.format(timeout));
        if (retries > 0) {
            parts.add("retries=" + retries + "(backoff " + Durations.format(backoff) + ", budget " + Math.round(retryBudget * 100) + "%)");
        }
        if (breaker) {
            parts.add("breaker(" + breakerFailures + " failures, reset " + Durations.format(breakerReset) + ")");
        }
        if (bulkhead > 0) {
            parts.add("bulkhead=" + bulkhead);
        }
        return String.join(" ", parts);
    }
}
