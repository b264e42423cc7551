package io.strata.bench;

import io.strata.node.storage.Directories;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
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
 * A redis-server started here on a free loopback port, in a directory of its own, with one of the
 * {@link Persistence} settings; the fsync anchor of {@code bench bus}, {@value #NAME}, and the
 * anchors of {@code bench resp}. Driven by {@code redis-benchmark} ({@link RedisBenchmark}).
 * Stopped by its PID on close, its directory deleted.
 *
 * <p>When redis is not installed, {@link #ensureInstalled} installs the Debian package
 * {@code redis-server} with apt-get (as root, with services kept from starting by the image's
 * policy); when that cannot be done the figure is skipped with the reason.
 */
final class RedisAnchor implements AutoCloseable {

    static final String NAME = Persistence.ALWAYS.anchor;

    /** How the server keeps what it is sent; each is an anchor of its own name. */
    enum Persistence {
        /** In memory only ({@code --appendonly no --save ''}): Redis as a cache. */
        NONE("redis", "no", "everysec"),
        /** Every write appended to the file before its reply, fsynced once a second: survives a killed process, not a power cut. */
        EVERYSEC("redis-appendfsync-everysec", "yes", "everysec"),
        /** Every write appended and fsynced before its reply (many clients' writes share an fsync). */
        ALWAYS("redis-appendfsync-always", "yes", "always");

        final String anchor;
        private final String appendonly;
        private final String appendfsync;

        Persistence(String anchor, String appendonly, String appendfsync) {
            this.anchor = anchor;
            this.appendonly = appendonly;
            this.appendfsync = appendfsync;
        }
    }

    private static final long START_TIMEOUT_SECONDS = 20;
    private static final long STOP_TIMEOUT_SECONDS = 10;
    private static final String READY = "Ready to accept connections";

    private final Path dir;
    private final Process server;
    private final int port;
    private final RedisBenchmark benchmark;

    private RedisAnchor(Path dir, Process server, int port, RedisBenchmark benchmark) {
        this.dir = dir;
        this.server = server;
        this.port = port;
        this.benchmark = benchmark;
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

    /** Starts redis-server with {@code appendfsync always} in {@code dir}; see {@link #start(Path, Persistence)}. */
    static RedisAnchor start(Path dir) throws IOException, InterruptedException {
        return start(dir, Persistence.ALWAYS);
    }

    /** Starts redis-server in {@code dir} (created, and deleted on close) and waits until it accepts connections. */
    static RedisAnchor start(Path dir, Persistence persistence) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port = freeLoopbackPort();
        Process server = new ProcessBuilder(onPath("redis-server").orElseThrow(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--dir", dir.toString(), "--appendonly", persistence.appendonly,
                "--appendfsync", persistence.appendfsync, "--save", "", "--daemonize", "no", "--protected-mode", "yes")
                .redirectErrorStream(true).start();
        RedisAnchor anchor = new RedisAnchor(dir, server, port, new RedisBenchmark(onPath("redis-benchmark").orElseThrow()));
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

    /** The loopback port it listens on. */
    int port() {
        return port;
    }

    /** The redis-benchmark binary, to drive this server or another one with the same flags. */
    RedisBenchmark benchmark() {
        return benchmark;
    }

    /**
     * One run of the bus figure's anchor: {@code redis-benchmark -t set -n requests -c clients
     * -d valueSize -P 1 -r 100000} on loopback.
     */
    RunResult run(int requests, int clients, int valueSize, long timeoutSeconds) throws IOException, InterruptedException {
        return benchmark.run(port, new RedisBenchmark.Load("set", clients, 1, valueSize, 100_000), requests, timeoutSeconds);
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
        Directories.deleteTree(dir);
    }
}
