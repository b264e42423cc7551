package io.strata.dataflow.experiment;

import io.strata.dataflow.chain.ChainSettings;
import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.chain.RpcPolicies;
import io.strata.dataflow.fault.ScheduledFault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One experiment: a chain, its faults, and a bounded workload.
 *
 * @param mode         how the services hand work on
 * @param hops         the chain's length, 1 to 8
 * @param requests     how many requests to send, 1 to {@link #MAX_REQUESTS}
 * @param rate         requests per second (an open workload: sent on schedule whatever the answers)
 * @param errorRate    a fault on every hop: the fraction of requests each service fails
 * @param faults       further faults, per service and timed
 * @param seed         the fault injection's seed: the same seed fails the same requests
 * @param rpc          the rpc mode's timeout and resilience policies
 * @param entryTimeout the db mode's wait for a result to appear in the store
 * @param pollInterval the db and bus modes' pause between polls when idle
 * @param drainLimit   the db and bus modes' longest wait, after the load, for the backlog to drain
 * @param warmup       how long a fault-free warm-up run lasts before the measured one (0: none)
 */
public record ExperimentSpec(Mode mode, int hops, int requests, double rate, double errorRate, List<ScheduledFault> faults,
                             long seed, RpcPolicies rpc, Duration entryTimeout, Duration pollInterval, Duration drainLimit,
                             Duration warmup) {

    public static final int MAX_REQUESTS = 10_000_000;
    public static final double MAX_RATE = 50_000;
    /** An experiment's load phase may last at most this long. */
    public static final Duration MAX_LOAD = Duration.ofHours(1);

    public ExperimentSpec {
        if (hops < 1 || hops > ChainSettings.MAX_HOPS) {
            throw new IllegalArgumentException("hops must be between 1 and " + ChainSettings.MAX_HOPS + ", got " + hops);
        }
        if (requests < 1 || requests > MAX_REQUESTS) {
            throw new IllegalArgumentException("requests must be between 1 and " + MAX_REQUESTS + ", got " + requests);
        }
        if (!(rate > 0 && rate <= MAX_RATE)) {
            throw new IllegalArgumentException("the rate must be above 0 and at most " + (int) MAX_RATE + " requests/s, got " + rate);
        }
        if (requests / rate > MAX_LOAD.toSeconds()) {
            throw new IllegalArgumentException(requests + " requests at " + rate + "/s would take longer than the limit of "
                    + MAX_LOAD.toMinutes() + " minutes; send fewer or faster");
        }
        if (!(errorRate >= 0 && errorRate <= 1)) {
            throw new IllegalArgumentException("an error rate is a fraction in [0, 1], got " + errorRate);
        }
        // Checked here, not only when the chain starts: a bad fault must not cost a warm-up run first.
        ChainSettings.requireServicesExist(faults, hops);
        faults = List.copyOf(faults);
    }

    /** A plain experiment: 1 s rpc timeout, no other policies, 5 s db entry timeout, 10 ms polls, 60 s drain limit. */
    public static ExperimentSpec of(Mode mode, int hops, int requests, double rate) {
        return new ExperimentSpec(mode, hops, requests, rate, 0, List.of(), 1, RpcPolicies.PLAIN,
                Duration.ofSeconds(5), Duration.ofMillis(10), Duration.ofSeconds(60), Duration.ofSeconds(5));
    }

    public ExperimentSpec withMode(Mode m) {
        return new ExperimentSpec(m, hops, requests, rate, errorRate, faults, seed, rpc, entryTimeout, pollInterval, drainLimit, warmup);
    }

    public ExperimentSpec withErrorRate(double p) {
        return new ExperimentSpec(mode, hops, requests, rate, p, faults, seed, rpc, entryTimeout, pollInterval, drainLimit, warmup);
    }

    public ExperimentSpec withFaults(List<ScheduledFault> more) {
        return new ExperimentSpec(mode, hops, requests, rate, errorRate, more, seed, rpc, entryTimeout, pollInterval, drainLimit, warmup);
    }

    public ExperimentSpec withSeed(long s) {
        return new ExperimentSpec(mode, hops, requests, rate, errorRate, faults, s, rpc, entryTimeout, pollInterval, drainLimit, warmup);
    }

    public ExperimentSpec withRpc(RpcPolicies policies) {
        return new ExperimentSpec(mode, hops, requests, rate, errorRate, faults, seed, policies, entryTimeout, pollInterval, drainLimit, warmup);
    }

    public ExperimentSpec withEntryTimeout(Duration timeout) {
        return new ExperimentSpec(mode, hops, requests, rate, errorRate, faults, seed, rpc, timeout, pollInterval, drainLimit, warmup);
    }

    public ExperimentSpec withDrainLimit(Duration limit) {
        return new ExperimentSpec(mode, hops, requests, rate, errorRate, faults, seed, rpc, entryTimeout, pollInterval, limit, warmup);
    }

    public ExperimentSpec withRequests(int n) {
        return new ExperimentSpec(mode, hops, n, rate, errorRate, faults, seed, rpc, entryTimeout, pollInterval, drainLimit, warmup);
    }

    public ExperimentSpec withWarmup(Duration w) {
        return new ExperimentSpec(mode, hops, requests, rate, errorRate, faults, seed, rpc, entryTimeout, pollInterval, drainLimit, w);
    }

    /** Every fault of the run: {@code --error-rate} on each hop, then the others. */
    public List<ScheduledFault> allFaults() {
        List<ScheduledFault> all = new ArrayList<>();
        if (errorRate > 0) {
            all.add(ScheduledFault.parse("*:error-rate=" + errorRate));
        }
        all.addAll(faults);
        return all;
    }

    /** The faults as people wrote them, for the report. */
    public List<String> faultDescriptions() {
        return allFaults().stream().map(ScheduledFault::toString).toList();
    }
}
