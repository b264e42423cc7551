package io.strata.node.kv.resp;

import com.typesafe.config.Config;

import java.util.Optional;

/**
 * The {@code strata.resp} configuration (the Redis-protocol listener of the KV store), parsed and
 * validated once at startup.
 *
 * @param enabled         whether the node listens for RESP2 clients at all
 * @param host            the interface it binds
 * @param port            its TCP port (0 picks a free one)
 * @param maxRequestBytes the largest command (all of its arguments with their framing) a client may send
 * @param databases       how many databases SELECT accepts (0 .. databases-1); database N is keyspace "N"
 * @param maxInFlight     pipelined commands of one connection that may run at once (see {@link CommandScheduler})
 * @param authToken       the password AUTH must give before other commands run ({@code strata.http.auth-token},
 *                        the token every door shares); empty: no AUTH needed
 */
public record RespSettings(boolean enabled, String host, int port, long maxRequestBytes, int databases, int maxInFlight,
                           Optional<String> authToken) {

    /** What {@code max-request-bytes = auto} adds to the largest value: room for the key and the command's framing. */
    static final long AUTO_SLACK_BYTES = 64 * 1024;

    public RespSettings {
        require(port >= 0 && port <= 65_535, "strata.resp.port must be 0..65535, got " + port);
        require(maxRequestBytes >= 1024 && maxRequestBytes <= Integer.MAX_VALUE - 8,
                "strata.resp.max-request-bytes must be 1k..2g, got " + maxRequestBytes);
        require(databases >= 1 && databases <= 1024, "strata.resp.databases must be 1..1024, got " + databases);
        require(maxInFlight >= 1 && maxInFlight <= 1024, "strata.resp.max-in-flight must be 1..1024, got " + maxInFlight);
    }

    /** Reads the settings from the root configuration. */
    public static RespSettings from(Config root) {
        Config resp = root.getConfig("strata.resp");
        long maxRequest = resp.getString("max-request-bytes").equals("auto")
                ? root.getBytes("strata.http.max-body-bytes") + AUTO_SLACK_BYTES
                : resp.getBytes("max-request-bytes");
        return new RespSettings(resp.getBoolean("enabled"), resp.getString("host"), resp.getInt("port"), maxRequest,
                resp.getInt("databases"), resp.getInt("max-in-flight"),
                Optional.of(root.getString("strata.http.auth-token")).filter(token -> !token.isEmpty()));
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
