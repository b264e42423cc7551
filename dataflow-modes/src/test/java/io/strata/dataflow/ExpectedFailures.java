package io.strata.dataflow;

import io.strata.dataflow.chain.ChainSettings;
import io.strata.dataflow.experiment.ExperimentSpec;
import io.strata.dataflow.fault.FaultInjector;
import io.strata.dataflow.fault.FaultSpec;

import java.util.List;

/**
 * Which of an experiment's requests its faults fail, worked out from the injectors alone: the
 * decisions are a hash of the seed, service, request id and attempt, so a run without retries must
 * fail exactly these requests, whatever the timing.
 */
final class ExpectedFailures {

    private ExpectedFailures() {}

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
                if (injectors.get(s).fails(faults.get(s), id, 1)) {
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
}
