package io.strata.node.kafka;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A node's broker role: what it announces, and that every node reads it back the same. */
class KafkaBrokersTest {

    @Test
    void aDoorOnAFixedPortIsAnnouncedAtItsAdvertisedAddress() {
        assertEquals(Optional.of("kafka:3:127.0.0.1:9092"), KafkaBrokers.roleOf(settings(true, "127.0.0.1", 9092, "", 0, 3), "10.0.0.1"));
        assertEquals(Optional.of("kafka:3:10.0.0.1:9092"), KafkaBrokers.roleOf(settings(true, "0.0.0.0", 9092, "", 0, 3), "10.0.0.1"),
                "a wildcard door: the node's cluster host");
        assertEquals(Optional.of("kafka:0:kafka.example.com:19092"),
                KafkaBrokers.roleOf(settings(true, "0.0.0.0", 0, "kafka.example.com", 19092, 0), "10.0.0.1"),
                "advertised host and port win, and make a picked port announceable");
        assertEquals(Optional.empty(), KafkaBrokers.roleOf(settings(true, "127.0.0.1", 0, "", 0, 0), "10.0.0.1"), "a port picked at bind time");
        assertEquals(Optional.empty(), KafkaBrokers.roleOf(settings(false, "127.0.0.1", 9092, "", 0, 0), "10.0.0.1"), "no door");
    }

    @Test
    void rolesReadBackAsBrokers() {
        assertEquals(Optional.of(new KafkaBrokers.Broker(3, "127.0.0.1", 9092)), KafkaBrokers.parseRole("kafka:3:127.0.0.1:9092"));
        assertEquals(Optional.of(new KafkaBrokers.Broker(1, "::1", 9092)), KafkaBrokers.parseRole("kafka:1:::1:9092"), "an IPv6 host");
        assertEquals(Optional.empty(), KafkaBrokers.parseRole("node:n1"));
        assertEquals(Optional.empty(), KafkaBrokers.parseRole("kafka:x:h:1"));
    }

    @Test
    void aNodeOnItsOwnIsTheOnlyBrokerAndLeadsEverything() {
        KafkaBrokers alone = KafkaBrokers.alone(5);
        Map<String, KafkaBrokers.Broker> brokers = alone.brokers(new KafkaApis.BrokerAddress("127.0.0.1", 9092));
        assertEquals(Map.of("", new KafkaBrokers.Broker(5, "127.0.0.1", 9092)), brokers);
        assertEquals(5, alone.leaderOf("t", 3, brokers).id());
        assertEquals(Optional.empty(), alone.elsewhere("t", 3));
    }

    private static KafkaSettings settings(boolean enabled, String host, int port, String advertisedHost, int advertisedPort, int id) {
        return new KafkaSettings(enabled, host, port, advertisedHost, advertisedPort, id, 1 << 20, 10, Optional.empty());
    }
}
