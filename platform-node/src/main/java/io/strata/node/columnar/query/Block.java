package io.strata.node.columnar.query;

import io.strata.node.columnar.ColumnVector;
import org.roaringbitmap.RoaringBitmap;

/**
 * One block being processed, as {@link Filter}s and aggregates see it: the vectors by schema index
 * (null for columns the query does not need) and, per column, a null mask and dictionary-code map
 * built once, so hot loops test a boolean instead of probing a bitmap. Made by {@link Partial};
 * single-threaded, lives for one block.
 */
public final class Block {

    final ColumnVector[] vectors;
    final int size;
    private final boolean[][] nullMasks;
    private final boolean[] maskBuilt;
    private final int[][] codeMaps;

    Block(ColumnVector[] vectors, int[] needed) {
        this.vectors = vectors;
        int n = -1;
        for (int c : needed) {
            ColumnVector v = vectors[c];
            if (v == null) {
                throw new IllegalArgumentException("block lacks column " + c + " that the query needs");
            }
            if (n >= 0 && v.size() != n) {
                throw new IllegalArgumentException("block columns differ in size: " + n + " vs " + v.size());
            }
            n = v.size();
        }
        // A query that needs no column (count(*) alone) still learns the row count from any vector.
        if (n < 0) {
            for (ColumnVector v : vectors) {
                if (v != null) {
                    n = v.size();
                    break;
                }
            }
        }
        if (n < 0) {
            throw new IllegalArgumentException("a block needs at least one vector to tell its row count");
        }
        this.size = n;
        this.nullMasks = new boolean[vectors.length][];
        this.maskBuilt = new boolean[vectors.length];
        this.codeMaps = new int[vectors.length][];
    }

    /**
     * The id in {@code pool} of a STRING column's dictionary code, resolved once per code per
     * block, so string keys and distinct sets cost a hash lookup per distinct value, not per row.
     */
    int poolId(int column, int code, StringPool pool) {
        int[] map = codeMaps[column];
        ColumnVector.StringVector sv = (ColumnVector.StringVector) vectors[column];
        if (map == null) {
            map = new int[sv.dictionary().length];
            java.util.Arrays.fill(map, -1);
            codeMaps[column] = map;
        }
        int id = map[code];
        if (id < 0) {
            id = pool.id(sv.dictionary()[code]);
            map[code] = id;
        }
        return id;
    }

    /**
     * The values of a column at the selected rows as longs that are equal exactly when the values
     * are: longs as is, doubles by {@link Values#doubleKey}, booleans 0/1, strings by pool id.
     * Null rows get 0; callers check {@link #nulls}.
     */
    long[] keys(int column, int[] sel, int n, StringPool pool) {
        long[] out = new long[n];
        boolean[] nulls = nulls(column);
        ColumnVector v = vectors[column];
        if (v instanceof ColumnVector.LongVector lv) {
            long[] a = lv.values();
            for (int i = 0; i < n; i++) {
                out[i] = a[sel[i]];
            }
        } else if (v instanceof ColumnVector.DoubleVector dv) {
            double[] a = dv.values();
            for (int i = 0; i < n; i++) {
                out[i] = Values.doubleKey(a[sel[i]]);
            }
        } else if (v instanceof ColumnVector.BoolVector bv) {
            boolean[] a = bv.values();
            for (int i = 0; i < n; i++) {
                out[i] = a[sel[i]] ? 1 : 0;
            }
        } else {
            int[] codes = ((ColumnVector.StringVector) v).codes();
            for (int i = 0; i < n; i++) {
                int r = sel[i];
                if (nulls == null || !nulls[r]) {
                    out[i] = poolId(column, codes[r], pool);
                }
            }
        }
        if (nulls != null) {
            for (int i = 0; i < n; i++) {
                if (nulls[sel[i]]) {
                    out[i] = 0;
                }
            }
        }
        return out;
    }

    /** The null mask of a column (true = null), or null when it has no null row. */
    boolean[] nulls(int column) {
        if (!maskBuilt[column]) {
            RoaringBitmap bits = vectors[column].nulls();
            if (bits != null && !bits.isEmpty()) {
                boolean[] mask = new boolean[size];
                bits.forEach((int row) -> {
                    if (row < size) {
                        mask[row] = true;
                    }
                });
                nullMasks[column] = mask;
            }
            maskBuilt[column] = true;
        }
        return nullMasks[column];
    }
}
