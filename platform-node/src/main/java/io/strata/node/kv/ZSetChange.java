package io.strata.node.kv;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A change to one sorted set that its partition applies atomically ({@link KvPartition.UpdateValue}):
 * Redis's ZADD (and ZINCRBY), ZREM, ZPOPMIN / ZPOPMAX, ZREMRANGEBYRANK / BYSCORE / BYLEX, and the
 * destination of ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE / ZRANGESTORE. The set is read, changed
 * and written whole ({@link ZSetValue}); an empty sorted set is deleted, as in Redis.
 */
public sealed interface ZSetChange extends ValueChange {

    @Override
    default ValueType type() {
        return ValueType.ZSET;
    }

    /** ZADD's options. */
    enum AddFlag { NX, XX, GT, LT, CH, INCR }

    /**
     * ZADD: each member set to its score (or, with INCR, its score increased by it) under the
     * flags. Counts the members added (with CH, also those whose score changed); with INCR,
     * {@code value} is the new score's text, or null when the flags held it back.
     */
    record Add(List<ZSetValue.Member> members, Set<AddFlag> flags) implements ZSetChange, Incremental {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            Map<ByteBuffer, ZSetValue.Member> set = index(current);
            Added added = add(name -> set.get(ByteBuffer.wrap(name)), (member, was) -> set.put(ByteBuffer.wrap(member.name()), member));
            if (!added.write()) {
                return new Outcome(false, current, added.count(), added.reply(), null, null);
            }
            Outcome written = written(set.values(), added.count(), null, maxValueBytes);
            return new Outcome(true, written.packed(), added.count(), added.reply(), null, null);
        }

        @Override
        public LargeValue.Outcome applyLarge(LargeValue current) {
            LargeValue.LargeZSet[] set = {(LargeValue.LargeZSet) current};
            Added added = add(name -> set[0].get(name), (member, was) -> set[0] = set[0].with(member, was));
            return added.write() ? new LargeValue.Outcome(true, set[0], added.count(), added.reply(), null, null, this)
                    : new LargeValue.Outcome(false, current, added.count(), added.reply(), null, null, null);
        }

        /** ZADD's walk over its members, whichever form holds the set: {@code lookup} by name, {@code put} (member, was). */
        private Added add(java.util.function.Function<byte[], ZSetValue.Member> lookup,
                          java.util.function.BiConsumer<ZSetValue.Member, ZSetValue.Member> put) {
            long added = 0;
            long changed = 0;
            Double last = null;
            for (ZSetValue.Member m : members) {
                ZSetValue.Member was = lookup.apply(m.name());
                last = null;
                if (was == null ? flags.contains(AddFlag.XX) : flags.contains(AddFlag.NX)) {
                    continue;
                }
                double score = flags.contains(AddFlag.INCR) ? (was == null ? 0 : was.score()) + m.score() : m.score();
                if (Double.isNaN(score)) {
                    throw new StringChange.Refused("score_nan", "resulting score is not a number (NaN)");
                }
                if (was == null) {
                    added++;
                } else if ((flags.contains(AddFlag.GT) && score <= was.score()) || (flags.contains(AddFlag.LT) && score >= was.score())) {
                    continue;
                } else if (score != was.score()) {
                    changed++;
                }
                put.accept(new ZSetValue.Member(m.name(), score), was);
                last = score;
            }
            long count = flags.contains(AddFlag.CH) ? added + changed : added;
            byte[] reply = flags.contains(AddFlag.INCR) && last != null ? ZSetValue.format(last).getBytes(StandardCharsets.US_ASCII) : null;
            return new Added(added + changed != 0, count, reply);
        }

