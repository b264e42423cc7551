package io.strata.cluster;

import io.strata.node.cluster.ClusterSpec;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The nodes of a cluster file that run on this machine, as operating-system processes: which hosts
 * are this machine, each node's PID file ({@code <data-dir>/node.pid}) and log ({@code <data-dir>/node.log}),
 * launching a node detached and stopping one.
 *
 * <p>A PID file alone is never trusted: a process counts as the node only if it is alive and its
 * command line holds {@code --node NAME}, so a stale file whose PID the system reused never gets a
 * process killed that is not ours.
 */
final class LocalNodes {

    static final String PID_FILE = "node.pid";
    static final String LOG_FILE = "node.log";
    private static final String MAIN_CLASS = "io.strata.node.cli.Main";

    private LocalNodes() {}

    /** Whether {@code host} names this machine: a loopback address or an address of a local interface. */
    static boolean isLocal(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (address.isLoopbackAddress() || address.isAnyLocalAddress() || NetworkInterface.getByInetAddress(address) != null) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
    }

    static Path dataDir(ClusterSpec.Node node) {
        return node.dataDir().toAbsolutePath().normalize();
    }

    static Path pidFile(ClusterSpec.Node node) {
        return dataDir(node).resolve(PID_FILE);
    }

    static Path logFile(ClusterSpec.Node node) {
        return dataDir(node).resolve(LOG_FILE);
    }

    /** The PID the node's PID file names, if there is a readable one. */
    static Optional<Long> recordedPid(ClusterSpec.Node node) {
        Path file = pidFile(node);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(Files.readString(file).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The live process that runs {@code node}, if its PID file names one whose command line is that node's. */
    static Optional<ProcessHandle> running(ClusterSpec.Node node) {
        return recordedPid(node).flatMap(ProcessHandle::of).filter(p -> p.isAlive() && runsNode(p, node.name()));
    }

    /** Whether the process's command line holds {@code --node NAME}. */
    static boolean runsNode(ProcessHandle process, String nodeName) {
        List<String> args = arguments(process);
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals("--node") && args.get(i + 1).equals(nodeName)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The process's command line. On Linux the JDK reads only the first 4 KB of it (and then gives
     * no argument list), which a node's classpath alone exceeds, so read {@code /proc} there.
     */
    private static List<String> arguments(ProcessHandle process) {
        Path procCmdline = Path.of("/proc", Long.toString(process.pid()), "cmdline");
        if (Files.isReadable(procCmdline)) {
            try {
                return Arrays.asList(new String(Files.readAllBytes(procCmdline), StandardCharsets.UTF_8).split("\0"));
            } catch (IOException e) {
                // Gone meanwhile or not ours to read: fall back to what the JDK knows.
            }
        }
        ProcessHandle.Info info = process.info();
        return info.arguments().map(args -> {
            List<String> all = new ArrayList<>(Arrays.asList(args));
            all.add(0, info.command().orElse(""));
            return all;
        }).or(() -> info.commandLine().map(line -> Arrays.asList(line.split("\\s+")))).orElse(List.of());
    }

    static void removePidFile(ClusterSpec.Node node) {
        try {
            Files.deleteIfExists(pidFile(node));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + pidFile(node), e);
        }
    }

    /**
     * Starts {@code node} of {@code clusterFile} in a JVM of its own that outlives this one: output
     * appended to its log, no stdin, and (where {@code setsid} exists) a session of its own, so
     * neither Ctrl-C in this terminal nor the terminal closing reaches it. Writes its PID file.
     */
    static Process launch(Path clusterFile, ClusterSpec.Node node) throws IOException {
        Path dataDir = dataDir(node);
        Files.createDirectories(dataDir);
        List<String> command = new ArrayList<>();
        setsid().ifPresent(command::add);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MAIN_CLASS);
        command.addAll(List.of("up", "--config", clusterFile.toAbsolutePath().normalize().toString(), "--node", node.name()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(node).toFile()));
        File devNull = new File("/dev/null");
        if (devNull.exists()) {
            builder.redirectInput(ProcessBuilder.Redirect.from(devNull));
        }
        Process process = builder.start();
        Files.writeString(pidFile(node), process.pid() + "\n", StandardCharsets.UTF_8);
        return process;
    }

    /** The flags every Strata JVM needs, as the {@code ./strata} launcher passes them. */
    static List<String> jvmFlags() {
        String flags = System.getProperty("strata.jvm.flags");
        if (flags == null || flags.isBlank()) {
            throw new IllegalStateException("system property strata.jvm.flags is not set: it holds the JVM flags every"
                    + " Strata JVM needs (the strata.jvm.flags property of the root pom.xml). Run through ./strata,"
                    + " which sets it.");
        }
        return List.of(flags.trim().split("\\s+"));
    }

    /**
     * {@code setsid} execs in place (a freshly spawned child leads no process group), so the PID of
     * the process we start stays the node's PID.
     */
    private static Optional<String> setsid() {
        return Stream.of("/usr/bin/setsid", "/bin/setsid").filter(p -> Files.isExecutable(Path.of(p))).findFirst();
    }

    /** The last {@code lines} lines of the node's log, or a note that there is none. */
    static String logTail(ClusterSpec.Node node, int lines) {
        Path log = logFile(node);
        if (!Files.isRegularFile(log)) {
            return "(no log at " + log + ")";
        }
        Deque<String> tail = new ArrayDeque<>();
        try (Stream<String> all = Files.lines(log, StandardCharsets.UTF_8)) {
            all.forEach(line -> {
                tail.addLast(line);
                if (tail.size() > lines) {
                    tail.removeFirst();
                }
            });
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
        return String.join(System.lineSeparator(), tail);
    }

    /**
     * Sends SIGTERM to every process, then waits up to {@code timeoutSeconds} in all for them to
     * exit (a node leaves the cluster gracefully first). Returns those still alive.
     */
    static List<ProcessHandle> terminate(List<ProcessHandle> processes, long timeoutSeconds) {
        processes.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        List<ProcessHandle> alive = new ArrayList<>();
        for (ProcessHandle process : processes) {
            long left = deadline - System.nanoTime();
            try {
                process.onExit().get(Math.max(left, 0), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception timeoutOrFailure) {
                // Still running: reported below.
            }
            if (process.isAlive()) {
                alive.add(process);
            }
        }
        return alive;
    }
}
