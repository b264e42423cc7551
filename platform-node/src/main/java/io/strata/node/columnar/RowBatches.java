package io.strata.node.columnar;

import io.strata.node.columnar.proto.ColumnData;
import io.strata.node.columnar.proto.RowBatch;

import java.util.BitSet;

/**
 * Converts between column vectors and the {@link RowBatch} that is logged (and sent to a shard).
 * Stateless.
 */
public final class RowBatches {

    private RowBatches() {}

    /** The rows of {@code columns} (schema order) as a batch. */
    public static RowBatch toProto(Schema schema, ColumnVector[] columns) {
        return toProto(columns, 0, columns.length == 0 ? 0 : columns[0].size());
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) of {@code columns} (schema order) as a batch. */
    public static RowBatch toProto(ColumnVector[] columns, int from, int to) {
        RowBatch.Builder batch = RowBatch.newBuilder().setRows(to - from);
        for (ColumnVector vector : columns) {
            ColumnData.Builder data = ColumnData.newBuilder();
            if (vector.nulls() != null) {
                vector.nulls().forEach((int row) -> {
                    if (row >= from && row < to) {
                        data.addNullRows(row - from);
                    }
                });
            }
            // A null row's slot is unspecified in a vector, so it is written as a zero value.
            if (vector instanceof ColumnVector.LongVector v) {
                for (int r = from; r < to; r++) {
                    data.addLongs(v.isNull(r) ? 0 : v.values()[r]);
                }
            } else if (vector instanceof ColumnVector.DoubleVector v) {
                for (int r = from; r < to; r++) {
                    data.addDoubles(v.isNull(r) ? 0 : v.values()[r]);
                }
            } else if (vector instanceof ColumnVector.StringVector v) {
                for (int r = from; r < to; r++) {
                    data.addStrings(v.isNull(r) ? "" : v.value(r));
                }
            } else if (vector instanceof ColumnVector.BoolVector v) {
                for (int r = from; r < to; r++) {
                    data.addBools(!v.isNull(r) && v.values()[r]);
                }
            }
            batch.addColumns(data);
        }
        return batch.build();
    }

    /** Appends the rows of {@code batch} to {@code builders} (schema order). */
    public static void appendTo(Schema schema, RowBatch batch, ColumnBuilder[] builders) {
        appendTo(batch, 0, batch.getRows(), builders);
    }

    /** Appends rows {@code from} (inclusive) to {@code to} (exclusive) of {@code batch} to {@code builders} (schema order). */
    public static void appendTo(RowBatch batch, int from, int to, ColumnBuilder[] builders) {
        for (int c = 0; c < builders.length; c++) {
            ColumnData data = batch.getColumns(c);
            BitSet nulls = new BitSet();
            data.getNullRowsList().forEach(nulls::set);
            ColumnBuilder builder = builders[c];
            for (int r = from; r < to; r++) {
                if (nulls.get(r)) {
                    builder.appendNull();
                } else if (builder instanceof ColumnBuilder.Longs b) {
                    b.append(data.getLongs(r));
                } else if (builder instanceof ColumnBuilder.Doubles b) {
                    b.append(data.getDoubles(r));
                } else if (builder instanceof ColumnBuilder.Strings b) {
                    b.append(data.getStrings(r));
                } else if (builder instanceof ColumnBuilder.Bools b) {
                    b.append(data.getBools(r));
                }
            }
        }
    }
}
