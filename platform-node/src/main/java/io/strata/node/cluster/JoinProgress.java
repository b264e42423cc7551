package io.strata.node.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The line a node that waits to join its cluster logs every few seconds: how long it has waited,
 * the seed nodes it is trying (by name when it was started from a cluster file) and what to start.
 */
public final class JoinProgress {

    private JoinProgress() {}

    /**
     * @param waited      how long the node has been waiting
     * @param clusterName the cluster file's name, empty for seeds given by {@code pekko.cluster.seed-nodes} alone
     * @param nodeName    this node's name in the file
     * @param clusterFile the cluster file as given on the command line, empty without one
     * @param seeds       the seed addresses ({@code pekko.cluster.seed-nodes})
     * @param self        this node's own cluster address, which is not one to wait for
     */
    public static String waiting(Duration waited, String clusterName, String nodeName, String clusterFile, List<String> seeds,
                                 String self) {
        List<String> others = seeds.stream().filter(seed -> !seed.equals(self)).toList();
        Map<String, String> names = clusterFile.isEmpty() ? Map.of() : namesByAddress(clusterFile);
        List<String> tried = new ArrayList<>();
        String firstName = null;
        for (String seed : others) {
            String name = names.get(seed);
            tried.add(name == null ? seed : name + " at " + seed);
            firstName = firstName == null ? name : firstName;
        }
        String who = clusterName.isEmpty() ? "the cluster" : "cluster " + clusterName + (nodeName.isEmpty() ? "" : " as node " + nodeName);
        String start = firstName == null
                ? "start a node at one of them, or fix pekko.cluster.seed-nodes"
                : "start one of them, such as ./strata up --config " + clusterFile + " --node " + firstName
                        + " (or every node of the file: ./strata cluster up " + clusterFile + ")";
        return "waiting to join " + who + " for " + waited.toSeconds() + " s: no seed node has let it in yet; trying "
                + String.join(", ", tried) + "; " + start;
    }

    /** Node names by cluster address, from the cluster file; empty when it cannot be read any more. */
    private static Map<String, String> namesByAddress(String clusterFile) {
        try {
            return ClusterSpec.parse(Path.of(clusterFile)).nodes().stream()
                    .collect(Collectors.toMap(ClusterSpec.Node::clusterAddress, ClusterSpec.Node::name, (a, b) -> a));
        } catch (RuntimeException unreadable) {
            return Map.of();
        }
    }
}
