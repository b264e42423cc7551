package io.strata.node.columnar;

import com.typesafe.config.Config;
import io.strata.node.storage.Durability;
import io.strata.node.storage.StorageConfig;
import net.openhft.chronicle.queue.RollCycle;

import java.time.Duration;

/** The {@code strata.columnar} configuration, parsed and validated once at startup. */
public record ColumnarSettings(
        int defaultShards,
        int blockRows,
        int segmentRows,
        Durability durability,
        RollCycle rollCycle,
        int maxBatchRows,
        int maxResultRows,
        Duration queryTimeout,
        int exportPageRows) {

    /** Most rows a block may have: a block's vectors are Java arrays, and its encoding is buffered whole. */
    public static final int MAX_BLOCK_ROWS = 1 << 20;

    public ColumnarSettings {
        check(defaultShards >= 1 && defaultShards <= TableCatalog.MAX_SHARDS,
                "strata.columnar.default-shards must be 1.." + TableCatalog.MAX_SHARDS);
        check(blockRows >= 1 && blockRows <= MAX_BLOCK_ROWS, "strata.columnar.block-rows must be 1.." + MAX_BLOCK_ROWS);
        check(segmentRows >= blockRows, "strata.columnar.segment-rows must be at least strata.columnar.block-rows");
        check(maxBatchRows >= 1, "strata.columnar.max-batch-rows must be positive");
        check(maxResultRows >= 1, "strata.columnar.max-result-rows must be positive");
        check(queryTimeout.toMillis() >= 1, "strata.columnar.query-timeout must be at least 1ms");
        check(exportPageRows >= 1, "strata.columnar.export-page-rows must be positive");
    }

    public static ColumnarSettings from(Config root) {
        Config c = root.getConfig("strata.columnar");
        return new ColumnarSettings(
                c.getInt("default-shards"),
                c.getInt("block-rows"),
                c.getInt("segment-rows"),
                StorageConfig.durability(c.getString("durability"), "strata.columnar.durability"),
                StorageConfig.rollCycle(c.getString("roll-cycle"), "strata.columnar.roll-cycle"),
                c.getInt("max-batch-rows"),
                c.getInt("max-result-rows"),
                c.getDuration("query-timeout"),
                c.getInt("export-page-rows"));
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
