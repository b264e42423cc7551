package io.strata.dataflow.chain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.dataflow.store.StrataClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The db mode's hand-over through the shared store, the classic "queue table" in a KV store: the
 * service that writes stage {@code k} takes the next sequence number from the counter
 * {@code RUN.qK.n} and stores the record under {@code RUN.qK.i.SEQ}; the service that reads the
 * stage polls the counter and multi-gets the entries it has not seen.
 *
 * <p>A writer that took a sequence number but has not yet written its index entry leaves a gap;
 * the reader keeps gaps and looks again at its next polls (writers finish in milliseconds), giving
 * up on one after {@link #GAP_PATIENCE_NANOS}, so a writer that died between its two writes
 * cannot stall the stage. One reader per stage: the reader's cursor lives in its memory.
 */
final class DbQueue {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BATCH = 500;
    private static final long GAP_PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ChainService service;
    private final StrataClient client;
    private final String prefix;
    /** Written by the one reader's polls, read by monitoring. */
    private volatile long cursor;
    private final Map<Long, Long> gaps = new LinkedHashMap<>();

    /** The queue of stage {@code stage}, used by {@code service} (for its store faults) through {@code client}. */
    DbQueue(ChainService service, StrataClient client, int stage) {
        this.service = service;
        this.client = client;
        this.prefix = service.settings.runId() + ".q" + stage + ".";
    }

    /**
     * Appends a record; completes once it is stored. Gives up before its first write when
     * {@code caller} is already done: work its caller stopped waiting for would only delay the
     * work of those still waiting, and an overloaded store would never catch up.
     */
    CompletableFuture<Void> append(long id, ObjectNode record, CompletableFuture<?> caller) {
        String value = record.toString();
        return service.storeCall(id, 1, () -> caller.isDone()
                        ? CompletableFuture.failedFuture(new HopFailure(504, "timeout", service.name() + ": abandoned, its caller gave up"))
                        : client.incr(Results.KEYSPACE, prefix + "n", 1))
                .thenCompose(seq -> service.storeCall(id, 2, () ->
                        client.put(Results.KEYSPACE, prefix + "i." + seq, value, Results.TTL_SECONDS)));
    }

    /** The records appended since the last poll (and those of earlier gaps now filled), in sequence order. Not thread-safe: one reader. */
    CompletableFuture<List<ObjectNode>> poll(long pollKey) {
        return service.storeCall(pollKey, 4, () -> client.incr(Results.KEYSPACE, prefix + "n", 0)).thenCompose(count -> {
            List<Long> seqs = new ArrayList<>(gaps.keySet());
            long upTo = Math.min(count, cursor + MAX_BATCH);
            for (long seq = cursor + 1; seq <= upTo; seq++) {
                gaps.put(seq, System.nanoTime());
                seqs.add(seq);
            }
            cursor = upTo;
            if (seqs.isEmpty()) {
                return CompletableFuture.completedFuture(List.<ObjectNode>of());
            }
            List<String> keys = seqs.stream().map(seq -> prefix + "i." + seq).toList();
            return service.storeCall(pollKey, 5, () -> client.mget(Results.KEYSPACE, keys)).thenApply(values -> {
                List<ObjectNode> records = new ArrayList<>();
                for (long seq : seqs) {
                    String value = values.get(prefix + "i." + seq);
                    if (value != null) {
                        gaps.remove(seq);
                        records.add(parse(value));
                    }
                }
                expireGaps();
                return records;
            });
        });
    }

    /**
     * Records written but not yet read: read from the store's counter, not from the reader's last
     * poll, so the backlog of a reader that stopped polling (a down service) keeps growing.
     */
    CompletableFuture<Long> backlog() {
        long read = cursor;
        return client.incr(Results.KEYSPACE, prefix + "n", 0).thenApply(count -> Math.max(0, count - read));
    }

    private void expireGaps() {
        long now = System.nanoTime();
        for (Iterator<Long> since = gaps.values().iterator(); since.hasNext(); ) {
            if (now - since.next() > GAP_PATIENCE_NANOS) {
                since.remove();
            }
        }
    }

    private static ObjectNode parse(String value) {
        try {
            return (ObjectNode) JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException("a record of the db queue is not JSON: " + value, e);
        }
    }
}
