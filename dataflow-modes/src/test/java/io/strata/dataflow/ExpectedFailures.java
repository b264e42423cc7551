package io.strata.dataflow;

import io.strata.dataflow.chain.ChainSettings;
import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.experiment.ExperimentResult;
import io.strata.dataflow.experiment.ExperimentSpec;
import io.strata.dataflow.fault.FaultInjector;
import io.strata.dataflow.fault.FaultSpec;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Which of an experiment's requests its faults fail, worked out from the injectors alone: the
 * decisions are a hash of the seed, service, request id and attempt, so a run without retries must
 * fail exactly these requests, whatever the timing.
 */
final class ExpectedFailures {

    private ExpectedFailures() {}

    /**
     * The attempt number a request's first try carries at service {@code index}: 1 at the entry and
     * in the db mode; in the rpc mode each hop calls the next with its own attempt times 16 plus
     * the call's (see HopClient), so a retry anywhere up the chain draws afresh below.
     */
    static long firstAttempt(Mode mode, int index) {
        long attempt = 1;
        for (int hop = 0; mode == Mode.RPC && hop < index; hop++) {
            attempt = attempt * 16 + 1;
        }
        return attempt;
    }

    /** Requests (ids 0 to n-1, first attempts, at the start of the run) that fail at {@code services}, any of them. */
    static long count(ExperimentSpec spec, List<String> services) {
        List<FaultInjector> injectors = services.stream()
                .map(name -> new FaultInjector(name, spec.seed(), spec.allFaults())).toList();
        List<FaultSpec> faults = injectors.stream().map(injector -> {
            injector.startClock(0);
            return injector.effective(0);
        }).toList();
        long failing = 0;
        for (long id = 0; id < spec.requests(); id++) {
            for (int s = 0; s < injectors.size(); s++) {
                long attempt = firstAttempt(spec.mode(), ChainSettings.serviceIndex(services.get(s)));
                if (injectors.get(s).fails(faults.get(s), id, attempt)) {
                    failing++;
                    break;
                }
            }
        }
        return failing;
    }

    /** Requests that fail at some service of the chain. */
    static long count(ExperimentSpec spec) {
        return count(spec, java.util.stream.IntStream.range(0, spec.hops()).mapToObj(ChainSettings::serviceName).toList());
    }

    /**
     * Asserts that {@code r}, a run of {@code spec} (the same error rate on every hop, no retries),
     * failed as independent per-hop failures compound: only injected faults, a failure rate inside
     * the 99% confidence interval of 1 - (1 - p)^hops, and exactly the requests the injectors pick.
     */
    static void assertCompounds(ExperimentSpec spec, ExperimentResult r) {
        double predicted = 1 - Math.pow(1 - spec.errorRate(), spec.hops());
        assertEquals(Map.of("injected_fault", r.failed()), r.failuresByKind(), "every failure is an injected fault, no timeouts");
        // A binomial proportion's 99% interval: +-2.576 sigma (at 1% on 4 hops, sigma is 0.36% for n = 3000, 0.50% for 1500).
        double sigma = Math.sqrt(predicted * (1 - predicted) / spec.requests());
        assertEquals(predicted, r.failureRate(), 2.576 * sigma, "end-to-end failure rate");
        // The decisions are seeded hashes, so the run must fail exactly the requests the injectors pick.
        assertEquals(count(spec), r.failed(), "failed requests");
        assertEquals(spec.requests(), r.succeeded() + r.failed());
    }
}
