package io.strata.node.log;

import net.openhft.chronicle.queue.RollCycle;

import java.time.Duration;

/**
 * How a {@link PartitionLog} is laid out and flushed.
 *
 * @param rollCycle          how often the log starts a new file (the unit retention deletes)
 * @param maxBatchBytes      the largest batch the log stores
 * @param indexIntervalBytes bytes of batches between two entries of the in-memory offset and time index
 * @param highWatermark      when appended batches become visible to readers and acknowledged
 * @param recoveryPointInterval how often at most a flush records its point on disk (checked batches
 *                           below it are not checked again at open)
 */
public record LogConfig(RollCycle rollCycle, int maxBatchBytes, int indexIntervalBytes, HighWatermarkPolicy highWatermark,
                        Duration recoveryPointInterval) {

    public LogConfig {
        if (maxBatchBytes <= 0 || maxBatchBytes > PartitionLog.BLOCK_SIZE / 4) {
            throw new IllegalArgumentException("maxBatchBytes must be in (0, " + PartitionLog.BLOCK_SIZE / 4 + "]: " + maxBatchBytes);
        }
        if (indexIntervalBytes <= 0) {
            throw new IllegalArgumentException("indexIntervalBytes must be positive: " + indexIntervalBytes);
        }
    }

    /** A log whose appends are visible and acknowledged once in the memory-mapped file (survives kill -9). */
    public static LogConfig of(RollCycle rollCycle) {
        return new LogConfig(rollCycle, 1 << 20, 4096, HighWatermarkPolicy.ON_APPEND, Duration.ofSeconds(30));
    }

    public LogConfig withHighWatermark(HighWatermarkPolicy policy) {
        return new LogConfig(rollCycle, maxBatchBytes, indexIntervalBytes, policy, recoveryPointInterval);
    }

    public LogConfig withMaxBatchBytes(int bytes) {
        return new LogConfig(rollCycle, bytes, indexIntervalBytes, highWatermark, recoveryPointInterval);
    }

    public LogConfig withIndexIntervalBytes(int bytes) {
        return new LogConfig(rollCycle, maxBatchBytes, bytes, highWatermark, recoveryPointInterval);
    }
}
