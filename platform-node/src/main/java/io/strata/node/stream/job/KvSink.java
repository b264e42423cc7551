package io.strata.node.stream.job;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.strata.node.http.Json;
import io.strata.node.kv.KvPartition;
import io.strata.node.kv.KvStore;
import io.strata.node.common.StrataException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
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
 * same result again is harmless. A result the store refuses for what it is (a key longer than
 * {@code strata.kv.max-key-bytes}, a value over the size limit, a sum that overflowed) goes to the
 * job's dead-letter topic instead.
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
    private final DeadLetters deadLetters;
    /** Per key written (or tried): the window end written last, and the row this batch would write. */
    private final Map<String, Latest> latest = new HashMap<>();
    /** The last two window bounds written as text (a start and an end): the results of one firing share them. */
    private final long[] instants = {Long.MIN_VALUE, Long.MIN_VALUE};
    private final SerializableString[] instantTexts = new SerializableString[2];
    private int nextInstant;
    /** One generator for every value: each is the buffer's bytes after its row. */
    private final ByteArrayBuilder buffer = new ByteArrayBuilder();
    private JsonGenerator json;

    KvSink(KvStore kv, String space, String keyField, Duration ttl, DeadLetters deadLetters) {
        this.kv = kv;
        this.space = space;
        this.keyField = keyField;
        this.ttlMillis = ttl == null ? 0 : ttl.toMillis();
        this.deadLetters = deadLetters;
    }

    /** Writes the newest result per key among {@code outputs}, skipping any older than what was written. */
    CompletionStage<Void> write(List<ResultRow> outputs) {
        // One look-up per row: a key's entry holds both the end written last and the batch's newest row.
        List<Latest> newest = new ArrayList<>();
        for (ResultRow o : outputs) {
            Latest l = latest.computeIfAbsent(o.key(), key -> new Latest());
            if (l.pending == null) {
                if (o.windowEnd() >= l.written) {
                    l.pending = o;
                    newest.add(l);
                }
            } else if (o.windowEnd() >= l.pending.windowEnd()) {
                l.pending = o;
            }
        }
        // Taken out of the entries before anything can fail, so that no later batch finds a row still pending.
        List<ResultRow> rows = new ArrayList<>(newest.size());
        for (Latest l : newest) {
            rows.add(l.pending);
            l.pending = null;
        }
        Map<String, byte[]> values = new LinkedHashMap<>(capacity(newest.size()));
        List<DeadLetters.Unstorable> refused = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            ResultRow o = rows.get(i);
            Latest l = newest.get(i);
            var unstorable = o.unstorable();
            if (unstorable.isPresent()) {
                refused.add(new DeadLetters.Unstorable(o, unstorable.get()));
                continue;
            }
            byte[] value = json(o);
            try {
                kv.checkWrite(o.key(), value, ttlMillis);
            } catch (StrataException e) {
                // Refused for what it is, it would be refused again after any restart.
                refused.add(new DeadLetters.Unstorable(o, "keyspace '" + space + "' refuses it (" + e.code() + "): " + e.getMessage()));
                continue;
            }
            values.put(o.key(), value);
            l.written = o.windowEnd();
        }
        // One ask per partition for the whole batch of results: each partition logs its keys as one append.
        CompletionStage<List<KvPartition.Reply>> puts = values.isEmpty()
                ? CompletableFuture.completedFuture(List.of()) : kv.putAll(space, values, ttlMillis);
        return deadLetters.results("kv:" + space, refused).thenCompose(sent -> puts).thenAccept(replies -> {
            for (KvPartition.Reply reply : replies) {
                if (reply instanceof KvPartition.Rejected r) {
                    throw new StrataException(StrataException.Kind.UNAVAILABLE, r.code(), "kv sink '" + space + "': " + r.message());
                }
            }
        });
    }

    /** A hash map's initial capacity for {@code entries} keys, so that filling it never resizes it. */
    private static int capacity(int entries) {
        return (int) (entries / 0.75f) + 1;
    }

    /** The value written for {@code row}: its JSON object ({@link ResultRow#toJson}) as UTF-8. */
    byte[] json(ResultRow row) {
        try {
            if (json == null) {
                json = Json.MAPPER.createGenerator(buffer);
                json.setRootValueSeparator(null);
            }
            buffer.reset();
            row.writeJson(json, keyField, this::instant);
            json.flush();
            return buffer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a result as JSON", e);
        }
    }

    private SerializableString instant(long millis) {
        for (int i = 0; i < instants.length; i++) {
            if (instants[i] == millis && instantTexts[i] != null) {
                return instantTexts[i];
            }
        }
        int slot = nextInstant;
        nextInstant = (nextInstant + 1) % instants.length;
        instants[slot] = millis;
        instantTexts[slot] = new SerializedString(Instant.ofEpochMilli(millis).toString());
        return instantTexts[slot];
    }

    /** The latest window end written per key, for the checkpoint. */
    Map<String, Long> latestEnds() {
        Map<String, Long> ends = new HashMap<>(capacity(latest.size()));
        latest.forEach((key, l) -> {
            if (l.written != Long.MIN_VALUE) {
                ends.put(key, l.written);
            }
        });
        return Map.copyOf(ends);
    }

    /** Restores {@link #latestEnds} from a checkpoint. */
    void restore(Map<String, Long> ends) {
        latest.clear();
        ends.forEach((key, end) -> latest.computeIfAbsent(key, k -> new Latest()).written = end);
    }

    /** A key's window end written last ({@code Long.MIN_VALUE}: none), and the row a write under way picked for it. */
    private static final class Latest {
        long written = Long.MIN_VALUE;
        ResultRow pending;
    }
}
