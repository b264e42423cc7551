package io.strata.node.columnar.encoding;

/**
 * Packs unsigned integers of a fixed bit width (0..64) back to back, least significant bit first,
 * little-endian, with no padding between values and the last byte zero-filled. {@code n} values
 * of width {@code w} take {@code ceil(n * w / 8)} bytes. Values are stored as {@code value - base}
 * (wrapping), so any long range fits in 64 bits. Stateless.
 */
final class BitPacking {

    private BitPacking() {
    }

    /** The bits needed for {@code range}, read as unsigned. */
    static int width(long range) {
        return 64 - Long.numberOfLeadingZeros(range);
    }

    static long bytesFor(long n, int width) {
        return (n * width + 7) >>> 3;
    }

    /** Writes {@code values[from .. from+n) - base} at {@code dst[off]}; the target must be zeroed. */
    static void pack(long[] values, int from, int n, long base, int width, byte[] dst, int off) {
        if (width == 0) {
            return;
        }
        long mask = mask(width);
        long acc = 0;
        int bits = 0;
        int p = off;
        for (int i = from, end = from + n; i < end; i++) {
            long v = (values[i] - base) & mask;
            acc |= v << bits;
            int total = bits + width;
            if (total >= 64) {
                ByteWriter.LONG.set(dst, p, acc);
                p += 8;
                // The high bits of v that did not fit; a shift by 64 would be a no-op in Java.
                acc = bits == 0 ? 0 : v >>> (64 - bits);
                bits = total - 64;
            } else {
                bits = total;
            }
        }
        for (; bits > 0; bits -= 8) {
            dst[p++] = (byte) acc;
            acc >>>= 8;
        }
    }

    /** Reads {@code n} values of {@code width} bits at {@code src[off]} into {@code dst[to ..]}, adding {@code base}. */
    static void unpack(byte[] src, int off, int n, int width, long base, long[] dst, int to) {
        if (width == 0) {
            java.util.Arrays.fill(dst, to, to + n, base);
            return;
        }
        long mask = mask(width);
        int end = off + (int) bytesFor(n, width);
        long bitPos = 0;
        int i = to;
        int stop = to + n;
        if (width <= 57) {
            // Values that start at least 8 bytes before the end and, being at most 57 bits wide,
            // fit in the word read at their first byte: one load, shift and mask each.
            long room = end - off - 8;
            int fast = room < 0 ? 0 : (int) Math.min(n, (room * 8 + 7) / width + 1);
            for (int stopFast = to + fast; i < stopFast; i++) {
                long word = (long) ByteWriter.LONG.get(src, off + (int) (bitPos >>> 3));
                dst[i] = (word >>> (bitPos & 7) & mask) + base;
                bitPos += width;
            }
        }
        for (; i < stop; i++) {
            int at = off + (int) (bitPos >>> 3);
            int shift = (int) (bitPos & 7);
            long word = at + 8 <= end ? (long) ByteWriter.LONG.get(src, at) : tail(src, at, end);
            long v = word >>> shift;
            if (shift + width > 64) {
                // The value spans a ninth byte, which then lies inside the packed range.
                v |= (src[at + 8] & 0xFFL) << (64 - shift);
            }
            dst[i] = (v & mask) + base;
            bitPos += width;
        }
    }

    private static long tail(byte[] src, int at, int end) {
        long word = 0;
        for (int k = 0; at + k < end; k++) {
            word |= (src[at + k] & 0xFFL) << (8 * k);
        }
        return word;
    }

    private static long mask(int width) {
        return width == 64 ? -1L : (1L << width) - 1;
    }
}
