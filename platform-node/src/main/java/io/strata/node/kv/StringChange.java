package io.strata.node.kv;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * A read-modify-write of one string key that its partition applies atomically
 * ({@link KvPartition.Update}): the new value and expiry computed from the current ones, in the
 * partition, so that no other write comes between the read and the write. These are Redis's
 * APPEND, SETRANGE, INCRBYFLOAT, SET with GET, KEEPTTL or an expiry (GETSET), GETDEL, GETEX and
 * the EXPIRE family.
 */
public sealed interface StringChange {

    /** A SET's condition on the key's existence (Redis's NX and XX). */
    enum Condition { ANY, ABSENT, PRESENT }

    /** An EXPIRE's condition on the key's (or a hash field's) expiry (Redis's NX, XX, GT, LT); ANY: none. */
    enum ExpiryCondition {
        ANY, NONE_YET, HAS_ONE, LATER, EARLIER;

        /**
         * Whether an expiry at {@code at} ({@link Expiration#resolve}'s answer) may replace the one at
         * {@code current} (0: none, which counts as infinitely late; a past time as the earliest of all).
         */
        boolean allows(long current, long at) {
            boolean has = current != 0;
            long when = at == Expiration.PAST ? Long.MIN_VALUE : at;
            return switch (this) {
                case ANY -> true;
                case NONE_YET -> !has;
                case HAS_ONE -> has;
                case LATER -> has && when > current;
                case EARLIER -> !has || when < current;
            };
        }
    }

    /**
     * The expiry a change gives a key: none, the key's own, {@code millis} after the partition's
     * now (a relative TTL is resolved where the key lives, whatever the clock of the node that sent
     * it), or at epoch millisecond {@code millis}.
     */
    record Expiration(Kind kind, long millis) {

        /** How {@link #millis} reads. */
        public enum Kind { NONE, KEEP, AFTER, AT }

        public static final Expiration NONE = new Expiration(Kind.NONE, 0);
        public static final Expiration KEEP = new Expiration(Kind.KEEP, 0);

        public static Expiration after(long millis) {
            return new Expiration(Kind.AFTER, millis);
        }

        public static Expiration at(long epochMillis) {
            return new Expiration(Kind.AT, epochMillis);
        }

        /** The epoch millisecond the key expires at (0: never) for a key expiring at {@code current}; {@link #PAST} when already past. */
        long resolve(long current, long now) {
            return switch (kind) {
                case NONE -> 0;
                case KEEP -> current;
                case AFTER -> millis <= 0 ? PAST : millis > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + millis;
                case AT -> millis <= now ? PAST : millis;
            };
        }

        /** What {@link #resolve} answers for a time already past: the key is deleted. */
        static final long PAST = Long.MIN_VALUE;
    }

    /**
     * What a change makes of a key: {@code value} with {@code expiresAtMillis} (0: none), or, when
     * {@code value} is null, the key deleted; {@code write} false when nothing is to be written.
     */
    record Outcome(boolean write, byte[] value, long expiresAtMillis) {

        static final Outcome NOTHING = new Outcome(false, null, 0);

        static Outcome set(byte[] value, long expiresAtMillis) {
            return new Outcome(true, value, expiresAtMillis);
        }

        static Outcome delete() {
            return new Outcome(true, null, 0);
        }
    }

    /** A change the key's value does not allow; nothing is written. {@code code} as {@link KvPartition.Rejected}'s. */
    final class Refused extends RuntimeException {
        private final String code;

