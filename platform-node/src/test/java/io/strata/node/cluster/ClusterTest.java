package io.strata.node.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A test of nodes n1, n2, n3 of a cluster file, each a child JVM ({@link TestCluster}), all stopped after each test. */
abstract class ClusterTest {

    static final List<String> NODES = List.of("n1", "n2", "n3");

    @TempDir
    Path dir;

    TestCluster cluster;

    /** Writes the cluster file called {@code name}; starts no node. */
    TestCluster createCluster(String name) throws IOException {
        cluster = TestCluster.create(dir, name, NODES);
        return cluster;
    }

    @AfterEach
    void stopNodes() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
