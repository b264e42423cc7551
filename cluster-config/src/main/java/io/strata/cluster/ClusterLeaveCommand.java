package io.strata.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.strata.node.cluster.ClusterSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./strata cluster leave FILE NODE}: tells one node to leave the cluster gracefully
 * ({@code POST /cluster/leave}): it hands every partition it homes over to the other Up data nodes,
 * which pull their files, then stops. The command waits until the node's process is gone (a node
 * of this machine: by the PID in its PID file, which it then removes; a node of another host:
 * until its gateway stops answering), then prints where the partitions live now, as another node
 * sees it.
 *
 * <p>Exit codes: 0 when the node left with every partition handed over; 1 when it is not running,
 * does not answer, refuses (the last data node, say), does not stop in time or left partitions
 * behind; 2 for an unusable file or a node name the file does not have.
 */
@Command(name = "leave", mixinStandardHelpOptions = true,
        description = {"Make node NAME of FILE leave the cluster gracefully.",
                "It hands every partition it homes over to the other Up data nodes, then stops;",
                "the command waits until its process is gone and shows where the partitions are now."})
final class ClusterLeaveCommand implements Callable<Integer> {

    private static final String HANDOVER_TIMEOUT = "strata.cluster.handover-timeout";
    /** Beyond the handover: the node's coordinated shutdown (leaving the cluster, unbinding, closing logs). */
    private static final Duration STOP_MARGIN = Duration.ofSeconds(30);
    /** How long the placement other nodes see may lag behind the one the leaving node saw settle. */
    private static final Duration PLACEMENT_SETTLE = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 250;

    @Parameters(index = "0", paramLabel = "FILE", description = "The cluster file, such as cluster-config/local-3.conf.")
    Path file;

    @Parameters(index = "1", paramLabel = "NODE", description = "The name of the node that leaves, such as n3.")
    String nodeName;

    @Option(names = "--timeout", paramLabel = "SECONDS",
            description = "How long to wait for the node to hand over and stop"
                    + " (default: its " + HANDOVER_TIMEOUT + " + 30 s).")
    Long timeoutSeconds;

    @Spec
    CommandSpec spec;

