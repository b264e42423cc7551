package io.strata.node.kv.internal;

import io.strata.node.kv.HashValue;
import io.strata.node.kv.LargeValue;
import io.strata.node.kv.StringChange;
import io.strata.node.kv.ValueChange;
import io.strata.node.kv.ValueType;
import io.strata.node.kv.proto.ChangeOp;
import io.strata.node.kv.proto.LogEntry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.PriorityQueue;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * The in-memory contents of one KV partition: live keys with their value, version and expiry,
 * plus an expiry queue so expired keys can be reclaimed without scanning every key.
 *
 * <p>Not thread-safe: owned by one partition actor (or, before it is handed over, by the
 * recovery task that builds it).
 */
public final class PartitionState {

    /**
     * The order keys are listed in: the byte order of their UTF-8 encoding, which is the order of
     * their code points. (String's own order is UTF-16's, which puts U+E000..U+FFFF after the
     * surrogate pairs of code points above U+FFFF.)
     */
    public static final Comparator<String> KEY_ORDER = PartitionState::compareKeys;

    /** A page of keys; {@code more}: live keys with the prefix come after the last one. */
    public record Listing(List<String> keys, boolean more) {}

    /**
     * A stored value: a string's bytes, or the packed form of another type ({@link HashValue},
     * {@link io.strata.node.kv.ListValue}), or a {@link LargeValue} ({@link #large()}), packed when
     * read. {@code expiresAtMillis} is epoch milliseconds, 0 when the key never expires. Immutable.
     * An entry holds its key ({@link EntryTable}: no map node), as its bytes when every character
     * is Latin-1; a string's entry without expiry has no other field than its value and version
     * (32 bytes of heap); one that expires is an {@link Expiring}, another type's a {@link Typed}
     * or a {@link Large}.
     */
    public static class Entry {
        /** The key: its bytes (a Latin-1 key) or the String; null for an entry detached from a state. */
        private final Object key;
        private final byte[] value;
        private final long version;

        private Entry(Object key, byte[] value, long version) {
            this.key = key;
            this.value = value;
            this.version = version;
        }

        /** A value of {@code type}, not (yet) held by a state: what a snapshot is written from. */
        public static Entry of(byte[] value, long version, long expiresAtMillis, ValueType type) {
            return of(null, value, version, expiresAtMillis, type);
        }

        private static Entry of(Object key, byte[] value, long version, long expiresAtMillis, ValueType type) {
            if (type != ValueType.STRING) {
                return new Typed(key, value, version, expiresAtMillis, type);
            }
            return expiresAtMillis == 0 ? new Entry(key, value, version) : new Expiring(key, value, version, expiresAtMillis);
        }

        /** The value, packed. */
        public byte[] value() {
            return value;
        }

        /** The value held large, or null when it is held packed. */
        public LargeValue large() {
            return null;
        }

        /** About how many bytes of heap the value takes. */
        long valueBytes() {
            return value.length;
        }

        /** The earliest expiry of a hash's field (0: none, or not a hash). */
        long earliestFieldExpiry() {
            return type() == ValueType.HASH && large() == null ? HashValue.earliestExpiry(value) : 0;
        }

        public long version() {
            return version;
        }

        public long expiresAtMillis() {
            return 0;
        }

        public ValueType type() {
            return ValueType.STRING;
        }

        public boolean isExpired(long nowMillis) {
            long at = expiresAtMillis();
            return at != 0 && at <= nowMillis;
        }

        /** Its key (a new String when it is held as bytes). */
        String key() {
            return key instanceof byte[] bytes ? new String(bytes, StandardCharsets.ISO_8859_1) : (String) key;
        }

