package io.strata.node.columnar.encoding;

/**
 * One column block as encoded by {@link ColumnCodec}: the self-describing bytes, the size the
 * same rows take in the plain (raw) layout, and a readable name of the encoding chosen (for
 * example {@code DELTA}, {@code DICT+RLE}, {@code FOR+LZ4}), for per-column compression stats.
 *
 * <p>The raw layout is 8 bytes a row for INT64, TIMESTAMP and FLOAT64, 1 byte a row for BOOL and,
 * for STRING, 4 bytes a row plus the UTF-8 length of each non-null row's value. Treat as
 * immutable: the array is not copied.
 */
public record EncodedBlock(byte[] bytes, int rawBytes, String encodingName) {

    /** Encoded bytes per row (0 for an empty block). */
    public double bytesPerRow(int rowCount) {
        return rowCount == 0 ? 0 : (double) bytes.length / rowCount;
    }

    /** Raw size divided by encoded size: above 1 when encoding saved space. */
    public double compressionRatio() {
        return (double) rawBytes / bytes.length;
    }
}
