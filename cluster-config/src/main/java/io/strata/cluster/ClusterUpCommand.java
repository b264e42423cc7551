package io.strata.cluster;

import io.strata.node.cluster.ClusterSpec;
import io.strata.node.cluster.tls.ClusterCertificates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./strata cluster up FILE}: starts every node of the file whose host is this machine, each
 * in a detached JVM that keeps running after the command returns, and waits until all of them
 * serve HTTP and are {@code Up} members of the cluster; the certificates of the nodes it starts are
 * made first where missing ({@link ClusterCertificates}). A node whose PID file names its live
 * process is left alone. If a node dies or does not come up in time, the tail of its log is
 * printed and the nodes this run started are stopped again.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Start the nodes of FILE that live on this machine and wait until all are Up.",
                "Each node runs detached: output in <data-dir>/node.log, PID in <data-dir>/node.pid.",
                "Certificates the nodes lack are made first (as ./strata cluster certs FILE does).",
                "Nodes of other hosts are listed with the command to run there."})
final class ClusterUpCommand implements Callable<Integer> {

    private static final int LOG_TAIL_LINES = 30;
    private static final long STOP_TIMEOUT_SECONDS = 30;
    private static final long POLL_MILLIS = 250;

    @Parameters(index = "0", paramLabel = "FILE", description = "The cluster file, such as cluster-config/local-3.conf.")
    Path file;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "How long to wait for the nodes to be Up (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Spec
    CommandSpec spec;

    private ClusterHttp http;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ClusterSpec cluster = ClusterFile.parse(file, err);
        if (cluster == null) {
            return ClusterFile.BAD_FILE;
        }
        http = ClusterHttp.of(cluster);
        try {
            LocalNodes.jvmFlags();
        } catch (IllegalStateException e) {
            err.println("strata cluster: " + e.getMessage());
            err.flush();
            return 1;
        }
        List<ClusterSpec.Node> local = new ArrayList<>();
        List<ClusterSpec.Node> remote = new ArrayList<>();
        for (ClusterSpec.Node node : cluster.nodes()) {
            (LocalNodes.isLocal(node.host()) ? local : remote).add(node);
        }

