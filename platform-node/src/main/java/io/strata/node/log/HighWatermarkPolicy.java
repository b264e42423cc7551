package io.strata.node.log;

/**
 * Decides when what was appended to a {@link PartitionLog} becomes visible to readers and may be
 * acknowledged to its writer: the high watermark. Readers never see past it; a writer waits for
 * it to pass its batch ({@link PartitionLog#awaitHighWatermarkAbove}) before acknowledging.
 *
 * <p>Today the durability mode decides; replication will add a policy under which the leader
 * moves the watermark when its followers have the batch.
 */
public enum HighWatermarkPolicy {
    /** At once: a batch in the memory-mapped file survives the death of the process (durability {@code mmap}). */
    ON_APPEND,
    /** Once a {@link PartitionLog#flush()} has fsynced the batch (durability {@code fsync}: survives power loss). */
    ON_FLUSH
}
