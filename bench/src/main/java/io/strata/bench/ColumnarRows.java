package io.strata.bench;

import java.time.Instant;
import java.util.SplittableRandom;

/**
 * The columnar benchmark's rows, generated from a seed a block at a time: {@code k} int64 with
 * {@value #DISTINCT_KEYS} values, {@code v} float64 in [0, 1000), {@code ts} increasing by 1 to
 * {@value #MAX_TS_STEP_MILLIS} ms a row. Every {@link #cursor()} yields the same rows, so each side
 * of the benchmark (and each of its runs) reads its own pass and none holds more than one block:
 * memory does not grow with the row count. Immutable; a cursor is single-threaded.
 */
final class ColumnarRows {

    static final int DISTINCT_KEYS = 1_000;
    static final long FIRST_TS_MILLIS = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    static final int MAX_TS_STEP_MILLIS = 20;

    private final int rows;
    private final int blockRows;
    private final long seed;

    ColumnarRows(int rows, int blockRows, long seed) {
        this.rows = rows;
        this.blockRows = blockRows;
        this.seed = seed;
    }

    int rows() {
        return rows;
    }

    Cursor cursor() {
        return new Cursor();
    }

    /** One pass over the rows, a block at a time into arrays it reuses. */
    final class Cursor {
        final long[] k = new long[blockRows];
        final double[] v = new double[blockRows];
        final long[] ts = new long[blockRows];
        private final SplittableRandom random = new SplittableRandom(seed);
        private long t = FIRST_TS_MILLIS;
        private int done;

        /** Fills the next block's rows into {@link #k}, {@link #v}, {@link #ts} and returns how many (0 at the end). */
        int next() {
            int n = Math.min(blockRows, rows - done);
            for (int i = 0; i < n; i++) {
                k[i] = random.nextInt(DISTINCT_KEYS);
                v[i] = random.nextDouble() * 1000;
                t += 1 + random.nextInt(MAX_TS_STEP_MILLIS);
                ts[i] = t;
            }
            done += n;
            return n;
        }

        /** Rows returned so far. */
        int done() {
            return done;
        }
    }
}
