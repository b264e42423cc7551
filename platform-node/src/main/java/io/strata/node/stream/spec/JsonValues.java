package io.strata.node.stream.spec;

import io.strata.node.common.Timestamps;
import com.fasterxml.jackson.databind.JsonNode;


/** Comparing JSON scalars and reading timestamps, the same way in filters and expressions. */
final class JsonValues {

    private JsonValues() {}

    /**
     * Orders two non-null scalars of the same kind: numbers numerically (an integer equals the
     * same float), strings by UTF-16 code units, false before true. Null when they are not
     * comparable (different kinds, objects or arrays).
     */
    static Integer compare(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            if (a.isIntegralNumber() && b.isIntegralNumber() && a.canConvertToLong() && b.canConvertToLong()) {
                return Long.compare(a.longValue(), b.longValue());
            }
            return a.decimalValue().compareTo(b.decimalValue());
        }
        if (a.isTextual() && b.isTextual()) {
            return a.textValue().compareTo(b.textValue());
        }
        if (a.isBoolean() && b.isBoolean()) {
            return Boolean.compare(a.booleanValue(), b.booleanValue());
        }
        return null;
    }

    /** Whether a JSON value is absent: a missing field or a JSON null. */
    static boolean isNull(JsonNode v) {
        return v == null || v.isNull() || v.isMissingNode();
    }

    /** Epoch milliseconds of an ISO-8601 instant ({@code 2026-01-01T00:00:00Z} or with an offset), or null. */
    static Long instant(String text) {
        var millis = Timestamps.parseIso(text);
        return millis.isPresent() ? millis.getAsLong() : null;
    }

    /**
     * Epoch milliseconds of a timestamp value: a number (epoch milliseconds; a fraction is rounded
     * down) or an ISO-8601 string. Null when it is neither.
     */
    static Long timestamp(JsonNode v) {
        if (v == null) {
            return null;
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        if (v.isFloatingPointNumber() && Double.isFinite(v.doubleValue()) && Math.abs(v.doubleValue()) < 9.2e18) {
            return (long) Math.floor(v.doubleValue());
        }
        return v.isTextual() ? instant(v.textValue()) : null;
    }

    /** A value as a short piece of text for a reason or message. */
    static String show(JsonNode v) {
        String s = v == null ? "missing" : v.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
