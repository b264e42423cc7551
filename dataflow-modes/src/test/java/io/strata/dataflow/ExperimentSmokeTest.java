package io.strata.dataflow;

import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.experiment.Experiment;
import io.strata.dataflow.experiment.ExperimentResult;
import io.strata.dataflow.experiment.ExperimentSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class ExperimentSmokeTest {

    @TempDir
    Path dir;

    @Test
    void allModes() throws Exception {
        try (EmbeddedNode node = EmbeddedNode.start(dir)) {
            Experiment experiment = new Experiment(node.base(), System.out::println);
            for (String m : System.getProperty("modes", "db,rpc,bus").split(",")) {
                ExperimentResult r = experiment.run(ExperimentSpec.of(Mode.parse(m), Integer.getInteger("hops", 4),
                        Integer.getInteger("n", 2000), Integer.getInteger("rate", 400)).withErrorRate(0.01));
                io.strata.dataflow.experiment.ResultTable.print(new java.io.PrintWriter(System.out, true), r);
                r.timeline().forEach(p -> System.out.printf("t=%d sent=%d ok=%d failed=%d p99=%.0f lag=%s%n", p.tMs(), p.sent(), p.succeeded(), p.failed(), p.p99Ms(), p.lag()));
            }
        }
    }
}
