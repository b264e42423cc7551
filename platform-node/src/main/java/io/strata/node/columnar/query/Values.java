package io.strata.node.columnar.query;

import io.strata.node.columnar.ColumnType;

import java.time.Instant;

/** Ordering and rendering of result values (Long, Double, String, Boolean or null). */
final class Values {

    private Values() {
    }

    /**
     * Total order used by ORDER BY and tie-breaks: nulls last regardless of direction (callers
     * handle that), doubles by {@link Double#compare} (NaN above every number), strings naturally,
     * false before true.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compareNonNull(Object a, Object b) {
        if (a instanceof Double x && b instanceof Double y) {
            return Double.compare(x, y);
        }
        return ((Comparable) a).compareTo(b);
    }

    /** Canonical form of a double for grouping and distinct counting: one NaN, -0.0 folded into 0.0. */
    static long doubleKey(double d) {
        return Double.doubleToLongBits(d + 0.0);
    }

    /** The JSON-ready form of a raw value of a column of {@code type}: timestamps become ISO-8601. */
    static Object render(Object raw, ColumnType type) {
        if (raw != null && type == ColumnType.TIMESTAMP) {
            return Instant.ofEpochMilli((Long) raw).toString();
        }
        return raw;
    }
}
