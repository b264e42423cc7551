package io.strata.loadtest.simulation;

import io.gatling.javaapi.core.Assertion;
import io.strata.dataflow.chain.Mode;

import java.util.ArrayList;
import java.util.List;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;

/**
 * One service down for a while mid-run ({@code SERVICE:down=LENGTH@START} in {@code loadtest.faults}).
 * Gates, by mode and policy:
 * <ul>
 *   <li>bus: no request fails at the entry (it answers once the request is on the bus); that every
 *       one also completes is the runner's check, read back from the last topic;</li>
 *   <li>plain rpc: at least 95% of the requests sent during the outage fail, and their median
 *       latency is at least 80% of the hop timeout: each waits for the timeout;</li>
 *   <li>rpc with a breaker: they still fail, but their median latency is below a quarter of the
 *       timeout: the open breaker fails them fast.</li>
 * </ul>
 */
public final class OutageSimulation extends ChainSimulation {

    public OutageSimulation() {
        if (params.outage() == null) {
            throw new IllegalArgumentException("the outage scenario needs a fault SERVICE:down=LENGTH@START, got " + params.faults());
        }
        List<Assertion> gates = new ArrayList<>(List.of(global().allRequests().count().is(params.requests())));
        int timeoutMs = (int) params.timeout().toMillis();
        if (params.mode() != Mode.RPC) {
            gates.add(global().failedRequests().count().is(0L));
        } else {
            gates.add(details(DURING_OUTAGE).failedRequests().percent().gte(95.0));
            gates.add(params.breaker()
                    ? details(DURING_OUTAGE).responseTime().percentile(50).lt(timeoutMs / 4)
                    : details(DURING_OUTAGE).responseTime().percentile(50).gte(timeoutMs * 8 / 10));
        }
        run(gates.toArray(Assertion[]::new));
    }
}
