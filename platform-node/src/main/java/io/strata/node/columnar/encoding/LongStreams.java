package io.strata.node.columnar.encoding;

/**
 * Encodes a run of {@code n} longs (n is known to the reader) as the smallest of a few layouts,
 * each starting with a kind byte; all numbers little-endian, packing as in {@link BitPacking}:
 * <pre>
 * 0 CONSTANT  long value                                   (every value equal, or n == 0)
 * 1 PLAIN     n x long
 * 2 FOR       long min, byte w, n values (v - min) in w bits
 * 3 DELTA     long first, long minDelta, byte w, n-1 deltas (d - minDelta) in w bits
 * 4 RLE       int runs, long min, byte vw, byte lw, runs values (v - min) in vw bits,
 *             runs lengths (len - 1) in lw bits
 * </pre>
 * DELTA is frame-of-reference over the deltas: it needs no more bits than zigzag deltas, and
 * sorted data (timestamps) packs into the width of the largest step. Arithmetic wraps, so every
 * long range is exact. Choosing costs one pass over the values; decoding is a primitive loop.
 * Stateless and thread-safe.
 */
final class LongStreams {

    static final int CONSTANT = 0;
    static final int PLAIN = 1;
    static final int FOR = 2;
    static final int DELTA = 3;
    static final int RLE = 4;

    private static final String[] NAMES = {"CONSTANT", "PLAIN", "FOR", "DELTA", "RLE"};

    private LongStreams() {
    }

    static String name(int kind) {
        return NAMES[kind];
    }

    /** Writes the first {@code n} values in the smallest layout and returns its kind. */
    static int encode(long[] values, int n, ByteWriter out) {
        if (n == 0) {
            out.put(CONSTANT);
            out.putLong(0);
            return CONSTANT;
        }
        long min = values[0];
        long max = values[0];
        long minDelta = 0;
        long maxDelta = 0;
        int runs = 1;
        int run = 1;
        int maxRun = 1;
        for (int i = 1; i < n; i++) {
            long v = values[i];
            min = Math.min(min, v);
            max = Math.max(max, v);
            long d = v - values[i - 1];
            if (i == 1) {
                minDelta = d;
                maxDelta = d;
            } else {
                minDelta = Math.min(minDelta, d);
                maxDelta = Math.max(maxDelta, d);
            }
            if (d == 0) {
                run++;
            } else {
                maxRun = Math.max(maxRun, run);
                run = 1;
                runs++;
            }
        }
        maxRun = Math.max(maxRun, run);
        if (min == max) {
            out.put(CONSTANT);
            out.putLong(min);
            return CONSTANT;
        }
        int forWidth = BitPacking.width(max - min);
        int deltaWidth = BitPacking.width(maxDelta - minDelta);
        int lengthWidth = BitPacking.width(maxRun - 1);
        // Ties go to the layout listed first: FOR decodes without a prefix sum or run expansion.
        long forSize = 9 + BitPacking.bytesFor(n, forWidth);
        long deltaSize = 17 + BitPacking.bytesFor(n - 1, deltaWidth);
        long rleSize = 14 + BitPacking.bytesFor(runs, forWidth) + BitPacking.bytesFor(runs, lengthWidth);
        long plainSize = 8L * n;
        long best = Math.min(Math.min(forSize, deltaSize), Math.min(rleSize, plainSize));
        if (best == forSize) {
            out.put(FOR);
            out.putLong(min);
            out.put(forWidth);
            packInto(out, values, 0, n, min, forWidth);
            return FOR;
        }
        if (best == deltaSize) {
            long[] deltas = new long[n - 1];
            for (int i = 1; i < n; i++) {
                deltas[i - 1] = values[i] - values[i - 1];
            }
            out.put(DELTA);
            out.putLong(values[0]);
            out.putLong(minDelta);
            out.put(deltaWidth);
            packInto(out, deltas, 0, n - 1, minDelta, deltaWidth);
            return DELTA;
        }
        if (best == rleSize) {
            writeRuns(values, n, runs, min, forWidth, lengthWidth, out);
            return RLE;
        }
        out.put(PLAIN);
        for (int i = 0; i < n; i++) {
            out.putLong(values[i]);
        }
        return PLAIN;
    }

    private static void writeRuns(long[] values, int n, int runs, long min, int valueWidth, int lengthWidth,
                                  ByteWriter out) {
        long[] runValues = new long[runs];
        long[] runLengths = new long[runs];
        int r = 0;
        int start = 0;
        for (int i = 1; i <= n; i++) {
            if (i == n || values[i] != values[start]) {
                runValues[r] = values[start];
                runLengths[r] = i - start;
                r++;
                start = i;
            }
        }
        out.put(RLE);
        out.putInt(runs);
        out.putLong(min);
        out.put(valueWidth);
        out.put(lengthWidth);
        packInto(out, runValues, 0, runs, min, valueWidth);
        packInto(out, runLengths, 0, runs, 1, lengthWidth);
    }

    private static void packInto(ByteWriter out, long[] values, int from, int n, long base, int width) {
        int at = out.reserve(Math.toIntExact(BitPacking.bytesFor(n, width)));
        BitPacking.pack(values, from, n, base, width, out.array(), at);
    }

    /** Reads {@code n} values written by {@link #encode} into {@code dst[0 .. n)}; returns the kind. */
    static int decode(ByteReader in, int n, long[] dst) {
        int kind = in.get();
        switch (kind) {
            case CONSTANT -> java.util.Arrays.fill(dst, 0, n, in.getLong());
            case PLAIN -> {
                for (int i = 0; i < n; i++) {
                    dst[i] = in.getLong();
                }
            }
            case FOR -> {
                long min = in.getLong();
                int width = width(in);
                unpackFrom(in, n, width, min, dst, 0);
            }
            case DELTA -> {
                if (n == 0) {
                    throw new CorruptBlockException("DELTA stream with no values");
                }
                long first = in.getLong();
                long minDelta = in.getLong();
                int width = width(in);
                unpackFrom(in, n - 1, width, minDelta, dst, 1);
                dst[0] = first;
                for (int i = 1; i < n; i++) {
                    dst[i] += dst[i - 1];
                }
            }
            case RLE -> readRuns(in, n, dst);
            default -> throw new CorruptBlockException("unknown long stream kind " + kind);
        }
        return kind;
    }

    private static void readRuns(ByteReader in, int n, long[] dst) {
        int runs = in.getCount("run count", n);
        long min = in.getLong();
        int valueWidth = width(in);
        int lengthWidth = width(in);
        long[] runValues = new long[runs];
        long[] runLengths = new long[runs];
        unpackFrom(in, runs, valueWidth, min, runValues, 0);
        unpackFrom(in, runs, lengthWidth, 1, runLengths, 0);
        int at = 0;
        for (int r = 0; r < runs; r++) {
            long len = runLengths[r];
            if (len <= 0 || len > n - at) {
                throw new CorruptBlockException("run " + r + " of length " + len + " overflows " + n + " rows");
            }
            java.util.Arrays.fill(dst, at, at + (int) len, runValues[r]);
            at += (int) len;
        }
        if (at != n) {
            throw new CorruptBlockException("runs cover " + at + " rows, expected " + n);
        }
    }

    private static int width(ByteReader in) {
        int w = in.get();
        if (w > 64) {
            throw new CorruptBlockException("bit width " + w + " exceeds 64");
        }
        return w;
    }

    private static void unpackFrom(ByteReader in, int n, int width, long base, long[] dst, int to) {
        int at = in.skip(BitPacking.bytesFor(n, width));
        BitPacking.unpack(in.array(), at, n, width, base, dst, to);
    }
}
