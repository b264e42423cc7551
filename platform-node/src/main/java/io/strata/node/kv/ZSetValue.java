package io.strata.node.kv;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * How a sorted set is held, logged and snapshotted: one immutable byte array, as compact as
 * Redis's listpack encoding of a zset, that a change replaces whole. Members are kept in Redis's
 * order: by score, then by their bytes (unsigned) for equal scores. Layout: {@code varint(count)},
 * then per member its score (8 bytes, IEEE 754) and {@code varint(length)} and its bytes.
 */
public final class ZSetValue {

    /** A member and its score. */
    public record Member(byte[] name, double score) {}

    /** Redis's order of a sorted set: by score, then by name, byte by byte, unsigned. */
    public static final Comparator<Member> ORDER = Comparator.comparingDouble(Member::score)
            .thenComparing(Member::name, Arrays::compareUnsigned);

    private ZSetValue() {}

    /** The members, lowest first (a list the caller may change). */
    public static List<Member> members(byte[] packed) {
        ByteBuffer in = ByteBuffer.wrap(packed);
        int count = (int) Varints.read(in);
        List<Member> members = new ArrayList<>(count + 4);
        for (int i = 0; i < count; i++) {
            double score = in.getDouble();
            byte[] name = new byte[(int) Varints.read(in)];
            in.get(name);
            members.add(new Member(name, score));
        }
        return members;
    }

    /** The number of members, read from the header alone. */
    public static long length(byte[] packed) {
        return Varints.read(ByteBuffer.wrap(packed));
    }

    /** The packed form of {@code members}, which must be in {@link #ORDER}; null when there are none (an empty zset does not exist). */
    public static byte[] pack(List<Member> members) {
        if (members.isEmpty()) {
            return null;
        }
        int size = 5;
        for (Member m : members) {
            size += m.name().length + 13;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        Varints.write(out, members.size());
        byte[] score = new byte[Double.BYTES];
        for (Member m : members) {
            ByteBuffer.wrap(score).putDouble(m.score());
            out.writeBytes(score);
            Varints.write(out, m.name().length);
            out.writeBytes(m.name());
        }
        return out.toByteArray();
    }

    /**
     * A score as Redis 7.0 writes it in replies: C's {@code %.17g} ({@code 1.5}, {@code 0.10000000000000001},
     * {@code 1e+20}), and {@code inf} / {@code -inf}.
     */
    public static String format(double score) {
        if (Double.isInfinite(score)) {
            return score > 0 ? "inf" : "-inf";
        }
        if (Double.isNaN(score)) {
            return "nan";
        }
        if (score == 0) {
            return 1 / score < 0 ? "-0" : "0";
        }
        BigDecimal rounded = new BigDecimal(score).round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent >= -4 && exponent < 17) {
            return rounded.toPlainString();
        }
        String digits = rounded.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (rounded.signum() < 0 ? "-" : "") + mantissa + (exponent < 0 ? "e-" : "e+")
                + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
    }

    /**
     * A score as Redis reads it ({@code strtod}): a decimal number, {@code inf}, {@code +inf},
     * {@code -inf} (any case); null for anything else, NaN included.
     */
    public static Double parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        String lower = text.toLowerCase(Locale.ROOT);
        switch (lower) {
            case "inf", "+inf", "infinity", "+infinity" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf", "-infinity" -> {
                return Double.NEGATIVE_INFINITY;
            }
            default -> { }
        }
        if (text.isEmpty() || !text.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e'
                || c == 'E')) {
            return null;
        }
        try {
            double value = Double.parseDouble(text);
            return Double.isNaN(value) ? null : value;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
