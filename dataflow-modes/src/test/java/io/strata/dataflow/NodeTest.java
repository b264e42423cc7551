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

    /**
     * The first run in the JVM warms up long enough for the JIT to compile the hot paths (a cold
     * chain falls seconds behind its load on two cores); surefire runs every class in one JVM, so
     * later runs only need a short warm-up for their new node and connections.
     */
    private static final Duration FIRST_WARMUP = Duration.ofSeconds(5);
    private static final Duration WARMUP = Duration.ofSeconds(1);
    private static boolean jvmWarm;

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
        ExperimentResult result = new Experiment(node.base(), System.out::println).run(spec.withWarmup(jvmWarm ? WARMUP : FIRST_WARMUP));
        jvmWarm = true;
        ResultTable.print(new PrintWriter(System.out, true), result);
        System.out.println("failures by kind: " + result.failuresByKind() + ", latency: " + result.latencyMs());
        result.timeline().forEach(p -> System.out.printf("t=%dms sent=%d ok=%d failed=%d p99=%.0fms lag=%s%n",
                p.tMs(), p.sent(), p.succeeded(), p.failed(), p.p99Ms(), p.lag()));
        return result;
    }
}
