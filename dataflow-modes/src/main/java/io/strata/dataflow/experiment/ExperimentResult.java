package io.strata.dataflow.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;
import java.util.Map;

/**
 * What one experiment measured: every figure comes from real requests sent to the entry service
 * and, in the bus mode, from the completions the last service reported; nothing is computed from
 * the fault settings except {@code predictedFailureRate}, printed beside the measured rate.
 *
 * @param mode                 {@code db}, {@code rpc} or {@code bus}
 * @param hops                 the number of services in the chain
 * @param requests             requests sent to the entry service
 * @param succeeded            requests the entry answered with success (2xx)
 * @param failed               requests that failed: an error status, a timeout or a refused connection
 * @param failureRate          failed / requests
 * @param predictedFailureRate rpc only: 1 - product over the hops of (1 - error rate), from the faults
 * @param completed            bus and db: accepted requests whose work finished at the last service
 * @param latencyMs            the entry's answer time, measured from each request's scheduled send time
 * @param completionMs         bus only: from the scheduled send time to the last service finishing the work
 * @param throughputPerS       successful answers per second of the load phase
 * @param maxLag               bus and db: the largest backlog seen (records not yet processed, over all services)
 * @param drainMs              bus and db: from the end of the last outage (or of the load phase) until the backlog was empty
 * @param breakerOpenMs        rpc with a circuit breaker: how long breakers were open, summed over the services
 * @param failuresByKind       failed requests by cause, such as {@code injected_fault}, {@code timeout}, {@code circuit_open}
 * @param timeline             per interval of the run: answers, failures, latency and backlog
 * @param faults               the faults as given, such as {@code C:down=10s@5s}
 * @param policies             rpc: the resilience policies in force, such as {@code timeout=1s retries=2 breaker}
 * @param durationMs           from the first request to the end of the run (drain included)
 * @param seed                 the seed of the fault injection
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExperimentResult(
        String mode,
        int hops,
        long requests,
        long succeeded,
        long failed,
        double failureRate,
        Double predictedFailureRate,
        Long completed,
        Latency latencyMs,
        Latency completionMs,
        double throughputPerS,
        Long maxLag,
        Long drainMs,
        Long breakerOpenMs,
        Map<String, Long> failuresByKind,
        List<TimePoint> timeline,
        List<String> faults,
        String policies,
        long durationMs,
        long seed) {

    /** Latency percentiles in milliseconds. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Latency(double p50, double p95, double p99, double max, double mean, long count) {}

    /**
     * One interval of the run.
     *
     * @param tMs       the interval's start, in milliseconds from the first request
     * @param sent      requests sent in the interval
     * @param succeeded answers with success received in the interval
     * @param failed    failures seen in the interval
     * @param p99Ms     the 99th percentile latency of the answers received in the interval (0 if none)
     * @param lag       bus and db: the backlog sampled at the end of the interval (null otherwise)
     * @param completed bus and db: completions received in the interval (null otherwise)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TimePoint(long tMs, long sent, long succeeded, long failed, double p99Ms, Long lag, Long completed) {}
}
