package io.strata.dataflow;

import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.chain.RpcPolicies;
import io.strata.dataflow.experiment.ExperimentResult;
import io.strata.dataflow.experiment.ExperimentSpec;
import io.strata.dataflow.fault.ScheduledFault;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves what a circuit breaker does for an rpc chain whose last service stops answering: without
 * one, every request during the outage waits out the hop timeout and fails with {@code timeout};
 * with one, the breakers open after a few failures and the requests fail at once with
 * {@code circuit_open}, so the run's latency stays far below the timeout.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CircuitBreakerTest extends NodeTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    /**
     * D is down for 5 s of a 7 s run: most requests meet the outage, so it dominates the median. A
     * modest rate: without a breaker every request of the outage holds a connection at each hop
     * until it times out, and on a busy two-core machine more of them make the timeouts fire late.
     */
    private static final ExperimentSpec OUTAGE = ExperimentSpec.of(Mode.RPC, 4, 350, 50)
            .withFaults(List.of(ScheduledFault.parse("D:down=5s@1s")));

    /** The first test's median, for the second to compare with (0 if it has not run). */
    private static double withoutBreakerP50;

    @Test
    @Order(1)
    void withoutABreakerRequestsWaitOutTheTimeout() throws Exception {
        ExperimentResult r = run(OUTAGE.withRpc(RpcPolicies.PLAIN.withTimeout(TIMEOUT)));

        long timeouts = r.failuresByKind().getOrDefault("timeout", 0L);
        long released = r.failuresByKind().getOrDefault("service_down", 0L);
        // The only other failures are the calls D still held when it came back, answered service_down then.
        assertEquals(r.failed(), timeouts + released, "failures: " + r.failuresByKind());
        assertTrue(timeouts >= 0.85 * r.failed(), timeouts + " of " + r.failed() + " failures are timeouts");
        // 5 s of 7 s at 50/s: about 250 requests meet the outage.
        assertTrue(timeouts >= 200, timeouts + " timeouts");
        // A request stuck behind the outage fails when the first hop's timeout fires, not before
        // (and late only by what a busy machine adds).
        assertTrue(r.latencyMs().p50() >= 0.9 * TIMEOUT.toMillis() && r.latencyMs().p50() <= 4 * TIMEOUT.toMillis(),
                "p50 " + r.latencyMs().p50() + " ms against a timeout of " + TIMEOUT.toMillis() + " ms");
        withoutBreakerP50 = r.latencyMs().p50();
    }

    @Test
    @Order(2)
    void aBreakerFailsFastWhileTheServiceIsDown() throws Exception {
        ExperimentResult r = run(OUTAGE.withRpc(RpcPolicies.PLAIN.withTimeout(TIMEOUT).withBreaker(true, 5, Duration.ofSeconds(1))));

        long open = r.failuresByKind().getOrDefault("circuit_open", 0L);
        long timeouts = r.failuresByKind().getOrDefault("timeout", 0L);
        assertTrue(r.failed() >= 200, r.failed() + " failures");
        // Each breaker lets 5 calls time out before it opens, then one trial per 1 s reset: a few dozen timeouts at most.
        assertTrue(open >= 0.8 * r.failed(), open + " of " + r.failed() + " failures are circuit_open: " + r.failuresByKind());
        assertTrue(timeouts < open / 4, timeouts + " timeouts against " + open + " fast failures");
        assertTrue(r.latencyMs().p50() < TIMEOUT.toMillis() / 5, "p50 " + r.latencyMs().p50() + " ms with the breaker");
        if (withoutBreakerP50 > 0) {
            assertTrue(r.latencyMs().p50() * 10 < withoutBreakerP50, "p50 " + r.latencyMs().p50() + " ms with the breaker, "
                    + withoutBreakerP50 + " ms without");
        }
    }
}
