package io.strata.node.kv;

import com.typesafe.config.Config;
import io.strata.node.storage.EntryLog;
import io.strata.node.storage.Durability;
import io.strata.node.storage.StorageConfig;
import net.openhft.chronicle.queue.RollCycle;

import java.time.Duration;

/**
 * The {@code strata.kv} configuration, parsed and validated once at startup.
 *
 * @param maxValueBytes the largest value accepted (from {@code strata.http.max-body-bytes})
 */
public record KvSettings(
        int defaultPartitions,
        boolean autoCreateKeyspaces,
        int maxKeyBytes,
        int maxMgetKeys,
        int maxListKeys,
        Duration expirySweepInterval,
        Durability durability,
        RollCycle rollCycle,
        long snapshotEveryWrites,
        Duration snapshotInterval,
        long maxValueBytes) {

    /** Most partitions a keyspace may have. */
    public static final int MAX_PARTITIONS = 1024;
    /** Most bytes of keys in one partition's page of a listing: it crosses nodes in one message (Artery frames are 8 MiB). */
    private static final long MAX_LIST_PAGE_BYTES = 4L << 20;

    public KvSettings {
        require(defaultPartitions >= 1 && defaultPartitions <= MAX_PARTITIONS,
                "strata.kv.default-partitions must be 1.." + MAX_PARTITIONS + ", got " + defaultPartitions);
        require(maxKeyBytes >= 1 && maxKeyBytes <= 65_536, "strata.kv.max-key-bytes must be 1..65536, got " + maxKeyBytes);
        require(maxMgetKeys >= 1, "strata.kv.max-mget-keys must be positive, got " + maxMgetKeys);
        require(maxListKeys >= 1 && (long) maxListKeys * maxKeyBytes <= MAX_LIST_PAGE_BYTES,
                "strata.kv.max-list-keys must be at least 1 and, times strata.kv.max-key-bytes, at most "
                        + MAX_LIST_PAGE_BYTES + " (a partition's page of keys crosses nodes in one message), got "
                        + maxListKeys + " x " + maxKeyBytes);
        require(!expirySweepInterval.isNegative() && !expirySweepInterval.isZero(),
                "strata.kv.expiry-sweep-interval must be positive");
        require(snapshotEveryWrites >= 1, "strata.kv.snapshot.every-writes must be positive");
        require(!snapshotInterval.isNegative(), "strata.kv.snapshot.interval must not be negative");
        require(maxValueBytes >= 1 && maxValueBytes <= EntryLog.maxEntryBytes() - maxKeyBytes - 64,
                "strata.http.max-body-bytes must be 1.." + (EntryLog.maxEntryBytes() - maxKeyBytes - 64)
                        + " bytes (a value must fit in one log entry), got " + maxValueBytes);
    }

    /** Reads the settings from the root configuration. */
    public static KvSettings from(Config root) {
        Config kv = root.getConfig("strata.kv");
        return new KvSettings(
                kv.getInt("default-partitions"),
                kv.getBoolean("auto-create-keyspaces"),
                kv.getInt("max-key-bytes"),
                kv.getInt("max-mget-keys"),
                kv.getInt("max-list-keys"),
                kv.getDuration("expiry-sweep-interval"),
                StorageConfig.durability(kv.getString("durability"), "strata.kv.durability"),
                StorageConfig.rollCycle(kv.getString("log.roll-cycle"), "strata.kv.log.roll-cycle"),
                kv.getLong("snapshot.every-writes"),
                kv.getDuration("snapshot.interval"),
                root.getBytes("strata.http.max-body-bytes"));
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