        private record Added(boolean write, long count, byte[] reply) {}
    }

    /** ZREM: the members there removed; counts them. */
    record Remove(List<byte[]> names) implements ZSetChange, Incremental {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            Map<ByteBuffer, ZSetValue.Member> set = index(current);
            long removed = 0;
            for (byte[] name : names) {
                if (set.remove(ByteBuffer.wrap(name)) != null) {
                    removed++;
                }
            }
            return removed == 0 ? Outcome.unchanged(current, 0, null) : written(set.values(), removed, null, maxValueBytes);
        }

        @Override
        public LargeValue.Outcome applyLarge(LargeValue current) {
            LargeValue.LargeZSet set = (LargeValue.LargeZSet) current;
            long removed = 0;
            for (byte[] name : names) {
                ZSetValue.Member was = set.get(name);
                if (was != null) {
                    set = set.without(was);
                    removed++;
                }
            }
            return removed == 0 ? LargeValue.Outcome.unchanged(current, 0, null)
                    : LargeValue.Outcome.written(set, removed, null, null, this);
        }
    }

    /**
     * ZPOPMIN / ZPOPMAX: up to {@code count} members of the lowest (or highest) scores removed;
     * items: name, score text, name, score text... in the order popped (empty when the key is absent).
     */
    record Pop(boolean max, long count) implements ZSetChange, Incremental {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            if (current == null) {
                return new Outcome(false, null, 0, null, null, List.of());
            }
            List<ZSetValue.Member> members = ZSetValue.members(current);
            int n = (int) Math.min(count, members.size());
            List<byte[]> popped = new ArrayList<>(2 * n);
            for (int i = 0; i < n; i++) {
                ZSetValue.Member m = members.get(max ? members.size() - 1 - i : i);
                popped.add(m.name());
                popped.add(ZSetValue.format(m.score()).getBytes(StandardCharsets.US_ASCII));
            }
            if (n == 0) {
                return new Outcome(false, current, 0, null, null, popped);
            }
            List<ZSetValue.Member> kept = max ? members.subList(0, members.size() - n) : members.subList(n, members.size());
            return Outcome.written(ZSetValue.pack(kept), kept.size(), null, popped, maxValueBytes, "sorted set");
        }

        @Override
        public LargeValue.Outcome applyLarge(LargeValue current) {
            LargeValue.LargeZSet set = (LargeValue.LargeZSet) current;
            int n = (int) Math.min(count, set.size());
            List<byte[]> popped = new ArrayList<>(2 * n);
            for (int i = 0; i < n; i++) {
                ZSetValue.Member m = max ? set.ordered().last() : set.ordered().first();
                popped.add(m.name());
                popped.add(ZSetValue.format(m.score()).getBytes(StandardCharsets.US_ASCII));
                set = set.without(m);
            }
            return n == 0 ? LargeValue.Outcome.unchanged(current, 0, popped)
                    : LargeValue.Outcome.written(set, set.size(), null, popped, this);
        }
    }

    /** ZREMRANGEBYRANK / BYSCORE / BYLEX: the members in {@code range} removed; counts them. */
    record RemoveRange(ZRange range) implements ZSetChange {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            if (current == null) {
                return Outcome.unchanged(null, 0, null);
            }
            List<ZSetValue.Member> members = ZSetValue.members(current);
            List<ZSetValue.Member> removed = range.select(members);
            if (removed.isEmpty()) {
                return Outcome.unchanged(current, 0, null);
            }
            // The very entries selected (a member's name is an array: equality would not find them).
            Set<ZSetValue.Member> gone = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            gone.addAll(removed);
            List<ZSetValue.Member> kept = members.stream().filter(m -> !gone.contains(m)).toList();
            return Outcome.written(ZSetValue.pack(kept), removed.size(), null, null, maxValueBytes, "sorted set");
        }
    }

    /** The destination of a STORE command: the key replaced by {@code members} (none: deleted); counts them. */
    record Replace(List<ZSetValue.Member> members) implements ZSetChange {
        @Override
        public boolean replacesAnyType() {
            return true;
        }

        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            Map<ByteBuffer, ZSetValue.Member> set = new HashMap<>();
            members.forEach(m -> set.put(ByteBuffer.wrap(m.name()), m));
            return written(set.values(), set.size(), null, maxValueBytes);
        }
    }

    private static Map<ByteBuffer, ZSetValue.Member> index(byte[] current) {
        Map<ByteBuffer, ZSetValue.Member> set = new HashMap<>();
        if (current != null) {
            for (ZSetValue.Member m : ZSetValue.members(current)) {
                set.put(ByteBuffer.wrap(m.name()), m);
            }
        }
        return set;
    }

    private static Outcome written(java.util.Collection<ZSetValue.Member> members, long count, List<Long> numbers, long maxValueBytes) {
        List<ZSetValue.Member> sorted = new ArrayList<>(members);
        sorted.sort(ZSetValue.ORDER);
        return Outcome.written(ZSetValue.pack(sorted), count, numbers, null, maxValueBytes, "sorted set");
    }
}
