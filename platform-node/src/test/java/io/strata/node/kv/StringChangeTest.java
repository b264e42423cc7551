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
        assertEquals("string_too_long", assertThrows(StringChange.Refused.class,
                () -> new StringChange.SetRange(Long.MAX_VALUE, bytes("a")).apply(bytes("v"), 0, NOW, MAX)).code(), "no overflow");
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
        StringChange.Outcome keep = set(StringChange.Expiration.KEEP, StringChange.Condition.ANY).apply(bytes("old"), NOW + 9, NOW, MAX);
        assertEquals("new", text(keep.value()));
        assertEquals(NOW + 9, keep.expiresAtMillis());
        assertEquals(NOW + 100, set(StringChange.Expiration.after(100), StringChange.Condition.ANY).apply(null, 0, NOW, MAX)
                .expiresAtMillis());
        assertEquals(NOW + 7, set(StringChange.Expiration.at(NOW + 7), StringChange.Condition.ANY).apply(null, 0, NOW, MAX)
                .expiresAtMillis(), "an absolute time is kept exactly");
        assertEquals(0, set(StringChange.Expiration.NONE, StringChange.Condition.ANY).apply(bytes("o"), NOW + 9, NOW, MAX)
                .expiresAtMillis(), "a plain SET removes a TTL");
        StringChange.Outcome past = set(StringChange.Expiration.at(NOW - 1), StringChange.Condition.ANY).apply(bytes("o"), 0, NOW, MAX);
        assertTrue(past.write());
        assertNull(past.value(), "a time already past: the key is deleted");
        assertFalse(set(StringChange.Expiration.NONE, StringChange.Condition.ABSENT).apply(bytes("o"), 0, NOW, MAX).write());
        assertFalse(set(StringChange.Expiration.NONE, StringChange.Condition.PRESENT).apply(null, 0, NOW, MAX).write());
        assertTrue(set(StringChange.Expiration.NONE, StringChange.Condition.PRESENT).apply(bytes("o"), 0, NOW, MAX).write());
    }

    @Test
    void getDelAndGetEx() {
        StringChange.Outcome deleted = new StringChange.GetDel().apply(bytes("v"), 0, NOW, MAX);
        assertTrue(deleted.write());
        assertNull(deleted.value());
        assertFalse(new StringChange.GetDel().apply(null, 0, NOW, MAX).write());

        assertEquals(NOW + 50, getEx(StringChange.Expiration.after(50)).apply(bytes("v"), 0, NOW, MAX).expiresAtMillis());
        assertNull(getEx(StringChange.Expiration.at(NOW)).apply(bytes("v"), 0, NOW, MAX).value(), "a past time deletes");
        StringChange.Outcome persisted = getEx(StringChange.Expiration.NONE).apply(bytes("v"), NOW + 5, NOW, MAX);
        assertEquals(0, persisted.expiresAtMillis());
        assertEquals("v", text(persisted.value()));
        assertFalse(getEx(StringChange.Expiration.NONE).apply(bytes("v"), 0, NOW, MAX).write(), "nothing to persist");
        assertFalse(getEx(StringChange.Expiration.after(50)).apply(null, 0, NOW, MAX).write());
    }

    @Test
    void expireAsRedisWithItsConditions() {
        long later = NOW + 1000;
        assertEquals(later, expire(StringChange.Expiration.at(later), StringChange.ExpiryCondition.ANY).apply(bytes("v"), 0, NOW, MAX)
                .expiresAtMillis());
        assertFalse(expire(StringChange.Expiration.after(5), StringChange.ExpiryCondition.ANY).apply(null, 0, NOW, MAX).write(),
                "no key, nothing to do");
        assertNull(expire(StringChange.Expiration.after(0), StringChange.ExpiryCondition.ANY).apply(bytes("v"), 0, NOW, MAX).value(),
                "not positive: deleted");
        assertNull(expire(StringChange.Expiration.at(0), StringChange.ExpiryCondition.ANY).apply(bytes("v"), 0, NOW, MAX).value(),
                "EXPIREAT 0 deletes");
        // NX / XX: without / with an expiry; GT / LT: later / earlier, no expiry being infinitely late.
        assertTrue(expire(StringChange.Expiration.at(later), StringChange.ExpiryCondition.NONE_YET).apply(bytes("v"), 0, NOW, MAX).write());
        assertFalse(expire(StringChange.Expiration.at(later), StringChange.ExpiryCondition.NONE_YET).apply(bytes("v"), NOW + 5, NOW, MAX)
                .write());
        assertFalse(expire(StringChange.Expiration.at(later), StringChange.ExpiryCondition.HAS_ONE).apply(bytes("v"), 0, NOW, MAX).write());
        assertFalse(expire(StringChange.Expiration.at(later), StringChange.ExpiryCondition.LATER).apply(bytes("v"), 0, NOW, MAX).write());
        assertTrue(expire(StringChange.Expiration.at(later), StringChange.ExpiryCondition.LATER).apply(bytes("v"), NOW + 5, NOW, MAX)
                .write());
        assertTrue(expire(StringChange.Expiration.at(later), StringChange.ExpiryCondition.EARLIER).apply(bytes("v"), 0, NOW, MAX).write());
        assertFalse(expire(StringChange.Expiration.at(later), StringChange.ExpiryCondition.EARLIER).apply(bytes("v"), NOW + 5, NOW, MAX)
                .write());
        assertFalse(expire(StringChange.Expiration.at(NOW - 5), StringChange.ExpiryCondition.NONE_YET).apply(bytes("v"), NOW + 5, NOW, MAX)
                .write(), "a condition that does not hold leaves even a past time alone");
        // PERSIST.
        StringChange.Expire persist = expire(StringChange.Expiration.NONE, StringChange.ExpiryCondition.HAS_ONE);
        assertEquals(0, persist.apply(bytes("v"), NOW + 5, NOW, MAX).expiresAtMillis());
        assertTrue(persist.apply(bytes("v"), NOW + 5, NOW, MAX).write());
        assertFalse(persist.apply(bytes("v"), 0, NOW, MAX).write());
    }

    private static StringChange.Set set(StringChange.Expiration expiration, StringChange.Condition condition) {
        return new StringChange.Set(bytes("new"), expiration, condition, false);
    }

    private static StringChange.GetEx getEx(StringChange.Expiration expiration) {
        return new StringChange.GetEx(expiration);
    }

    private static StringChange.Expire expire(StringChange.Expiration expiration, StringChange.ExpiryCondition condition) {
        return new StringChange.Expire(expiration, condition);
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
