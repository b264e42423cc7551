package io.strata.node.stream.job;

import com.google.protobuf.ByteString;
import io.strata.node.bus.BusStore;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.bus.proto.ValueFormat;
import io.strata.node.stream.spec.JobSpec;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A job's dead-letter topic ({@code dead_letter.topic}, by default {@code <source topic>.dlq}):
 * what the job cannot process goes there with the reason, and the job goes on.
 * <ul>
 *   <li>A source record it cannot read, key or time: its value as it came, with headers
 *       {@code dlq.reason}, {@code dlq.job}, {@code dlq.topic}, {@code dlq.partition},
 *       {@code dlq.offset}.</li>
 *   <li>A window result a sink cannot store: the result as the KV and topic sinks write it, keyed
 *       by its key, with headers {@code dlq.reason}, {@code dlq.job} and {@code dlq.sink}
 *       ({@code kv:<space>}, {@code table:<name>}, {@code topic:<name>}); the other sinks get it.
 *       A result too large for a record keeps its key and window only.</li>
 * </ul>
 * At least once, as the topic sinks: after a restart, what was sent since the last checkpoint may
 * be sent again. Thread-safe.
 */
final class DeadLetters {

    /** A window result a sink cannot store, and why. */
    record Unstorable(ResultRow result, String reason) {}

    private final BusStore bus;
    private final JobSpec spec;
    private final JobStatus status;

    DeadLetters(BusStore bus, JobSpec spec, JobStatus status) {
        this.bus = bus;
        this.spec = spec;
        this.status = status;
    }

    /** The dead letter of source record {@code value} at {@code offset} of {@code partition}. */
    BusRecord badRecord(int partition, long offset, ByteString value, String reason) {
        return BusRecord.newBuilder().setValue(value).putHeaders("dlq.reason", reason)
                .putHeaders("dlq.job", spec.name()).putHeaders("dlq.topic", spec.source().topic())
                .putHeaders("dlq.partition", Integer.toString(partition))
                .putHeaders("dlq.offset", Long.toString(offset)).build();
    }

    /** Sends dead letters made by {@link #badRecord}. */
    CompletionStage<Void> send(List<BusRecord> records) {
        return records.isEmpty() ? CompletableFuture.completedFuture(null) : bus.produceInBatches(spec.deadLetterTopic(), records);
    }

    /** Sends the results {@code sink} cannot store, each with its reason, and counts them as the job's bad results. */
    CompletionStage<Void> results(String sink, List<Unstorable> results) {
        status.badResults.addAndGet(results.size());
        return send(results.stream().map(u -> result(sink, u)).toList());
    }

    private BusRecord result(String sink, Unstorable unstorable) {
        ResultRow row = unstorable.result();
        String reason = unstorable.reason();
        var json = row.toJson(spec.key());
        byte[] value = json.toString().getBytes(StandardCharsets.UTF_8);
        if (value.length > bus.settings().maxRecordBytes()) {
            json = new ResultRow(row.key(), row.windowStart(), row.windowEnd(), new java.util.LinkedHashMap<>()).toJson(spec.key());
            value = json.toString().getBytes(StandardCharsets.UTF_8);
            reason += " (its values are left out: the result takes more than strata.bus.max-record-bytes)";
        }
        return BusRecord.newBuilder().setKey(row.key()).setFormat(ValueFormat.JSON).setValue(ByteString.copyFrom(value))
                .putHeaders("dlq.reason", reason).putHeaders("dlq.job", spec.name()).putHeaders("dlq.sink", sink).build();
    }
}
