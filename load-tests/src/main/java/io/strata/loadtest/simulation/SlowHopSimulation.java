package io.strata.loadtest.simulation;

import io.gatling.javaapi.core.Assertion;
import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.fault.LatencySpec;
import io.strata.dataflow.fault.ScheduledFault;
import io.strata.loadtest.Verdicts;

import java.util.ArrayList;
import java.util.List;

import static io.gatling.javaapi.core.CoreDsl.global;

/**
 * One hop slowed by a heavy-tailed added latency ({@code SERVICE:latency=lognormal:MEDIAN:P99} in
 * {@code loadtest.faults}). Gates, by mode, every one also "every request sent, none failed":
 * <ul>
 *   <li>rpc and db: the entry's p99 is at least the slow hop's injected tail, since the entry waits
 *       for the whole chain (rpc calls through it, db waits for the last stage): the hop's tail adds
 *       to the others'. The bar is the injected distribution's quantile that the p99 of this many
 *       draws stays above in 999 runs of 1000 ({@link Verdicts#quantileLevelLowBound}), so small
 *       runs are held to a lower bar than long ones, never to luck;</li>
 *   <li>db, also: the entry's p95 is above that same bar. The store couples the requests: a service
 *       polls its stage again only once every record of its last poll is written, so one slow record
 *       holds back every record that arrived meanwhile, and far more than one request in a hundred
 *       sees the tail (measured: p95 834 ms, p99 1,822 ms for an injected p99 of 400 ms, 50/s);</li>
 *   <li>bus: the entry's p99 stays below half the injected p99: the entry answers once the request
 *       is on the bus, the slow hop only delays its completion (and the runner checks every accepted
 *       request completed).</li>
 * </ul>
 */
public final class SlowHopSimulation extends ChainSimulation {

    public SlowHopSimulation() {
        ScheduledFault slow = params.slowHop();
        if (slow == null) {
            throw new IllegalArgumentException("the slow-hop scenario needs a fault SERVICE:latency=..., got " + params.faults());
        }
        LatencySpec latency = LatencySpec.parse(slow.value());
        List<Assertion> gates = new ArrayList<>(List.of(global().allRequests().count().is(params.requests()),
                global().failedRequests().count().is(0L)));
        if (params.mode() == Mode.BUS) {
            gates.add(global().responseTime().percentile(99).lt(millis(latency.quantileNanos(0.99)) / 2));
        } else {
            int tailBar = millis(latency.quantileNanos(Verdicts.quantileLevelLowBound(0.99, params.requests())));
            gates.add(global().responseTime().percentile(99).gte(tailBar));
            if (params.mode() == Mode.DB) {
                gates.add(global().responseTime().percentile(95).gte(tailBar));
            }
        }
        run(gates.toArray(Assertion[]::new));
    }

    private static int millis(long nanos) {
        return (int) (nanos / 1_000_000);
    }
}
