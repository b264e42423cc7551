package io.strata.node.kv;

import java.util.List;

/**
 * A change to one key holding a value of another type than a string (a hash, a list, a set, a sorted set), that its
 * partition applies atomically ({@link KvPartition.UpdateValue}): the value is read, changed and
 * written whole, as its type packs it; the key keeps its own expiry.
 */
public sealed interface ValueChange permits HashChange, ListChange, SetChange, ZSetChange {

    /** The type of the key's value, before and after (a key of another type is refused: WRONGTYPE). */
    ValueType type();

    /** Whether it replaces whatever the key holds, of any type (a STORE's destination), rather than change a value of its type. */
    default boolean replacesAnyType() {
        return false;
    }

    /**
     * The outcome for a value packed as {@code current} (null: the key is absent; a hash without
     * its expired fields) at {@code now}, for values of at most {@code maxValueBytes} packed.
     *
     * @throws StringChange.Refused when the change cannot apply to this value
     */
    Outcome apply(byte[] current, long now, long maxValueBytes);

    /**
     * A change that also applies to a value of its type held large ({@link LargeValue}), touching
     * only what it changes; its outcome is the one {@link #apply} would give for the packed value.
     * The log records the change ({@link LargeValue.Outcome#logged()}) rather than the value, so
     * it must come out the same when replayed.
     */
    interface Incremental {

        /**
         * The outcome for {@code current}, a large value of the change's type.
         *
         * @throws StringChange.Refused when the change cannot apply to this value
         */
        LargeValue.Outcome applyLarge(LargeValue current);
    }

    /**
     * What a change makes of a value: {@code write} whether anything is to be written; the new
     * packed value ({@code packed} null: nothing is left, the key goes); and what it replies:
     * {@code count} (fields added or removed, a new integer, a list's length...), {@code value} (a
     * new float's text), {@code numbers} (one code per field named) or {@code items} (the elements
     * popped); each null where the change has none.
     */
    record Outcome(boolean write, byte[] packed, long count, byte[] value, List<Long> numbers, List<byte[]> items) {

        static Outcome unchanged(byte[] packed, long count, List<Long> numbers) {
            return new Outcome(false, packed, count, null, numbers, null);
        }

        /** Written as {@code packed}, checked against the limit on a value's size. */
        static Outcome written(byte[] packed, long count, List<Long> numbers, List<byte[]> items, long maxValueBytes, String what) {
            if (packed != null && packed.length > maxValueBytes) {
                throw new StringChange.Refused("value_too_large",
                        "the " + what + " would take " + packed.length + " bytes, over the limit of " + maxValueBytes + " for a value");
            }
            return new Outcome(true, packed, count, null, numbers, items);
        }
    }
}
