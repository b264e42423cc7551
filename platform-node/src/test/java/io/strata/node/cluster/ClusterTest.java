package io.strata.node.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A test of nodes n1, n2, n3 of a cluster file, each a child JVM ({@link TestCluster}), all stopped after each test. */
abstract class ClusterTest {

    static final List<String> NODES = List.of("n1", "n2", "n3");

    private static final int LOG_LINES_ON_FAILURE = 40;

    @TempDir
    Path dir;

    TestCluster cluster;

    /**
     * When a test fails, the end of each node's log goes with the failure: the logs live in the
     * test's temporary directory, which is gone by the time anyone reads the report.
     */
    @RegisterExtension
    final AfterTestExecutionCallback nodeLogsOnFailure = this::attachNodeLogs;

    /** Writes the cluster file called {@code name}; starts no node. */
    TestCluster createCluster(String name) throws IOException {
        return createCluster(name, false);
    }

    /** Writes the cluster file called {@code name}, each node with a Kafka door when {@code kafka}; starts no node. */
    TestCluster createCluster(String name, boolean kafka) throws IOException {
        cluster = TestCluster.create(dir, name, NODES, kafka);
        return cluster;
    }

    @AfterEach
    void stopNodes() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private void attachNodeLogs(ExtensionContext context) throws IOException {
        if (cluster == null || context.getExecutionException().isEmpty()) {
            return;
        }
        StringBuilder tails = new StringBuilder("the end of each node's log:");
        for (String node : NODES) {
            Path log = cluster.log(node);
            List<String> lines = Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList() : List.of("(no log)");
            tails.append("\n--- ").append(node).append(" ---\n")
                    .append(String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_LINES_ON_FAILURE), lines.size())));
        }
        System.out.println(tails);
        context.getExecutionException().get().addSuppressed(new AssertionError(tails.toString()));
    }
}
