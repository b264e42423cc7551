package io.strata.node.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every incremental change, applied to a large value, gives the outcome and leaves the value its
 * packed form gives: the same random walk of changes runs on both forms, compared at each step.
 */
class LargeValueTest {

    private static final int STEPS = 3_000;

    private final Random random = new Random(19);

    @Test
    void listsChangeAsTheirPackedFormDoes() {
        walk(ValueType.LIST, () -> switch (random.nextInt(4)) {
            case 0, 1 -> new ListChange.Push(random.nextBoolean(), elements(1 + random.nextInt(4)), false);
            default -> new ListChange.Pop(random.nextBoolean(), random.nextInt(4));
        });
    }

    @Test
    void hashesChangeAsTheirPackedFormDoes() {
        walk(ValueType.HASH, () -> switch (random.nextInt(5)) {
            case 0, 1 -> new HashChange.Set(pairs(1 + random.nextInt(3)), random.nextInt(4) == 0);
            case 2 -> new HashChange.Delete(elements(1 + random.nextInt(3)));
            case 3 -> new HashChange.IncrBy(bytes("counter" + random.nextInt(3)), random.nextInt(100) - 50);
            default -> new HashChange.Set(List.of(bytes("counter" + random.nextInt(3)), bytes(Integer.toString(random.nextInt(9)))),
                    false);
        });
    }

    @Test
    void setsChangeAsTheirPackedFormDoes() {
        walk(ValueType.SET, () -> random.nextInt(3) < 2 ? new SetChange.Add(elements(1 + random.nextInt(4)))
                : new SetChange.Remove(elements(1 + random.nextInt(4))));
    }

    @Test
    void sortedSetsChangeAsTheirPackedFormDoes() {
        walk(ValueType.ZSET, () -> switch (random.nextInt(5)) {
            case 0, 1 -> new ZSetChange.Add(members(1 + random.nextInt(3)), flags());
            case 2 -> new ZSetChange.Add(members(1), EnumSet.of(ZSetChange.AddFlag.INCR));
            case 3 -> new ZSetChange.Remove(elements(1 + random.nextInt(3)));
            default -> new ZSetChange.Pop(random.nextBoolean(), random.nextInt(3));
        });
    }

    @Test
    void aRandomPopLogsTheMembersItTook() {
        byte[] packed = new SetChange.Add(elements(400)).apply(null, 0, Long.MAX_VALUE).packed();
        LargeValue large = LargeValue.of(ValueType.SET, packed);
        LargeValue.Outcome popped = ((ValueChange.Incremental) new SetChange.Pop(5)).applyLarge(large);
        assertEquals(5, popped.items().size());
        var logged = assertInstanceOf(SetChange.Remove.class, popped.logged(), "replay must take the same members");
        assertEquals(popped.items(), logged.members());
        byte[] replayed = logged.apply(packed, 0, Long.MAX_VALUE).packed();
        assertArrayEquals(replayed, popped.value().pack());
    }

    @Test
    void aHashWithExpiringFieldsStaysPacked() {
        byte[] packed = HashValue.pack(List.of(new HashValue.Field(bytes("a"), new byte[5000], 0),
                new HashValue.Field(bytes("b"), bytes("x"), 1_000)));
        assertNull(LargeValue.of(ValueType.HASH, packed), "its fields are pruned as they expire, which reads them all");
    }

    @Test
    void aRefusedChangeIsRefusedOnTheLargeFormToo() {
        byte[] packed = new HashChange.Set(List.of(bytes("text"), bytes("abc")), false).apply(null, 0, Long.MAX_VALUE).packed();
        LargeValue large = LargeValue.of(ValueType.HASH, HashValue.pack(HashValue.fields(packed)));
        var refused = assertThrows(StringChange.Refused.class,
                () -> ((ValueChange.Incremental) new HashChange.IncrBy(bytes("text"), 1)).applyLarge(large));
        assertEquals("hash_value_not_integer", refused.code());
    }

