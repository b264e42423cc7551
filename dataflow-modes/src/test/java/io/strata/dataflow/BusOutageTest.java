package io.strata.dataflow;

import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.experiment.ExperimentResult;
import io.strata.dataflow.experiment.ExperimentSpec;
import io.strata.dataflow.fault.ScheduledFault;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves the bus decouples a chain from an outage downstream: with the last service down for
 * seconds in the middle of the run, the entry still accepts every request, the work piles up on
 * the bus instead of being lost, and all of it completes once the service returns.
 */
class BusOutageTest extends NodeTest {

    @Test
    void anOutageAtTheLastServiceDelaysWorkButLosesNone() throws Exception {
        // The outage ends as the load does, so the backlog it left is still there to drain after the load.
        ExperimentSpec spec = ExperimentSpec.of(Mode.BUS, 4, 800, 100)
                .withFaults(List.of(ScheduledFault.parse("D:down=5s@3s")));
        ExperimentResult r = run(spec);

        assertEquals(0, r.failed(), "failures at the entry: " + r.failuresByKind());
        assertEquals(spec.requests(), r.succeeded());
        assertEquals(spec.requests(), r.completed(), "accepted requests whose work completed at D");
        // D missed 5 s of records at 100/s: the backlog must have grown well beyond what a healthy chain holds.
        assertTrue(r.maxLag() >= 200, "max lag " + r.maxLag());
        assertNotNull(r.drainMs(), "the backlog drained");
        assertTrue(r.drainMs() > 0 && r.drainMs() < 20_000, "drain " + r.drainMs() + " ms");
        // Work sent while D was down completed only after it returned: seconds later, while the entry answered at once.
        assertTrue(r.completionMs().max() >= 2000, "slowest completion " + r.completionMs().max() + " ms");
        assertTrue(r.latencyMs().p99() < 1000, "entry p99 " + r.latencyMs().p99() + " ms");
    }
}
