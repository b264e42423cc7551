package io.strata.node.log;

/**
 * What an append stored: offsets {@code firstOffset..lastOffset} in {@code batches} batches.
 *
 * @param maxTimestamp the largest record timestamp of the appended batches
 */
public record AppendInfo(long firstOffset, long lastOffset, int batches, long maxTimestamp) {

    /** The offset the next record appended after these gets. */
    public long nextOffset() {
        return lastOffset + 1;
    }
}
