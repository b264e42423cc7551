package io.strata.node.stream.spec;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.common.Names;
import io.strata.node.common.StrataException;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading a job spec: each check names the field by its place in the spec ({@code 'window.size'},
 * {@code 'aggregates[1].as'}) and fails with a 400 {@link StrataException}.
 */
final class SpecJson {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");
    private static final List<Duration> UNITS = List.of(Duration.ofDays(1), Duration.ofHours(1), Duration.ofMinutes(1),
            Duration.ofSeconds(1), Duration.ofMillis(1));
    private static final List<String> UNIT_NAMES = List.of("d", "h", "m", "s", "ms");

    private SpecJson() {}

    static StrataException fail(String code, String where, String problem) {
        return StrataException.invalid(code, "'" + where + "' " + problem);
    }

    static String at(String where, String field) {
        return where.isEmpty() ? field : where + "." + field;
    }

    static String at(String where, int index) {
        return where + "[" + index + "]";
    }

    /** Checks that {@code node} is an object whose fields are all among {@code allowed}. */
    static void object(JsonNode node, String where, String code, List<String> allowed) {
        if (node == null || !node.isObject()) {
            throw fail(code, where, "must be an object with fields " + String.join(", ", allowed) + ", got " + node);
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw fail(code, at(where, f), "is not a field here (fields: " + String.join(", ", allowed) + ")");
            }
        }
    }

    /** Checks that {@code node} is an array; null stands for an empty one. */
    static JsonNode array(JsonNode node, String where, String code) {
        if (node == null || node.isNull()) {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        }
        if (!node.isArray()) {
            throw fail(code, where, "must be an array, got " + node);
        }
        return node;
    }

    /** The non-empty string at {@code field} of {@code obj}, or null when absent and not required. */
    static String text(JsonNode obj, String field, String where, String code, boolean required) {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw fail(code, at(where, field), "is required");
            }
            return null;
        }
        if (!v.isTextual() || v.textValue().isEmpty()) {
            throw fail(code, at(where, field), "must be a non-empty string, got " + v);
        }
        return v.textValue();
    }

    static FieldPath path(String path, String where, String code) {
        try {
            return FieldPath.of(path);
        } catch (IllegalArgumentException e) {
            throw fail(code, where, e.getMessage());
        }
    }

    /** Checks a topic, table, keyspace or group name by the rules of {@link Names}. */
    static String name(String kind, String name, int maxLength, String where, String code) {
        try {
            Names.validate(kind, name, maxLength);
        } catch (StrataException e) {
            throw fail(code, where, e.getMessage());
        }
        return name;
    }

    /**
     * Parses a duration: a whole number and one of the units ms, s, m, h, d ({@code 500ms}, {@code 1m}),
     * at most {@link JobSpec#MAX_DURATION}. The bound keeps every time a job computes (an event
     * time plus a window, a lateness, an idle timeout) far from overflowing.
     */
    static Duration duration(JsonNode v, String where) {
        Matcher m = v != null && v.isTextual() ? DURATION.matcher(v.textValue()) : null;
        if (m == null || !m.matches()) {
            throw fail("invalid_duration", where, "must be a duration like 500ms, 5s, 1m, 1h or 1d, got " + v);
        }
        long n = Long.parseLong(m.group(1));
        long unit = UNITS.get(UNIT_NAMES.indexOf(m.group(2))).toMillis();
        if (n > JobSpec.MAX_DURATION.toMillis() / unit) {
            throw fail("invalid_duration", where, "must be at most " + duration(JobSpec.MAX_DURATION) + ", got " + v.textValue());
        }
        return Duration.ofMillis(n * unit);
    }

    /** Renders a duration in the largest unit that divides it, so that {@link #duration} reads it back. */
    static String duration(Duration d) {
        for (int i = 0; i < UNITS.size(); i++) {
            long unit = UNITS.get(i).toMillis();
            if (d.toMillis() % unit == 0 && (d.toMillis() != 0 || i == 3)) {
                return d.toMillis() / unit + UNIT_NAMES.get(i);
            }
        }
        throw new IllegalArgumentException("duration " + d + " is not a whole number of milliseconds");
    }
}
