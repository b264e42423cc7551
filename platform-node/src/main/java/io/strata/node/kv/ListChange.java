package io.strata.node.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A change to one list that its partition applies atomically ({@link KvPartition.UpdateValue}):
 * Redis's LPUSH / RPUSH (and their X forms), LPOP / RPOP, LSET, LREM, LTRIM, LINSERT and LMOVE
 * within one list. The list is read, changed and written whole, as {@link ListValue} packs it; an
 * empty list is deleted, as in Redis.
 */
public sealed interface ListChange extends ValueChange {

    @Override
    default ValueType type() {
        return ValueType.LIST;
    }

    /** LPUSH / RPUSH: {@code elements} pushed one by one at the head ({@code left}) or the tail; X: only onto a list that exists. */
    record Push(boolean left, List<byte[]> elements, boolean onlyIfExists) implements ListChange, Incremental {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            if (current == null && onlyIfExists) {
                return Outcome.unchanged(null, 0, null);
            }
            List<byte[]> list = elementsOf(current);
            for (byte[] e : elements) {
                if (left) {
                    list.add(0, e);
                } else {
                    list.add(e);
                }
            }
            return written(list, list.size(), null, maxValueBytes);
        }

        @Override
        public LargeValue.Outcome applyLarge(LargeValue current) {
            LargeValue.LargeList list = ((LargeValue.LargeList) current).pushAll(left, elements);
            return LargeValue.Outcome.written(list, list.size(), null, null, this);
        }
    }

    /**
     * LPOP / RPOP: up to {@code count} elements from the head ({@code left}) or the tail, in the
     * order popped; items null when the key is absent.
     */
    record Pop(boolean left, long count) implements ListChange, Incremental {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            if (current == null) {
                return new Outcome(false, null, 0, null, null, null);
            }
            List<byte[]> list = elementsOf(current);
            int n = (int) Math.min(count, list.size());
            List<byte[]> popped = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                popped.add(left ? list.remove(0) : list.remove(list.size() - 1));
            }
            return n == 0 ? new Outcome(false, current, 0, null, null, popped) : written(list, list.size(), null, popped, maxValueBytes);
        }

        @Override
        public LargeValue.Outcome applyLarge(LargeValue current) {
            LargeValue.LargeList list = (LargeValue.LargeList) current;
            int n = (int) Math.min(count, list.size());
            List<byte[]> popped = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int at = left ? 0 : list.size() - 1;
                popped.add(list.elements().get(at));
                list = list.without(at);
            }
            return n == 0 ? LargeValue.Outcome.unchanged(current, 0, popped)
                    : LargeValue.Outcome.written(list, list.size(), null, popped, this);
        }
    }

    /** LSET: the element at {@code index} (negative: from the tail) replaced. */
    record SetIndex(long index, byte[] element) implements ListChange {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            if (current == null) {
                throw new StringChange.Refused("no_such_key", "no such key");
            }
            List<byte[]> list = elementsOf(current);
            long at = index < 0 ? list.size() + index : index;
            if (at < 0 || at >= list.size()) {
                throw new StringChange.Refused("index_out_of_range", "index out of range");
            }
            list.set((int) at, element);
            return written(list, list.size(), null, maxValueBytes);
        }
    }

    /** LREM: the first {@code count} elements equal to {@code element} from the head (from the tail when negative; all when 0). */
    record Remove(long count, byte[] element) implements ListChange {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            if (current == null) {
                return Outcome.unchanged(null, 0, null);
            }
            List<byte[]> list = elementsOf(current);
            if (count < 0) {
                Collections.reverse(list);
            }
            long limit = count == 0 ? Long.MAX_VALUE : Math.abs(count);
            long removed = 0;
            for (var it = list.iterator(); it.hasNext() && removed < limit; ) {
                if (Arrays.equals(it.next(), element)) {
                    it.remove();
                    removed++;
                }
            }
            if (count < 0) {
                Collections.reverse(list);
            }
            return removed == 0 ? Outcome.unchanged(current, 0, null) : written(list, removed, null, maxValueBytes);
        }
    }

    /** LTRIM: only the elements from {@code start} to {@code stop} (both included; negative: from the tail) kept. */
    record Trim(long start, long stop) implements ListChange {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            if (current == null) {
                return Outcome.unchanged(null, 0, null);
            }
            List<byte[]> list = elementsOf(current);
            int[] range = range(start, stop, list.size());
            List<byte[]> kept = range == null ? List.of() : new ArrayList<>(list.subList(range[0], range[1] + 1));
            return kept.size() == list.size() ? Outcome.unchanged(current, 0, null) : written(kept, kept.size(), null, maxValueBytes);
        }
    }

    /** LINSERT: {@code element} before or after the first {@code pivot}; the length, -1 without the pivot, 0 without the key. */
    record Insert(boolean before, byte[] pivot, byte[] element) implements ListChange {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            if (current == null) {
                return Outcome.unchanged(null, 0, null);
            }
            List<byte[]> list = elementsOf(current);
            for (int i = 0; i < list.size(); i++) {
                if (Arrays.equals(list.get(i), pivot)) {
                    list.add(before ? i : i + 1, element);
                    return written(list, list.size(), null, maxValueBytes);
                }
            }
            return Outcome.unchanged(current, -1, null);
        }
    }

    /** LMOVE (RPOPLPUSH) of a list onto itself: the element at one end moved to the other (or the same) end; items: it. */
    record Rotate(boolean fromLeft, boolean toLeft) implements ListChange {
        @Override
        public Outcome apply(byte[] current, long now, long maxValueBytes) {
            if (current == null) {
                return new Outcome(false, null, 0, null, null, null);
            }
            List<byte[]> list = elementsOf(current);
            byte[] moved = fromLeft ? list.remove(0) : list.remove(list.size() - 1);
            if (toLeft) {
                list.add(0, moved);
            } else {
                list.add(moved);
            }
            return written(list, list.size(), null, List.of(moved), maxValueBytes);
        }
    }

    /**
     * Redis's index range arithmetic (LRANGE, LTRIM): {@code [from, to]} within a list of
     * {@code size}, negative indexes counted from the tail; null when it holds nothing.
     */
    public static int[] range(long start, long stop, int size) {
        long from = start < 0 ? Math.max(0, size + start) : start;
        long to = stop < 0 ? size + stop : Math.min(stop, size - 1L);
        return from > to || from >= size ? null : new int[]{(int) from, (int) to};
    }

    private static List<byte[]> elementsOf(byte[] current) {
        return current == null ? new ArrayList<>() : ListValue.elements(current);
    }

    private static Outcome written(List<byte[]> list, long count, List<Long> numbers, long maxValueBytes) {
        return written(list, count, numbers, null, maxValueBytes);
    }

    private static Outcome written(List<byte[]> list, long count, List<Long> numbers, List<byte[]> items, long maxValueBytes) {
        return Outcome.written(ListValue.pack(list), count, numbers, items, maxValueBytes, "list");
    }
}
