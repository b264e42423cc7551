package io.strata.node.columnar;

import org.roaringbitmap.RoaringBitmap;

/**
 * The values of one column for a batch of rows, in primitive arrays: what encodings decode into
 * and what queries run over. Row {@code i} is null when {@code nulls} contains {@code i}
 * ({@code nulls} is null when no row is null); a null row's slot in the value array is
 * unspecified. Arrays may be longer than {@code size}. Treat vectors as immutable once built.
 */
public sealed interface ColumnVector permits ColumnVector.LongVector, ColumnVector.DoubleVector,
        ColumnVector.StringVector, ColumnVector.BoolVector {

    /** Number of rows. */
    int size();

    /** The null rows, or null when there are none. */
    RoaringBitmap nulls();

    default boolean isNull(int row) {
        RoaringBitmap n = nulls();
        return n != null && n.contains(row);
    }

    /** INT64 and TIMESTAMP values. */
    record LongVector(long[] values, RoaringBitmap nulls, int size) implements ColumnVector {}

    /** FLOAT64 values. */
    record DoubleVector(double[] values, RoaringBitmap nulls, int size) implements ColumnVector {}

    /**
     * STRING values as codes into {@code dictionary}: row {@code i} is {@code dictionary[codes[i]]}.
     * The dictionary holds each distinct value once, in no particular order.
     */
    record StringVector(int[] codes, String[] dictionary, RoaringBitmap nulls, int size) implements ColumnVector {
        public String value(int row) {
            return dictionary[codes[row]];
        }
    }

    /** BOOL values. */
    record BoolVector(boolean[] values, RoaringBitmap nulls, int size) implements ColumnVector {}
}
