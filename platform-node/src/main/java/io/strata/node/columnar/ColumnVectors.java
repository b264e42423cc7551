package io.strata.node.columnar;

import org.roaringbitmap.RoaringBitmap;

/** Operations on {@link ColumnVector}s that the vectors' records do not carry. Stateless. */
public final class ColumnVectors {

    private ColumnVectors() {}

    /**
     * The first {@code rows} rows of {@code vector}, sharing its value arrays. The null bitmap is
     * copied (and cut to the prefix), so the prefix stays valid while the vector's builder
     * keeps appending.
     */
    public static ColumnVector prefix(ColumnVector vector, int rows) {
        if (rows < 0 || rows > vector.size()) {
            throw new IllegalArgumentException("prefix of " + rows + " rows of a vector of " + vector.size());
        }
        RoaringBitmap nulls = null;
        if (vector.nulls() != null) {
            nulls = vector.nulls().clone();
            nulls.remove(rows, Math.max(rows, (long) nulls.last() + 1));
            if (nulls.isEmpty()) {
                nulls = null;
            }
        }
        if (vector instanceof ColumnVector.LongVector v) {
            return new ColumnVector.LongVector(v.values(), nulls, rows);
        } else if (vector instanceof ColumnVector.DoubleVector v) {
            return new ColumnVector.DoubleVector(v.values(), nulls, rows);
        } else if (vector instanceof ColumnVector.StringVector v) {
            return new ColumnVector.StringVector(v.codes(), v.dictionary(), nulls, rows);
        }
        ColumnVector.BoolVector v = (ColumnVector.BoolVector) vector;
        return new ColumnVector.BoolVector(v.values(), nulls, rows);
    }

    /** About how many bytes of heap the vector's rows take: values, string dictionary, null bitmap. */
    public static long memoryBytes(ColumnVector vector) {
        long bytes = vector.nulls() == null ? 0 : vector.nulls().getSizeInBytes();
        if (vector instanceof ColumnVector.LongVector || vector instanceof ColumnVector.DoubleVector) {
            return bytes + 8L * vector.size();
        } else if (vector instanceof ColumnVector.StringVector v) {
            bytes += 4L * v.size();
            for (String s : v.dictionary()) {
                // A String's header and array header, plus its bytes (Latin-1 compact strings).
                bytes += 40 + s.length();
            }
            return bytes;
        }
        return bytes + vector.size();
    }
}