        /** Whether its key is {@code other}, compared without making a String of it. */
        boolean hasKey(String other) {
            if (!(key instanceof byte[] bytes)) {
                return other.equals(key);
            }
            if (bytes.length != other.length()) {
                return false;
            }
            for (int i = 0; i < bytes.length; i++) {
                if ((bytes[i] & 0xFF) != other.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        /** Its key's {@link String#hashCode()}, whichever form holds the key. */
        int keyHash() {
            if (!(key instanceof byte[] bytes)) {
                return key.hashCode();
            }
            int h = 0;
            for (byte b : bytes) {
                h = 31 * h + (b & 0xFF);
            }
            return h;
        }

        /** The form an entry holds {@code key} in: its bytes when every character is Latin-1 (16 + n bytes of heap, not 40 + n). */
        static Object compact(String key) {
            for (int i = 0; i < key.length(); i++) {
                if (key.charAt(i) > 0xFF) {
                    return key;
                }
            }
            return key.getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    /** A string's entry with an expiry. */
    private static class Expiring extends Entry {
        private final long expiresAtMillis;

        Expiring(Object key, byte[] value, long version, long expiresAtMillis) {
            super(key, value, version);
            this.expiresAtMillis = expiresAtMillis;
        }

        @Override
        public long expiresAtMillis() {
            return expiresAtMillis;
        }
    }

    /** The entry of a value other than a string. */
    private static final class Typed extends Expiring {
        private final ValueType type;

        Typed(Object key, byte[] value, long version, long expiresAtMillis, ValueType type) {
            super(key, value, version, expiresAtMillis);
            this.type = type;
        }

        @Override
        public ValueType type() {
            return type;
        }
    }

    /** The entry of a {@link LargeValue}: packed when first read, then kept packed for the next reads. */
    private static final class Large extends Expiring {
        private final LargeValue large;
        private volatile byte[] packed;

        Large(Object key, LargeValue large, byte[] packed, long version, long expiresAtMillis) {
            super(key, null, version, expiresAtMillis);
            this.large = large;
            this.packed = packed;
        }

        @Override
        public byte[] value() {
            byte[] p = packed;
            if (p == null) {
                p = large.pack();
                packed = p;
            }
            return p;
        }

        @Override
        public LargeValue large() {
            return large;
        }

        @Override
        long valueBytes() {
            return large.heldBytes();
        }

        @Override
        public ValueType type() {
            return large.type();
        }
    }

    private record Expiry(long atMillis, String key, long version) {}

    private final EntryTable entries = new EntryTable();
    private final PriorityQueue<Expiry> expiries = new PriorityQueue<>((a, b) -> Long.compare(a.atMillis, b.atMillis));
    private long seq;
    private long valueBytes;
    private long keyChars;

    /**
     * Heap an entry takes besides its key's characters and its value's bytes: its table slot (at
     * most three quarters full), the entry and the two arrays' headers. An estimate the memory
     * ceiling corrects at each GC.
     */
    static final int ENTRY_OVERHEAD_BYTES = 72;

    /** About how many bytes of heap a key with this value takes in a partition. */
    public static long footprint(String key, byte[] value) {
        return ENTRY_OVERHEAD_BYTES + key.length() + value.length;
    }

    /** About how many bytes of heap a key with this entry takes in a partition (a large value unpacked). */
    public static long footprint(String key, Entry entry) {
        return ENTRY_OVERHEAD_BYTES + key.length() + entry.valueBytes();
    }
    /** Every key in {@link #KEY_ORDER}: built on the first listing, then kept current (most partitions are never listed). */
    private TreeSet<Object> sorted;

    /** The sequence number of the last applied write (0 when none). */
    public long seq() {
        return seq;
    }

    public void seq(long seq) {
        this.seq = seq;
    }

    /**
     * The live entry for a key, or null when it is absent or expired. A hash loses its expired
     * fields here (in memory only: the log holds when each expires), and is absent with none left.
     */
    public Entry live(String key, long nowMillis) {
        Entry e = entries.get(key);
        if (e == null || e.isExpired(nowMillis)) {
            return null;
        }
        long earliest = e.earliestFieldExpiry();
        if (earliest != 0 && earliest <= nowMillis) {
            byte[] pruned = HashValue.withoutExpired(e.value(), nowMillis);
            if (pruned == null) {
                remove(key);
                return null;
            }
            put(key, pruned, e.version(), e.expiresAtMillis(), e.type());
            return entries.get(key);
        }
        return e;
    }

    /** The entry held for a key, expired or not; null when none is. */
    public Entry raw(String key) {
        return entries.get(key);
    }

    /** Sets a string. */
    public void put(String key, byte[] value, long version, long expiresAtMillis) {
        put(key, value, version, expiresAtMillis, ValueType.STRING);
    }

    /** Sets a value of {@code type}, {@code value} being its packed form; a large one is held as a {@link LargeValue}. */
    public void put(String key, byte[] value, long version, long expiresAtMillis, ValueType type) {
        LargeValue large = type != ValueType.STRING && value.length > LargeValue.LARGE_BYTES ? LargeValue.of(type, value) : null;
        Object held = held(key);
        place(key, large == null ? Entry.of(held, value, version, expiresAtMillis, type)
                : new Large(held, large, value, version, expiresAtMillis));
    }

    /** Sets a large value; one that has shrunk to half of {@link LargeValue#LARGE_BYTES} is packed again. */
    public void put(String key, LargeValue value, long version, long expiresAtMillis) {
        if (value.packedBytes() < LargeValue.LARGE_BYTES / 2) {
            place(key, Entry.of(held(key), value.pack(), version, expiresAtMillis, value.type()));
        } else {
            place(key, new Large(held(key), value, null, version, expiresAtMillis));
        }
    }

    /**
     * The form a new entry holds {@code key} in: the one its entry holds already while the key
     * index is kept (the index then shares it), else a new one.
     */
    private Object held(String key) {
        Entry current = sorted == null ? null : entries.get(key);
        return current != null ? current.key : Entry.compact(key);
    }

    /** Puts back an entry held before (a refused transaction's rollback). */
    public void restore(String key, Entry entry) {
        place(key, entry);
    }

    private void place(String key, Entry entry) {
        Entry previous = entries.put(key, entry);
        valueBytes += entry.valueBytes() - (previous == null ? 0 : previous.valueBytes());
        keyChars += previous == null ? key.length() : 0;
        if (previous == null && sorted != null) {
            sorted.add(entry.key);
        }
        if (entry.expiresAtMillis() != 0) {
            expiries.add(new Expiry(entry.expiresAtMillis(), key, entry.version()));
        }
        if (entry.earliestFieldExpiry() != 0) {
            expiries.add(new Expiry(entry.earliestFieldExpiry(), key, entry.version()));
        }
    }

    public void remove(String key) {
        Entry previous = entries.remove(key);
        if (previous != null) {
            valueBytes -= previous.valueBytes();
            keyChars -= key.length();
            if (sorted != null) {
                sorted.remove(key);
            }
        }
    }

    /**
     * Applies one log entry during recovery; keys already expired at {@code nowMillis} are dropped
     * rather than loaded.
     */
    public void apply(LogEntry entry, long nowMillis) {
        switch (entry.getOpCase()) {
            case PUT -> {
                var put = entry.getPut();
                if (put.getExpiresAtMs() != 0 && put.getExpiresAtMs() <= nowMillis) {
                    remove(ProtoKeys.key(put.getKey()));
                } else {
                    put(ProtoKeys.key(put.getKey()), put.getValue().toByteArray(), entry.getSeq(), put.getExpiresAtMs(),
                            ValueType.ofCode(put.getType()));
                }
            }
            case DELETE -> remove(ProtoKeys.key(entry.getDelete().getKey()));
            case CHANGE -> {
                ChangeOp change = entry.getChange();
                String key = ProtoKeys.key(change.getUpdate().getKey());
                if (change.getExpiresAtMs() != 0 && change.getExpiresAtMs() <= nowMillis) {
                    remove(key);
                } else {
                    replay(key, LoggedChanges.change(change), entry.getSeq(), change.getExpiresAtMs(), nowMillis);
                }
            }
            default -> throw new IllegalStateException("log entry " + entry.getSeq() + " has no operation");
        }
        seq = entry.getSeq();
    }

    /**
     * Applies a logged change as the partition applied it: to the large value incrementally, to a
     * packed one whole. A change refused then is refused again, and changes nothing.
     */
    private void replay(String key, ValueChange change, long seq, long expiresAtMillis, long nowMillis) {
        Entry current = live(key, nowMillis);
        try {
            if (current != null && current.large() != null && change instanceof ValueChange.Incremental incremental) {
                LargeValue.Outcome outcome = incremental.applyLarge(current.large());
                if (outcome.write() && outcome.value() == null) {
                    remove(key);
                } else if (outcome.write()) {
                    put(key, outcome.value(), seq, expiresAtMillis);
                }
                return;
            }
            ValueChange.Outcome outcome = change.apply(current == null ? null : current.value(), nowMillis, Long.MAX_VALUE);
            if (outcome.write() && outcome.packed() == null) {
                remove(key);
            } else if (outcome.write()) {
                put(key, outcome.packed(), seq, expiresAtMillis, change.type());
            }
        } catch (StringChange.Refused refused) {
            // Refused when it was made too: the partition answered with the error and changed nothing.
        }
    }

    /** Removes keys whose expiry has passed; returns how many were reclaimed. */
    public int sweepExpired(long nowMillis) {
        int removed = 0;
        while (!expiries.isEmpty() && expiries.peek().atMillis <= nowMillis) {
            Expiry expiry = expiries.poll();
            Entry current = entries.get(expiry.key);
            // A later write may have replaced the key: only the version that set this expiry goes.
            if (current != null && current.version() == expiry.version) {
                if (current.isExpired(nowMillis)) {
                    remove(expiry.key);
                    removed++;
                } else if (live(expiry.key, nowMillis) == null) {
                    // A hash whose last fields expired.
                    removed++;
                }
            }
        }
        // Stale expiry records of overwritten keys pile up under heavy TTL churn; rebuild when they dominate.
        if (expiries.size() > 1024 && expiries.size() > 4 * entries.size()) {
            rebuildExpiries();
        }
        return removed;
    }

    private void rebuildExpiries() {
        expiries.clear();
        entries.forEach(e -> {
            if (e.expiresAtMillis() != 0) {
                expiries.add(new Expiry(e.expiresAtMillis(), e.key(), e.version()));
            }
            if (e.earliestFieldExpiry() != 0) {
                expiries.add(new Expiry(e.earliestFieldExpiry(), e.key(), e.version()));
            }
        });
    }

    /**
     * Up to {@code limit} live keys that start with {@code prefix} and come after {@code after}
     * ({@code ""}: from the first), in {@link #KEY_ORDER}. The keys with a prefix are contiguous in
     * that order, so the walk stops at the first key past them.
     */
    public Listing list(String prefix, String after, int limit, long nowMillis) {
        if (sorted == null) {
            // The keys as their entries hold them (bytes for most): the index adds a tree node a key, not a String.
            sorted = new TreeSet<>(PartitionState::compareHeld);
            entries.forEach(e -> sorted.add(e.key));
        }
        // "" starts at the first key, the empty key included.
        NavigableSet<Object> tail = !after.isEmpty() && KEY_ORDER.compare(after, prefix) >= 0
                ? sorted.tailSet(after, false) : sorted.tailSet(prefix, true);
        List<String> keys = new ArrayList<>(Math.min(limit, 1024));
        for (Object held : tail) {
            if (!startsWith(held, prefix)) {
                break;
            }
            String key = held instanceof String text ? text : new String((byte[]) held, StandardCharsets.ISO_8859_1);
            if (isLive(entries.get(key), nowMillis)) {
                if (keys.size() == limit) {
                    return new Listing(keys, true);
                }
                keys.add(key);
            }
        }
        return new Listing(keys, false);
    }

    private static int compareKeys(String a, String b) {
        return compareHeld(a, b);
    }

    /** {@link #KEY_ORDER} over keys as entries hold them (a Latin-1 key's bytes, or a String), and Strings. */
    private static int compareHeld(Object a, Object b) {
        int n = Math.min(length(a), length(b));
        for (int i = 0; i < n; i++) {
            char x = charAt(a, i);
            char y = charAt(b, i);
            if (x != y) {
                return codePointRank(x) - codePointRank(y);
            }
        }
        return length(a) - length(b);
    }

    private static boolean startsWith(Object held, String prefix) {
        if (length(held) < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (charAt(held, i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int length(Object held) {
        return held instanceof byte[] bytes ? bytes.length : ((String) held).length();
    }

    private static char charAt(Object held, int i) {
        return held instanceof byte[] bytes ? (char) (bytes[i] & 0xFF) : ((String) held).charAt(i);
    }

    /** Surrogates (U+D800..U+DFFF) stand for code points above U+FFFF: they rank after U+E000..U+FFFF. */
    private static int codePointRank(char c) {
        return c < 0xD800 ? c : c < 0xE000 ? c + 0x2000 : c - 0x800;
    }

    /** Number of keys held, including expired keys not yet reclaimed. */
    public int size() {
        return entries.size();
    }

    /** The keys live at {@code nowMillis} and the bytes of their values (a large value's packed size). */
    public LiveStats liveStats(long nowMillis) {
        long[] keysAndBytes = {0, 0};
        entries.forEach(e -> {
            if (isLive(e, nowMillis)) {
                keysAndBytes[0]++;
                keysAndBytes[1] += e.large() == null ? e.value().length : e.large().packedBytes();
            }
        });
        return new LiveStats(keysAndBytes[0], keysAndBytes[1]);
    }

    /** What {@link #liveStats} counts. */
    public record LiveStats(long keys, long valueBytes) {}

    /** About how many bytes of heap the keys held take (as {@link #footprint} counts them), expired ones not yet reclaimed included. */
    public long heldBytes() {
        return (long) entries.size() * ENTRY_OVERHEAD_BYTES + keyChars + valueBytes;
    }

    /** Visits every live entry; used to write snapshots. */
    public void forEachLive(long nowMillis, BiConsumer<String, Entry> visitor) {
        entries.forEach(e -> {
            if (isLive(e, nowMillis)) {
                visitor.accept(e.key(), e);
            }
        });
    }

    /** Whether an entry is live at {@code nowMillis}, changing nothing (a hash with every field expired is not). */
    private static boolean isLive(Entry e, long nowMillis) {
        return e != null && !e.isExpired(nowMillis)
                && (e.earliestFieldExpiry() == 0 || HashValue.withoutExpired(e.value(), nowMillis) != null);
    }

    /** A copy of the live entries, detached from this state (entries are immutable, values are never mutated). */
    public Map<String, Entry> copyLive(long nowMillis) {
        Map<String, Entry> copy = new HashMap<>(Math.max(16, entries.size() * 4 / 3));
        forEachLive(nowMillis, copy::put);
        return copy;
    }
}
