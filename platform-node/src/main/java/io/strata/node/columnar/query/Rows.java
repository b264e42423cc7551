package io.strata.node.columnar.query;

import io.strata.node.columnar.ColumnType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/** Ordering, top-k and rendering of raw output rows ({@code Object[]} in output column order). */
final class Rows {

    private Rows() {
    }

    /**
     * The answer order: the ORDER BY keys (nulls last in both directions), then every output column
     * ascending, so equal-keyed rows come out the same way whatever the block and merge order.
     */
    static Comparator<Object[]> comparator(Query q) {
        List<Query.OrderKey> keys = q.orderBy();
        int width = q.outputNames().size();
        return (a, b) -> {
            for (Query.OrderKey k : keys) {
                int c = compare(a[k.output()], b[k.output()], k.desc());
                if (c != 0) {
                    return c;
                }
            }
            for (int i = 0; i < width; i++) {
                int c = compare(a[i], b[i], false);
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        };
    }

    private static int compare(Object x, Object y, boolean desc) {
        if (x == null || y == null) {
            return x == null ? (y == null ? 0 : 1) : -1;
        }
        int c = Values.compareNonNull(x, y);
        return desc ? -c : c;
    }

    /**
     * A bounded top-k: keeps the {@code limit} smallest rows seen under {@code order} in a heap
     * whose head is the worst kept row, O(log k) per offered row.
     */
    static final class TopK {
        private final Comparator<Object[]> order;
        private final int limit;
        private final PriorityQueue<Object[]> heap;

        TopK(Comparator<Object[]> order, int limit) {
            this.order = order;
            this.limit = limit;
            this.heap = new PriorityQueue<>(Math.min(limit, 1024) + 1, order.reversed());
        }

        int size() {
            return heap.size();
        }

        void offer(Object[] row) {
            if (limit == 0) {
                return;
            }
            if (heap.size() < limit) {
                heap.add(row);
            } else if (order.compare(row, heap.peek()) < 0) {
                heap.poll();
                heap.add(row);
            }
        }

        List<Object[]> rows() {
            return new ArrayList<>(heap);
        }
    }

    /** Sorts (when ordered), cuts to the limit and renders timestamps. */
    static List<List<Object>> finish(Query q, List<Object[]> rows, boolean ordered) {
        List<Object[]> out = new ArrayList<>(rows);
        if (ordered) {
            out.sort(comparator(q));
        }
        if (q.limit() >= 0 && out.size() > q.limit()) {
            out = out.subList(0, (int) q.limit());
        }
        List<ColumnType> types = q.outputTypes();
        List<List<Object>> rendered = new ArrayList<>(out.size());
        for (Object[] r : out) {
            Object[] v = new Object[r.length];
            for (int i = 0; i < r.length; i++) {
                v[i] = Values.render(r[i], types.get(i));
            }
            rendered.add(Arrays.asList(v));
        }
        return rendered;
    }
}
