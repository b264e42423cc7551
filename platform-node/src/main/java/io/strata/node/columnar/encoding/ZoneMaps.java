package io.strata.node.columnar.encoding;

import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.ColumnVector.BoolVector;
import io.strata.node.columnar.ColumnVector.DoubleVector;
import io.strata.node.columnar.ColumnVector.LongVector;
import io.strata.node.columnar.ColumnVector.StringVector;
import io.strata.node.columnar.ZoneMap;

/**
 * Computes a block's {@link ZoneMap}: row count, null count, and min/max over the non-null rows.
 * Fields that do not apply to the type, and every bound of an all-null (or empty) block, are
 * 0, 0.0 or null.
 *
 * <p>FLOAT64 bounds are built so that pruning by either IEEE comparison ({@code <}, {@code ==})
 * or {@link Double#compare} order never skips a block that could match:
 * <ul>
 * <li>NaN counts as the greatest value, as in {@link Double#compare}: a block holding a NaN has
 *     {@code maxDouble} NaN, and {@code minDouble} NaN too when every non-null value is NaN. Any
 *     IEEE test against a NaN bound is false, so a pruner asking "is max below x?" keeps it.</li>
 * <li>Zero bounds are widened over both signs: a zero minimum is reported as -0.0 and a zero
 *     maximum as +0.0, because IEEE equality treats them as one value and {@code Double.compare}
 *     does not.</li>
 * </ul>
 * Cost: one pass over the rows (STRING: over the codes, then one comparison per used entry).
 * Stateless and thread-safe.
 */
public final class ZoneMaps {

    private ZoneMaps() {
    }

    /** The zone map of {@code vector}, whose class must match {@code type} as in {@link ColumnCodec#encode}. */
    public static ZoneMap of(ColumnType type, ColumnVector vector) {
        ColumnCodec.as(ColumnCodec.vectorClass(type), type, vector);
        int n = vector.size();
        boolean[] isNull = NullRows.flags(vector.nulls(), n);
        int nulls = 0;
        if (isNull != null) {
            for (boolean b : isNull) {
                nulls += b ? 1 : 0;
            }
        }
        if (nulls == n) {
            return new ZoneMap(n, nulls, 0, 0, 0.0, 0.0, null, null);
        }
        return switch (type) {
            case INT64, TIMESTAMP -> longs(n, nulls, isNull, ColumnCodec.as(LongVector.class, type, vector).values());
            case BOOL -> bools(n, nulls, isNull, ColumnCodec.as(BoolVector.class, type, vector).values());
            case FLOAT64 -> doubles(n, nulls, isNull, ColumnCodec.as(DoubleVector.class, type, vector).values());
            case STRING -> strings(n, nulls, isNull, ColumnCodec.as(StringVector.class, type, vector));
        };
    }

    private static ZoneMap longs(int n, int nulls, boolean[] isNull, long[] values) {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            if (isNull == null || !isNull[i]) {
                min = Math.min(min, values[i]);
                max = Math.max(max, values[i]);
            }
        }
        return new ZoneMap(n, nulls, min, max, 0.0, 0.0, null, null);
    }

    private static ZoneMap bools(int n, int nulls, boolean[] isNull, boolean[] values) {
        boolean anyFalse = false;
        boolean anyTrue = false;
        for (int i = 0; i < n; i++) {
            if (isNull == null || !isNull[i]) {
                anyTrue |= values[i];
                anyFalse |= !values[i];
            }
        }
        return new ZoneMap(n, nulls, anyFalse ? 0 : 1, anyTrue ? 1 : 0, 0.0, 0.0, null, null);
    }

    private static ZoneMap doubles(int n, int nulls, boolean[] isNull, double[] values) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        boolean anyNumber = false;
        boolean anyNaN = false;
        for (int i = 0; i < n; i++) {
            if (isNull == null || !isNull[i]) {
                double d = values[i];
                if (Double.isNaN(d)) {
                    anyNaN = true;
                } else {
                    anyNumber = true;
                    min = Math.min(min, d);
                    max = Math.max(max, d);
                }
            }
        }
        if (!anyNumber) {
            return new ZoneMap(n, nulls, 0, 0, Double.NaN, Double.NaN, null, null);
        }
        if (min == 0.0) {
            min = -0.0;
        }
        if (max == 0.0) {
            max = 0.0;
        }
        return new ZoneMap(n, nulls, 0, 0, min, anyNaN ? Double.NaN : max, null, null);
    }

    private static ZoneMap strings(int n, int nulls, boolean[] isNull, StringVector vector) {
        int[] codes = vector.codes();
        String[] dictionary = vector.dictionary();
        boolean[] used = new boolean[dictionary.length];
        for (int i = 0; i < n; i++) {
            if (isNull == null || !isNull[i]) {
                used[codes[i]] = true;
            }
        }
        String min = null;
        String max = null;
        for (int c = 0; c < dictionary.length; c++) {
            if (used[c]) {
                String s = dictionary[c];
                if (min == null || s.compareTo(min) < 0) {
                    min = s;
                }
                if (max == null || s.compareTo(max) > 0) {
                    max = s;
                }
            }
        }
        return new ZoneMap(n, nulls, 0, 0, 0.0, 0.0, min, max);
    }
}
