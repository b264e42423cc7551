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
 * Proves, with real services over real HTTP against a real node, that failures compound along a
 * synchronous rpc chain as independent per-hop failures predict (1 - 0.99^4 for 1% on each of 4
 * hops), and that latency added at one hop shows in the end-to-end latency.
 */
class RpcCompoundingTest extends NodeTest {

    private static final double PREDICTED = 1 - Math.pow(0.99, 4);

    @Test
    void onePercentPerHopCompoundsOverFourHops() throws Exception {
        // A hop timeout far above the chain's latency: this test is about injected faults, and a busy
        // machine must not turn slow answers into timeouts (a fresh chain falls up to ~3.5 s behind in
        // its first seconds, while it opens its connections).
        ExperimentSpec spec = ExperimentSpec.of(Mode.RPC, 4, 3000, 150).withErrorRate(0.01)
                .withRpc(RpcPolicies.PLAIN.withTimeout(Duration.ofSeconds(10)));
        ExperimentResult r = run(spec);

        assertEquals(PREDICTED, r.predictedFailureRate(), 1e-9);
        ExpectedFailures.assertCompounds(spec, r);
    }

    @Test
    void latencyAddedAtOneHopShowsEndToEnd() throws Exception {
        ExperimentSpec base = ExperimentSpec.of(Mode.RPC, 4, 400, 100);
        ExperimentResult baseline = run(base);
        ExperimentResult slow = run(base.withFaults(List.of(ScheduledFault.parse("B:latency=50ms"))));

        assertEquals(0, baseline.failed());
        assertEquals(0, slow.failed());
        assertTrue(baseline.latencyMs().p50() < 40, "baseline p50 " + baseline.latencyMs().p50() + " ms");
        // Every request passes B once, so the whole distribution shifts by the 50 ms B adds.
        assertTrue(slow.latencyMs().p50() >= 50, "p50 with B slowed " + slow.latencyMs().p50() + " ms");
        assertTrue(slow.latencyMs().p50() - baseline.latencyMs().p50() >= 35, "the p50 grew by "
                + (slow.latencyMs().p50() - baseline.latencyMs().p50()) + " ms");
        assertTrue(slow.latencyMs().p99() >= 50, "p99 with B slowed " + slow.latencyMs().p99() + " ms");
    }
}
