package io.strata.node.cluster;

import io.strata.node.storage.AtomicFiles;
import io.strata.node.storage.DataLayout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which node of which cluster a data directory belongs to, kept in its {@code node-id} file: a
 * node of a cluster file writes it on its first start and refuses to start on a directory that
 * another node wrote, since its partitions' logs are that node's and would be served as its own.
 * Nodes started on their own (no cluster file) neither write nor check it.
 */
public final class NodeIdentity {

    static final String FILE = DataLayout.NODE_ID;

    private NodeIdentity() {}

    /**
     * Claims {@code dataDir} for node {@code node} of cluster {@code cluster}; an
     * {@link IllegalArgumentException} when it belongs to another node.
     */
    public static void claim(Path dataDir, String cluster, String node) {
        if (node.isEmpty()) {
            return;
        }
        String identity = cluster + "/" + node;
        Path file = dataDir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                String owner = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!owner.equals(identity)) {
                    throw new IllegalArgumentException("data directory " + dataDir + " belongs to node " + owner
                            + ", not to " + identity + "; each node of a cluster needs its own data directory");
                }
                return;
            }
            AtomicFiles.write(file, out -> out.write((identity + "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }
}
