package io.strata.loadtest.simulation;

import static io.gatling.javaapi.core.CoreDsl.global;

/** The baseline: no faults, so every request must succeed and every one must have been sent. */
public final class SteadySimulation extends ChainSimulation {

    public SteadySimulation() {
        run(global().allRequests().count().is(params.requests()),
                global().failedRequests().count().is(0L));
    }
}
