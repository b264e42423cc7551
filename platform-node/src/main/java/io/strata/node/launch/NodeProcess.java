package io.strata.node.launch;

import io.strata.node.cli.UpCommand;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Strata node running as a child JVM ({@code java <flags> -cp <classpath> io.strata.node.cli.Main up ...}),
 * for launchers, end-to-end tests and load tests that need a real process they can kill.
 *
 * <pre>{@code
 * NodeProcess.Builder builder = NodeProcess.builder(dataDir).logFile(dir.resolve("node.log"));
 * try (NodeProcess node = builder.start()) {
 *     HttpRequest.newBuilder(URI.create(node.httpBase() + "/health"));
 *     node.kill9();
 * }
 * try (NodeProcess again = builder.start()) { ... }   // recovers from the same data directory
 * }</pre>
 *
 * <p>Starting: {@link Builder#start()} launches the child with {@code --http-port 0 --cluster-port 0}
 * by default and blocks until the child prints its ready line ({@link UpCommand#READY_LINE_PREFIX}),
 * from which it takes the HTTP address. If the child exits first or the start timeout passes, the
 * child is killed and the exception carries the tail of its output.
 *
 * <p>Output: two daemon threads drain the child's stdout and stderr line by line, so the child never
 * blocks on a full pipe. Lines go to the optional log file (appended, so a restarted node continues
 * the same file) and the last {@value #TAIL_LINES} are kept in memory for {@link #logTail()}.
 *
 * <p>Ownership and threading: whoever starts a node owns it and must {@link #close()} it (stop it).
 * All methods are thread-safe and may be called from any thread, e.g. a test's clean-up while
 * worker threads still talk to the node. A JVM shutdown hook sends SIGTERM to a child that is still
 * running when this JVM exits normally, so an interrupted launcher leaves no node behind. The data
 * directory and the log file belong to the caller; this class never deletes them.
 */
public final class NodeProcess implements AutoCloseable {

    /** Lines of the child's output kept in memory for error messages. */
    public static final int TAIL_LINES = 60;

    private static final String MAIN_CLASS = "io.strata.node.cli.Main";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

    private static final Pattern RESP_ADDRESS = Pattern.compile(" resp \\S+:(\\d+)");
    private static final Pattern KAFKA_ADDRESS = Pattern.compile(" kafka \\S+:(\\d+)");

    private final Process process;
    private final Path dataDir;
    private final String readyLinePrefix;
    private final OutputSink output;
    private final List<Thread> pumps;
    private final Thread shutdownHook;
    private final CompletableFuture<String> readyLine;
    private final Duration startTimeout;
    private volatile String httpHost;
    private volatile int httpPort;
    private volatile int respPort;
    private volatile int kafkaPort;

    private NodeProcess(Process process, Path dataDir, String readyLinePrefix, OutputSink output, List<Thread> pumps,
                        CompletableFuture<String> readyLine, Duration startTimeout) {
        this.process = process;
        this.readyLine = readyLine;
        this.startTimeout = startTimeout;
        this.dataDir = dataDir;
        this.readyLinePrefix = readyLinePrefix;
        this.output = output;
        this.pumps = pumps;
        this.shutdownHook = new Thread(process::destroy, "strata-node-" + process.pid() + "-shutdown");
    }

    /**
     * A builder for another Strata command run as a child JVM, such as one service of a dataflow
     * chain: {@code mainArgs} replace {@code up ...}, and the child is ready when it prints a line
     * that starts with {@code readyLinePrefix} followed by its {@code http://host:port}. The data
     * directory only names the child in messages.
     */
    public static Builder command(Path workDir, String readyLinePrefix, String... mainArgs) {
        Builder builder = new Builder(workDir);
        builder.mainArgs = List.of(mainArgs);
        builder.readyLinePrefix = readyLinePrefix;
        return builder;
    }

    /** A builder for nodes that keep their state in {@code dataDir}. */
    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** The HTTP base address, such as {@code http://127.0.0.1:41235}. */
    public String httpBase() {
        String host = httpHost.contains(":") && !httpHost.startsWith("[") ? "[" + httpHost + "]" : httpHost;
        return "http://" + host + ":" + httpPort;
    }

    public String httpHost() {
        return httpHost;
    }

    public int httpPort() {
        return httpPort;
    }

    /** The port of its Redis-protocol listener, as its ready line says ({@code resp host:port}); empty when it has none. */
    public OptionalInt respPort() {
        return respPort == 0 ? OptionalInt.empty() : OptionalInt.of(respPort);
    }

    /** The port of its Kafka-protocol listener, as its ready line says ({@code kafka host:port}); empty when it has none. */
    public OptionalInt kafkaPort() {
        return kafkaPort == 0 ? OptionalInt.empty() : OptionalInt.of(kafkaPort);
    }

    /** The operating-system process id of the child JVM. */
    public long pid() {
        return process.pid();
    }

    public Path dataDir() {
        return dataDir;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines the child printed (stdout and stderr), oldest first. */
    public String logTail() {
        return output.tail();
    }

    /**
     * Kills the child with SIGKILL, as {@code kill -9} does: no shutdown hook, no flush, no goodbye.
     * Returns its exit code (137) once it is gone.
     */
    public int kill9() {
        process.destroyForcibly();
        return awaitExit(KILL_TIMEOUT, "SIGKILL");
    }

    /**
     * Stops the child with SIGTERM (the node's coordinated shutdown) and waits up to 30 seconds for
     * it to exit, then kills it. Returns its exit code.
     */
    public int stop() {
        process.destroy();
        try {
            if (process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                return awaitExit(KILL_TIMEOUT, "SIGTERM");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return kill9();
    }

    /** Stops the child if it is still running. */
    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        } else {
            awaitExit(KILL_TIMEOUT, "exit");
        }
    }

    private int awaitExit(Duration timeout, String what) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("node process " + pid() + " did not exit within " + timeout.toSeconds()
                        + " s of " + what);
            }
            for (Thread pump : pumps) {
                pump.join(DRAIN_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            removeShutdownHook();
        }
        output.close();
        return process.isAlive() ? -1 : process.exitValue();
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to: nothing left to remove.
        }
    }

    /**
     * Blocks until the child prints its ready line (at most the builder's start timeout); on any
     * failure kills the child and throws, as {@link Builder#start()} does.
     */
    public NodeProcess awaitReady() {
        String failure;
        try {
            parseReadyLine(readyLine.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS));
            return this;
        } catch (TimeoutException e) {
            failure = "did not print its ready line within " + startTimeout.toMillis() + " ms";
        } catch (ExecutionException e) {
            failure = e.getCause().getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "start was interrupted";
        } catch (IllegalArgumentException e) {
            failure = e.getMessage();
        }
        int exit = process.isAlive() ? kill9() : awaitExit(KILL_TIMEOUT, "exit");
        throw new IllegalStateException("Strata node (pid " + pid() + ", data " + dataDir + ") failed to start: "
                + failure + " (exit code " + exit + ")" + output.describeLogFile() + ". Last output:\n" + output.tail());
    }

    private void parseReadyLine(String line) {
        String address = line.substring(readyLinePrefix.length()).split(" ", 2)[0];
        int colon = address.lastIndexOf(':');
        if (!address.startsWith("http://") || colon < "http://".length()) {
            throw new IllegalArgumentException("cannot parse the ready line: " + line);
        }
        try {
            httpPort = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cannot parse the port of the ready line: " + line);
        }
        httpHost = address.substring("http://".length(), colon);
        Matcher resp = RESP_ADDRESS.matcher(line);
        if (resp.find()) {
            respPort = Integer.parseInt(resp.group(1));
        }
        Matcher kafka = KAFKA_ADDRESS.matcher(line);
        if (kafka.find()) {
            kafkaPort = Integer.parseInt(kafka.group(1));
        }
    }

    /**
     * How to start a node. Reusable: each {@link #start()} launches a new child with the same
     * settings, e.g. to restart a node on its data directory after {@link NodeProcess#kill9()}.
     * Not thread-safe.
     */
    public static final class Builder {
        private final Path dataDir;
        private List<String> mainArgs;
        private String readyLinePrefix = UpCommand.READY_LINE_PREFIX;
        private final List<String> args = new ArrayList<>();
        private final List<String> extraJvmFlags = new ArrayList<>();
        private Path logFile;
        private String classpath;
        private List<String> jvmFlags;
        private Path javaBinary;
        private int httpPort;
        private int clusterPort;
        private Duration startTimeout = Duration.ofSeconds(90);

        private Builder(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath().normalize();
        }

        /** Extra arguments of {@code up}, such as {@code --durability fsync} or {@code -Dkey=value}. */
        public Builder args(String... more) {
            args.addAll(Arrays.asList(more));
            return this;
        }

        /** Appends the child's output to this file (created with its directories if needed). */
        public Builder logFile(Path file) {
            this.logFile = file;
            return this;
        }

        /** The child's classpath; default: this JVM's {@code java.class.path}. */
        public Builder classpath(String classpath) {
            this.classpath = classpath;
            return this;
        }

        /** The JVM flags every Strata JVM needs; default: system property {@code strata.jvm.flags}, split on spaces. */
        public Builder jvmFlags(List<String> flags) {
            this.jvmFlags = List.copyOf(flags);
            return this;
        }

        /** Flags added after the standard ones, such as {@code -Xmx256m} or {@code -Dstrata.log.level=WARN}. */
        public Builder addJvmFlags(String... flags) {
            extraJvmFlags.addAll(Arrays.asList(flags));
            return this;
        }

        /** The {@code java} executable; default: {@code bin/java} of this JVM's {@code java.home}. */
        public Builder javaBinary(Path java) {
            this.javaBinary = java;
            return this;
        }

        /** HTTP port; default 0, a free port. */
        public Builder httpPort(int port) {
            this.httpPort = port;
            return this;
        }

        /** Cluster (Artery) port; default 0, a free port. */
        public Builder clusterPort(int port) {
            this.clusterPort = port;
            return this;
        }

        /** How long {@link #start()} waits for the ready line; default 90 s (a loaded machine starts JVMs slowly). */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** The full command line of the child. */
        public List<String> command() {
            List<String> command = new ArrayList<>();
            command.add(Optional.ofNullable(javaBinary)
                    .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java")).toString());
            command.addAll(jvmFlags != null ? jvmFlags : defaultJvmFlags());
            command.addAll(extraJvmFlags);
            command.add("-cp");
            command.add(classpath != null ? classpath : System.getProperty("java.class.path"));
            command.add(MAIN_CLASS);
            command.addAll(mainArgs != null ? mainArgs : List.of("up", "--data-dir", dataDir.toString(),
                    "--http-port", Integer.toString(httpPort), "--cluster-port", Integer.toString(clusterPort)));
            command.addAll(args);
            return command;
        }

        /**
         * Launches the child and blocks until it serves HTTP.
         *
         * @throws IllegalStateException when it exits or stays silent past the start timeout (it is
         *     killed then), with the tail of its output in the message
         */
        public NodeProcess start() {
            return launch().awaitReady();
        }

        /**
         * Launches the child without waiting for it to serve, such as a node that waits for its
         * seed nodes; {@link NodeProcess#awaitReady()} waits for it. The caller owns it from here.
         */
        public NodeProcess launch() {
            List<String> command = command();
            OutputSink output = OutputSink.open(Optional.ofNullable(logFile));
            Process process;
            try {
                process = new ProcessBuilder(command).start();
            } catch (IOException e) {
                output.close();
                throw new UncheckedIOException("cannot launch " + command.get(0), e);
            }
            CompletableFuture<String> readyLine = new CompletableFuture<>();
            List<Thread> pumps = List.of(
                    pump(process, "stdout", process.getInputStream(), output, readyLine, readyLinePrefix),
                    pump(process, "stderr", process.getErrorStream(), output, null, readyLinePrefix));
            NodeProcess node = new NodeProcess(process, dataDir, readyLinePrefix, output, pumps, readyLine, startTimeout);
            Runtime.getRuntime().addShutdownHook(node.shutdownHook);
            pumps.forEach(Thread::start);
            return node;
        }

        private static List<String> defaultJvmFlags() {
            String flags = System.getProperty("strata.jvm.flags");
            if (flags == null || flags.isBlank()) {
                throw new IllegalStateException("system property strata.jvm.flags is not set: it holds the JVM flags"
                        + " every Strata JVM needs (the strata.jvm.flags property of the root pom.xml). Run through"
                        + " ./strata or Maven, which set it, or pass them with NodeProcess.Builder.jvmFlags(...)");
            }
            return List.of(flags.trim().split("\\s+"));
        }

        /** A daemon thread copying one of the child's streams to the sink; the stdout one also watches for the ready line. */
        private static Thread pump(Process process, String name, InputStream in, OutputSink output,
                                   CompletableFuture<String> readyLine, String readyLinePrefix) {
            Thread thread = new Thread(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        output.line(line);
                        if (readyLine != null && line.startsWith(readyLinePrefix)) {
                            readyLine.complete(line);
                        }
                    }
                } catch (IOException e) {
                    output.line("[" + name + " of the node could not be read: " + e + "]");
                }
                if (readyLine != null) {
                    readyLine.completeExceptionally(new IllegalStateException("exited before printing its ready line"));
                }
            }, "strata-node-" + process.pid() + "-" + name);
            thread.setDaemon(true);
            return thread;
        }
    }

    /** Where the child's lines go: the optional log file and an in-memory tail. Thread-safe. */
    private static final class OutputSink {
        private final ArrayDeque<String> tail = new ArrayDeque<>();
        private final Path file;
        private BufferedWriter writer;

        private OutputSink(Path file, BufferedWriter writer) {
            this.file = file;
            this.writer = writer;
        }

        static OutputSink open(Optional<Path> file) {
            if (file.isEmpty()) {
                return new OutputSink(null, null);
            }
            Path path = file.get().toAbsolutePath();
            try {
                Files.createDirectories(path.getParent());
                return new OutputSink(path, Files.newBufferedWriter(path, StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open node log " + path, e);
            }
        }

        synchronized void line(String line) {
            if (tail.size() == TAIL_LINES) {
                tail.removeFirst();
            }
            tail.addLast(line);
            if (writer != null) {
                try {
                    writer.write(line);
                    writer.newLine();
                    // Flushed per line so the file is current for anyone reading it while the node runs.
                    writer.flush();
                } catch (IOException e) {
                    closeQuietly();
                    tail.addLast("[node log " + file + " could not be written: " + e + "]");
                }
            }
        }

        synchronized String tail() {
            return String.join("\n", tail);
        }

        String describeLogFile() {
            return file == null ? "" : "; full log in " + file;
        }

        synchronized void close() {
            closeQuietly();
        }

        private void closeQuietly() {
            if (writer != null) {
                try {
                    writer.close();
                } catch (IOException ignored) {
                    // Nothing more can be written either way.
                }
                writer = null;
            }
        }
    }
}
