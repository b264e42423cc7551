package io.strata.node.log;

import io.strata.node.common.StrataException;

/** A read at an offset before the log's start or past what readers may see ({@code offset_out_of_range}, 416). */
public final class OffsetOutOfRange extends StrataException {

    private final long earliest;
    private final long latest;

    public OffsetOutOfRange(long offset, long earliest, long latest) {
        super(Kind.RANGE, "offset_out_of_range", offset < earliest
                ? "offset " + offset + " is before the earliest retained offset " + earliest
                : "offset " + offset + " is beyond the end of the partition (next offset " + latest + ")");
        this.earliest = earliest;
        this.latest = latest;
    }

    /** The first offset the log holds. */
    public long earliest() {
        return earliest;
    }

    /** The end of what readers may see. */
    public long latest() {
        return latest;
    }
}
