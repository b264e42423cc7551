package io.strata.node.columnar.query;

import java.util.Arrays;

/**
 * Maps group keys of {@code width} longs to dense group ids 0, 1, 2, ... by open addressing
 * (linear probing, load at most 1/2) over a flat key array, so neither lookups nor inserts
 * allocate per row. Single-threaded.
 */
final class GroupTable {

    private final int width;
    private long[] keys;
    private int[] slots;
    private int count;
    private java.util.BitSet unindexed;

    GroupTable(int width) {
        this.width = width;
        this.keys = new long[16 * width];
        this.slots = new int[32];
    }

    int count() {
        return count;
    }

    /** The word {@code j} of group {@code g}'s key. */
    long key(int g, int j) {
        return keys[g * width + j];
    }

    static int mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return (int) k;
    }

    /** A new group that no key finds (the null key of a one-column table), with key words 0. */
    int allocate() {
        int g = count++;
        if ((long) count * width > keys.length) {
            keys = Arrays.copyOf(keys, keys.length * 2);
        }
        Arrays.fill(keys, g * width, count * width, 0L);
        // Unindexed groups are still rehashed below; skip them by remembering which they are.
        unindexed = unindexed == null ? new java.util.BitSet() : unindexed;
        unindexed.set(g);
        return g;
    }

    /** The group of a one-word key, created if new. */
    int findOrInsert(long k) {
        int mask = slots.length - 1;
        int i = mix(k) & mask;
        while (true) {
            int s = slots[i];
            if (s == 0) {
                return insert(i, k, null);
            }
            if (keys[(s - 1) * width] == k) {
                return s - 1;
            }
            i = (i + 1) & mask;
        }
    }

    /** The group of a {@code width}-word key, created if new. */
    int findOrInsert(long[] k) {
        long h = 0;
        for (int j = 0; j < width; j++) {
            h = h * 31 + k[j];
        }
        int mask = slots.length - 1;
        int i = mix(h) & mask;
        while (true) {
            int s = slots[i];
            if (s == 0) {
                return insert(i, 0, k);
            }
            if (Arrays.equals(keys, (s - 1) * width, s * width, k, 0, width)) {
                return s - 1;
            }
            i = (i + 1) & mask;
        }
    }

    private int insert(int slot, long single, long[] k) {
        int g = count++;
        if ((long) count * width > keys.length) {
            keys = Arrays.copyOf(keys, keys.length * 2);
        }
        if (k == null) {
            keys[g * width] = single;
        } else {
            System.arraycopy(k, 0, keys, g * width, width);
        }
        slots[slot] = g + 1;
        if (count * 2 > slots.length) {
            rehash();
        }
        return g;
    }

    private void rehash() {
        slots = new int[slots.length * 2];
        int mask = slots.length - 1;
        long[] scratch = new long[width];
        for (int g = 0; g < count; g++) {
            if (unindexed != null && unindexed.get(g)) {
                continue;
            }
            long h;
            if (width == 1) {
                h = keys[g];
            } else {
                System.arraycopy(keys, g * width, scratch, 0, width);
                h = 0;
                for (int j = 0; j < width; j++) {
                    h = h * 31 + scratch[j];
                }
            }
            int i = mix(h) & mask;
            while (slots[i] != 0) {
                i = (i + 1) & mask;
            }
            slots[i] = g + 1;
        }
    }
}
