package io.strata.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.strata.node.bus.BusSettings;
import io.strata.node.bus.GroupSettings;
import io.strata.node.columnar.ColumnarSettings;
import io.strata.node.kv.KvSettings;
import io.strata.node.kafka.KafkaSettings;
import io.strata.node.kv.resp.RespSettings;
import io.strata.node.gateway.HttpLimits;
import io.strata.node.limits.MemoryGuard;
import io.strata.node.stream.job.JobStore;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every setting of a node, parsed and checked at once before the node binds a port or touches its
 * data directory ({@link #from}): the node's own ({@code strata.http}, {@code strata.cluster},
 * {@code strata.storage}) and each store's settings record. A wrong value is refused with a
 * {@link StartupException} naming the key, what it accepts and where it was set.
 *
 * @param dataDir          {@code strata.data-dir}, absolute
 * @param httpHost         the interface the HTTP gateway binds
 * @param httpPort         its port, 0 for a free one
 * @param askTimeout       how long a route waits for an entity
 * @param authToken        the bearer token every request must carry, when set
 * @param maxBodyBytes     the largest request body
 * @param clusterName      the cluster file's name, empty for a node on its own
 * @param nodeName         this node's name in the cluster file, empty for a node on its own
 * @param clusterFile      the cluster file the node was started from, empty for a node on its own
 * @param clusterHost      the host of the node's cluster (Artery) endpoint
 * @param clusterPort      its port, 0 for a free one
 * @param seedNodes        the cluster addresses this node joins through; empty: it forms a cluster of its own
 * @param catalogTimeout   how long a replicated catalog's read or write may take
 * @param handoverTimeout  how long a leaving node hands its partitions over
 * @param joinLogInterval  how often a node that waits to join says which seeds it is trying
 * @param statusTimeout    how long {@code GET /cluster} waits for the other nodes' shard statistics
 * @param fsyncCommitDelay how long the group committer gathers writers before an fsync
 */
public record NodeSettings(
        Path dataDir,
        String httpHost,
        int httpPort,
        Duration askTimeout,
        Optional<String> authToken,
        long maxBodyBytes,
        String clusterName,
        String nodeName,
        String clusterFile,
        String clusterHost,
        int clusterPort,
        List<String> seedNodes,
        Duration catalogTimeout,
        Duration handoverTimeout,
        Duration joinLogInterval,
        Duration statusTimeout,
        Duration fsyncCommitDelay,
        long minFreeBytes,
        Duration freeSpaceCheckInterval,
        HttpLimits httpLimits,
        MemoryGuard.Settings memory,
        int reservedFileDescriptors,
        KvSettings kv,
        RespSettings resp,
        KafkaSettings kafka,
        BusSettings bus,
        GroupSettings groups,
        ColumnarSettings columnar,
        JobStore.Settings stream) {

    private static final Pattern KEY = Pattern.compile("strata(\\.[A-Za-z0-9-]+)+");

    public NodeSettings {
        require(httpPort >= 0 && httpPort <= 65_535, "strata.http.port (--http-port) must be a port 1..65535, or 0 for a free one;"
                + " got " + httpPort);
        require(clusterPort >= 0 && clusterPort <= 65_535, "strata.cluster.port (--cluster-port) must be a port 1..65535,"
                + " or 0 for a free one; got " + clusterPort);
        require(positive(askTimeout), "strata.http.ask-timeout must be positive, got " + askTimeout);
        require(positive(catalogTimeout), "strata.cluster.catalog-timeout must be positive, got " + catalogTimeout);
        require(!handoverTimeout.isNegative(), "strata.cluster.handover-timeout must not be negative, got " + handoverTimeout);
        require(positive(joinLogInterval), "strata.cluster.join-log-interval must be positive, got " + joinLogInterval);
        require(positive(statusTimeout), "strata.cluster.status-timeout must be positive, got " + statusTimeout);
        require(!fsyncCommitDelay.isNegative(), "strata.storage.fsync-commit-delay must not be negative, got " + fsyncCommitDelay);
        require(reservedFileDescriptors >= 0, "strata.reserved-file-descriptors must not be negative, got "
                + reservedFileDescriptors);
        require(minFreeBytes >= 0, "strata.storage.min-free must not be negative, got " + minFreeBytes);
        require(positive(freeSpaceCheckInterval), "strata.storage.free-space-check-interval must be positive, got "
                + freeSpaceCheckInterval);
    }

    /**
     * Reads and checks every setting of {@code config} (a node's resolved configuration, see
     * {@link NodeConfig}): the types of all {@code strata} keys against {@code reference.conf},
     * then each value's range.
     *
     * @throws StartupException naming the key, what it accepts and where it was set
     */
    public static NodeSettings from(Config config) {
        try {
            config.checkValid(ConfigFactory.defaultReference(), "strata");
            return parse(config);
        } catch (ConfigException e) {
            throw StartupException.badConfiguration(e);
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage() + setIn(config, e.getMessage()), e);
        }
    }

    private static NodeSettings parse(Config config) {
        // Read where they are used, from the actor system's config; checked here so a bad one stops the start.
        int maxMoves = config.getInt("strata.cluster.max-concurrent-moves");
        require(maxMoves >= 1, "strata.cluster.max-concurrent-moves must be positive, got " + maxMoves);
        config.getBoolean("strata.cluster.rebalance");
        config.getStringList("strata.cluster.roles");
        config.getStringList("strata.cluster.nodes");
        return new NodeSettings(
                dataDir(config.getString("strata.data-dir")),
                config.getString("strata.http.host"),
                config.getInt("strata.http.port"),
                config.getDuration("strata.http.ask-timeout"),
                Optional.of(config.getString("strata.http.auth-token")).filter(t -> !t.isEmpty()),
                config.getBytes("strata.http.max-body-bytes"),
                config.getString("strata.cluster.name"),
                config.getString("strata.cluster.node"),
                config.getString("strata.cluster.file"),
                config.getString("strata.cluster.host"),
                config.getInt("strata.cluster.port"),
                config.getStringList("pekko.cluster.seed-nodes"),
                config.getDuration("strata.cluster.catalog-timeout"),
                config.getDuration("strata.cluster.handover-timeout"),
                config.getDuration("strata.cluster.join-log-interval"),
                config.getDuration("strata.cluster.status-timeout"),
                config.getDuration("strata.storage.fsync-commit-delay"),
                config.getBytes("strata.storage.min-free"),
                config.getDuration("strata.storage.free-space-check-interval"),
                HttpLimits.from(config),
                MemoryGuard.Settings.from(config),
                config.getInt("strata.reserved-file-descriptors"),
                KvSettings.from(config),
                RespSettings.from(config),
                KafkaSettings.from(config),
                BusSettings.from(config),
                GroupSettings.from(config),
                ColumnarSettings.from(config),
                JobStore.Settings.from(config));
    }

    private static Path dataDir(String dir) {
        try {
            return Paths.get(dir).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("strata.data-dir (--data-dir) is not a valid path: " + e.getMessage());
        }
    }

    /** Where the first key {@code message} names was set, such as " (set in command line)", when the config knows it. */
    private static String setIn(Config config, String message) {
        Matcher key = KEY.matcher(message);
        if (!key.find()) {
            return "";
        }
        try {
            if (config.hasPath(key.group())) {
                return " (set in " + config.getValue(key.group()).origin().description() + ")";
            }
        } catch (ConfigException notAPath) {
            // The message named something that is not a key after all.
        }
        return "";
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
