package io.strata.node.columnar.query;

import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.query.proto.ValuesMsg;

/**
 * Typed values in and out of a {@link ValuesMsg}: one entry per position in the field of the
 * column's type, with a placeholder at null positions, which are listed in {@code nulls}.
 */
final class ProtoValues {

    private ProtoValues() {
    }

    /** Appends position {@code i}: a raw value (Long, Double, String, Boolean) of {@code type}, or null. */
    static void add(ValuesMsg.Builder b, ColumnType type, int i, Object value) {
        if (value == null) {
            b.addNulls(i);
        }
        switch (type) {
            case INT64, TIMESTAMP -> b.addLongs(value == null ? 0L : (Long) value);
            case FLOAT64 -> b.addDoubles(value == null ? 0.0 : (Double) value);
            case STRING -> b.addStrings(value == null ? "" : (String) value);
            case BOOL -> b.addBools(value != null && (Boolean) value);
        }
    }

    /** The number of positions a message of {@code type} holds. */
    static int count(ValuesMsg m, ColumnType type) {
        return switch (type) {
            case INT64, TIMESTAMP -> m.getLongsCount();
            case FLOAT64 -> m.getDoublesCount();
            case STRING -> m.getStringsCount();
            case BOOL -> m.getBoolsCount();
        };
    }

    /** The raw values of {@code n} positions, null where listed in {@code nulls}. */
    static Object[] get(ValuesMsg m, ColumnType type, int n) {
        if (count(m, type) != n) {
            throw new IllegalArgumentException("expected " + n + " " + type.jsonName() + " values, got " + count(m, type));
        }
        Object[] out = new Object[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (type) {
                case INT64, TIMESTAMP -> m.getLongs(i);
                case FLOAT64 -> m.getDoubles(i);
                case STRING -> m.getStrings(i);
                case BOOL -> m.getBools(i);
            };
        }
        for (int i : m.getNullsList()) {
            if (i >= n) {
                throw new IllegalArgumentException("null position " + i + " out of " + n);
            }
            out[i] = null;
        }
        return out;
    }
}
