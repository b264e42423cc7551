package io.strata.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of {@code bench kafka}'s own: a Kafka broker, a storage format, or one run of a load tool,
 * started from this JVM's {@code java} with this JVM's classpath. Its logs are kept at WARN (an
 * explicit {@code -Dstrata.log.level} is passed on). Stopped by its PID only: SIGTERM, then SIGKILL
 * after a timeout; a JVM shutdown hook stops a child still running when this JVM is stopped (Ctrl-C).
 */
final class ChildJvm {

    /**
     * The flags {@code kafka-run-class.sh} gives Kafka's tools (its {@code KAFKA_HEAP_OPTS} default
     * for them and its {@code KAFKA_JVM_PERFORMANCE_OPTS}); the load tools run with these against both sides.
     */
    static final List<String> TOOL_FLAGS = List.of("-Xmx512m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
            "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true");

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    /** What a finished child left: its exit code and its output (stdout and stderr together). */
    record Finished(int exit, String output) {}

    private ChildJvm() {}

    /** {@code java <flags> -Dstrata.log.level=... -cp <this classpath> <main> <args>}. */
    static List<String> command(List<String> flags, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flags);
        command.add("-Dstrata.log.level=" + System.getProperty("strata.log.level", "WARN"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /**
     * Runs the command to its end and returns its output; a child still running after {@code timeout}
     * is stopped and the run fails.
     */
    static Finished run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread hook = stopOnExit(child);
        try {
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (!child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stop(child);
                throw new IllegalStateException("did not finish within " + timeout.toSeconds() + " s, stopped: "
                        + String.join(" ", command.subList(command.indexOf("-cp") + 2, command.size()))
                        + "\n" + output.getNow(""));
            }
            return new Finished(child.exitValue(), output.join());
        } finally {
            removeHook(hook);
        }
    }

    /** Starts a long-lived child (a server), its output appended to {@code log}; {@link #stop} ends it. */
    static Process start(List<String> command, Path log) throws IOException {
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        stopOnExit(child);
        return child;
    }

    /** Stops the child by its PID: SIGTERM, then SIGKILL when it has not exited after a timeout. */
    static void stop(Process child) {
        try {
            child.destroy();
            if (!child.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                child.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static Thread stopOnExit(Process child) {
        Thread hook = new Thread(() -> stop(child), "bench-child-" + child.pid() + "-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        child.onExit().thenRun(() -> removeHook(hook));
        return hook;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to: it stops the child.
        }
    }
}