    private PrintWriter out;
    private PrintWriter err;

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        try {
            return leave();
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int leave() {
        ClusterSpec cluster = ClusterFile.parse(file, err);
        if (cluster == null) {
            return ClusterFile.BAD_FILE;
        }
        ClusterSpec.Node node;
        try {
            node = cluster.node(nodeName);
        } catch (IllegalArgumentException e) {
            err.println("strata cluster: " + e.getMessage());
            return ClusterFile.BAD_FILE;
        }
        ClusterHttp http = ClusterHttp.of(cluster);
        boolean local = LocalNodes.isLocal(node.host());
        Optional<ProcessHandle> process = local ? LocalNodes.running(node) : Optional.empty();
        if (http.health(node.httpBase()).isEmpty()) {
            return fail(process.map(p -> "node " + node.name() + " (pid " + p.pid() + ") does not answer on " + node.httpBase()
                            + "; is it still starting? see " + LocalNodes.logFile(node))
                    .orElse(local ? "node " + node.name() + " is not running (" + pidFileState(node) + "; nothing answers on "
                            + node.httpBase() + ")" : "node " + node.name() + " does not answer on " + node.httpBase()));
        }

        Optional<HttpResponse<String>> answer = http.leave(node.httpBase());
        if (answer.isEmpty()) {
            return fail("node " + node.name() + " did not answer POST " + node.httpBase() + "/cluster/leave");
        }
        JsonNode body = ClusterHttp.parse(answer.get().body()).orElse(null);
        if (answer.get().statusCode() != 202 || body == null) {
            return fail("node " + node.name() + " refuses to leave: " + refusal(answer.get(), body));
        }
        int announced = body.path("partitions").asInt();
        Duration timeout = timeout(cluster);
        out.println("node " + node.name() + " leaving: handing " + announced + " partitions over to the other data nodes,"
                + " then stopping (waiting up to " + timeout.toSeconds() + " s)");
        out.flush();

        boolean gone = process.isPresent() ? exited(process.get(), timeout) : stopsAnswering(http, node, timeout);
        if (!gone) {
            return fail("node " + node.name() + process.map(p -> " (pid " + p.pid() + ")").orElse("") + " has not stopped within "
                    + timeout.toSeconds() + " s; it may still be handing partitions over"
                    + (local ? ": see " + LocalNodes.logFile(node) : ""));
        }
        if (process.isPresent() && LocalNodes.recordedPid(node).filter(pid -> pid == process.get().pid()).isPresent()) {
            LocalNodes.removePidFile(node);
        }

        Optional<ClusterState> after = settledPlacement(cluster, http, node.name());
        if (after.isEmpty()) {
            out.println("node " + node.name() + " left" + process.map(p -> " (pid " + p.pid() + ")").orElse("")
                    + "; no other node answers GET /cluster, so where its " + announced + " partitions went is unknown");
            return 1;
        }
        int behind = after.get().partitionsOn(node.name());
        out.println("node " + node.name() + " left" + process.map(p -> " (pid " + p.pid() + ")").orElse("") + ": "
                + (announced - behind) + " partitions handed over");
        out.println();
        ClusterStatusCommand.printPartitions(out, after.get());
        if (behind > 0) {
            err.println("strata cluster: " + behind + " partitions were not handed over: they stay on " + node.name()
                    + "'s disk, unavailable until it returns (./strata cluster up " + file + ")");
            return 1;
        }
        return 0;
    }

    private int fail(String message) {
        err.println("strata cluster: " + message);
        return 1;
    }

    private static String pidFileState(ClusterSpec.Node node) {
        return LocalNodes.recordedPid(node).map(pid -> "stale " + LocalNodes.pidFile(node) + ": pid " + pid + " is gone or is not this node")
                .orElse("no " + LocalNodes.pidFile(node));
    }

    private static String refusal(HttpResponse<String> answer, JsonNode body) {
        if (answer.statusCode() == 401) {
            return "401, it needs a token: set strata.http.auth-token in the settings of the cluster file";
        }
        JsonNode error = body == null ? null : body.path("error");
        if (error != null && error.has("message")) {
            return error.path("message").asText() + " (" + answer.statusCode() + " " + error.path("code").asText() + ")";
        }
        return answer.statusCode() + " " + answer.body();
    }

    /** {@code --timeout}, or the node's handover timeout (its file's settings over the defaults) and the margin to stop. */
    private Duration timeout(ClusterSpec cluster) {
        if (timeoutSeconds != null) {
            return Duration.ofSeconds(timeoutSeconds);
        }
        return cluster.nodeLayer(nodeName).withFallback(ConfigFactory.defaultReference())
                .getDuration(HANDOVER_TIMEOUT).plus(STOP_MARGIN);
    }

    private static boolean exited(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception timedOut) {
            // Reported by the caller.
        }
        return !process.isAlive();
    }

    private static boolean stopsAnswering(ClusterHttp http, ClusterSpec.Node node, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (http.health(node.httpBase()).isPresent()) {
            if (System.nanoTime() > deadline || !pause()) {
                return false;
            }
        }
        return true;
    }

    /**
     * What the first other node that answers says of the cluster, once it sees no partition on the
     * node that left and none moving (or after {@link #PLACEMENT_SETTLE}, as it is then).
     */
    private static Optional<ClusterState> settledPlacement(ClusterSpec cluster, ClusterHttp http, String left) {
        long deadline = System.nanoTime() + PLACEMENT_SETTLE.toNanos();
        Optional<ClusterState> seen = Optional.empty();
        while (true) {
            for (ClusterSpec.Node other : cluster.nodes()) {
                if (!other.name().equals(left)) {
                    seen = http.cluster(other.httpBase()).map(ClusterState::of);
                    if (seen.isPresent()) {
                        break;
                    }
                }
            }
            boolean settled = seen.map(s -> s.partitionsOn(left) == 0 && s.moving().isEmpty()).orElse(false);
            if (settled || System.nanoTime() > deadline || !pause()) {
                return seen;
            }
        }
    }

    /** Waits a poll interval; false when interrupted. */
    private static boolean pause() {
        try {
            Thread.sleep(POLL_MILLIS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