    /**
     * Starts both forms from the same value, then applies {@link #STEPS} changes to each, checking
     * after each that they answer alike and that the large one packs to the packed one.
     */
    private void walk(ValueType type, java.util.function.Supplier<ValueChange> next) {
        byte[] packed = null;
        LargeValue large = null;
        for (int step = 0; step < STEPS; step++) {
            ValueChange change = next.get();
            ValueChange.Outcome expected;
            try {
                expected = change.apply(packed, 0, Long.MAX_VALUE);
            } catch (StringChange.Refused refused) {
                LargeValue before = large;
                if (before != null) {
                    assertThrows(StringChange.Refused.class, () -> ((ValueChange.Incremental) change).applyLarge(before),
                            change.toString());
                }
                continue;
            }
            if (large == null) {
                // The packed form builds the value until it is large enough to be held large.
                packed = expected.write() ? expected.packed() : packed;
                large = packed != null && packed.length > 512 ? LargeValue.of(type, packed) : null;
                continue;
            }
            LargeValue.Outcome actual = ((ValueChange.Incremental) change).applyLarge(large);
            String what = "step " + step + ": " + change;
            assertEquals(expected.write(), actual.write(), what);
            assertEquals(expected.count(), actual.count(), what);
            assertArrayEquals(expected.value(), actual.reply(), what);
            assertEquals(texts(expected.items()), texts(actual.items()), what);
            if (expected.write()) {
                assertEquals(change, actual.logged(), what);
                packed = expected.packed();
                large = actual.value();
            }
            assertArrayEquals(packed, large == null ? null : large.pack(), what);
            if (large != null) {
                assertEquals(large.pack().length, large.packedBytes(), 6, what + ": its size is kept as it changes");
                assertReadAlike(packed, large, what);
            }
            if (packed == null) {
                return;
            }
        }
    }

    /** A door reads the large value's view as it reads the packed value: the same elements, found by name alike. */
    private void assertReadAlike(byte[] packed, LargeValue large, String what) {
        List<?> unpacked = switch (large.type()) {
            case LIST, SET -> ListValue.elements(packed);
            case HASH -> HashValue.fields(packed);
            case ZSET -> ZSetValue.members(packed);
            default -> throw new AssertionError(large.type());
        };
        List<?> view = large.view();
        assertEquals(unpacked.stream().map(LargeValueTest::text).toList(), view.stream().map(LargeValueTest::text).toList(), what);
        if (!view.isEmpty()) {
            assertEquals(text(unpacked.get(unpacked.size() / 2)), text(view.get(view.size() / 2)), what);
        }
        byte[] name = bytes("m" + random.nextInt(600));
        assertEquals(text(LargeValue.lookup(unpacked, LargeValueTest::nameOf).apply(name)),
                text(LargeValue.lookup(view, LargeValueTest::nameOf).apply(name)), what + ": finding " + text(name));
    }

    private static byte[] nameOf(Object element) {
        return element instanceof HashValue.Field f ? f.name() : element instanceof ZSetValue.Member m ? m.name() : (byte[]) element;
    }

    private static String text(Object element) {
        if (element instanceof HashValue.Field f) {
            return text(f.name()) + "=" + text(f.value());
        }
        if (element instanceof ZSetValue.Member m) {
            return text(m.name()) + ":" + m.score();
        }
        return element == null ? null : new String((byte[]) element, StandardCharsets.UTF_8);
    }

    private List<byte[]> elements(int n) {
        return strings(n, i -> "m" + random.nextInt(600));
    }

    private List<byte[]> pairs(int n) {
        List<byte[]> pairs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pairs.add(bytes("m" + random.nextInt(600)));
            pairs.add(bytes("v" + random.nextInt(1000)));
        }
        return pairs;
    }

    private List<ZSetValue.Member> members(int n) {
        List<ZSetValue.Member> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            members.add(new ZSetValue.Member(bytes("m" + random.nextInt(600)), random.nextInt(20) - 5));
        }
        return members;
    }

    private EnumSet<ZSetChange.AddFlag> flags() {
        return switch (random.nextInt(6)) {
            case 0 -> EnumSet.of(ZSetChange.AddFlag.NX);
            case 1 -> EnumSet.of(ZSetChange.AddFlag.XX, ZSetChange.AddFlag.CH);
            case 2 -> EnumSet.of(ZSetChange.AddFlag.GT);
            case 3 -> EnumSet.of(ZSetChange.AddFlag.LT, ZSetChange.AddFlag.CH);
            default -> EnumSet.noneOf(ZSetChange.AddFlag.class);
        };
    }

    private static List<byte[]> strings(int n, Function<Integer, String> text) {
        List<byte[]> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(bytes(text.apply(i)));
        }
        return list;
    }

    private static List<String> texts(List<byte[]> items) {
        return items == null ? null : items.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
