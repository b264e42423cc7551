package io.strata.node.columnar.shard;

import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.ColumnVectors;
import io.strata.node.columnar.ZoneMap;

/**
 * A block of a shard's rows held in memory, not yet in a segment file: one vector per schema
 * column, all of {@code rows} rows, and their zone maps (null for a snapshot of the block still
 * being filled, which queries scan without pruning). Immutable.
 */
public record MemoryBlock(ColumnVector[] vectors, ZoneMap[] zones, int rows) {

    /** About how many bytes of heap the block takes. */
    public long memoryBytes() {
        long bytes = 0;
        for (ColumnVector v : vectors) {
            bytes += ColumnVectors.memoryBytes(v);
        }
        return bytes;
    }
}
