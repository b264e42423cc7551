package io.strata.node.gateway;

import com.typesafe.config.Config;
import io.strata.node.limits.HeapShare;

import java.time.Duration;

/**
 * The gateway's connection limits ({@code strata.http.*}), parsed and validated once at startup.
 *
 * @param maxConnections        connections served at once; past it, the longest-idle one is closed for a
 *                              newcomer, or newcomers wait in the kernel's accept queue
 * @param headerTimeout         a complete request head must arrive within this from connect, or from the
 *                              first byte of the next request on a kept-alive connection
 * @param bodyTimeout           a request body must arrive completely within this after its head
 * @param idleTimeout           a connection on which no byte moves either way for this long is closed
 * @param maxBodyBytes          the largest request body ({@code strata.http.max-body-bytes})
 * @param maxBodyBytesInFlight  request bodies held at once over all connections (declared length, or
 *                              {@code maxBodyBytes} when undeclared); past it requests get 503 {@code overloaded}
 *                              (one body larger than all of it is let through when no other is held)
 */
public record HttpLimits(int maxConnections, Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout,
                         long maxBodyBytes, long maxBodyBytesInFlight) {

    /** Share of the maximum heap {@code max-body-bytes-in-flight = auto} allows. */
    static final double AUTO_IN_FLIGHT_SHARE = 1.0 / 16;

    public HttpLimits {
        require(maxConnections >= 1, "strata.http.max-connections must be at least 1, got " + maxConnections);
        require(positive(headerTimeout), "strata.http.header-timeout must be positive, got " + headerTimeout);
        require(positive(bodyTimeout), "strata.http.body-timeout must be positive, got " + bodyTimeout);
        require(positive(idleTimeout), "strata.http.idle-timeout must be positive, got " + idleTimeout);
        require(maxBodyBytesInFlight > 0, "strata.http.max-body-bytes-in-flight must be positive, got " + maxBodyBytesInFlight);
    }

    /** Reads the limits from the root configuration. */
    public static HttpLimits from(Config root) {
        Config http = root.getConfig("strata.http");
        return new HttpLimits(http.getInt("max-connections"), http.getDuration("header-timeout"),
                http.getDuration("body-timeout"), http.getDuration("idle-timeout"), http.getBytes("max-body-bytes"),
                HeapShare.resolve(root, "strata.http.max-body-bytes-in-flight", AUTO_IN_FLIGHT_SHARE));
    }

    /** These limits with another {@code max-connections}, such as the one that fits the file-descriptor limit. */
    public HttpLimits withMaxConnections(int connections) {
        return new HttpLimits(connections, headerTimeout, bodyTimeout, idleTimeout, maxBodyBytes, maxBodyBytesInFlight);
    }

    private static boolean positive(Duration d) {
        return !d.isNegative() && !d.isZero();
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
