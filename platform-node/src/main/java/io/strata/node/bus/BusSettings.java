package io.strata.node.bus;

import com.typesafe.config.Config;
import io.strata.node.log.PartitionLog;
import io.strata.node.storage.Durability;
import io.strata.node.storage.StorageConfig;
import net.openhft.chronicle.queue.RollCycle;

import java.time.Duration;

/** The {@code strata.bus} configuration, parsed and validated once at startup. */
public record BusSettings(
        int defaultPartitions,
        Retention defaultRetention,
        long maxRecordBytes,
        int maxBatchRecords,
        int maxReadRecords,
        long maxReadBytes,
        Durability durability,
        RollCycle rollCycle,
        Duration retentionCheckInterval,
        boolean autoCreateTopics) {

    /** Most partitions a topic may have. */
    public static final int MAX_PARTITIONS = 1024;

    public BusSettings {
        check(defaultPartitions >= 1 && defaultPartitions <= MAX_PARTITIONS,
                "strata.bus.default-partitions must be 1.." + MAX_PARTITIONS);
        check(maxRecordBytes >= 1 && maxRecordBytes <= PartitionLog.maxBatchBytes() - 64 * 1024,
                "strata.bus.max-record-bytes must be 1.." + (PartitionLog.maxBatchBytes() - 64 * 1024));
        check(maxBatchRecords >= 1, "strata.bus.max-batch-records must be positive");
        check(maxReadRecords >= 1, "strata.bus.max-read-records must be positive");
        check(maxReadBytes >= 1, "strata.bus.max-read-bytes must be positive");
        check(!retentionCheckInterval.isNegative() && !retentionCheckInterval.isZero(),
                "strata.bus.retention-check-interval must be positive");
    }

    public static BusSettings from(Config root) {
        Config bus = root.getConfig("strata.bus");
        return new BusSettings(
                bus.getInt("default-partitions"),
                new Retention(Retention.parseTime(bus.getString("default-retention"), "strata.bus.default-retention"), 0),
                bus.getBytes("max-record-bytes"),
                bus.getInt("max-batch-records"),
                bus.getInt("max-read-records"),
                bus.getBytes("max-read-bytes"),
                StorageConfig.durability(bus.getString("durability"), "strata.bus.durability"),
                StorageConfig.rollCycle(bus.getString("roll-cycle"), "strata.bus.roll-cycle"),
                bus.getDuration("retention-check-interval"),
                bus.getBoolean("auto-create-topics"));
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