        public Refused(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /**
     * The outcome for a key whose value is {@code current} (null: absent) expiring at
     * {@code currentExpiresAt} (0: never), at {@code now}, for values of at most {@code maxValueBytes}.
     *
     * @throws Refused when the change cannot apply to this value
     */
    Outcome apply(byte[] current, long currentExpiresAt, long now, long maxValueBytes);

    /** APPEND: {@code suffix} after the current value (an absent key counts as empty); keeps the expiry. */
    record Append(byte[] suffix) implements StringChange {
        @Override
        public Outcome apply(byte[] current, long currentExpiresAt, long now, long maxValueBytes) {
            byte[] base = current == null ? new byte[0] : current;
            checkSize((long) base.length + suffix.length, maxValueBytes);
            byte[] value = Arrays.copyOf(base, base.length + suffix.length);
            System.arraycopy(suffix, 0, value, base.length, suffix.length);
            return Outcome.set(value, currentExpiresAt);
        }
    }

    /**
     * SETRANGE: {@code bytes} written over the value from {@code offset}, zero bytes padding a value
     * shorter than that; keeps the expiry. Empty {@code bytes} change nothing (and create no key).
     */
    record SetRange(long offset, byte[] bytes) implements StringChange {
        @Override
        public Outcome apply(byte[] current, long currentExpiresAt, long now, long maxValueBytes) {
            if (bytes.length == 0) {
                return Outcome.NOTHING;
            }
            if (offset < 0 || offset > maxValueBytes - bytes.length) {
                throw tooLong(offset + " + " + bytes.length + " bytes", maxValueBytes);
            }
            byte[] base = current == null ? new byte[0] : current;
            long length = Math.max(base.length, offset + bytes.length);
            byte[] value = Arrays.copyOf(base, (int) length);
            System.arraycopy(bytes, 0, value, (int) offset, bytes.length);
            return Outcome.set(value, currentExpiresAt);
        }
    }

    /**
     * SETBIT: the bit at {@code offset} ({@code 0}: the most significant bit of the first byte) set
     * or cleared; zero bytes pad the value past its end (an absent key becomes one of zeros, as in
     * Redis); keeps the expiry. The bit before is the {@link KvPartition.Updated}'s previous value's.
     */
    record SetBit(long offset, boolean bit) implements StringChange {
        @Override
        public Outcome apply(byte[] current, long currentExpiresAt, long now, long maxValueBytes) {
            long index = offset >>> 3;
            if (offset < 0 || index >= maxValueBytes) {
                throw tooLong("bit " + offset + " (byte " + index + ")", maxValueBytes);
            }
            byte[] base = current == null ? new byte[0] : current;
            byte[] value = Arrays.copyOf(base, (int) Math.max(base.length, index + 1));
            int mask = 0x80 >>> (int) (offset & 7);
            value[(int) index] = (byte) (bit ? value[(int) index] | mask : value[(int) index] & ~mask);
            return current != null && Arrays.equals(value, current) ? Outcome.NOTHING : Outcome.set(value, currentExpiresAt);
        }

        /** The bit at {@code offset} of {@code value} (0 past its end, or when absent). */
        public static int get(byte[] value, long offset) {
            long index = offset >>> 3;
            return value == null || index >= value.length ? 0 : (value[(int) index] >> (7 - (int) (offset & 7))) & 1;
        }
    }

    /**
     * INCRBYFLOAT: the value read as a decimal number plus {@code increment} (decimal text, as sent),
     * to 17 significant digits as Redis prints its long doubles, without trailing zeros or an
     * exponent ({@code 10.50 + 0.1 = 10.6}, {@code 5.0e3 + 2.0e2 = 5200}); an absent key counts as
     * 0; keeps the expiry.
     */
    record IncrByFloat(String increment) implements StringChange {

        private static final MathContext SEVENTEEN_DIGITS = new MathContext(17);

        @Override
        public Outcome apply(byte[] current, long currentExpiresAt, long now, long maxValueBytes) {
            BigDecimal base = current == null ? BigDecimal.ZERO : parseFloat(new String(current, StandardCharsets.US_ASCII));
            if (base == null) {
                throw new Refused("not_a_float", "value is not a valid float");
            }
            BigDecimal by = parseFloat(increment);
            // The door lets through only numbers and infinities (isFloat): no sum is made of an infinity.
            if (by == null) {
                throw new Refused("float_overflow", "increment would produce NaN or Infinity");
            }
            BigDecimal sum = base.add(by).round(SEVENTEEN_DIGITS);
            String text = sum.signum() == 0 ? "0" : sum.stripTrailingZeros().toPlainString();
            return Outcome.set(text.getBytes(StandardCharsets.US_ASCII), currentExpiresAt);
        }

        /** Whether {@code text} is a finite decimal number. */
        public static boolean isFinite(String text) {
            return parseFloat(text) != null;
        }

        /** Whether {@code text} is a float INCRBYFLOAT takes; an infinity is one but no sum can be made of it. */
        public static boolean isFloat(String text) {
            return parseFloat(text) != null || isInfinity(text);
        }

        /** A finite decimal number as Redis reads one (no surrounding space), or null. */
        static BigDecimal parseFloat(String text) {
            if (text.isEmpty() || Character.isWhitespace(text.charAt(0)) || Character.isWhitespace(text.charAt(text.length() - 1))) {
                return null;
            }
            try {
                return new BigDecimal(text);
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private static boolean isInfinity(String text) {
            String t = text.toLowerCase(Locale.ROOT);
            return t.equals("inf") || t.equals("+inf") || t.equals("-inf") || t.equals("infinity") || t.equals("+infinity")
                    || t.equals("-infinity");
        }
    }

    /**
     * SET with GET, KEEPTTL or an expiry (and GETSET): {@code value} when {@code condition} holds,
     * expiring as {@code expiration} says (a time already past deletes the key). With {@code get}
     * the previous value is wanted, so a key of another type is refused rather than replaced.
     */
    record Set(byte[] value, Expiration expiration, Condition condition, boolean get) implements StringChange {
        @Override
        public Outcome apply(byte[] current, long currentExpiresAt, long now, long maxValueBytes) {
            if ((condition == Condition.ABSENT && current != null) || (condition == Condition.PRESENT && current == null)) {
                return Outcome.NOTHING;
            }
            long at = expiration.resolve(currentExpiresAt, now);
            return at == Expiration.PAST ? Outcome.delete() : Outcome.set(value, at);
        }
    }

    /** GETDEL: the key deleted (its value is the reply's previous one). */
    record GetDel() implements StringChange {
        @Override
        public Outcome apply(byte[] current, long currentExpiresAt, long now, long maxValueBytes) {
            return current == null ? Outcome.NOTHING : Outcome.delete();
        }
    }

    /** GETEX: the key's expiry changed as {@code expiration} says (a time already past deletes it), its value kept. */
    record GetEx(Expiration expiration) implements StringChange {
        @Override
        public Outcome apply(byte[] current, long currentExpiresAt, long now, long maxValueBytes) {
            if (current == null) {
                return Outcome.NOTHING;
            }
            long at = expiration.resolve(currentExpiresAt, now);
            return at == Expiration.PAST ? Outcome.delete() : at == currentExpiresAt ? Outcome.NOTHING : Outcome.set(current, at);
        }
    }

    /**
     * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT and PERSIST: the key's expiry set as {@code expiration}
     * says when {@code condition} holds (no expiry counts as infinitely late); a time already past
     * deletes the key. Nothing for an absent key, or when the condition does not hold, or (PERSIST)
     * when there is nothing to change.
     */
    record Expire(Expiration expiration, ExpiryCondition condition) implements StringChange {
        @Override
        public Outcome apply(byte[] current, long currentExpiresAt, long now, long maxValueBytes) {
            if (current == null) {
                return Outcome.NOTHING;
            }
            long at = expiration.resolve(currentExpiresAt, now);
            if (!condition.allows(currentExpiresAt, at) || (at == 0 && currentExpiresAt == 0)) {
                return Outcome.NOTHING;
            }
            return at == Expiration.PAST ? Outcome.delete() : Outcome.set(current, at);
        }
    }

    private static void checkSize(long length, long maxValueBytes) {
        if (length > maxValueBytes) {
            throw tooLong(length + " bytes", maxValueBytes);
        }
    }

    private static Refused tooLong(String size, long maxValueBytes) {
        return new Refused("string_too_long", "string exceeds maximum allowed size (" + size + ", the limit is " + maxValueBytes + ")");
    }
}
