package io.strata.node.kv.internal;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A partition's key listing: UTF-8 byte order, prefixes, pages, expiry, and an index kept current after the first listing. */
class PartitionStateTest {

    private static final long NOW = 1_700_000_000_000L;

    @Test
    void keyOrderIsTheByteOrderOfUtf8() {
        Comparator<byte[]> bytes = Arrays::compareUnsigned;
        // Characters from every UTF-8 length, around the surrogates, where String's own order differs.
        int[] codePoints = {'a', 'z', 0x7f, 0xe9, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x1f600, 0x10ffff};
        Random random = new Random(16);
        for (int i = 0; i < 20_000; i++) {
            String a = randomString(random, codePoints);
            String b = randomString(random, codePoints);
            int expected = Integer.signum(bytes.compare(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
            assertEquals(expected, Integer.signum(PartitionState.KEY_ORDER.compare(a, b)), a + " vs " + b);
        }
        assertTrue(PartitionState.KEY_ORDER.compare("\uffff", "\ud83d\ude00") < 0, "U+FFFF sorts before U+1F600, as in UTF-8");
        assertTrue("\uffff".compareTo("\ud83d\ude00") > 0, "String's UTF-16 order says otherwise");
    }

    private static String randomString(Random random, int[] codePoints) {
        StringBuilder s = new StringBuilder();
        for (int n = random.nextInt(4); n >= 0; n--) {
            s.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
        }
        return s.toString();
    }

    @Test
    void pagesWalkThePrefixInOrderSkippingExpiredKeys() {
        PartitionState state = new PartitionState();
        for (String key : List.of("b", "a", "ab", "abc", "abd", "ac", "b\u00e9", "\ud83d\ude00", "\uffff")) {
            state.put(key, new byte[]{1}, 1, 0);
        }
        state.put("abb", new byte[]{1}, 2, NOW - 1);

        assertEquals(new PartitionState.Listing(List.of("a", "ab", "abc"), true), state.list("", "", 3, NOW));
        assertEquals(new PartitionState.Listing(List.of("abd", "ac", "b"), true), state.list("", "abc", 3, NOW));
        assertEquals(new PartitionState.Listing(List.of("b\u00e9", "\uffff", "\ud83d\ude00"), false), state.list("", "b", 3, NOW));
        assertEquals(new PartitionState.Listing(List.of("ab", "abc", "abd"), false), state.list("ab", "", 10, NOW),
                "the expired 'abb' is not listed");
        assertEquals(new PartitionState.Listing(List.of("abd"), false), state.list("ab", "abc", 10, NOW));
        assertEquals(new PartitionState.Listing(List.of("ab", "abc"), true), state.list("ab", "a", 2, NOW),
                "a cursor before the prefix starts at the prefix");
        assertEquals(new PartitionState.Listing(List.of(), false), state.list("ab", "b", 10, NOW));
        assertEquals(new PartitionState.Listing(List.of("ab"), true), state.list("ab", "", 1, NOW - 10),
                "'abb' was live then");
    }

    @Test
    void theIndexFollowsWritesAfterTheFirstListing() {
        PartitionState state = new PartitionState();
        state.put("k1", new byte[]{1}, 1, 0);
        assertEquals(List.of("k1"), state.list("", "", 10, NOW).keys());
        state.put("k0", new byte[]{1}, 2, 0);
        state.put("k1", new byte[]{2}, 3, 0);
        state.remove("k2");
        assertEquals(List.of("k0", "k1"), state.list("", "", 10, NOW).keys());
        state.remove("k0");
        state.put("k2", new byte[]{1}, 4, NOW + 1);
        assertEquals(List.of("k1", "k2"), state.list("", "", 10, NOW).keys());
        assertEquals(1, state.sweepExpired(NOW + 1));
        assertEquals(List.of("k1"), state.list("", "", 10, NOW).keys(), "swept keys leave the index");
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            many.add(String.format("m%04d", i));
            state.put(many.get(i), new byte[0], 10 + i, 0);
        }
        assertEquals(many.subList(0, 500), state.list("m", "", 500, NOW).keys());
        assertFalse(state.list("m", "m0499", 500, NOW).more());
    }

    @Test
    void keysHeldAsBytesAndAsStringsListInOneOrder() {
        PartitionState state = new PartitionState();
        // Latin-1 keys are held as their bytes, the others as Strings: one index orders both.
        List<String> keys = new ArrayList<>(List.of("b", "a\u00ff", "\u00e9", "\u65e5", "\ud83d\ude00", "a", "\u0100", "\uffff", "",
                "a\u0100"));
        for (int i = 0; i < keys.size(); i++) {
            state.put(keys.get(i), new byte[]{1}, i + 1, 0);
        }
        keys.sort(Comparator.comparing((String k) -> k.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        assertEquals(keys, state.list("", "", 100, NOW).keys());
        assertEquals(List.of("a", "a\u00ff", "a\u0100"), state.list("a", "", 100, NOW).keys());
        assertEquals(List.of("a\u0100"), state.list("a", "a\u00ff", 100, NOW).keys());
        state.put("a\u00ff", new byte[]{2}, 20, 0);
        state.remove("a\u0100");
        assertEquals(List.of("a", "a\u00ff"), state.list("a", "", 100, NOW).keys(), "the index follows an overwrite and a removal");
    }
}