        // A node we would start could only fail to bind, while the HTTP checks below talked to the stranger.
        for (ClusterSpec.Node node : local) {
            if (LocalNodes.running(node).isEmpty() && http.health(node.httpBase()).isPresent()) {
                err.println("strata cluster: something already answers on " + node.httpBase() + ", but no " + LocalNodes.pidFile(node)
                        + " names a live process of node " + node.name() + "; stop it, or start the node by hand with"
                        + " ./strata up --config " + file + " --node " + node.name());
                err.flush();
                return 1;
            }
        }
        // The cluster transport admits only nodes with the cluster's certificates: make those still missing.
        ClusterCertificates certs = new ClusterCertificates(cluster, Instant.now());
        for (ClusterSpec.Node node : local) {
            if (LocalNodes.running(node).isPresent()) {
                continue;
            }
            try {
                ClusterCertificates.Outcome outcome = certs.ensure(node, false, Duration.ofDays(ClusterCertificates.NODE_VALIDITY_DAYS));
                if (outcome.made()) {
                    out.println("node " + node.name() + ": made its certificate in " + outcome.dir() + " (valid until "
                            + outcome.notAfter() + ")");
                }
            } catch (IllegalArgumentException | UncheckedIOException e) {
                err.println("strata cluster: " + e.getMessage());
                err.flush();
                return 1;
            }
        }
        Map<ClusterSpec.Node, ProcessHandle> processes = new LinkedHashMap<>();
        Map<ClusterSpec.Node, Process> started = new LinkedHashMap<>();
        // Ctrl-C while waiting: the nodes run in sessions of their own, so stop the ones this run started.
        Thread stopOnInterrupt = new Thread(() -> stop(started, out), "strata-cluster-up-interrupted");
        Runtime.getRuntime().addShutdownHook(stopOnInterrupt);
        try {
            for (ClusterSpec.Node node : local) {
                Optional<ProcessHandle> running = LocalNodes.running(node);
                if (running.isPresent()) {
                    out.println("node " + node.name() + " already running (pid " + running.get().pid() + ")");
                    processes.put(node, running.get());
                    continue;
                }
                if (LocalNodes.recordedPid(node).isPresent()) {
                    out.println("node " + node.name() + ": removing stale " + LocalNodes.pidFile(node)
                            + " (pid " + LocalNodes.recordedPid(node).get() + " is gone or is not this node)");
                    LocalNodes.removePidFile(node);
                }
                Process process;
                try {
                    process = LocalNodes.launch(cluster.file(), node);
                } catch (IOException e) {
                    err.println("strata cluster: cannot start node " + node.name() + ": " + e.getMessage());
                    stop(started, out);
                    return 1;
                }
                started.put(node, process);
                processes.put(node, process.toHandle());
                out.println("node " + node.name() + " starting (pid " + process.pid() + ", log " + LocalNodes.logFile(node) + ")");
                out.flush();
            }
            String failure;
            try {
                failure = awaitUp(local, started);
            } catch (IllegalStateException interrupted) {
                failure = interrupted.getMessage();
            }
            if (failure != null) {
                err.println("strata cluster: " + failure);
                err.flush();
                stop(started, out);
                return 1;
            }
            for (ClusterSpec.Node node : local) {
                out.println("node " + node.name() + " up " + node.httpBase() + node.kafkaAddress().map(kafka -> " kafka " + kafka).orElse("")
                        + " pid " + processes.get(node).pid());
            }
            for (ClusterSpec.Node node : remote) {
                out.println("node " + node.name() + " is on " + node.host() + ": start it there with ./strata up --config "
                        + file + " --node " + node.name() + " (its certificate: ./strata cluster certs " + file + " --node "
                        + node.name() + ", then copy " + cluster.tlsDir(node.name()) + " there)");
            }
            out.flush();
            synchronized (started) {
                started.clear();
            }
            return 0;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // The hook is already running.
            }
        }
    }

    /**
     * Waits until every started node answers {@code /health} with 200, then until a local node's
     * {@code /cluster} lists every local node as Up. Returns null on success, else what went wrong
     * (with the log tail of the node at fault).
     */
    private String awaitUp(List<ClusterSpec.Node> local, Map<ClusterSpec.Node, Process> started) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        List<ClusterSpec.Node> unhealthy = new ArrayList<>(started.keySet());
        while (!unhealthy.isEmpty()) {
            String died = died(started);
            if (died != null) {
                return died;
            }
            unhealthy.removeIf(node -> http.health(node.httpBase()).filter(code -> code == 200).isPresent());
            if (unhealthy.isEmpty()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                return timedOut(unhealthy, "answer GET /health with 200");
            }
            sleep();
        }
        while (true) {
            String died = died(started);
            if (died != null) {
                return died;
            }
            List<ClusterSpec.Node> notUp = new ArrayList<>(local);
            for (ClusterSpec.Node node : local) {
                Optional<ClusterState> state = http.cluster(node.httpBase()).map(ClusterState::of);
                if (state.isPresent()) {
                    notUp.removeIf(n -> state.get().isUp(n.name()));
                    break;
                }
            }
            if (notUp.isEmpty()) {
                return null;
            }
            if (System.nanoTime() > deadline) {
                return timedOut(notUp, "be Up in the cluster");
            }
            sleep();
        }
    }

    private static String died(Map<ClusterSpec.Node, Process> started) {
        for (Map.Entry<ClusterSpec.Node, Process> e : started.entrySet()) {
            if (!e.getValue().isAlive()) {
                ClusterSpec.Node node = e.getKey();
                return "node " + node.name() + " exited with code " + e.getValue().exitValue() + " while starting; last lines of "
                        + LocalNodes.logFile(node) + ":" + System.lineSeparator() + LocalNodes.logTail(node, LOG_TAIL_LINES);
            }
        }
        return null;
    }

    private String timedOut(List<ClusterSpec.Node> nodes, String what) {
        StringBuilder message = new StringBuilder("node(s) " + nodes.stream().map(ClusterSpec.Node::name).toList()
                + " did not " + what + " within " + timeoutSeconds + " s");
        for (ClusterSpec.Node node : nodes) {
            message.append(System.lineSeparator()).append("last lines of ").append(LocalNodes.logFile(node)).append(':')
                    .append(System.lineSeparator()).append(LocalNodes.logTail(node, LOG_TAIL_LINES));
        }
        return message.toString();
    }

    /** Stops the nodes this run started (SIGTERM, then SIGKILL after 30 s) and removes their PID files. */
    private static void stop(Map<ClusterSpec.Node, Process> started, PrintWriter out) {
        // The shutdown hook may call this while the command's own thread does.
        synchronized (started) {
            if (started.isEmpty()) {
                return;
            }
                List<ProcessHandle> handles = started.values().stream().map(Process::toHandle).toList();
            for (ProcessHandle stubborn : LocalNodes.terminate(handles, STOP_TIMEOUT_SECONDS)) {
                stubborn.destroyForcibly();
            }
            for (Map.Entry<ClusterSpec.Node, Process> e : started.entrySet()) {
                LocalNodes.removePidFile(e.getKey());
                out.println("node " + e.getKey().name() + " stopped (pid " + e.getValue().pid() + ")");
            }
            out.flush();
            started.clear();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the nodes", e);
        }
    }
}
