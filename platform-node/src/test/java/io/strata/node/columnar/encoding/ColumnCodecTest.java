package io.strata.node.columnar.encoding;

import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.ColumnVector.BoolVector;
import io.strata.node.columnar.ColumnVector.DoubleVector;
import io.strata.node.columnar.ColumnVector.LongVector;
import io.strata.node.columnar.ColumnVector.StringVector;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ColumnCodecTest {

    private static final int ROUNDS = 300;

    private static ColumnVector roundTrip(ColumnType type, ColumnVector vector, String context) {
        EncodedBlock block = ColumnCodec.encode(type, vector);
        assertEquals(type, ColumnCodec.type(block.bytes()), context);
        ColumnVector decoded = ColumnCodec.decode(block.bytes());
        Vectors.assertSame(vector, decoded, context + " as " + block.encodingName());
        assertEquals(ZoneMaps.of(type, vector), ZoneMaps.of(type, decoded), context + ": zone map after decoding");
        return decoded;
    }

    @Test
    void longsRoundTrip() {
        Random r = new Random(11);
        Set<String> seen = new HashSet<>();
        for (int round = 0; round < ROUNDS; round++) {
            int n = Vectors.size(r);
            RoaringBitmap nulls = Vectors.nulls(r, n);
            ColumnType type = r.nextBoolean() ? ColumnType.INT64 : ColumnType.TIMESTAMP;
            LongVector v = new LongVector(Vectors.longs(r, n), nulls, n);
            seen.add(ColumnCodec.encode(type, v).encodingName().replace("+LZ4", ""));
            roundTrip(type, v, "round " + round);
        }
        assertTrue(seen.containsAll(Set.of("CONSTANT", "PLAIN", "FOR", "DELTA", "RLE")), "encodings seen: " + seen);
    }

    @Test
    void doublesRoundTripBitForBit() {
        Random r = new Random(12);
        Set<String> seen = new HashSet<>();
        for (int round = 0; round < ROUNDS; round++) {
            int n = Vectors.size(r);
            DoubleVector v = new DoubleVector(Vectors.doubles(r, n), Vectors.nulls(r, n), n);
            seen.add(ColumnCodec.encode(ColumnType.FLOAT64, v).encodingName().replace("+LZ4", ""));
            roundTrip(ColumnType.FLOAT64, v, "round " + round);
        }
        assertTrue(seen.contains("PLAIN") && seen.stream().anyMatch(s -> s.startsWith("INTEGRAL+"))
                && seen.stream().anyMatch(s -> s.startsWith("DECIMAL")), "seen: " + seen);
    }

    @Test
    void stringsRoundTrip() {
        Random r = new Random(13);
        for (int round = 0; round < ROUNDS; round++) {
            int n = Vectors.size(r);
            StringVector v = Vectors.strings(r, n, Vectors.nulls(r, n));
            StringVector decoded = (StringVector) roundTrip(ColumnType.STRING, v, "round " + round);
            for (int e = 1; e < decoded.dictionary().length; e++) {
                assertTrue(decoded.dictionary()[e - 1].compareTo(decoded.dictionary()[e]) < 0, "sorted, distinct dictionary");
            }
        }
    }

    @Test
    void boolsRoundTrip() {
        Random r = new Random(14);
        for (int round = 0; round < ROUNDS; round++) {
            int n = Vectors.size(r);
            roundTrip(ColumnType.BOOL, new BoolVector(Vectors.bools(r, n), Vectors.nulls(r, n), n), "round " + round);
        }
    }

    @Test
    void extremeLongsAndSpecialDoublesSurvive() {
        long[] longs = Vectors.EXTREMES.clone();
        roundTrip(ColumnType.INT64, new LongVector(longs, null, longs.length), "extremes");
        long[] wrap = {Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 0};
        roundTrip(ColumnType.INT64, new LongVector(wrap, null, wrap.length), "wrapping deltas");
        double[] doubles = Vectors.SPECIAL.clone();
        roundTrip(ColumnType.FLOAT64, new DoubleVector(doubles, null, doubles.length), "specials");
        double[] negativeZero = {1, 2, -0.0, 3};
        EncodedBlock b = ColumnCodec.encode(ColumnType.FLOAT64, new DoubleVector(negativeZero, null, 4));
        assertEquals("PLAIN", b.encodingName(), "-0.0 is not integral");
        roundTrip(ColumnType.FLOAT64, new DoubleVector(negativeZero, null, 4), "-0.0");
    }

    @Test
    void unpairedSurrogatesSurvive() {
        String[] dict = {"ok", "\uD83D", "\uDE00x", "😀"};
        roundTrip(ColumnType.STRING, new StringVector(new int[]{0, 1, 2, 3, 1}, dict, null, 5), "surrogates");
    }

    @Test
    void arraysLongerThanSizeAreCut() {
        roundTrip(ColumnType.INT64, new LongVector(new long[]{5, 6, 7, 99}, null, 3), "long array");
        roundTrip(ColumnType.STRING, new StringVector(new int[]{1, 0, 9}, new String[]{"a", "b"}, null, 2), "codes");
    }

    @Test
    void sortedTimestampsTakeFarLessThanEightBytes() {
        Random r = new Random(21);
        long[] ts = new long[65_536];
        long t = 1_763_700_000_000L;
        for (int i = 0; i < ts.length; i++) {
            ts[i] = t += r.nextInt(200);
        }
        EncodedBlock b = ColumnCodec.encode(ColumnType.TIMESTAMP, new LongVector(ts, null, ts.length));
        assertTrue(b.encodingName().startsWith("DELTA"), b.encodingName());
        assertTrue(b.bytesPerRow(ts.length) < 1.1, "bytes/row " + b.bytesPerRow(ts.length));
    }

    @Test
    void constantAndAllNullBlocksAreTiny() {
        int n = 65_536;
        long[] same = new long[n];
        java.util.Arrays.fill(same, 42);
        EncodedBlock constant = ColumnCodec.encode(ColumnType.INT64, new LongVector(same, null, n));
        assertEquals("CONSTANT", constant.encodingName());
        assertTrue(constant.bytes().length < 32, constant.bytes().length + " bytes");

        RoaringBitmap all = new RoaringBitmap();
        all.add(0L, n);
        EncodedBlock allNull = ColumnCodec.encode(ColumnType.STRING, new StringVector(new int[n], new String[0], all, n));
        assertTrue(allNull.bytes().length < 64, allNull.bytes().length + " bytes");
        assertTrue(ColumnCodec.decode(allNull.bytes()).isNull(n - 1));
    }

    @Test
    void encodingsFitTheData() {
        Random r = new Random(22);
        int n = 65_536;
        long[] keys = new long[n];
        long[] runs = new long[n];
        String[] levels = {"DEBUG", "INFO", "WARN", "ERROR"};
        int[] codes = new int[n];
        boolean[] flags = new boolean[n];
        for (int i = 0; i < n; i++) {
            keys[i] = 1_000_000 + r.nextInt(1000);
            runs[i] = i / 5000 * 7919L;
            codes[i] = r.nextInt(levels.length);
            flags[i] = r.nextBoolean();
        }
        EncodedBlock forKeys = ColumnCodec.encode(ColumnType.INT64, new LongVector(keys, null, n));
        assertTrue(forKeys.encodingName().startsWith("FOR"), forKeys.encodingName());
        assertTrue(forKeys.bytesPerRow(n) < 1.3, "10-bit keys " + forKeys.bytesPerRow(n));
        assertTrue(ColumnCodec.encode(ColumnType.INT64, new LongVector(runs, null, n)).encodingName().startsWith("RLE"));
        EncodedBlock dict = ColumnCodec.encode(ColumnType.STRING, new StringVector(codes, levels, null, n));
        assertTrue(dict.encodingName().startsWith("DICT+FOR"), dict.encodingName());
        assertTrue(dict.bytesPerRow(n) < 0.3, "2-bit codes " + dict.bytesPerRow(n));
        assertTrue(dict.compressionRatio() > 20, "ratio " + dict.compressionRatio());
        int[] runCodes = new int[n];
        for (int i = 0; i < n; i++) {
            runCodes[i] = i / 3000 % levels.length;
        }
        EncodedBlock dictRuns = ColumnCodec.encode(ColumnType.STRING, new StringVector(runCodes, levels, null, n));
        assertTrue(dictRuns.encodingName().startsWith("DICT+RLE"), dictRuns.encodingName());
        EncodedBlock bits = ColumnCodec.encode(ColumnType.BOOL, new BoolVector(flags, null, n));
        assertTrue(bits.bytesPerRow(n) < 0.13, "bool " + bits.bytesPerRow(n));
        double[] whole = new double[n];
        for (int i = 0; i < n; i++) {
            whole[i] = r.nextInt(100);
        }
        EncodedBlock integral = ColumnCodec.encode(ColumnType.FLOAT64, new DoubleVector(whole, null, n));
        assertTrue(integral.encodingName().startsWith("INTEGRAL+FOR"), integral.encodingName());
        double[] prices = new double[n];
        for (int i = 0; i < n; i++) {
            prices[i] = Math.round(r.nextDouble() * 100_000) / 100.0;
        }
        EncodedBlock decimal = ColumnCodec.encode(ColumnType.FLOAT64, new DoubleVector(prices, null, n));
        assertEquals("DECIMAL2+FOR", decimal.encodingName());
        assertTrue(decimal.bytesPerRow(n) < 3.2, "prices " + decimal.bytesPerRow(n));
        roundTrip(ColumnType.FLOAT64, new DoubleVector(prices, null, n), "prices");
    }

    @Test
    void repetitiveBytesAreCompressed() {
        int n = 10_000;
        String[] dict = new String[n];
        int[] codes = new int[n];
        for (int i = 0; i < n; i++) {
            dict[i] = "https://example.com/some/long/common/prefix/" + i;
            codes[i] = i;
        }
        EncodedBlock b = ColumnCodec.encode(ColumnType.STRING, new StringVector(codes, dict, null, n));
        assertTrue(b.encodingName().endsWith("+LZ4"), b.encodingName());
        roundTrip(ColumnType.STRING, new StringVector(codes, dict, null, n), "lz4 strings");
    }

    @Test
    void rejectsVectorsThatDoNotFit() {
        assertThrows(IllegalArgumentException.class,
                () -> ColumnCodec.encode(ColumnType.FLOAT64, new LongVector(new long[1], null, 1)));
        assertThrows(IllegalArgumentException.class,
                () -> ColumnCodec.encode(ColumnType.STRING, new StringVector(new int[]{3}, new String[]{"a"}, null, 1)));
        assertThrows(IllegalArgumentException.class,
                () -> ColumnCodec.encode(ColumnType.INT64, new LongVector(new long[2], RoaringBitmap.bitmapOf(5), 2)));
        assertThrows(IllegalArgumentException.class,
                () -> ColumnCodec.encode(ColumnType.BOOL, new BoolVector(new boolean[2], null, 3)));
        assertThrows(IllegalArgumentException.class,
                () -> ColumnCodec.encode(ColumnType.TIMESTAMP, new LongVector(new long[2], null, 3)));
    }

    @Test
    void truncatedOrDamagedBlocksFailClearly() {
        Random r = new Random(31);
        for (int round = 0; round < 40; round++) {
            int n = 1 + r.nextInt(300);
            ColumnType type = ColumnType.values()[r.nextInt(ColumnType.values().length)];
            byte[] bytes = ColumnCodec.encode(type, randomVector(r, type, n)).bytes();
            int cut = r.nextInt(bytes.length);
            assertThrows(CorruptBlockException.class, () -> ColumnCodec.decode(java.util.Arrays.copyOf(bytes, cut)));
            byte[] flipped = bytes.clone();
            flipped[r.nextInt(bytes.length)] ^= (byte) (1 << r.nextInt(8));
            CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> ColumnCodec.decode(flipped));
            assertTrue(e.getMessage().contains("checksum") || e.getMessage().contains("magic")
                    || e.getMessage().contains("version"), e.getMessage());
        }
        assertThrows(CorruptBlockException.class, () -> ColumnCodec.decode(new byte[0]));
    }

    @Test
    void damageBehindAValidChecksumFailsWithCorruptBlockOnly() {
        Random r = new Random(32);
        int failures = 0;
        for (int round = 0; round < 2000; round++) {
            int n = 1 + r.nextInt(200);
            ColumnType type = ColumnType.values()[r.nextInt(ColumnType.values().length)];
            byte[] bytes = ColumnCodec.encode(type, randomVector(r, type, n)).bytes();
            // Past the row count: a forged count can legitimately claim more rows of a constant.
            int at = 9 + r.nextInt(bytes.length - 13);
            bytes[at] = (byte) r.nextInt(256);
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            int sum = (int) crc.getValue();
            for (int k = 0; k < 4; k++) {
                bytes[bytes.length - 4 + k] = (byte) (sum >>> (8 * k));
            }
            try {
                ColumnCodec.decode(bytes);
            } catch (CorruptBlockException expected) {
                failures++;
            }
        }
        assertTrue(failures > 100, "structural checks caught " + failures);
    }

    @Test
    void decodingIntoRecycledArraysAndPartOfABufferGivesTheSameVectors() {
        Random r = new Random(23);
        ColumnType[] types = ColumnType.values();
        ColumnVector[] previous = new ColumnVector[types.length];
        for (int round = 0; round < ROUNDS; round++) {
            int t = r.nextInt(types.length);
            ColumnType type = types[t];
            ColumnVector vector = randomVector(r, type, Vectors.size(r));
            byte[] bytes = ColumnCodec.encode(type, vector).bytes();
            // In a larger buffer with garbage behind, as a scan's reused read buffer holds it.
            byte[] buffer = java.util.Arrays.copyOf(bytes, bytes.length + r.nextInt(50));
            for (int i = bytes.length; i < buffer.length; i++) {
                buffer[i] = (byte) r.nextInt();
            }
            // Recycle this type's last vector (larger, smaller or empty arrays), or one of another type.
            ColumnVector recycle = r.nextInt(5) == 0 ? previous[r.nextInt(types.length)] : previous[t];
            ColumnVector decoded = ColumnCodec.decode(buffer, bytes.length, recycle);
            Vectors.assertSame(vector, decoded, "round " + round + " " + type);
            previous[t] = decoded;
        }
        assertThrows(IllegalArgumentException.class, () -> ColumnCodec.decode(new byte[8], 9, null));
        byte[] block = ColumnCodec.encode(ColumnType.INT64, new LongVector(new long[] {1, 2, 3}, null, 3)).bytes();
        assertThrows(CorruptBlockException.class, () -> ColumnCodec.decode(block, block.length - 1, null));
    }

    static ColumnVector randomVector(Random r, ColumnType type, int n) {
        RoaringBitmap nulls = Vectors.nulls(r, n);
        return switch (type) {
            case INT64, TIMESTAMP -> new LongVector(Vectors.longs(r, n), nulls, n);
            case FLOAT64 -> new DoubleVector(Vectors.doubles(r, n), nulls, n);
            case STRING -> Vectors.strings(r, n, nulls);
            case BOOL -> new BoolVector(Vectors.bools(r, n), nulls, n);
        };
    }
}
