package io.strata.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The fsync anchor, {@value #NAME}: a redis-server started here on a free loopback port, in a
 * directory of its own, with {@code --appendonly yes --appendfsync always --save ''} (every write
 * in the append-only file and fsynced before its reply), driven by {@code redis-benchmark -t set}
 * with the same number of clients and value size as the bus figure. Stopped by its PID on close,
 * its directory deleted.
 *
 * <p>When redis is not installed, {@link #ensureInstalled} installs the Debian package
 * {@code redis-server} with apt-get (as root, with services kept from starting by the image's
 * policy); when that cannot be done the figure is skipped with the reason.
 */
final class RedisAnchor implements AutoCloseable {

    static final String NAME = "redis-appendfsync-always";

    private static final long START_TIMEOUT_SECONDS = 20;
    private static final long STOP_TIMEOUT_SECONDS = 10;
    private static final String READY = "Ready to accept connections";

    private final Path dir;
    private final Process server;
    private final int port;
    private final String benchmarkBinary;

    private RedisAnchor(Path dir, Process server, int port, String benchmarkBinary) {
        this.dir = dir;
        this.server = server;
        this.port = port;
        this.benchmarkBinary = benchmarkBinary;
    }

    /**
     * Empty when redis-server and redis-benchmark are on the PATH, installing them first if
     * needed and possible; else why the anchor cannot run.
     */
    static Optional<String> ensureInstalled(Path scratch, PrintWriter progress) {
        return DebianPackage.ensureInstalled(scratch, progress, "fsync", "redis-server", "redis-server", "redis-benchmark");
    }

    private static Optional<String> onPath(String program) {
        return DebianPackage.onPath(program);
    }

    /** Starts redis-server in {@code dir} (created, and deleted on close) and waits until it accepts connections. */
    static RedisAnchor start(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port = freeLoopbackPort();
        Process server = new ProcessBuilder(onPath("redis-server").orElseThrow(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always",
                "--save", "", "--daemonize", "no", "--protected-mode", "yes").redirectErrorStream(true).start();
        RedisAnchor anchor = new RedisAnchor(dir, server, port, onPath("redis-benchmark").orElseThrow());
        CompletableFuture<Void> ready = new CompletableFuture<>();
        List<String> output = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (output) {
                        output.add(line);
                    }
                    if (line.contains(READY)) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                // The server is gone; the start fails below unless it was ready.
            }
            ready.completeExceptionally(new IllegalStateException("redis-server exited before it was ready"));
        }, "bench-redis-output");
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return anchor;
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            anchor.close();
            synchronized (output) {
                throw new IllegalStateException("redis-server did not start: " + e.getMessage() + "; output:\n"
                        + String.join("\n", output), e);
            }
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * One run: {@code redis-benchmark -t set -n requests -c clients -d valueSize -P 1 --csv} on
     * loopback; throughput and latency percentiles as redis-benchmark reports them.
     */
    RunResult run(int requests, int clients, int valueSize, long timeoutSeconds) throws IOException, InterruptedException {
        Process benchmark = new ProcessBuilder(benchmarkBinary, "-h", "127.0.0.1", "-p", Integer.toString(port), "-t", "set",
                "-n", Integer.toString(requests), "-c", Integer.toString(clients), "-d", Integer.toString(valueSize),
                "-P", "1", "-r", "100000", "--csv").redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(benchmark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (!benchmark.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            benchmark.destroyForcibly().waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            throw new IllegalStateException("redis-benchmark did not finish " + requests + " requests in " + timeoutSeconds + " s");
        }
        String csv = output.join();
        if (benchmark.exitValue() != 0) {
            throw new IllegalStateException("redis-benchmark failed (exit " + benchmark.exitValue() + "):\n" + csv);
        }
        return parseCsv(csv, requests);
    }

    /**
     * Parses {@code "test","rps","avg_latency_ms",...,"p50_latency_ms",...,"p99_latency_ms",...}
     * and its {@code "SET",...} row (redis-benchmark 7; older ones print no header and no
     * percentiles, which then read 0).
     */
    static RunResult parseCsv(String csv, int requests) {
        List<String> header = null;
        for (String line : csv.split("\\R")) {
            List<String> cells = Arrays.stream(line.split(",")).map(c -> c.trim().replace("\"", "")).toList();
            if (cells.get(0).equals("test")) {
                header = cells;
            } else if (cells.get(0).equals("SET") && cells.size() > 1) {
                double rps = Double.parseDouble(cells.get(1));
                long p50 = header == null ? 0 : micros(header, cells, "p50_latency_ms");
                long p99 = header == null ? 0 : micros(header, cells, "p99_latency_ms");
                return new RunResult(requests, requests / rps, Math.round(rps), p50, p99);
            }
        }
        throw new IllegalStateException("no SET line in redis-benchmark's output:\n" + csv);
    }

    private static long micros(List<String> header, List<String> cells, String column) {
        int i = header.indexOf(column);
        return i < 0 || i >= cells.size() ? 0 : Math.round(Double.parseDouble(cells.get(i)) * 1000);
    }

    /** Stops the server (SIGTERM, then SIGKILL) by its PID and deletes its directory. */
    @Override
    public void close() {
        try {
            server.destroy();
            if (!server.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        ScratchDir.deleteTree(dir);
    }
}
