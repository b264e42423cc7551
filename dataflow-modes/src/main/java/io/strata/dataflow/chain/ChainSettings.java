package io.strata.dataflow.chain;

import io.strata.dataflow.fault.Durations;
import io.strata.dataflow.fault.ScheduledFault;

import java.time.Duration;
import java.util.List;

/**
 * What a chain of services is: its mode and length, the node it uses, its faults and policies.
 *
 * @param runId        names this chain's keys, topics and groups in the node, so runs never mix
 * @param mode         how the services hand work on
 * @param hops         the number of services, 1 to {@link #MAX_HOPS}
 * @param nodeBase     the Strata node's HTTP address
 * @param seed         the fault injection's seed
 * @param faults       the faults of the run, timed from its start
 * @param rpc          rpc mode: how each service calls the next
 * @param entryTimeout db mode: how long the entry waits for the result to appear in the store
 * @param pollInterval db and bus modes: how often an idle service looks for new work
 */
public record ChainSettings(String runId, Mode mode, int hops, String nodeBase, long seed, List<ScheduledFault> faults,
                            RpcPolicies rpc, Duration entryTimeout, Duration pollInterval) {

    public static final int MAX_HOPS = 8;

    public ChainSettings {
        if (hops < 1 || hops > MAX_HOPS) {
            throw new IllegalArgumentException("hops must be between 1 and " + MAX_HOPS + ", got " + hops);
        }
        requireServicesExist(faults, hops);
        faults = List.copyOf(faults);
    }

    /** Refuses, with an {@link IllegalArgumentException}, a fault that names a service a chain of {@code hops} does not have. */
    public static void requireServicesExist(List<ScheduledFault> faults, int hops) {
        for (ScheduledFault fault : faults) {
            int index = serviceIndex(fault.service());
            if (!fault.service().equals("*") && (index < 0 || index >= hops)) {
                throw new IllegalArgumentException("fault " + fault + " names service " + fault.service()
                        + ", but a chain of " + hops + " hops has services " + serviceName(0) + " to " + serviceName(hops - 1));
            }
        }
    }

    /** The name of service {@code index}: A, B, C, ... */
    public static String serviceName(int index) {
        return String.valueOf((char) ('A' + index));
    }

    /** The index of the service named {@code name}, or -1 when no chain has one. */
    public static int serviceIndex(String name) {
        return name.length() == 1 && name.charAt(0) >= 'A' && name.charAt(0) < 'A' + MAX_HOPS ? name.charAt(0) - 'A' : -1;
    }

    /**
     * These settings as {@code ./strata service} options, for starting one service of the chain
     * in a process of its own.
     */
    public List<String> serviceArgs() {
        List<String> args = new java.util.ArrayList<>(List.of("--mode", mode.cliName(), "--hops", Integer.toString(hops),
                "--seed", Long.toString(seed), "--run", runId, "--node", nodeBase,
                "--timeout", Durations.format(rpc.timeout()), "--retries", Integer.toString(rpc.retries()),
                "--backoff", Durations.format(rpc.backoff()), "--retry-budget", Double.toString(rpc.retryBudget()),
                "--breaker-failures", Integer.toString(rpc.breakerFailures()), "--breaker-reset", Durations.format(rpc.breakerReset()),
                "--bulkhead", Integer.toString(rpc.bulkhead()), "--entry-timeout", Durations.format(entryTimeout),
                "--poll-interval", Durations.format(pollInterval)));
        if (rpc.breaker()) {
            args.add("--breaker");
        }
        for (ScheduledFault fault : faults) {
            args.add("--fault");
            args.add(fault.toString());
        }
        return args;
    }

    /** The services' names, in order. */
    public List<String> serviceNames() {
        return java.util.stream.IntStream.range(0, hops).mapToObj(ChainSettings::serviceName).toList();
    }
}
