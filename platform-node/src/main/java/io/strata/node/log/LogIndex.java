package io.strata.node.log;

import java.util.Arrays;
import java.util.concurrent.locks.Lock;

/**
 * The sparse in-memory index of a {@link PartitionLog}, as Kafka's offset and time indexes: an
 * entry every few KiB of batches (and at the first batch of each file), giving the batch's base
 * offset, the Chronicle index where it is stored, and the largest record timestamp of every batch
 * before it. A lookup finds the entry at or before what it seeks and the reader scans forward from
 * there, a few KiB at most.
 *
 * <p>Entries are added in offset order by the log's writer, without a lock: an entry is written
 * before the size that publishes it, and a grown array holds every published entry, so a reader
 * that reads the size first sees whole entries. Removing entries ({@link #truncateFrom},
 * {@link #dropBefore}) and compacting the arrays happen under the log's structure lock, which
 * readers hold while they read.
 */
final class LogIndex {

    /** The arrays of entries; replaced as a whole when they grow. */
    private record Entries(long[] offsets, long[] positions, long[] maxTimestampsBefore) {
        static Entries ofCapacity(int capacity) {
            return new Entries(new long[capacity], new long[capacity], new long[capacity]);
        }

        Entries grownTo(int capacity) {
            return new Entries(Arrays.copyOf(offsets, capacity), Arrays.copyOf(positions, capacity),
                    Arrays.copyOf(maxTimestampsBefore, capacity));
        }
    }

    private final Lock structure;
    private volatile Entries entries = Entries.ofCapacity(64);
    /** The first live entry: those before it were dropped by retention. */
    private volatile int start;
    private volatile int size;

    /** An empty index whose removals and compactions happen under {@code structure} (the write lock of the log's structure lock). */
    LogIndex(Lock structure) {
        this.structure = structure;
    }

    /** Adds an entry after every other. Writer only. */
    void add(long offset, long position, long maxTimestampBefore) {
        Entries current = entries;
        int at = size;
        if (at == current.offsets.length) {
            if (start > at / 2) {
                compact();
                current = entries;
                at = size;
            } else {
                current = current.grownTo(at * 2);
                entries = current;
            }
        }
        current.offsets[at] = offset;
        current.positions[at] = position;
        current.maxTimestampsBefore[at] = maxTimestampBefore;
        size = at + 1;
    }

    boolean isEmpty() {
        return size == start;
    }

    /** The Chronicle index of the last entry at or before {@code offset}, or -1 when there is none. */
    long floorPosition(long offset) {
        int end = size;
        Entries e = entries;
        int found = lastAtOrBefore(e.offsets, start, end, offset);
        return found < 0 ? -1 : e.positions[found];
    }

    /**
     * The Chronicle index of the last entry before which every record's timestamp is below
     * {@code timestamp} (a scan for the first record at or after it starts there), or -1 when there is none.
     */
    long floorPositionForTimestamp(long timestamp) {
        int end = size;
        Entries e = entries;
        int from = start;
        // maxTimestampsBefore never decreases along the entries: the last one below timestamp.
        int lo = from;
        int hi = end - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (e.maxTimestampsBefore[mid] < timestamp) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? (end > from ? e.positions[from] : -1) : e.positions[found];
    }

    /** The base offset of the first entry whose Chronicle index is at or after {@code position}, or -1. */
    long firstOffsetAtOrAfter(long position) {
        int end = size;
        Entries e = entries;
        for (int i = start; i < end; i++) {
            if (e.positions[i] >= position) {
                return e.offsets[i];
            }
        }
        return -1;
    }

    /** Removes the entries of offsets at or after {@code offset}. Under the structure lock. */
    void truncateFrom(long offset) {
        int end = size;
        Entries e = entries;
        int last = lastAtOrBefore(e.offsets, start, end, offset - 1);
        size = Math.max(start, last + 1);
    }

    /** Removes the entries stored before Chronicle index {@code position}. Under the structure lock. */
    void dropBefore(long position) {
        Entries e = entries;
        int end = size;
        int first = start;
        while (first < end && e.positions[first] < position) {
            first++;
        }
        start = first;
    }

    /** Moves the live entries to the front of new arrays, which readers must not be reading. Writer only. */
    private void compact() {
        structure.lock();
        try {
            Entries e = entries;
            int first = start;
            int live = size - first;
            Entries compacted = Entries.ofCapacity(Math.max(64, e.offsets.length));
            System.arraycopy(e.offsets, first, compacted.offsets, 0, live);
            System.arraycopy(e.positions, first, compacted.positions, 0, live);
            System.arraycopy(e.maxTimestampsBefore, first, compacted.maxTimestampsBefore, 0, live);
            entries = compacted;
            start = 0;
            size = live;
        } finally {
            structure.unlock();
        }
    }

    private static int lastAtOrBefore(long[] offsets, int from, int end, long offset) {
        int lo = from;
        int hi = end - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (offsets[mid] <= offset) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
