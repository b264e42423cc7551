package io.strata.node.kv;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The KV store's meters. Thread-safe: partitions on any thread record into it. */
public final class KvMetrics {

    private final MeterRegistry registry;
    private final Map<String, Map<String, Counter>> ops = new ConcurrentHashMap<>();
    private final Counter partitionAsks;
    private final Counter logAppends;
    private final DistributionSummary logAppendBytes;
    private final Counter expired;
    private final Timer recoveries;
    private final Timer snapshots;

    public KvMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.partitionAsks = Counter.builder("strata.kv.partition.asks")
                .description("Messages the KV store sent to partitions (a batch of pipelined commands is one)").register(registry);
        this.logAppends = Counter.builder("strata.log.appends").description("Entries appended to KV partition logs")
                .tag("store", "kv").register(registry);
        this.logAppendBytes = DistributionSummary.builder("strata.log.append.bytes").baseUnit("bytes")
                .description("Size of entries appended to KV partition logs").tag("store", "kv").register(registry);
        this.expired = Counter.builder("strata.kv.expired.keys").description("Expired keys whose memory was reclaimed")
                .register(registry);
        this.recoveries = Timer.builder("strata.kv.partition.recovery").description("Time to recover a partition: snapshot + log tail")
                .register(registry);
        this.snapshots = Timer.builder("strata.kv.snapshot").description("Time to write a partition snapshot")
                .register(registry);
    }

    /** Counts one KV operation ({@code put}, {@code get}, ...) with its outcome ({@code ok}, {@code not_found}, a rejection code). */
    public void op(String op, String outcome) {
        ops.computeIfAbsent(op, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(outcome, k -> Counter.builder("strata.kv.ops")
                        .description("KV operations by type and outcome").tag("op", op).tag("outcome", outcome)
                        .register(registry))
                .increment();
    }

    /** Counts one message the store sent to a partition. */
    public void partitionAsk() {
        partitionAsks.increment();
    }

    public void logAppend(int bytes) {
        logAppends.increment();
        logAppendBytes.record(bytes);
    }

    public void expired(int keys) {
        expired.increment(keys);
    }

    public void recovery(long nanos) {
        recoveries.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void snapshot(long nanos) {
        snapshots.record(nanos, TimeUnit.NANOSECONDS);
    }
}
