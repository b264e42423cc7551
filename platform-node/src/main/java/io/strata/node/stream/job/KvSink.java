package io.strata.node.stream.job;

import io.strata.node.kv.KvPartition;
import io.strata.node.kv.KvStore;
import io.strata.node.common.StrataException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The online feature store sink: under each key, the result of its latest window (the one with
 * the greatest end) as a JSON object, with a TTL. A result for an older window (a late update
 * after a newer window fired) does not replace a newer one. Writes are plain puts, so writing the
 * same result again is harmless.
 *
 * <p>Not thread-safe: one stream stage uses it. The latest window end per key is kept in memory
 * and in the job's checkpoint ({@link #latestEnds}).
 *
 * <p>Not final so that a test can stand in a sink whose writes stall (the backpressure tests).
 */
class KvSink {

    private final KvStore kv;
    private final String space;
    private final String keyField;
    private final long ttlMillis;
    private final Map<String, Long> latestEnd = new HashMap<>();

    KvSink(KvStore kv, String space, String keyField, Duration ttl) {
        this.kv = kv;
        this.space = space;
        this.keyField = keyField;
        this.ttlMillis = ttl == null ? 0 : ttl.toMillis();
    }

    /** Writes the newest result per key among {@code outputs}, skipping any older than what was written. */
    CompletionStage<Void> write(List<ResultRow> outputs) {
        Map<String, ResultRow> newest = new LinkedHashMap<>();
        for (ResultRow o : outputs) {
            ResultRow seen = newest.get(o.key());
            if (o.windowEnd() >= latestEnd.getOrDefault(o.key(), Long.MIN_VALUE)
                    && (seen == null || o.windowEnd() >= seen.windowEnd())) {
                newest.put(o.key(), o);
            }
        }
        List<CompletableFuture<KvPartition.Reply>> puts = new ArrayList<>(newest.size());
        for (ResultRow o : newest.values()) {
            latestEnd.put(o.key(), o.windowEnd());
            byte[] value = o.toJson(keyField).toString().getBytes(StandardCharsets.UTF_8);
            puts.add(kv.put(space, o.key(), value, ttlMillis, KvPartition.ANY_VERSION).toCompletableFuture());
        }
        return CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).thenAccept(done -> {
            for (CompletableFuture<KvPartition.Reply> put : puts) {
                if (put.join() instanceof KvPartition.Rejected r) {
                    throw new StrataException(StrataException.Kind.UNAVAILABLE, r.code(), "kv sink '" + space + "': " + r.message());
                }
            }
        });
    }

    /** The latest window end written per key, for the checkpoint. */
    Map<String, Long> latestEnds() {
        return Map.copyOf(latestEnd);
    }

    /** Restores {@link #latestEnds} from a checkpoint. */
    void restore(Map<String, Long> ends) {
        latestEnd.clear();
        latestEnd.putAll(ends);
    }
}
