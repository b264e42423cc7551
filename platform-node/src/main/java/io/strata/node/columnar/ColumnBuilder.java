package io.strata.node.columnar;

import org.roaringbitmap.RoaringBitmap;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Accumulates the values of one column row by row into primitive arrays, then
 * {@link #build() builds} a {@link ColumnVector}. Strings are dictionary-coded as they arrive.
 * Used for ingest batches and for a shard's in-memory tail.
 *
 * <p>Not thread-safe. {@link #build} copies nothing it does not have to: the vector shares the
 * builder's arrays, so stop appending to a builder once it is built.
 */
public abstract sealed class ColumnBuilder permits ColumnBuilder.Longs, ColumnBuilder.Doubles,
        ColumnBuilder.Strings, ColumnBuilder.Bools {

    protected int size;
    protected RoaringBitmap nulls;

    /** A builder for a column of {@code type}. */
    public static ColumnBuilder of(ColumnType type) {
        return switch (type) {
            case INT64, TIMESTAMP -> new Longs();
            case FLOAT64 -> new Doubles();
            case STRING -> new Strings();
            case BOOL -> new Bools();
        };
    }

    public int size() {
        return size;
    }

    /** Appends a null row. */
    public void appendNull() {
        if (nulls == null) {
            nulls = new RoaringBitmap();
        }
        nulls.add(size);
        grow();
        size++;
    }

    protected abstract void grow();

    /** The column so far. */
    public abstract ColumnVector build();

    protected static int grownCapacity(int length, int needed) {
        return Math.max(needed, Math.max(16, length + (length >> 1)));
    }

    /** INT64 and TIMESTAMP columns. */
    public static final class Longs extends ColumnBuilder {
        private long[] values = new long[16];

        public void append(long value) {
            grow();
            values[size++] = value;
        }

        @Override
        protected void grow() {
            if (size == values.length) {
                values = Arrays.copyOf(values, grownCapacity(values.length, size + 1));
            }
        }

        @Override
        public ColumnVector build() {
            return new ColumnVector.LongVector(values, nulls, size);
        }
    }

    /** FLOAT64 columns. */
    public static final class Doubles extends ColumnBuilder {
        private double[] values = new double[16];

        public void append(double value) {
            grow();
            values[size++] = value;
        }

        @Override
        protected void grow() {
            if (size == values.length) {
                values = Arrays.copyOf(values, grownCapacity(values.length, size + 1));
            }
        }

        @Override
        public ColumnVector build() {
            return new ColumnVector.DoubleVector(values, nulls, size);
        }
    }

    /** STRING columns, dictionary-coded. */
    public static final class Strings extends ColumnBuilder {
        private int[] codes = new int[16];
        private final Map<String, Integer> codeOf = new HashMap<>();
        private String[] dictionary = new String[16];

        public void append(String value) {
            grow();
            Integer code = codeOf.get(value);
            if (code == null) {
                code = codeOf.size();
                codeOf.put(value, code);
                if (code == dictionary.length) {
                    dictionary = Arrays.copyOf(dictionary, dictionary.length * 2);
                }
                dictionary[code] = value;
            }
            codes[size++] = code;
        }

        @Override
        protected void grow() {
            if (size == codes.length) {
                codes = Arrays.copyOf(codes, grownCapacity(codes.length, size + 1));
            }
        }

        @Override
        public ColumnVector build() {
            return new ColumnVector.StringVector(codes, Arrays.copyOf(dictionary, codeOf.size()), nulls, size);
        }
    }

    /** BOOL columns. */
    public static final class Bools extends ColumnBuilder {
        private boolean[] values = new boolean[16];

        public void append(boolean value) {
            grow();
            values[size++] = value;
        }

        @Override
        protected void grow() {
            if (size == values.length) {
                values = Arrays.copyOf(values, grownCapacity(values.length, size + 1));
            }
        }

        @Override
        public ColumnVector build() {
            return new ColumnVector.BoolVector(values, nulls, size);
        }
    }
}
