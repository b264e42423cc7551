package io.strata.bench;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The external programs an anchor or a load generator needs (redis-server, wrk), found on the
 * PATH or installed from their Debian package with {@code apt-get update && apt-get install -y}
 * (as root, non-interactive, with services kept from starting by the image's policy). A program
 * that cannot be had is a reason, which the benchmark records as a skipped figure, not a failure.
 */
final class DebianPackage {

    private static final long APT_TIMEOUT_SECONDS = 300;
    private static final long STOP_TIMEOUT_SECONDS = 10;

    private DebianPackage() {}

    /**
     * Empty when every one of {@code programs} is on the PATH, installing {@code pkg} first if
     * needed and possible; else why they cannot be had. apt-get's output goes to
     * {@code scratch/apt.log}.
     *
     * @param label the progress line's prefix, as the benchmark's other lines have it ({@code fsync})
     */
    static Optional<String> ensureInstalled(Path scratch, PrintWriter progress, String label, String pkg, String... programs) {
        Optional<String> missing = firstMissing(programs);
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        if (onPath("apt-get").isEmpty()) {
            return Optional.of(missing.get() + " is not installed and apt-get is not available");
        }
        progress.println("[" + label + "] " + missing.get() + " is not installed: apt-get update && apt-get install -y " + pkg);
        progress.flush();
        Path log = scratch.resolve("apt.log");
        for (List<String> command : List.of(List.of("apt-get", "update"), List.of("apt-get", "install", "-y", pkg))) {
            Optional<String> failure = runApt(command, log);
            if (failure.isPresent()) {
                return failure;
            }
        }
        return firstMissing(programs).isEmpty() ? Optional.empty()
                : Optional.of("apt-get install " + pkg + " succeeded but " + String.join(" or ", programs) + " is not on the PATH");
    }

    /** The first directory of the PATH holding an executable {@code program}, as a path to it. */
    static Optional<String> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        return Arrays.stream(path.split(File.pathSeparator)).filter(d -> !d.isEmpty()).map(d -> Path.of(d, program))
                .filter(Files::isExecutable).map(Path::toString).findFirst();
    }

    private static Optional<String> firstMissing(String... programs) {
        return Arrays.stream(programs).filter(p -> onPath(p).isEmpty()).findFirst();
    }

    private static Optional<String> runApt(List<String> command, Path log) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process apt = builder.start();
            if (!apt.waitFor(APT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                apt.destroyForcibly().waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                return Optional.of(String.join(" ", command) + " did not finish in " + APT_TIMEOUT_SECONDS + " s");
            }
            if (apt.exitValue() != 0) {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                return Optional.of(String.join(" ", command) + " failed (exit " + apt.exitValue() + "): "
                        + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())));
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot run " + String.join(" ", command) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(String.join(" ", command) + " was interrupted");
        }
    }
}
