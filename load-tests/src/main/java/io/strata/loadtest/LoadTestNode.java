package io.strata.loadtest;

import io.strata.node.NodeConfig;
import io.strata.node.StrataNode;
import io.strata.node.storage.Directories;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The node a load test runs against: one named by its URL, or a fresh node in this JVM on free
 * loopback ports with its data in a temporary directory, both stopped and deleted on close.
 */
public final class LoadTestNode implements AutoCloseable {

    private final String base;
    private final StrataNode node;
    private final Path dir;

    private LoadTestNode(String base, StrataNode node, Path dir) {
        this.base = base;
        this.node = node;
        this.dir = dir;
    }

    /** The node at {@code url}, which stays up after {@link #close}. */
    public static LoadTestNode existing(String url) {
        return new LoadTestNode(url, null, null);
    }

    /** A fresh node in this JVM. */
    public static LoadTestNode fresh() throws IOException {
        Path dir = Files.createTempDirectory("strata-loadtest-");
        try {
            StrataNode node = StrataNode.start(NodeConfig.load(Optional.empty(), Map.of(
                    "strata.data-dir", dir.resolve("data").toString(),
                    "strata.http.port", "0",
                    "strata.cluster.port", "0",
                    "pekko.loglevel", "WARNING")));
            return new LoadTestNode("http://127.0.0.1:" + node.httpPort(), node, dir);
        } catch (RuntimeException e) {
            Directories.deleteTree(dir);
            throw e;
        }
    }

    /** The node's HTTP address. */
    public String base() {
        return base;
    }

    @Override
    public void close() {
        if (node != null) {
            node.close();
            Directories.deleteTree(dir);
        }
    }
}
