package io.strata.loadtest.simulation;

import io.strata.loadtest.Verdicts;

import static io.gatling.javaapi.core.CoreDsl.global;

/**
 * Failures compound along an rpc chain: with an error rate p at each of n hops, the entry fails
 * 1 - (1 - p)^n of the requests. Gate: the failed percentage lies in the 99.9% interval of that
 * prediction for the number of requests sent (a binomial count: the interval narrows as the run grows).
 */
public final class CompoundingSimulation extends ChainSimulation {

    public CompoundingSimulation() {
        Verdicts.Interval expected = Verdicts.failureInterval(params.predictedFailureRate(), params.requests());
        run(global().allRequests().count().is(params.requests()),
                global().failedRequests().percent().between(expected.low() * 100, expected.high() * 100, true));
    }
}
