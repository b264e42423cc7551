package io.strata.dataflow;

import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.experiment.ExperimentResult;
import io.strata.dataflow.experiment.ExperimentSpec;
import io.strata.dataflow.fault.ScheduledFault;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves the db mode, where services hand work on only through the shared store: per-hop failures
 * compound as in rpc (a record failed anywhere reaches the entry marked failed), every record the
 * entry wrote reaches the last stage in the store, and the store's latency at one service adds to
 * every request's.
 */
class DbModeTest extends NodeTest {

    @Test
    void onePercentPerHopCompoundsThroughTheStore() throws Exception {
        // A generous entry timeout: this test is about injected faults, not about how fast a busy machine polls.
        ExperimentSpec spec = ExperimentSpec.of(Mode.DB, 4, 1500, 150).withErrorRate(0.01).withEntryTimeout(Duration.ofSeconds(20));
        ExperimentResult r = run(spec);

        ExpectedFailures.assertCompounds(spec, r);
        // A request the entry itself fails is never written; every other one reaches the last stage, failed or not.
        assertEquals(spec.requests() - ExpectedFailures.count(spec, List.of("A")), r.completed(), "results in the store");
    }

    @Test
    void storeLatencyAtOneServiceShowsEndToEnd() throws Exception {
        ExperimentSpec base = ExperimentSpec.of(Mode.DB, 4, 400, 100).withEntryTimeout(Duration.ofSeconds(20));
        ExperimentResult baseline = run(base);
        ExperimentResult slow = run(base.withFaults(List.of(ScheduledFault.parse("C:store-latency=30ms"))));

        assertEquals(0, baseline.failed(), baseline.failuresByKind().toString());
        assertEquals(0, slow.failed(), slow.failuresByKind().toString());
        // Every record costs C two delayed writes (sequence number, then entry) and waits for one of C's delayed
        // polls (counter, then multi-get): at least 60 ms more, whatever the timing.
        double grew = slow.latencyMs().p50() - baseline.latencyMs().p50();
        assertTrue(grew >= 50, "the p50 grew by " + grew + " ms: " + baseline.latencyMs().p50() + " -> " + slow.latencyMs().p50());
        assertTrue(slow.latencyMs().p50() >= 60, "p50 with C's store slowed " + slow.latencyMs().p50() + " ms");
    }
}
