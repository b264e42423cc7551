package io.strata.node.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What each read-modify-write makes of a value, as Redis's string commands do. */
class StringChangeTest {

    private static final long NOW = 1_000_000;
    private static final long MAX = 64;

    @Test
    void appendAddsToTheValueOrStartsOneAndKeepsTheExpiry() {
        StringChange.Outcome appended = new StringChange.Append(bytes(" world")).apply(bytes("hello"), NOW + 500, NOW, MAX);
        assertEquals("hello world", text(appended.value()));
        assertEquals(NOW + 500, appended.expiresAtMillis());
        assertEquals("x", text(new StringChange.Append(bytes("x")).apply(null, 0, NOW, MAX).value()));
        StringChange.Refused tooLong = assertThrows(StringChange.Refused.class,
                () -> new StringChange.Append(new byte[60]).apply(new byte[5], 0, NOW, MAX));
        assertEquals("string_too_long", tooLong.code());
    }

    @Test
    void setRangeOverwritesAndPadsWithZeroBytes() {
        assertEquals("Hello Redis", text(new StringChange.SetRange(6, bytes("Redis")).apply(bytes("Hello World"), 0, NOW, MAX).value()));
        assertArrayEquals(new byte[]{0, 0, 'a', 'b'}, new StringChange.SetRange(2, bytes("ab")).apply(null, 0, NOW, MAX).value());
        assertEquals("abcXe", text(new StringChange.SetRange(3, bytes("X")).apply(bytes("abcde"), 0, NOW, MAX).value()));
        assertFalse(new StringChange.SetRange(3, new byte[0]).apply(null, 0, NOW, MAX).write(), "nothing to write: no key is made");
        assertEquals("string_too_long", assertThrows(StringChange.Refused.class,
                () -> new StringChange.SetRange(MAX, bytes("a")).apply(null, 0, NOW, MAX)).code());
    }

    @Test
    void incrByFloatAddsAsRedisDoesAndPrintsWithoutTrailingZeros() {
        // The examples of Redis's INCRBYFLOAT documentation.
        assertEquals("10.6", incrByFloat("10.50", "0.1"));
        assertEquals("5.6", incrByFloat("10.6", "-5"));
        assertEquals("5200", incrByFloat("5.0e3", "2.0e2"));
        assertEquals("3.3", incrByFloat("1.1", "2.2"), "decimal, not binary, as Redis's long double prints it");
        assertEquals("0", incrByFloat("1.5", "-1.5"));
        assertEquals("1.5", incrByFloat(null, "1.5"), "an absent key counts as 0");
        assertEquals("100000000000000000000", incrByFloat("1e20", "0"), "no exponent in the result");
        assertEquals("0.33333333333333333", incrByFloat("0.33333333333333333333", "0"), "17 significant digits");
        assertEquals("not_a_float", assertThrows(StringChange.Refused.class, () -> incrByFloat("abc", "1")).code());
        assertEquals("not_a_float", assertThrows(StringChange.Refused.class, () -> incrByFloat(" 1", "1")).code());
        assertEquals("float_overflow", assertThrows(StringChange.Refused.class, () -> incrByFloat("1", "inf")).code());
        assertTrue(StringChange.IncrByFloat.isFloat("-inf"));
        assertTrue(StringChange.IncrByFloat.isFloat("2.0e2"));
        assertFalse(StringChange.IncrByFloat.isFloat("1x"));
        assertFalse(StringChange.IncrByFloat.isFloat(""));
    }

    @Test
    void setHonoursItsConditionAndKeepsOrSetsTheExpiry() {
        StringChange.Outcome keep = new StringChange.Set(bytes("new"), 0, true, StringChange.Condition.ANY).apply(bytes("old"), NOW + 9, NOW, MAX);
        assertEquals("new", text(keep.value()));
        assertEquals(NOW + 9, keep.expiresAtMillis());
        assertEquals(NOW + 100, new StringChange.Set(bytes("v"), 100, false, StringChange.Condition.ANY).apply(null, 0, NOW, MAX)
                .expiresAtMillis());
        assertEquals(0, new StringChange.Set(bytes("v"), 0, false, StringChange.Condition.ANY).apply(bytes("o"), NOW + 9, NOW, MAX)
                .expiresAtMillis(), "a plain SET removes a TTL");
        assertFalse(new StringChange.Set(bytes("v"), 0, false, StringChange.Condition.ABSENT).apply(bytes("o"), 0, NOW, MAX).write());
        assertFalse(new StringChange.Set(bytes("v"), 0, false, StringChange.Condition.PRESENT).apply(null, 0, NOW, MAX).write());
        assertTrue(new StringChange.Set(bytes("v"), 0, false, StringChange.Condition.PRESENT).apply(bytes("o"), 0, NOW, MAX).write());
    }

    @Test
    void getDelAndGetEx() {
        StringChange.Outcome deleted = new StringChange.GetDel().apply(bytes("v"), 0, NOW, MAX);
        assertTrue(deleted.write());
        assertNull(deleted.value());
        assertFalse(new StringChange.GetDel().apply(null, 0, NOW, MAX).write());

        assertEquals(NOW + 50, new StringChange.GetEx(StringChange.Expiry.SET, 50).apply(bytes("v"), 0, NOW, MAX).expiresAtMillis());
        assertNull(new StringChange.GetEx(StringChange.Expiry.SET, 0).apply(bytes("v"), 0, NOW, MAX).value(), "a past time deletes");
        StringChange.Outcome persisted = new StringChange.GetEx(StringChange.Expiry.PERSIST, 0).apply(bytes("v"), NOW + 5, NOW, MAX);
        assertEquals(0, persisted.expiresAtMillis());
        assertEquals("v", text(persisted.value()));
        assertFalse(new StringChange.GetEx(StringChange.Expiry.PERSIST, 0).apply(bytes("v"), 0, NOW, MAX).write());
        assertFalse(new StringChange.GetEx(StringChange.Expiry.KEEP, 0).apply(bytes("v"), NOW + 5, NOW, MAX).write());
        assertFalse(new StringChange.GetEx(StringChange.Expiry.SET, 50).apply(null, 0, NOW, MAX).write());
    }

    private static String incrByFloat(String current, String increment) {
        return text(new StringChange.IncrByFloat(increment).apply(current == null ? null : bytes(current), 0, NOW, MAX).value());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }
}
