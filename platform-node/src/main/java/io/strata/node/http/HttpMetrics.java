package io.strata.node.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request counts and latencies of the gateway, by method, area (first path segment) and status.
 * Areas rather than full paths keep the number of series bounded whatever keys clients use.
 */
public final class HttpMetrics {

    private static final java.util.Set<String> AREAS = java.util.Set.of("kv", "topics", "groups", "tables", "jobs",
            "health", "cluster", "metrics");

    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(String method, String path, int status, long nanos) {
        String area = areaOf(path);
        String key = method + ' ' + area + ' ' + status;
        timers.computeIfAbsent(key, k -> Timer.builder("strata.http.requests")
                .description("HTTP requests served by the gateway")
                .tag("method", method).tag("area", area).tag("status", Integer.toString(status))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(50_000)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)).record(Duration.ofNanos(nanos));
    }

    static String areaOf(String path) {
        int start = path.startsWith("/") ? 1 : 0;
        int end = path.indexOf('/', start);
        String first = end < 0 ? path.substring(start) : path.substring(start, end);
        return AREAS.contains(first) ? first : "other";
    }
}
