package io.strata.dataflow.cli;

import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.chain.RpcPolicies;
import io.strata.dataflow.experiment.ExperimentSpec;
import io.strata.dataflow.fault.Durations;
import io.strata.dataflow.fault.ScheduledFault;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The options that describe an experiment, shared by {@code ./strata experiment} and the lab's
 * {@code POST /experiments} (whose JSON fields are these options' names), so both accept and
 * refuse exactly the same things with the same messages.
 */
public final class ExperimentOptions {

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "rpc",
            description = "db, rpc or bus (default: ${DEFAULT-VALUE}); --compare runs all three")
    String mode;

    @Option(names = "--compare", description = "Run db, rpc and bus with the same faults and print them side by side")
    boolean compare;

    @Option(names = "--hops", paramLabel = "N", defaultValue = "4", description = "Services in the chain, 1 to 8 (default: ${DEFAULT-VALUE})")
    int hops;

    @Option(names = "--requests", paramLabel = "N", defaultValue = "2000", description = "Requests to send (default: ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--rate", paramLabel = "PER_S", defaultValue = "200", description = "Requests per second, sent on schedule (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--error-rate", paramLabel = "P", defaultValue = "0", description = "Fraction of requests every hop fails, in [0, 1]")
    double errorRate;

    @Option(names = "--fault", paramLabel = "SERVICE:KIND=VALUE[@START]",
            description = {"A fault (repeatable): error-rate=P, latency=50ms | 50ms+20ms | lognormal:MEDIAN:P99,",
                    "down=10s | forever, capacity=PER_S, store-latency=20ms; @START delays it. E.g. C:down=10s@5s"})
    List<String> faults = new ArrayList<>();

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the fault injection (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "1s", description = "rpc: timeout of each call to the next hop (default: ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "0", description = "rpc: retries of a failed call, with exponential backoff")
    int retries;

    @Option(names = "--backoff", paramLabel = "DURATION", defaultValue = "20ms", description = "rpc: the first retry's backoff (default: ${DEFAULT-VALUE})")
    String backoff;

    @Option(names = "--retry-budget", paramLabel = "FRACTION", defaultValue = "0.1",
            description = "rpc: retries allowed as a fraction of calls (default: ${DEFAULT-VALUE})")
    double retryBudget;

    @Option(names = "--breaker", description = "rpc: a circuit breaker on each call to the next hop")
    boolean breaker;

    @Option(names = "--breaker-failures", paramLabel = "N", defaultValue = "5", description = "rpc: failures in a row that open the breaker (default: ${DEFAULT-VALUE})")
    int breakerFailures;

    @Option(names = "--breaker-reset", paramLabel = "DURATION", defaultValue = "1s", description = "rpc: how long the breaker stays open (default: ${DEFAULT-VALUE})")
    String breakerReset;

    @Option(names = "--bulkhead", paramLabel = "N", defaultValue = "0", description = "rpc: most calls in flight to the next hop (0: no limit)")
    int bulkhead;

    @Option(names = "--entry-timeout", paramLabel = "DURATION", defaultValue = "5s", description = "db: how long the entry waits for the result (default: ${DEFAULT-VALUE})")
    String entryTimeout;

    @Option(names = "--poll-interval", paramLabel = "DURATION", defaultValue = "10ms", description = "db and bus: pause between polls when idle (default: ${DEFAULT-VALUE})")
    String pollInterval;

    @Option(names = "--drain-limit", paramLabel = "DURATION", defaultValue = "60s", description = "db and bus: longest wait for the backlog to drain (default: ${DEFAULT-VALUE})")
    String drainLimit;

    @Option(names = "--processes", description = "Run every service in a JVM of its own (default: all in this JVM)")
    boolean processes;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "5s", description = "A fault-free warm-up run before each measured one (default: ${DEFAULT-VALUE}; 0s: none)")
    String warmup;

    /** The experiments these options describe: one, or one per mode with {@code --compare}. Bad values are an {@link IllegalArgumentException}. */
    public List<ExperimentSpec> specs() {
        List<ScheduledFault> parsed = faults.stream().map(ScheduledFault::parse).toList();
        RpcPolicies rpc = RpcPolicies.PLAIN.withTimeout(Durations.parse("--timeout", timeout))
                .withRetries(retries, Durations.parse("--backoff", backoff), retryBudget)
                .withBreaker(breaker, breakerFailures, Durations.parse("--breaker-reset", breakerReset))
                .withBulkhead(bulkhead);
        List<Mode> modes = compare ? List.of(Mode.DB, Mode.RPC, Mode.BUS) : List.of(Mode.parse(mode));
        List<ExperimentSpec> specs = new ArrayList<>();
        for (Mode m : modes) {
            ExperimentSpec spec = new ExperimentSpec(m, hops, requests, rate, errorRate, parsed, seed, rpc,
                    Durations.parse("--entry-timeout", entryTimeout), Durations.parse("--poll-interval", pollInterval),
                    Durations.parse("--drain-limit", drainLimit), Durations.parse("--warmup", warmup));
            specs.add(spec);
        }
        return specs;
    }

}
