package io.strata.dataflow;

import io.strata.dataflow.experiment.Experiment;
import io.strata.dataflow.experiment.ExperimentResult;
import io.strata.dataflow.experiment.ExperimentSpec;
import io.strata.dataflow.experiment.ResultTable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The base of the tests that run against a real node: one {@link EmbeddedNode} per test class,
 * started once and closed after the class's last test, with its data in a temporary directory.
 */
abstract class NodeTest {

    /** Short: surefire runs every class in one JVM, so only the first run of the build pays for the JIT. */
    static final Duration WARMUP = Duration.ofSeconds(1);

    @TempDir
    static Path dataDir;

    static EmbeddedNode node;

    @BeforeAll
    static void startNode() {
        node = EmbeddedNode.start(dataDir);
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
            node = null;
        }
    }

    /** Runs {@code spec} against the node after a short warm-up, and prints what it measured for the test's output. */
    static ExperimentResult run(ExperimentSpec spec) throws InterruptedException {
        ExperimentResult result = new Experiment(node.base(), System.out::println).run(spec.withWarmup(WARMUP));
        ResultTable.print(new PrintWriter(System.out, true), result);
        System.out.println("failures by kind: " + result.failuresByKind() + ", latency: " + result.latencyMs());
        return result;
    }
}
