package io.strata.node.kv;

import org.pcollections.HashTreePMap;
import org.pcollections.OrderedPMap;
import org.pcollections.PMap;
import org.pcollections.TreePSet;
import org.pcollections.TreePVector;

import java.nio.ByteBuffer;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A list, hash, set or sorted set too large to be rewritten whole at each change: held unpacked,
 * in persistent collections, so that a change ({@link ValueChange.Incremental}) builds the next
 * value in O(log n) per element it touches and shares the rest with the value before, which stays
 * as it was for whoever still holds it (a transaction's rollback, a snapshot being written). Its
 * partition logs the change, not the value; reads and snapshots see it packed ({@link #pack()}),
 * as a small value is. Redis makes the same move from listpack to quicklist, hashtable and
 * skiplist encodings as a value grows.
 *
 * <p>A hash with fields that expire stays packed: its fields are pruned as they expire, which
 * reads them all anyway.
 */
public sealed interface LargeValue {

    /** A value packed in more bytes than this is held large; one that shrinks below half of it is packed again. */
    int LARGE_BYTES = 4096;

    ValueType type();

    /** Elements, fields or members. */
    int size();

    /** The bytes of its packed form, but for the few of the count's varint. */
    long packedBytes();

    /** The packed form, as {@link ListValue}, {@link HashValue} or {@link ZSetValue} packs it. */
    byte[] pack();

    /** About how many bytes of heap it takes: its elements' bytes and the trees' nodes. */
    default long heldBytes() {
        return packedBytes() + 96L * size();
    }

    /** The large form of a packed value of {@code type}; null when it has none (a string, a hash whose fields expire). */
    static LargeValue of(ValueType type, byte[] packed) {
        return switch (type) {
            case LIST -> LargeList.EMPTY.pushAll(false, ListValue.elements(packed));
            case SET -> LargeSet.EMPTY.addAll(ListValue.elements(packed)).set();
            case ZSET -> {
                LargeZSet zset = LargeZSet.EMPTY;
                for (ZSetValue.Member m : ZSetValue.members(packed)) {
                    zset = zset.with(m, null);
                }
                yield zset;
            }
            case HASH -> {
                if (HashValue.earliestExpiry(packed) != 0) {
                    yield null;
                }
                LargeHash hash = LargeHash.EMPTY;
                for (HashValue.Field f : HashValue.fields(packed)) {
                    hash = hash.with(f);
                }
                yield hash;
            }
            default -> null;
        };
    }

    /**
     * Its elements (a list's), fields (a hash's) or members (a set's, a sorted set's, in order) as
     * an unmodifiable list, read in place: what a door reads of a value, without unpacking it.
     */
    List<?> view();

    /**
     * Finds elements of {@code items} by name ({@code nameOf}): through a large value's
     * {@link View} without a walk; in a few items by a walk; in more through an index built once.
     */
    @SuppressWarnings("unchecked")
    static <T> Function<byte[], T> lookup(List<T> items, Function<T, byte[]> nameOf) {
        if (items instanceof View<?> view) {
            return name -> (T) view.named(name);
        }
        if (items.size() <= 16) {
            return name -> items.stream().filter(t -> Arrays.equals(nameOf.apply(t), name)).findFirst().orElse(null);
        }
        Map<ByteBuffer, T> index = new HashMap<>();
        items.forEach(t -> index.putIfAbsent(ByteBuffer.wrap(nameOf.apply(t)), t));
        return name -> index.get(ByteBuffer.wrap(name));
    }

    /**
     * A large value's elements in order, over its persistent collections: sized and named in
     * O(log n), walked in order; read by index, copied (references only) into an array on the
     * first such read, so that a walk by index stays linear. For one reader: a view a door asked for.
     */
    final class View<T> extends AbstractList<T> {
        private final Collection<T> ordered;
        private final Function<byte[], T> byName;
        private List<T> byIndex;

        View(Collection<T> ordered, Function<byte[], T> byName) {
            this.ordered = ordered;
            this.byName = byName;
        }

        /** The element named {@code name}, or null. */
        public T named(byte[] name) {
            return byName.apply(name);
        }

        @Override
        public int size() {
            return ordered.size();
        }

        @Override
        public Iterator<T> iterator() {
            return ordered.iterator();
        }

        @Override
        public T get(int index) {
            if (byIndex == null) {
                byIndex = new ArrayList<>(ordered);
            }
            return byIndex.get(index);
        }
    }

    /** The bytes an element of {@code length} bytes takes packed: its length's varint and itself. */
    static long elementBytes(int length) {
        return length + (64 - Long.numberOfLeadingZeros(length | 1) + 6) / 7;
    }

    /**
     * What an incremental change makes of a large value: {@code write} whether anything changed;
     * {@code value} the value after (null: nothing is left, the key goes); what it replies, as
     * {@link ValueChange.Outcome} has it; and {@code logged}, the change the log records to replay
     * it (itself, unless it chose at random: SPOP logs the members it took).
     */
    record Outcome(boolean write, LargeValue value, long count, byte[] reply, List<Long> numbers, List<byte[]> items,
                   ValueChange logged) {

        static Outcome unchanged(LargeValue value, long count, List<byte[]> items) {
            return new Outcome(false, value, count, null, null, items, null);
        }

        /** Changed to {@code value}, or to nothing when it has no element left. */
        static Outcome written(LargeValue value, long count, byte[] reply, List<byte[]> items, ValueChange logged) {
            return new Outcome(true, value.size() == 0 ? null : value, count, reply, null, items, logged);
        }
    }

    /** A list: its elements first to last. */
    record LargeList(TreePVector<byte[]> elements, long packedBytes) implements LargeValue {
        static final LargeList EMPTY = new LargeList(TreePVector.empty(), 0);

        @Override
        public ValueType type() {
            return ValueType.LIST;
        }

        @Override
        public int size() {
            return elements.size();
        }

        @Override
        public byte[] pack() {
            return ListValue.pack(elements);
        }

        @Override
        public List<byte[]> view() {
            return elements;
        }

        /** {@code pushed} added one by one at the head ({@code left}) or the tail. */
        LargeList pushAll(boolean left, List<byte[]> pushed) {
            TreePVector<byte[]> next = elements;
            long bytes = packedBytes;
            for (byte[] e : pushed) {
                next = left ? next.plus(0, e) : next.plus(e);
                bytes += elementBytes(e.length);
            }
            return new LargeList(next, bytes);
        }

        /** Without the element at {@code index}. */
        LargeList without(int index) {
            return new LargeList(elements.minus(index), packedBytes - elementBytes(elements.get(index).length));
        }
    }

    /** A hash without expiring fields: its fields in the order they were first set. */
    record LargeHash(OrderedPMap<ByteBuffer, HashValue.Field> fields, long packedBytes) implements LargeValue {
        static final LargeHash EMPTY = new LargeHash(OrderedPMap.empty(), 1);

        @Override
        public ValueType type() {
            return ValueType.HASH;
        }

        @Override
        public int size() {
            return fields.size();
        }

        @Override
        public byte[] pack() {
            return HashValue.pack(fields.values());
        }

        @Override
        public List<HashValue.Field> view() {
            return new View<>(fields.values(), this::get);
        }

        HashValue.Field get(byte[] name) {
            return fields.get(ByteBuffer.wrap(name));
        }

        /** With {@code field} set (where it was, when it was there). */
        LargeHash with(HashValue.Field field) {
            return with(field, get(field.name()));
        }

        /** With {@code field} set in place of {@code was}, the field of its name found before (null: none). */
        LargeHash with(HashValue.Field field, HashValue.Field was) {
            long bytes = packedBytes + fieldBytes(field) - (was == null ? 0 : fieldBytes(was));
            return new LargeHash(fields.plus(ByteBuffer.wrap(field.name()), field), bytes);
        }

        LargeHash without(byte[] name) {
            HashValue.Field was = get(name);
            return was == null ? this : new LargeHash(fields.minus(ByteBuffer.wrap(name)), packedBytes - fieldBytes(was));
        }

        private static long fieldBytes(HashValue.Field f) {
            return elementBytes(f.name().length) + elementBytes(f.value().length);
        }
    }

    /**
     * A set: its members in the order they were added, each by itself. (A map rather than
     * pcollections' OrderedPSet, whose {@code contains} walks every member.)
     */
    record LargeSet(OrderedPMap<ByteBuffer, byte[]> members, long packedBytes) implements LargeValue {
        static final LargeSet EMPTY = new LargeSet(OrderedPMap.empty(), 0);

        @Override
        public ValueType type() {
            return ValueType.SET;
        }

        @Override
        public int size() {
            return members.size();
        }

        @Override
        public byte[] pack() {
            return ListValue.pack(new ArrayList<>(members.values()));
        }

        @Override
        public List<byte[]> view() {
            return new View<>(members.values(), name -> members.get(ByteBuffer.wrap(name)));
        }

        /** The members not there added, and how many. */
        Counted addAll(List<byte[]> added) {
            OrderedPMap<ByteBuffer, byte[]> next = members;
            long bytes = packedBytes;
            long count = 0;
            for (byte[] m : added) {
                ByteBuffer at = ByteBuffer.wrap(m);
                if (next.get(at) == null) {
                    next = next.plus(at, m);
                    bytes += elementBytes(m.length);
                    count++;
                }
            }
            return new Counted(new LargeSet(next, bytes), count);
        }

        /** The members there removed, and how many. */
        Counted removeAll(List<byte[]> removed) {
            OrderedPMap<ByteBuffer, byte[]> next = members;
            long bytes = packedBytes;
            long count = 0;
            for (byte[] m : removed) {
                ByteBuffer at = ByteBuffer.wrap(m);
                if (next.get(at) != null) {
                    next = next.minus(at);
                    bytes -= elementBytes(m.length);
                    count++;
                }
            }
            return new Counted(new LargeSet(next, bytes), count);
        }

        /** A set and how many members a change added or removed. */
        record Counted(LargeSet set, long count) {}
    }

    /** A sorted set: its members by name, and in Redis's order ({@link ZSetValue#ORDER}). */
    record LargeZSet(PMap<ByteBuffer, ZSetValue.Member> byName, TreePSet<ZSetValue.Member> ordered, long packedBytes)
            implements LargeValue {
        static final LargeZSet EMPTY = new LargeZSet(HashTreePMap.empty(), TreePSet.empty(ZSetValue.ORDER), 0);

        @Override
        public ValueType type() {
            return ValueType.ZSET;
        }

        @Override
        public int size() {
            return byName.size();
        }

        @Override
        public byte[] pack() {
            return ZSetValue.pack(new ArrayList<>(ordered));
        }

        @Override
        public List<ZSetValue.Member> view() {
            return new View<>(ordered, this::get);
        }

        ZSetValue.Member get(byte[] name) {
            return byName.get(ByteBuffer.wrap(name));
        }

        /** With {@code member} in place of {@code was} (null: a new member). */
        LargeZSet with(ZSetValue.Member member, ZSetValue.Member was) {
            TreePSet<ZSetValue.Member> order = was == null ? ordered : ordered.minus(was);
            long bytes = packedBytes + (was == null ? memberBytes(member) : 0);
            return new LargeZSet(byName.plus(ByteBuffer.wrap(member.name()), member), order.plus(member), bytes);
        }

        LargeZSet without(ZSetValue.Member member) {
            return new LargeZSet(byName.minus(ByteBuffer.wrap(member.name())), ordered.minus(member), packedBytes - memberBytes(member));
        }

        private static long memberBytes(ZSetValue.Member m) {
            return Double.BYTES + elementBytes(m.name().length);
        }
    }
}
