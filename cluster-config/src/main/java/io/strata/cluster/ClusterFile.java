package io.strata.cluster;

import io.strata.node.cluster.ClusterSpec;

import java.io.PrintWriter;
import java.nio.file.Path;

/** Reading the cluster file every {@code cluster} subcommand takes; exit code 2 when it is unusable. */
final class ClusterFile {

    static final int BAD_FILE = 2;

    private ClusterFile() {}

    /** The parsed file, or null after printing {@code strata cluster: <what is wrong>} to {@code err}. */
    static ClusterSpec parse(Path file, PrintWriter err) {
        try {
            return ClusterSpec.parse(file);
        } catch (IllegalArgumentException e) {
            err.println("strata cluster: " + e.getMessage());
            err.flush();
            return null;
        }
    }
}
