package io.strata.node.kv.resp;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where unfinished SCANs stand: a SCAN's cursor is a number, as Redis clients expect (some parse
 * it as one), and stands for the database and the last key it returned; the next page starts
 * after that key, in the keyspace's key order, so a full scan returns every key that exists
 * throughout, as Redis guarantees. Shared by the listener's connections (a client may go on with
 * another connection of its pool). At most {@code capacity} unfinished scans are kept, the oldest
 * forgotten first; a forgotten cursor is refused ({@code ERR invalid cursor}), and so is one of
 * another run of the node (numbers start at random). Thread-safe.
 */
final class ScanCursors {

    /** Where a scan stands: its database and the last key it returned. */
    record Position(String db, String after) {}

    private final int capacity;
    private final Map<Long, Position> open = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Long> order = new ConcurrentLinkedQueue<>();
    private final AtomicLong next = new AtomicLong(ThreadLocalRandom.current().nextLong(1, 1L << 52));

    ScanCursors(int capacity) {
        this.capacity = capacity;
    }

    /** A new cursor for a scan of {@code db} that goes on after {@code after}. */
    long open(String db, String after) {
        long cursor = next.getAndIncrement();
        open.put(cursor, new Position(db, after));
        order.add(cursor);
        while (open.size() > capacity) {
            Long oldest = order.poll();
            if (oldest == null) {
                break;
            }
            open.remove(oldest);
        }
        return cursor;
    }

    /** Where the scan of {@code cursor} stands; empty when it is unknown or forgotten. */
    Optional<Position> find(long cursor) {
        return Optional.ofNullable(open.get(cursor));
    }
}
