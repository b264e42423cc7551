package io.strata.dataflow.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.node.launch.NodeProcess;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A chain whose services each run in a JVM of their own ({@code ./strata service}), started from
 * the last to the first; the experiment reads their figures from {@code GET /admin/stats} and
 * starts their fault clocks with {@code POST /admin/clock}. Closing stops every process it started
 * (SIGTERM, by PID).
 */
public final class ProcessChain implements ChainHandle {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChainSettings settings;
    private final List<NodeProcess> processes;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ProcessChain(ChainSettings settings, List<NodeProcess> processes) {
        this.settings = settings;
        this.processes = processes;
    }

    /** Starts the chain's services as child JVMs, each logging to {@code logDir/service-NAME.log}. */
    public static ProcessChain start(ChainSettings settings, Path logDir) {
        List<NodeProcess> started = new ArrayList<>();
        try {
            String next = null;
            for (int i = settings.hops() - 1; i >= 0; i--) {
                String name = ChainSettings.serviceName(i);
                List<String> args = new ArrayList<>(List.of("service", "--name", name, "--port", "0"));
                args.addAll(settings.serviceArgs());
                if (next != null && settings.mode() == Mode.RPC) {
                    args.addAll(List.of("--next", next));
                }
                NodeProcess process = NodeProcess.command(logDir, ChainService.READY_LINE_PREFIX, args.toArray(String[]::new))
                        .logFile(logDir.resolve("service-" + name + ".log")).start();
                started.add(process);
                next = process.httpBase();
            }
        } catch (RuntimeException e) {
            started.forEach(NodeProcess::close);
            throw e;
        }
        Collections.reverse(started);
        return new ProcessChain(settings, List.copyOf(started));
    }

    @Override
    public ChainSettings settings() {
        return settings;
    }

    /** The process of each service, in order. */
    public List<NodeProcess> processes() {
        return processes;
    }

    @Override
    public String entryUrl() {
        return processes.get(0).httpBase() + "/process";
    }

    @Override
    public void startClock(long startNanos) {
        long inMillis = Math.max(0, (startNanos - System.nanoTime()) / 1_000_000);
        for (NodeProcess process : processes) {
            call(process, "POST", "/admin/clock", "{\"start_in_ms\":" + inMillis + "}");
        }
    }

    @Override
    public CompletableFuture<Long> backlog() {
        if (settings.mode() == Mode.RPC) {
            return CompletableFuture.completedFuture(-1L);
        }
        List<CompletableFuture<JsonNode>> stats = processes.stream().map(p -> callAsync(p, "GET", "/admin/stats", null)).toList();
        return CompletableFuture.allOf(stats.toArray(CompletableFuture[]::new))
                .thenApply(all -> stats.stream().mapToLong(s -> Math.max(0, s.join().path("backlog").asLong())).sum());
    }

    @Override
    public long dbCompleted() {
        return settings.mode() == Mode.DB ? call(processes.get(0), "GET", "/admin/stats", null).path("completed").asLong() : -1;
    }

    @Override
    public long breakerOpenMillis() {
        return stats().stream().mapToLong(s -> s.path("breaker_open_ms").asLong()).sum();
    }

    private List<JsonNode> stats() {
        return processes.stream().map(p -> call(p, "GET", "/admin/stats", null)).toList();
    }

    private JsonNode call(NodeProcess process, String method, String path, String body) {
        try {
            return callAsync(process, method, path, body).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
    }

    private CompletableFuture<JsonNode> callAsync(NodeProcess process, String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(process.httpBase() + path)).timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + " of service pid " + process.pid() + " answered "
                        + response.statusCode() + ": " + response.body());
            }
            try {
                return JSON.readTree(response.body());
            } catch (IOException e) {
                throw new IllegalStateException(method + " " + path + " of service pid " + process.pid() + " is not JSON", e);
            }
        });
    }

    @Override
    public void close() {
        processes.forEach(NodeProcess::close);
    }
}
