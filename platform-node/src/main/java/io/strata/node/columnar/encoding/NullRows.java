package io.strata.node.columnar.encoding;

import org.roaringbitmap.PeekableIntIterator;
import org.roaringbitmap.RoaringBitmap;

/** Null-bitmap helpers shared by the codec and zone maps. Stateless. */
final class NullRows {

    private NullRows() {
    }

    /** A vector's nulls, or null when it has none; rejects rows outside {@code [0, size)}. */
    static RoaringBitmap checked(RoaringBitmap nulls, int size) {
        if (nulls == null || nulls.isEmpty()) {
            return null;
        }
        if (nulls.first() < 0 || nulls.last() >= size) {
            throw new IllegalArgumentException("null bitmap has rows outside [0, " + size + ")");
        }
        return nulls;
    }

    /** One flag per row, or null when no row is null: cheaper to test in loops than the bitmap. */
    static boolean[] flags(RoaringBitmap nulls, int size) {
        RoaringBitmap n = checked(nulls, size);
        if (n == null) {
            return null;
        }
        boolean[] flags = new boolean[size];
        PeekableIntIterator it = n.getIntIterator();
        while (it.hasNext()) {
            flags[it.next()] = true;
        }
        return flags;
    }

    /**
     * Overwrites each null row's slot with the previous non-null value (leading nulls take the
     * first non-null value, an all-null block zero), so null slots extend runs and add no range.
     */
    static void fill(long[] values, boolean[] isNull) {
        if (isNull == null) {
            return;
        }
        int n = isNull.length;
        int first = 0;
        while (first < n && isNull[first]) {
            first++;
        }
        long prev = first < n ? values[first] : 0;
        for (int i = 0; i < n; i++) {
            if (isNull[i]) {
                values[i] = prev;
            } else {
                prev = values[i];
            }
        }
    }
}
