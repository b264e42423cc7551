package io.strata.bench.jmh;

import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.ColumnVector.BoolVector;
import io.strata.node.columnar.ColumnVector.DoubleVector;
import io.strata.node.columnar.ColumnVector.LongVector;
import io.strata.node.columnar.ColumnVector.StringVector;
import io.strata.node.columnar.encoding.ColumnCodec;
import io.strata.node.columnar.encoding.EncodedBlock;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import java.util.function.IntToLongFunction;

/**
 * The data the microbenchmarks run on: blocks of {@value #ROWS} values (a segment block's size)
 * from a fixed seed, each shaped so that {@link ColumnCodec} picks one particular encoding, as
 * columns of that shape would in a table. Deterministic, so the JVM that reports the figures can
 * describe the blocks (encoding chosen, bytes per value) that the forked JVMs measured.
 */
public final class SampleBlocks {

    /** Values in a block, as in a segment. */
    public static final int ROWS = 65_536;
    /** Distinct keys of the key column, as in {@code bench columnar}. */
    public static final int DISTINCT_KEYS = 1_000;

    private static final long SEED = 42;

    /**
     * One sample column.
     *
     * @param encoding the name {@link ColumnCodec} must give the block ({@link EncodedBlock#encodingName()})
     * @param shape what the values look like, for the report
     */
    public record Sample(String name, ColumnType type, ColumnVector vector, String encoding, String shape) {

        /** Encodes the vector, failing when the codec chose another encoding than the one this sample stands for. */
        public EncodedBlock encodeChecked() {
            EncodedBlock block = ColumnCodec.encode(type, vector);
            if (!block.encodingName().equals(encoding)) {
                throw new IllegalStateException("sample " + name + " should encode as " + encoding + ", got " + block.encodingName());
            }
            return block;
        }

        /** "TIMESTAMP as DELTA, 0.63 bytes/value: timestamps 1-20 ms apart". */
        public String describe() {
            EncodedBlock block = encodeChecked();
            return String.format(Locale.ROOT, "%s as %s, %.2f bytes/value: %s", type, block.encodingName(),
                    block.bytesPerRow(ROWS), shape);
        }
    }

    /** The names of {@link #sample}, one per encoding; {@code EncodingBench}'s parameter values. */
    public static final List<String> ENCODINGS = List.of("plain", "plain-lz4", "for", "delta", "rle", "double-plain",
            "double-integral", "double-decimal", "dictionary", "bitpack");

    private SampleBlocks() {
    }

    /** The sample block of one of {@link #ENCODINGS}. */
    public static Sample sample(String name) {
        SplittableRandom random = new SplittableRandom(SEED);
        return switch (name) {
            case "plain" -> longs(name, ColumnType.INT64, "PLAIN", "random 64-bit ids",
                    i -> random.nextLong());
            case "plain-lz4" -> {
                long[] ids = random.longs(256).toArray();
                yield longs(name, ColumnType.INT64, "PLAIN+LZ4", "64-bit ids drawn from 256 distinct ones",
                        i -> ids[random.nextInt(ids.length)]);
            }
            case "for" -> longs(name, ColumnType.INT64, "FOR", "keys uniform in 0.." + (DISTINCT_KEYS - 1),
                    i -> random.nextInt(DISTINCT_KEYS));
            case "delta" -> {
                long[] t = {1_767_225_600_000L};
                yield longs(name, ColumnType.TIMESTAMP, "DELTA", "timestamps 1-20 ms apart",
                        i -> t[0] += 1 + random.nextInt(20));
            }
            case "rle" -> {
                long[] run = {0, 0};
                yield longs(name, ColumnType.INT64, "RLE", "sorted keys, runs of 1-200 equal values",
                        i -> {
                            if (run[1]-- == 0) {
                                run[0] += 1 + random.nextInt(3);
                                run[1] = random.nextInt(200);
                            }
                            return run[0];
                        });
            }
            case "double-plain" -> doubles(name, "PLAIN", "uniform in [0, 1000)", i -> random.nextDouble() * 1000);
            case "double-integral" -> doubles(name, "INTEGRAL+FOR", "whole numbers 0..9999", i -> random.nextInt(10_000));
            case "double-decimal" -> doubles(name, "DECIMAL2+FOR", "prices with two decimals, 0.01..999.99",
                    i -> (1 + random.nextInt(99_999)) / 100.0);
            case "dictionary" -> {
                String[] dictionary = new String[DISTINCT_KEYS];
                for (int e = 0; e < dictionary.length; e++) {
                    dictionary[e] = String.format(Locale.ROOT, "user-%06d", random.nextInt(1_000_000));
                }
                int[] codes = new int[ROWS];
                for (int i = 0; i < ROWS; i++) {
                    codes[i] = random.nextInt(dictionary.length);
                }
                yield new Sample(name, ColumnType.STRING, new StringVector(codes, dictionary, null, ROWS), "DICT+FOR+LZ4",
                        DISTINCT_KEYS + " distinct strings like user-004217 (the entries compress)");
            }
            case "bitpack" -> {
                boolean[] flags = new boolean[ROWS];
                for (int i = 0; i < ROWS; i++) {
                    flags[i] = random.nextInt(4) == 0;
                }
                yield new Sample(name, ColumnType.BOOL, new BoolVector(flags, null, ROWS), "BITPACK", "booleans, a quarter true");
            }
            default -> throw new IllegalArgumentException("no sample block " + name + "; samples: " + ENCODINGS);
        };
    }

    /** The rows {@code ScanBench} and {@code ZoneMapBench} read: keys, values and timestamps as {@code bench columnar} generates them. */
    public static ColumnVector[] table() {
        return new ColumnVector[]{sample("for").vector(), sample("double-plain").vector(), sample("delta").vector()};
    }

    private static Sample longs(String name, ColumnType type, String encoding, String shape, IntToLongFunction value) {
        long[] values = new long[ROWS];
        for (int i = 0; i < ROWS; i++) {
            values[i] = value.applyAsLong(i);
        }
        return new Sample(name, type, new LongVector(values, null, ROWS), encoding, shape);
    }

    private static Sample doubles(String name, String encoding, String shape, IntToDoubleFunction value) {
        double[] values = new double[ROWS];
        for (int i = 0; i < ROWS; i++) {
            values[i] = value.applyAsDouble(i);
        }
        return new Sample(name, ColumnType.FLOAT64, new DoubleVector(values, null, ROWS), encoding, shape);
    }
}
