package io.strata.node.columnar;

/**
 * The types a table column can have, and how each is held in memory: {@code INT64} and
 * {@code TIMESTAMP} (epoch milliseconds, UTC) as {@code long}, {@code FLOAT64} as {@code double},
 * {@code STRING} as dictionary codes, {@code BOOL} as bits.
 */
public enum ColumnType {
    INT64, FLOAT64, STRING, BOOL, TIMESTAMP;

    /** The name used in schemas and JSON ({@code int64}, {@code float64}, ...). */
    @com.fasterxml.jackson.annotation.JsonValue
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses a type name as schemas write it; unknown names are {@code invalid_schema}. */
    @com.fasterxml.jackson.annotation.JsonCreator
    public static ColumnType fromJson(String name) {
        for (ColumnType type : values()) {
            if (type.jsonName().equals(name)) {
                return type;
            }
        }
        throw io.strata.node.common.StrataException.invalid("invalid_schema", "unknown column type '" + name
                + "' (types: int64, float64, string, bool, timestamp)");
    }

    /** Whether values are held as longs ({@link ColumnVector.LongVector}). */
    public boolean isLong() {
        return this == INT64 || this == TIMESTAMP;
    }

    /** Whether sum and avg apply. */
    public boolean isNumeric() {
        return this == INT64 || this == FLOAT64;
    }
}
