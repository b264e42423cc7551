package io.strata.node.columnar.encoding;

/**
 * Bounds-checked little-endian reads over part of a byte array; running past the end is a
 * {@link CorruptBlockException} naming the offset, never garbage. Not thread-safe.
 */
final class ByteReader {

    private final byte[] buf;
    private final int limit;
    private int pos;

    ByteReader(byte[] buf, int offset, int limit) {
        this.buf = buf;
        this.pos = offset;
        this.limit = limit;
    }

    byte[] array() {
        return buf;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return limit - pos;
    }

    int get() {
        require(1);
        return buf[pos++] & 0xFF;
    }

    int getInt() {
        require(4);
        int v = (int) ByteWriter.INT.get(buf, pos);
        pos += 4;
        return v;
    }

    long getLong() {
        require(8);
        long v = (long) ByteWriter.LONG.get(buf, pos);
        pos += 8;
        return v;
    }

    /** Reads a length or count that must lie in {@code [0, max]}. */
    int getCount(String what, long max) {
        int v = getInt();
        if (v < 0 || v > max) {
            throw new CorruptBlockException(what + " " + v + " out of range [0, " + max + "] at offset " + (pos - 4));
        }
        return v;
    }

    /** Skips {@code len} bytes and returns where they start. */
    int skip(long len) {
        require(len);
        int start = pos;
        pos += (int) len;
        return start;
    }

    void require(long len) {
        if (len < 0 || len > limit - pos) {
            throw new CorruptBlockException("truncated block: needs " + len + " bytes at offset " + pos
                    + ", only " + (limit - pos) + " left");
        }
    }
}
