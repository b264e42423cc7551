package io.strata.node.columnar;

import io.strata.node.columnar.proto.ColumnData;
import io.strata.node.columnar.proto.RowBatch;

/**
 * Converts between column vectors and the {@link RowBatch} that is logged (and sent to a shard).
 * Stateless.
 */
public final class RowBatches {

    private RowBatches() {}

    /** The rows of {@code columns} (schema order) as a batch. */
    public static RowBatch toProto(Schema schema, ColumnVector[] columns) {
        int rows = columns.length == 0 ? 0 : columns[0].size();
        RowBatch.Builder batch = RowBatch.newBuilder().setRows(rows);
        for (int c = 0; c < columns.length; c++) {
            ColumnVector vector = columns[c];
            ColumnData.Builder data = ColumnData.newBuilder();
            if (vector.nulls() != null) {
                vector.nulls().forEach((int row) -> data.addNullRows(row));
            }
            // A null row's slot is unspecified in a vector, so it is written as a zero value.
            if (vector instanceof ColumnVector.LongVector v) {
                for (int r = 0; r < rows; r++) {
                    data.addLongs(v.isNull(r) ? 0 : v.values()[r]);
                }
            } else if (vector instanceof ColumnVector.DoubleVector v) {
                for (int r = 0; r < rows; r++) {
                    data.addDoubles(v.isNull(r) ? 0 : v.values()[r]);
                }
            } else if (vector instanceof ColumnVector.StringVector v) {
                for (int r = 0; r < rows; r++) {
                    data.addStrings(v.isNull(r) ? "" : v.value(r));
                }
            } else if (vector instanceof ColumnVector.BoolVector v) {
                for (int r = 0; r < rows; r++) {
                    data.addBools(!v.isNull(r) && v.values()[r]);
                }
            }
            batch.addColumns(data);
        }
        return batch.build();
    }

    /** Appends the rows of {@code batch} to {@code builders} (schema order). */
    public static void appendTo(Schema schema, RowBatch batch, ColumnBuilder[] builders) {
        for (int c = 0; c < builders.length; c++) {
            ColumnData data = batch.getColumns(c);
            java.util.BitSet nulls = new java.util.BitSet();
            data.getNullRowsList().forEach(nulls::set);
            ColumnBuilder builder = builders[c];
            for (int r = 0; r < batch.getRows(); r++) {
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
