package io.strata.dataflow;

import io.strata.node.NodeConfig;
import io.strata.node.StrataNode;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** A Strata node in the test's JVM, on free ports, with its data in a test directory. */
public final class EmbeddedNode implements AutoCloseable {

    private final StrataNode node;

    private EmbeddedNode(StrataNode node) {
        this.node = node;
    }

    public static EmbeddedNode start(Path dataDir) {
        return new EmbeddedNode(StrataNode.start(NodeConfig.load(Optional.empty(), Map.of(
                "strata.data-dir", dataDir.toString(),
                "strata.http.port", "0",
                "strata.cluster.port", "0",
                "pekko.loglevel", "WARNING"))));
    }

    public String base() {
        return "http://127.0.0.1:" + node.httpPort();
    }

    @Override
    public void close() {
        node.close();
    }
}
