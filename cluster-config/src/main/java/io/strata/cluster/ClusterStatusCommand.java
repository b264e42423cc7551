package io.strata.cluster;

import io.strata.node.cluster.ClusterSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code ./strata cluster status FILE}: each node of the file (its PID and whether that process is
 * alive, for nodes of this machine; whether its HTTP gateway answers; its member status), then what
 * the first node that answers says of the cluster: members and whether it reaches them, leader, how
 * many partitions of each kind each node homes, and the moves in progress. A node killed or cut off
 * shows as unreachable (then, once the split-brain resolver has downed it, as not a member) while
 * the others answer. Exit code 0 when every node of the file is an Up member that the answering
 * node reaches, 1 otherwise.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the nodes of FILE, the cluster's members, leader, partitions by node and moves.",
                "Per node: its PID and process (nodes of this machine), whether HTTP answers,",
                "its member status. Exit code 0 when every node is Up and reachable, 1 otherwise."})
final class ClusterStatusCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The cluster file, such as cluster-config/local-3.conf.")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ClusterSpec cluster = ClusterFile.parse(file, spec.commandLine().getErr());
        if (cluster == null) {
            return ClusterFile.BAD_FILE;
        }
        ClusterHttp http = ClusterHttp.of(cluster);
        List<String[]> health = new ArrayList<>();
        ClusterState state = null;
        String stateFrom = null;
        for (ClusterSpec.Node node : cluster.nodes()) {
            Optional<Integer> code = http.health(node.httpBase());
            if (state == null && code.isPresent()) {
                state = http.cluster(node.httpBase()).map(ClusterState::of).orElse(null);
                stateFrom = state == null ? null : node.name();
            }
            health.add(new String[] {node.name(), node.httpBase(), pid(node), process(node),
                    code.map(c -> "reachable (" + c + ")").orElse("unreachable"), ""});
        }
        List<String> notUp = new ArrayList<>();
        for (int i = 0; i < cluster.nodes().size(); i++) {
            String name = cluster.nodes().get(i).name();
            String member = state == null ? "unknown" : state.member(name).map(ClusterState.Member::describe).orElse("not a member");
            if (state == null || !state.isUp(name)) {
                notUp.add(name + " (" + member + ")");
            }
            health.get(i)[5] = member;
        }
        out.println("Cluster " + cluster.name() + " (" + cluster.file() + ")");
        out.println();
        printTable(out, new String[] {"NODE", "HTTP", "PID", "PROCESS", "HTTP STATUS", "MEMBER"}, health);
        out.println();
        if (state == null) {
            out.println("No node answers GET /cluster: the cluster is down or unreachable from here.");
        } else {
            out.println("Members (as node " + stateFrom + " sees them):");
            List<String[]> members = new ArrayList<>();
            for (ClusterState.Member m : state.members()) {
                members.add(new String[] {m.node() == null ? "?" : m.node(), m.address(), m.status(), m.reachable() ? "yes" : "no",
                        String.join(",", m.roles())});
            }
            printTable(out, new String[] {"NODE", "ADDRESS", "STATUS", "REACHABLE", "ROLES"}, members);
            out.println();
            out.println("Leader: " + (state.leader() == null ? "none" : state.nodeAt(state.leader()) + " (" + state.leader() + ")"));
            out.println();
            printPartitions(out, state);
        }
        out.println();
        int total = cluster.nodes().size();
        if (notUp.isEmpty()) {
            out.println("All " + total + " nodes are Up.");
        } else {
            out.println((total - notUp.size()) + " of " + total + " nodes are Up; not Up: " + String.join(", ", notUp)
                    + ". A node's partitions are unavailable until it is Up again.");
        }
        out.flush();
        return notUp.isEmpty() ? 0 : 1;
    }

    private static String pid(ClusterSpec.Node node) {
        if (!LocalNodes.isLocal(node.host())) {
            return "-";
        }
        return LocalNodes.recordedPid(node).map(String::valueOf).orElse("-");
    }

    private static String process(ClusterSpec.Node node) {
        if (!LocalNodes.isLocal(node.host())) {
            return "on " + node.host();
        }
        if (LocalNodes.recordedPid(node).isEmpty()) {
            return "no pid file";
        }
        return LocalNodes.running(node).isPresent() ? "alive" : "not running (stale pid file)";
    }

    /** The table of partitions by node (a column per kind, and their total), then the moves in progress. */
    static void printPartitions(PrintWriter out, ClusterState state) {
        out.println("Partitions by node:");
        Set<String> kinds = new TreeSet<>();
        state.partitionsByNode().values().forEach(byKind -> kinds.addAll(byKind.keySet()));
        if (kinds.isEmpty()) {
            out.println("  (none yet: a partition is placed when it is first used)");
        } else {
            List<String> header = new ArrayList<>(List.of("NODE"));
            kinds.forEach(kind -> header.add(kind.toUpperCase(Locale.ROOT)));
            header.add("TOTAL");
            List<String[]> rows = new ArrayList<>();
            state.partitionsByNode().forEach((node, byKind) -> {
                List<String> row = new ArrayList<>(List.of(node));
                kinds.forEach(kind -> row.add(Integer.toString(byKind.getOrDefault(kind, 0))));
                row.add(Integer.toString(state.partitionsOn(node)));
                rows.add(row.toArray(String[]::new));
            });
            printTable(out, header.toArray(String[]::new), rows);
        }
        out.println();
        if (state.moving().isEmpty()) {
            out.println("Moves in progress: none");
        } else {
            out.println("Moves in progress (" + state.moving().size() + "):");
            state.moving().forEach(move -> out.println("  " + move));
        }
    }

    static void printTable(PrintWriter out, String[] header, List<String[]> rows) {
        int[] widths = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            widths[i] = header[i].length();
            for (String[] row : rows) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        printRow(out, header, widths);
        rows.forEach(row -> printRow(out, row, widths));
    }

    private static void printRow(PrintWriter out, String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder("  ");
        for (int i = 0; i < cells.length; i++) {
            line.append(i == cells.length - 1 ? cells[i] : String.format("%-" + (widths[i] + 2) + "s", cells[i]));
        }
        out.println(line.toString().stripTrailing());
    }
}
