package io.strata.dataflow;

import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.chain.RpcPolicies;
import io.strata.dataflow.experiment.ExperimentResult;
import io.strata.dataflow.experiment.ExperimentSpec;
import io.strata.dataflow.fault.ScheduledFault;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rpc mode's other policies: retries turn a flaky hop's failures into successes (each retry a
 * fresh draw of its faults), the retry budget caps how much load retries may add, and a bulkhead
 * fails calls to a slow hop at once instead of letting them pile up.
 */
class ResiliencePolicyTest extends NodeTest {

    private static final int REQUESTS = 1000;

    /** D fails 20% of what it gets; nothing else fails. */
    private static ExperimentSpec flakyD() {
        return ExperimentSpec.of(Mode.RPC, 4, REQUESTS, 100).withFaults(List.of(ScheduledFault.parse("D:error-rate=0.2")));
    }

    @Test
    void retriesWithinTheirBudgetHideAFlakyHop() throws Exception {
        ExperimentResult plain = run(flakyD());
        ExperimentResult retried = run(flakyD().withRpc(RpcPolicies.PLAIN.withRetries(2, Duration.ofMillis(5), 1.0)));
        ExperimentResult starved = run(flakyD().withRpc(RpcPolicies.PLAIN.withRetries(2, Duration.ofMillis(5), 0.0)));

        // 20% of 1000 (sd 12.6): the plain chain fails about 200 requests.
        assertTrue(plain.failureRate() > 0.15 && plain.failureRate() < 0.25, "plain: " + plain.failureRate());
        // Three tries at C (and more from B's retries of C): at most 0.2^3 = 0.8% fail.
        assertTrue(retried.failureRate() < 0.03, "with retries: " + retried.failuresByKind());
        // A budget of 0% leaves each caller only its small reserve of retries: most failures stay.
        assertTrue(starved.failureRate() > 0.12, "with an empty budget: " + starved.failureRate());
        assertEquals(starved.failed(), starved.failuresByKind().get("injected_fault"), starved.failuresByKind().toString());
    }

    @Test
    void aBulkheadFailsCallsToASlowHopAtOnce() throws Exception {
        // D takes 300 ms a request: at 100/s about 30 calls to it are in flight; the bulkhead allows 5.
        ExperimentSpec slowD = ExperimentSpec.of(Mode.RPC, 4, 500, 100).withFaults(List.of(ScheduledFault.parse("D:latency=300ms")))
                .withRpc(RpcPolicies.PLAIN.withBulkhead(5));
        ExperimentResult r = run(slowD);

        long refused = r.failuresByKind().getOrDefault("bulkhead_full", 0L);
        assertTrue(refused > r.requests() / 2, "most calls are refused by the bulkhead: " + r.failuresByKind());
        assertTrue(r.succeeded() > 0, "the calls within the bulkhead still succeed");
        assertTrue(r.latencyMs().p50() < 100, "refused calls fail at once, not after D's 300 ms: " + r.latencyMs());
    }
}
