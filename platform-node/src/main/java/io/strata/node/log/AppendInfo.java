package io.strata.node.log;

/**
 * What an append stored: offsets {@code firstOffset..lastOffset} in {@code batches} batches; for
 * the retry of a batch an idempotent producer had stored before, where that batch is, with
 * {@code batches} 0 (nothing was written).
 *
 * @param maxTimestamp the largest record timestamp of the appended batches
 */
public record AppendInfo(long firstOffset, long lastOffset, int batches, long maxTimestamp) {

    /** The offset the next record appended after these gets. */
    public long nextOffset() {
        return lastOffset + 1;
    }

    /** The answer to a retried batch, stored before at {@code firstOffset..lastOffset}. */
    public static AppendInfo duplicate(long firstOffset, long lastOffset) {
        return new AppendInfo(firstOffset, lastOffset, 0, org.apache.kafka.common.record.internal.RecordBatch.NO_TIMESTAMP);
    }

    /** Whether the append was a retry of batches stored before, and wrote nothing. */
    public boolean duplicate() {
        return batches == 0;
    }
}
