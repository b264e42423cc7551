package io.strata.node.kv.resp;

import com.typesafe.config.Config;
import io.strata.node.limits.HeapShare;

import java.time.Duration;

import java.util.Optional;

/**
 * The {@code strata.resp} configuration (the Redis-protocol listener of the KV store), parsed and
 * validated once at startup.
 *
 * @param enabled         whether the node listens for RESP clients at all
 * @param host            the interface it binds
 * @param port            its TCP port (0 picks a free one)
 * @param maxRequestBytes the largest command (all of its arguments with their framing) a client may send
 * @param databases       how many databases SELECT accepts (0 .. databases-1); database N is keyspace "N"
 * @param maxInFlight     pipelined commands of one connection that may run at once (see {@link CommandScheduler})
 * @param maxClients      connections served at once (Redis's {@code maxclients}); one more is answered
 *                        {@code -ERR max number of clients reached} and closed
 * @param timeout         a connection on which nothing moves for this long is closed (Redis's {@code timeout});
 *                        zero never closes one
 * @param maxInputBytes   RESP input held across all connections: commands read and not yet answered (past it,
 *                        connections stop being read), and again as much for commands still arriving (past it, the
 *                        connection holding the largest unfinished command is closed)
 * @param authToken       the password AUTH must give before other commands run ({@code strata.http.auth-token},
 *                        the token every door shares); empty: no AUTH needed
 * @param allowFlush      whether FLUSHDB / FLUSHALL run without a password; with one, an authenticated
 *                        connection may always run them
 * @param ioThreads       the event loops that read, decode and answer connections (each connection stays on one)
 */
public record RespSettings(boolean enabled, String host, int port, long maxRequestBytes, int databases, int maxInFlight,
                           int maxClients, Duration timeout, long maxInputBytes, Optional<String> authToken, boolean allowFlush,
                           int ioThreads) {

    /** What {@code max-request-bytes = auto} adds to the largest value: room for the key and the command's framing. */
    static final long AUTO_SLACK_BYTES = 64 * 1024;
    /** Share of the maximum heap {@code max-input-bytes = auto} allows. */
    static final double AUTO_INPUT_SHARE = 1.0 / 16;

    public RespSettings {
        require(port >= 0 && port <= 65_535, "strata.resp.port must be 0..65535, got " + port);
        require(maxRequestBytes >= 1024 && maxRequestBytes <= Integer.MAX_VALUE - 8,
                "strata.resp.max-request-bytes must be 1k..2g, got " + maxRequestBytes);
        require(databases >= 1 && databases <= 1024, "strata.resp.databases must be 1..1024, got " + databases);
        require(maxInFlight >= 1 && maxInFlight <= 1024, "strata.resp.max-in-flight must be 1..1024, got " + maxInFlight);
        require(maxClients >= 1, "strata.resp.max-clients must be at least 1, got " + maxClients);
        require(!timeout.isNegative(), "strata.resp.timeout must not be negative, got " + timeout);
        require(ioThreads >= 1 && ioThreads <= 64, "strata.resp.io-threads must be 1..64, got " + ioThreads);
        require(maxInputBytes >= 1024, "strata.resp.max-input-bytes must be at least 1k, got " + maxInputBytes);
    }

    /** Reads the settings from the root configuration. */
    public static RespSettings from(Config root) {
        Config resp = root.getConfig("strata.resp");
        long maxRequest = resp.getString("max-request-bytes").equals("auto")
                ? root.getBytes("strata.http.max-body-bytes") + AUTO_SLACK_BYTES
                : resp.getBytes("max-request-bytes");
        return new RespSettings(resp.getBoolean("enabled"), resp.getString("host"), resp.getInt("port"), maxRequest,
                resp.getInt("databases"), resp.getInt("max-in-flight"), resp.getInt("max-clients"),
                resp.getDuration("timeout"), HeapShare.resolve(root, "strata.resp.max-input-bytes", AUTO_INPUT_SHARE),
                Optional.of(root.getString("strata.http.auth-token")).filter(token -> !token.isEmpty()), resp.getBoolean("allow-flush"),
                resp.getString("io-threads").equals("auto") ? autoIoThreads() : resp.getInt("io-threads"));
    }

    /** These settings with another {@code max-clients}, such as the one that fits the file-descriptor limit. */
    public RespSettings withMaxClients(int clients) {
        return new RespSettings(enabled, host, port, maxRequestBytes, databases, maxInFlight, clients, timeout, maxInputBytes,
                authToken, allowFlush, ioThreads);
    }

    /**
     * One event loop per two cores, at least one and at most four: a loop only moves bytes and
     * parses, the partitions' actors do the work, and they need the cores more.
     */
    static int autoIoThreads() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
