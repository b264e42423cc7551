package io.strata.dataflow.experiment;

import io.strata.dataflow.store.StrataClient;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bus mode's completions, read from the last service's topic: for each request id, when its
 * record was appended (the node's timestamp, milliseconds since the epoch), counted once however
 * often at-least-once delivery repeated it. Warm-up requests (ids below zero) are not counted.
 */
public final class BusCompletions {

    private static final int MAX_READ = 1000;

    private final StrataClient store;
    private final String topic;
    private final long[] offsets;
    private final Map<Long, Long> completedAtMillis = new ConcurrentHashMap<>();

    /** Completions of the requests whose results the chain appends to {@code topic}, of {@code partitions} partitions. */
    public BusCompletions(StrataClient store, String topic, int partitions) {
        this.store = store;
        this.topic = topic;
        this.offsets = new long[partitions];
    }

    /** Reads what every partition gained since the last call. Not thread-safe: one caller at a time. */
    public CompletableFuture<Void> catchUp() {
        CompletableFuture<?>[] reads = new CompletableFuture<?>[offsets.length];
        for (int p = 0; p < offsets.length; p++) {
            int partition = p;
            reads[p] = store.read(topic, partition, offsets[partition], MAX_READ).thenAccept(read -> {
                read.records().forEach(r -> {
                    long id = Long.parseLong(r.key());
                    if (id >= 0) {
                        completedAtMillis.putIfAbsent(id, r.timestamp());
                    }
                });
                offsets[partition] = read.nextOffset();
            });
        }
        return CompletableFuture.allOf(reads);
    }

    /** The requests (ids 0 and up) seen completed so far. */
    public int count() {
        return completedAtMillis.size();
    }

    /** When request {@code id} completed, or null. */
    public Long completedAt(long id) {
        return completedAtMillis.get(id);
    }
}
