package io.strata.node.kv.internal;

import java.util.function.Consumer;

/**
 * A partition's entries by key: an open-addressing hash table (linear probing, deletion by
 * shifting back) of {@link PartitionState.Entry entries}, each holding its own key, compactly (its
 * bytes when Latin-1). No map node, no String per key: a small key costs about 40 bytes of heap
 * less than in a {@code HashMap<String, Entry>}, which is most of what a key of a cache costs.
 * Keys hash as {@link String#hashCode()}, spread by Fibonacci hashing. At most three quarters full.
 *
 * <p>Not thread-safe: owned with its {@link PartitionState}.
 */
final class EntryTable {

    private static final int MIN_CAPACITY = 16;

    private PartitionState.Entry[] slots = new PartitionState.Entry[MIN_CAPACITY];
    private int shift = Integer.SIZE - Integer.numberOfTrailingZeros(MIN_CAPACITY);
    private int size;

    int size() {
        return size;
    }

    /** The entry of {@code key}, or null. */
    PartitionState.Entry get(String key) {
        int mask = slots.length - 1;
        for (int i = home(key.hashCode()); ; i = (i + 1) & mask) {
            PartitionState.Entry e = slots[i];
            if (e == null || e.hasKey(key)) {
                return e;
            }
        }
    }

    /** Holds {@code entry} as the entry of {@code key} (which it must hold); returns the one it replaces, or null. */
    PartitionState.Entry put(String key, PartitionState.Entry entry) {
        if ((size + 1) * 4L > slots.length * 3L) {
            resize(slots.length * 2);
        }
        int mask = slots.length - 1;
        for (int i = home(key.hashCode()); ; i = (i + 1) & mask) {
            PartitionState.Entry e = slots[i];
            if (e == null) {
                slots[i] = entry;
                size++;
                return null;
            }
            if (e.hasKey(key)) {
                slots[i] = entry;
                return e;
            }
        }
    }

    /** Removes the entry of {@code key}; returns it, or null when there was none. */
    PartitionState.Entry remove(String key) {
        int mask = slots.length - 1;
        int i = home(key.hashCode());
        while (slots[i] != null && !slots[i].hasKey(key)) {
            i = (i + 1) & mask;
        }
        PartitionState.Entry removed = slots[i];
        if (removed == null) {
            return null;
        }
        // Shift back the entries after it that probed past its slot, so that no lookup stops short.
        int hole = i;
        for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            int home = home(slots[j].keyHash());
            boolean homeInRange = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!homeInRange) {
                slots[hole] = slots[j];
                hole = j;
            }
        }
        slots[hole] = null;
        size--;
        if (slots.length > MIN_CAPACITY && size * 8L < slots.length) {
            resize(slots.length / 2);
        }
        return removed;
    }

    /** Visits every entry. */
    void forEach(Consumer<PartitionState.Entry> visitor) {
        for (PartitionState.Entry e : slots) {
            if (e != null) {
                visitor.accept(e);
            }
        }
    }

    private int home(int hash) {
        return (hash * 0x9E3779B9) >>> shift;
    }

    private void resize(int capacity) {
        PartitionState.Entry[] old = slots;
        slots = new PartitionState.Entry[capacity];
        shift = Integer.SIZE - Integer.numberOfTrailingZeros(capacity);
        int mask = capacity - 1;
        for (PartitionState.Entry e : old) {
            if (e != null) {
                int i = home(e.keyHash());
                while (slots[i] != null) {
                    i = (i + 1) & mask;
                }
                slots[i] = e;
            }
        }
    }
}
