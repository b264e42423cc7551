package io.strata.node.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.testing.TestNode;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the compatibility tests with other Kafka clients share: a node with its Kafka door on a free port. */
final class KafkaCompat {

    private KafkaCompat() {}

    /** One record as a client gave or read it: where it is and what it holds; headers as name, value, name, value... */
    record Stored(int partition, long offset, String key, String value, List<String> headers) {

        /** By partition, then offset. */
        static final Comparator<Stored> ORDER = Comparator.comparingInt(Stored::partition).thenComparingLong(Stored::offset);
    }

    /**
     * A node with data in {@code dir} and the Kafka door on a free port; a group of Kafka consumers
     * forming from empty waits 200 ms for more members (Kafka's default, 3 s, would slow each join).
     */
    static TestNode start(Path dir) {
        return TestNode.start(dir, Map.of("strata.kafka.enabled", "on", "strata.kafka.port", "0",
                "strata.bus.group.initial-rebalance-delay", "200ms"));
    }

    /** The offsets {@code group} committed in {@code topic}, by partition, as GET /groups/{g} gives them. */
    static Map<Integer, Long> committed(TestNode node, String group, String topic) {
        JsonNode body = TestNode.json(node.get("/groups/" + group));
        Map<Integer, Long> committed = new TreeMap<>();
        for (JsonNode t : body.path("topics")) {
            if (t.get("topic").asText().equals(topic)) {
                t.path("committed").fields().forEachRemaining(e -> committed.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
            }
        }
        return committed;
    }

    /** The offset after the last of {@code records} in each partition they are in: what a group that read them commits. */
    static Map<Integer, Long> next(List<Stored> records) {
        Map<Integer, Long> next = new TreeMap<>();
        records.forEach(r -> next.merge(r.partition(), r.offset() + 1, Math::max));
        return next;
    }

    /** The door's address as a client's bootstrap list: host:port. */
    static String bootstrap(TestNode node) {
        var address = node.node().kafkaAddress().orElseThrow();
        return address.getHostString() + ":" + address.getPort();
    }
}
