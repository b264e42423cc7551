package io.strata.node.stream.job;

import com.google.protobuf.ByteString;
import io.strata.node.bus.BusStore;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.bus.proto.ValueFormat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Produces window results to a topic, keyed by the result's key (so a key's results stay in one
 * partition, in order), each a JSON object with its kind ({@code early}, {@code on_time},
 * {@code late_update}). At least once: after a restart, results since the last checkpoint are
 * produced again; consumers that need each once drop repeats by (key, window_start, kind, values).
 */
final class TopicSink {

    private final BusStore bus;
    private final String topic;
    private final String keyField;

    TopicSink(BusStore bus, String topic, String keyField) {
        this.bus = bus;
        this.topic = topic;
        this.keyField = keyField;
    }

    /** Produces {@code outputs} with their kinds, in batches the bus accepts. */
    CompletionStage<Void> write(List<ResultRow> outputs, List<String> kinds) {
        List<BusRecord> records = new ArrayList<>(outputs.size());
        for (int i = 0; i < outputs.size(); i++) {
            var json = outputs.get(i).toJson(keyField);
            json.put("kind", kinds.get(i));
            records.add(BusRecord.newBuilder().setKey(outputs.get(i).key()).setFormat(ValueFormat.JSON)
                    .setValue(ByteString.copyFrom(json.toString(), StandardCharsets.UTF_8)).build());
        }
        return bus.produceInBatches(topic, records);
    }
}
