package io.strata.cluster;

import io.strata.node.cluster.ClusterSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code ./strata cluster down FILE}: stops the nodes of the file that run on this machine, by the
 * PIDs in their PID files. All get SIGTERM at once (each leaves the cluster gracefully, which takes
 * a few seconds), then the command waits for them. A PID file whose process is gone or is not that
 * node is removed without signalling anything.
 */
@Command(name = "down", mixinStandardHelpOptions = true,
        description = {"Stop the nodes of FILE that run on this machine.",
                "SIGTERM by the PIDs in their <data-dir>/node.pid (each node leaves the cluster",
                "gracefully), then the PID files are removed. A stale PID file is only removed."})
final class ClusterDownCommand implements Callable<Integer> {

    private static final long STOP_TIMEOUT_SECONDS = 30;

    @Parameters(index = "0", paramLabel = "FILE", description = "The cluster file, such as cluster-config/local-3.conf.")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ClusterSpec cluster = ClusterFile.parse(file, err);
        if (cluster == null) {
            return ClusterFile.BAD_FILE;
        }
        Map<ClusterSpec.Node, ProcessHandle> stopping = new LinkedHashMap<>();
        for (ClusterSpec.Node node : cluster.nodes()) {
            if (!LocalNodes.isLocal(node.host())) {
                out.println("node " + node.name() + " is on " + node.host() + ": stop it there");
                continue;
            }
            Optional<Long> pid = LocalNodes.recordedPid(node);
            if (pid.isEmpty()) {
                out.println("node " + node.name() + " not running (no " + LocalNodes.pidFile(node) + ")");
                continue;
            }
            Optional<ProcessHandle> process = LocalNodes.running(node);
            if (process.isEmpty()) {
                out.println("node " + node.name() + " not running: removed stale " + LocalNodes.pidFile(node)
                        + " (pid " + pid.get() + " is gone or is not this node)");
                LocalNodes.removePidFile(node);
                continue;
            }
            stopping.put(node, process.get());
        }
        List<ProcessHandle> alive = LocalNodes.terminate(new ArrayList<>(stopping.values()), STOP_TIMEOUT_SECONDS);
        int exit = 0;
        for (Map.Entry<ClusterSpec.Node, ProcessHandle> e : stopping.entrySet()) {
            ClusterSpec.Node node = e.getKey();
            long pid = e.getValue().pid();
            if (alive.contains(e.getValue())) {
                err.println("strata cluster: node " + node.name() + " (pid " + pid + ") did not stop within "
                        + STOP_TIMEOUT_SECONDS + " s of SIGTERM; its PID file is kept (kill -9 " + pid + " to force it)");
                exit = 1;
            } else {
                LocalNodes.removePidFile(node);
                out.println("node " + node.name() + " stopped (pid " + pid + ")");
            }
        }
        out.flush();
        err.flush();
        return exit;
    }
}
