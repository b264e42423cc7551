package io.strata.node.log;

/**
 * Where a leader epoch ends in a log, as Kafka's OffsetsForLeaderEpoch answers: {@code epoch} is
 * the largest epoch the log holds at or below the one asked for, {@code endOffset} the first offset
 * after it (the start of the next epoch, or the log end for the latest); both -1 ({@link #UNDEFINED})
 * when the log cannot say (an empty log, an epoch above its latest, or -1 asked for).
 *
 * @param epoch     the epoch found, or -1
 * @param endOffset the offset it ends at (exclusive), or -1
 */
public record EpochEnd(int epoch, long endOffset) {

    /** The answer for an epoch the log cannot place. */
    public static final EpochEnd UNDEFINED = new EpochEnd(-1, -1);
}
