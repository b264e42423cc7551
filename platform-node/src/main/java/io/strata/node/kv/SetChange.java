package io.strata.node.kv;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A change to one set that its partition applies atomically ({@link KvPartition.UpdateValue}):
 * Redis's SADD, SREM, SPOP, and the destination of SINTERSTORE / SUNIONSTORE / SDIFFSTORE. The set
 * is read, changed and written whole, packed as {@link ListValue} packs a list (its members in
 * the order they were added); an empty set is deleted, as in Redis.
 */
public sealed interface SetChange extends ValueChange {

    @Override
    default ValueType type() {
        return ValueType.SET;
    }

    /** SADD: the members not there added; counts them. */
    record Add(List<byte[]> members) implements SetChange, Incremental {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            Map<ByteBuffer, byte[]> set = membersOf(current);
            long added = 0;
            for (byte[] member : members) {
                if (set.putIfAbsent(ByteBuffer.wrap(member), member) == null) {
                    added++;
                }
            }
            return added == 0 ? Outcome.unchanged(current, 0, null) : written(set, added, null, maxValueBytes);
        }

        @Override
        public LargeValue.Outcome applyLarge(LargeValue current) {
            return counted(current, ((LargeValue.LargeSet) current).addAll(members), this);
        }
    }

    /** SREM: the members there removed; counts them. */
    record Remove(List<byte[]> members) implements SetChange, Incremental {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            Map<ByteBuffer, byte[]> set = membersOf(current);
            long removed = 0;
            for (byte[] member : members) {
                if (set.remove(ByteBuffer.wrap(member)) != null) {
                    removed++;
                }
            }
            return removed == 0 ? Outcome.unchanged(current, 0, null) : written(set, removed, null, maxValueBytes);
        }

        @Override
        public LargeValue.Outcome applyLarge(LargeValue current) {
            return counted(current, ((LargeValue.LargeSet) current).removeAll(members), this);
        }
    }

    /** SPOP: up to {@code count} members picked at random removed; items: them (null when the key is absent). */
    record Pop(long count) implements SetChange, Incremental {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            if (current == null) {
                return new Outcome(false, null, 0, null, null, null);
            }
            List<byte[]> members = ListValue.elements(current);
            Collections.shuffle(members, ThreadLocalRandom.current());
            int n = (int) Math.min(count, members.size());
            List<byte[]> popped = new ArrayList<>(members.subList(0, n));
            List<byte[]> kept = members.subList(n, members.size());
            return n == 0 ? new Outcome(false, current, 0, null, null, popped)
                    : Outcome.written(ListValue.pack(kept), kept.size(), null, popped, maxValueBytes, "set");
        }

        /** Takes {@code count} members picked at random in one walk (selection sampling), and logs their removal. */
        @Override
        public LargeValue.Outcome applyLarge(LargeValue current) {
            LargeValue.LargeSet set = (LargeValue.LargeSet) current;
            int n = (int) Math.min(count, set.size());
            List<byte[]> popped = new ArrayList<>(n);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int seen = 0;
            for (byte[] member : set.members().values()) {
                if (popped.size() == n) {
                    break;
                }
                if (random.nextInt(set.size() - seen) < n - popped.size()) {
                    popped.add(member);
                }
                seen++;
            }
            Collections.shuffle(popped, random);
            if (n == 0) {
                return LargeValue.Outcome.unchanged(current, 0, popped);
            }
            LargeValue.LargeSet kept = set.removeAll(popped).set();
            return LargeValue.Outcome.written(kept, kept.size(), null, popped, new Remove(popped));
        }
    }

    /** The destination of a STORE command: the set replaced by {@code members} (none: deleted); counts them. */
    record Replace(List<byte[]> members) implements SetChange {
        @Override
        public boolean replacesAnyType() {
            return true;
        }

        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            Map<ByteBuffer, byte[]> set = new LinkedHashMap<>();
            members.forEach(m -> set.putIfAbsent(ByteBuffer.wrap(m), m));
            return written(set, set.size(), null, maxValueBytes);
        }
    }

    private static LargeValue.Outcome counted(LargeValue current, LargeValue.LargeSet.Counted counted, SetChange logged) {
        return counted.count() == 0 ? LargeValue.Outcome.unchanged(current, 0, null)
                : LargeValue.Outcome.written(counted.set(), counted.count(), null, null, logged);
    }

    private static Map<ByteBuffer, byte[]> membersOf(byte[] current) {
        Map<ByteBuffer, byte[]> set = new LinkedHashMap<>();
        if (current != null) {
            for (byte[] member : ListValue.elements(current)) {
                set.put(ByteBuffer.wrap(member), member);
            }
        }
        return set;
    }

    private static Outcome written(Map<ByteBuffer, byte[]> set, long count, List<Long> numbers, long maxValueBytes) {
        return Outcome.written(ListValue.pack(new ArrayList<>(set.values())), count, numbers, null, maxValueBytes, "set");
    }
}
