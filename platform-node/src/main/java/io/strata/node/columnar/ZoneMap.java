package io.strata.node.columnar;

/**
 * What a block of one column holds, so a query can skip the block without decoding it: row and
 * null counts, and the minimum and maximum of the non-null values. Longs (INT64, TIMESTAMP, BOOL
 * as 0/1) use {@code minLong}/{@code maxLong}, FLOAT64 {@code minDouble}/{@code maxDouble},
 * STRING {@code minString}/{@code maxString} (natural {@link String} order). A block whose rows
 * are all null has {@code nullCount == rowCount} and meaningless bounds.
 */
public record ZoneMap(int rowCount, int nullCount, long minLong, long maxLong, double minDouble, double maxDouble,
                      String minString, String maxString) {

    public boolean allNull() {
        return nullCount == rowCount;
    }
}
