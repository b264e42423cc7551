package io.strata.node.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An external tool (a client the compatibility tests drive) run as a child process with a time
 * limit: past it, the process and everything it started are killed, so a hung tool fails its test
 * instead of hanging the build, and none outlives the test. Stdout and stderr are read on threads
 * of their own, so a chatty tool never blocks on a full pipe.
 */
public final class ChildTool {

    private ChildTool() {}

    /** What a finished tool gave: its exit code, stdout and stderr. */
    public record Result(int exitCode, String out, String err) {

        /** The whole outcome, for assertion messages. */
        public String describe() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }

        /** This result, or an AssertionError with it when the tool did not exit 0. */
        public Result orFail() {
            if (exitCode != 0) {
                throw new AssertionError("the tool failed: " + describe());
            }
            return this;
        }
    }

    /** The executable {@code name} on the PATH, if there is one. */
    public static Optional<Path> onPath(String name) {
        for (String path : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(path, name);
            if (!path.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Runs {@code command} with {@code env} added to this JVM's environment, {@code stdin} as its
     * input, and waits for it at most {@code limit}; past the limit the process tree is killed and
     * an AssertionError says what the tool had written so far.
     */
    public static Result run(List<String> command, Map<String, String> env, String stdin, Duration limit) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + command, e);
        }
        try {
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            try (var input = process.getOutputStream()) {
                input.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The tool exited or closed its input early: what it wrote says why.
            }
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new AssertionError(command.get(0) + " did not finish within " + limit + ", killed: "
                        + new Result(-1, sofar(out), sofar(err)).describe());
            }
            return new Result(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("could not read the output of " + command, e);
        } finally {
            kill(process);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(e);
            }
        }, "child-tool-output");
        reader.setDaemon(true);
        reader.start();
        return text;
    }

    private static String sofar(CompletableFuture<String> text) {
        try {
            return text.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "(unread: " + e + ")";
        }
    }

    /** Kills the process and its descendants, and waits for them to go. */
    private static void kill(Process process) {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        try {
            for (ProcessHandle p : all) {
                p.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("a child process outlived its kill: " + e, e);
        }
    }
}
