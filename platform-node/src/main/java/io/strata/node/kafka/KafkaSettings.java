package io.strata.node.kafka;

import com.typesafe.config.Config;

import java.util.Optional;

/**
 * The {@code strata.kafka} configuration (the bus's Kafka-protocol door), parsed and validated once
 * at startup.
 *
 * @param enabled         whether the node listens for Kafka clients at all
 * @param host            the interface it binds
 * @param port            its TCP port (0 picks a free one)
 * @param advertisedHost  the host clients are told to connect to (Metadata); empty: {@code host}
 * @param advertisedPort  the port clients are told; 0: the bound port
 * @param nodeId          the broker id Metadata gives this node
 * @param maxRequestBytes the largest request a client may send (Kafka's {@code socket.request.max.bytes});
 *                        a larger one closes the connection
 * @param maxConnections  connections served at once; one more is closed at once
 * @param authToken       the node's token ({@code strata.http.auth-token}): when set, the door refuses to
 *                        start (it has no SASL yet, and would let clients past the token)
 */
public record KafkaSettings(boolean enabled, String host, int port, String advertisedHost, int advertisedPort, int nodeId,
                            int maxRequestBytes, int maxConnections, Optional<String> authToken) {

    public KafkaSettings {
        require(port >= 0 && port <= 65_535, "strata.kafka.port must be 0..65535, got " + port);
        require(advertisedPort >= 0 && advertisedPort <= 65_535, "strata.kafka.advertised-port must be 0..65535, got "
                + advertisedPort);
        require(nodeId >= 0, "strata.kafka.node-id must be 0 or more, got " + nodeId);
        require(maxRequestBytes >= 1024, "strata.kafka.max-request-bytes must be at least 1k, got " + maxRequestBytes);
        require(maxConnections >= 1, "strata.kafka.max-connections must be at least 1, got " + maxConnections);
        require(!enabled || authToken.isEmpty(), "strata.kafka.enabled needs strata.http.auth-token unset: the Kafka door"
                + " does not authenticate clients yet (SASL), so it would let them past the node's token");
    }

    /** Reads the settings from the root configuration. */
    public static KafkaSettings from(Config root) {
        Config kafka = root.getConfig("strata.kafka");
        long maxRequest = kafka.getBytes("max-request-bytes");
        require(maxRequest <= Integer.MAX_VALUE - 8, "strata.kafka.max-request-bytes must be below 2g, got " + maxRequest);
        return new KafkaSettings(kafka.getBoolean("enabled"), kafka.getString("host"), kafka.getInt("port"),
                kafka.getString("advertised-host"), kafka.getInt("advertised-port"), kafka.getInt("node-id"), (int) maxRequest,
                kafka.getInt("max-connections"),
                Optional.of(root.getString("strata.http.auth-token")).filter(token -> !token.isEmpty()));
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
