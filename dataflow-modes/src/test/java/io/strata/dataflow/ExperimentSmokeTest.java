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
            for (Mode mode : Mode.values()) {
                ExperimentResult r = experiment.run(ExperimentSpec.of(mode, 4, 2000, 400).withErrorRate(0.01));
                System.out.println(io.strata.node.http.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(r).substring(0, 900));
            }
        }
    }
}
