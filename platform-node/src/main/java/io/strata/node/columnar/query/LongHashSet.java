package io.strata.node.columnar.query;

/**
 * An open-addressing set of longs (linear probing, load at most 1/2): exact distinct counting
 * without boxing. Single-threaded.
 */
final class LongHashSet {

    private long[] keys = new long[8];
    private boolean[] used = new boolean[8];
    private int size;

    int size() {
        return size;
    }

    void add(long k) {
        int mask = keys.length - 1;
        int i = GroupTable.mix(k) & mask;
        while (used[i]) {
            if (keys[i] == k) {
                return;
            }
            i = (i + 1) & mask;
        }
        used[i] = true;
        keys[i] = k;
        if (++size * 2 > keys.length) {
            grow();
        }
    }

    void addAll(LongHashSet other, java.util.function.LongUnaryOperator translate) {
        for (int i = 0; i < other.keys.length; i++) {
            if (other.used[i]) {
                add(translate.applyAsLong(other.keys[i]));
            }
        }
    }

    long[] toArray() {
        long[] out = new long[size];
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
            if (used[i]) {
                out[n++] = keys[i];
            }
        }
        return out;
    }

    private void grow() {
        long[] oldKeys = keys;
        boolean[] oldUsed = used;
        keys = new long[oldKeys.length * 2];
        used = new boolean[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldUsed[i]) {
                add(oldKeys[i]);
            }
        }
    }
}
