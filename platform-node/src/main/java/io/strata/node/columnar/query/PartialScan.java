package io.strata.node.columnar.query;

import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.query.proto.ScanMsg;
import io.strata.node.columnar.query.proto.ValuesMsg;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The partial of a plain row scan: the selected columns of matching rows. With ORDER BY and LIMIT
 * it keeps only a bounded top-k (a heap of LIMIT rows), never sorting everything; with LIMIT alone
 * it keeps the first LIMIT rows and reports itself {@link #complete()} so shards stop reading;
 * without LIMIT it keeps every row. Without ORDER BY, row order follows blocks and merges.
 */
public final class PartialScan extends Partial {

    private final int[] select;
    private final boolean ordered;
    private final Comparator<Object[]> order;
    private final Rows.TopK top;
    private final List<Object[]> rows = new ArrayList<>();

    PartialScan(Query query) {
        super(query);
        this.select = query.selectInternal();
        this.ordered = !query.orderBy().isEmpty();
        this.order = Rows.comparator(query);
        int cap = (int) Math.min(query.limit(), Integer.MAX_VALUE - 16);
        this.top = ordered && query.limit() >= 0 ? new Rows.TopK(order, cap) : null;
    }

    /** Rows kept so far. */
    int rowCount() {
        return top != null ? top.size() : rows.size();
    }

    @Override
    public boolean complete() {
        return !ordered && query.limit() >= 0 && rows.size() >= query.limit();
    }

    @Override
    void consume(Block block, int[] sel, int n) {
        for (int i = 0; i < n && !complete(); i++) {
            int r = sel[i];
            Object[] row = new Object[select.length];
            for (int j = 0; j < select.length; j++) {
                row[j] = value(block, select[j], r);
            }
            add(row);
        }
    }

    private void add(Object[] row) {
        if (top != null) {
            top.offer(row);
        } else if (!complete()) {
            rows.add(row);
        }
    }

    private static Object value(Block block, int column, int row) {
        boolean[] nulls = block.nulls(column);
        if (nulls != null && nulls[row]) {
            return null;
        }
        ColumnVector v = block.vectors[column];
        if (v instanceof ColumnVector.LongVector lv) {
            return lv.values()[row];
        } else if (v instanceof ColumnVector.DoubleVector dv) {
            return dv.values()[row];
        } else if (v instanceof ColumnVector.StringVector sv) {
            return sv.value(row);
        }
        return ((ColumnVector.BoolVector) v).values()[row];
    }

    @Override
    void mergeFrom(Partial other) {
        PartialScan o = (PartialScan) other;
        for (Object[] row : o.top != null ? o.top.rows() : o.rows) {
            add(row);
        }
    }

    /** The kept rows as a message, column-major, in the order a merge would take them. */
    ScanMsg write() {
        List<Object[]> kept = top != null ? top.rows() : rows;
        List<ColumnType> types = query.outputTypes();
        ScanMsg.Builder b = ScanMsg.newBuilder().setRows(kept.size());
        for (int j = 0; j < select.length; j++) {
            ValuesMsg.Builder v = ValuesMsg.newBuilder();
            for (int i = 0; i < kept.size(); i++) {
                ProtoValues.add(v, types.get(j), i, kept.get(i)[j]);
            }
            b.addColumns(v);
        }
        return b.build();
    }

    /** Adds the rows {@link #write} gave to this empty partial, as a merge would. */
    void read(ScanMsg msg) {
        int n = msg.getRows();
        if (msg.getColumnsCount() != select.length || n < 0) {
            throw new IllegalArgumentException("the partial does not fit the query's columns");
        }
        List<ColumnType> types = query.outputTypes();
        Object[][] columns = new Object[select.length][];
        for (int j = 0; j < select.length; j++) {
            columns[j] = ProtoValues.get(msg.getColumns(j), types.get(j), n);
        }
        for (int i = 0; i < n; i++) {
            Object[] row = new Object[select.length];
            for (int j = 0; j < select.length; j++) {
                row[j] = columns[j][i];
            }
            add(row);
        }
    }

    @Override
    List<List<Object>> finishRows() {
        return Rows.finish(query, top != null ? top.rows() : rows, ordered);
    }
}
