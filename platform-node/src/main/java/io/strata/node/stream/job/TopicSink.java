package io.strata.node.stream.job;

import com.google.protobuf.ByteString;
import io.strata.node.bus.BusStore;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.bus.proto.ValueFormat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Produces window results to a topic, keyed by the result's key (so a key's results stay in one
 * partition, in order), each a JSON object with its kind ({@code early}, {@code on_time},
 * {@code late_update}). At least once: after a restart, results since the last checkpoint are
 * produced again; consumers that need each once drop repeats by (key, window_start, kind, values).
 * A result no record can carry (larger than {@code strata.bus.max-record-bytes}, or with a sum
 * that overflowed) goes to the job's dead-letter topic instead.
 */
final class TopicSink {

    private final BusStore bus;
    private final String topic;
    private final String keyField;
    private final DeadLetters deadLetters;

    TopicSink(BusStore bus, String topic, String keyField, DeadLetters deadLetters) {
        this.bus = bus;
        this.topic = topic;
        this.keyField = keyField;
        this.deadLetters = deadLetters;
    }

    /** Produces {@code outputs} with their kinds, in batches the bus accepts. */
    CompletionStage<Void> write(List<ResultRow> outputs, List<String> kinds) {
        List<BusRecord> records = new ArrayList<>(outputs.size());
        List<DeadLetters.Unstorable> refused = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            ResultRow output = outputs.get(i);
            var json = output.toJson(keyField);
            json.put("kind", kinds.get(i));
            ByteString value = ByteString.copyFrom(json.toString(), StandardCharsets.UTF_8);
            long max = bus.settings().maxRecordBytes();
            Optional<String> unstorable = output.unstorable().or(() -> value.size() <= max ? Optional.empty()
                    : Optional.of("a record of " + value.size() + " bytes exceeds strata.bus.max-record-bytes (" + max + ")"));
            if (unstorable.isPresent()) {
                refused.add(new DeadLetters.Unstorable(output, unstorable.get()));
            } else {
                records.add(BusRecord.newBuilder().setKey(output.key()).setFormat(ValueFormat.JSON).setValue(value).build());
            }
        }
        return deadLetters.results("topic:" + topic, refused).thenCompose(sent -> bus.produceInBatches(topic, records));
    }
}
