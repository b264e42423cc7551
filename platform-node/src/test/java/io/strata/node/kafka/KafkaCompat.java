package io.strata.node.kafka;

import io.strata.node.testing.TestNode;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** What the compatibility tests with other Kafka clients share: a node with its Kafka door on a free port. */
final class KafkaCompat {

    private KafkaCompat() {}

    /** One record as a client gave or read it: where it is and what it holds; headers as name, value, name, value... */
    record Stored(int partition, long offset, String key, String value, List<String> headers) {

        /** By partition, then offset. */
        static final Comparator<Stored> ORDER = Comparator.comparingInt(Stored::partition).thenComparingLong(Stored::offset);
    }

    /** A node with data in {@code dir} and the Kafka door on a free port. */
    static TestNode start(Path dir) {
        return TestNode.start(dir, Map.of("strata.kafka.enabled", "on", "strata.kafka.port", "0"));
    }

    /** The door's address as a client's bootstrap list: host:port. */
    static String bootstrap(TestNode node) {
        var address = node.node().kafkaAddress().orElseThrow();
        return address.getHostString() + ":" + address.getPort();
    }
}
