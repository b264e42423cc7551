package io.strata.node.columnar.encoding;

import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.ColumnVector.BoolVector;
import io.strata.node.columnar.ColumnVector.DoubleVector;
import io.strata.node.columnar.ColumnVector.LongVector;
import io.strata.node.columnar.ColumnVector.StringVector;
import org.roaringbitmap.RoaringBitmap;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Random test vectors of many shapes, and a comparison that ignores null slots. */
final class Vectors {

    static final int[] SIZES = {0, 1, 2, 3, 7, 63, 64, 65, 100, 1000, 4096};
    static final long[] EXTREMES = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, 1, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1};
    static final double[] SPECIAL = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0,
            Double.MIN_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE, Double.longBitsToDouble(0x7ff0000000000123L),
            0x1p63, -0x1p63, 0x1p53 + 1, 1.5};
    static final String[] ODD_STRINGS = {"", "a", "héllo", "日本語", "😀 emoji", "\uD800 lone high", "lone low \uDC00",
            "\u0000nul", "x".repeat(10_000), "Zebra", "zebra"};

    private Vectors() {
    }

    static int size(Random r) {
        int pick = r.nextInt(20);
        if (pick == 0) {
            return 65_536;
        }
        return pick < 12 ? SIZES[r.nextInt(SIZES.length)] : r.nextInt(3000);
    }

    /** No nulls, a few, many, all, or long null runs. */
    static RoaringBitmap nulls(Random r, int n) {
        RoaringBitmap nulls = new RoaringBitmap();
        switch (r.nextInt(5)) {
            case 0 -> {
                return null;
            }
            case 1 -> {
                if (n > 0) {
                    nulls.add(r.nextInt(n));
                }
            }
            case 2 -> {
                double p = r.nextDouble();
                for (int i = 0; i < n; i++) {
                    if (r.nextDouble() < p) {
                        nulls.add(i);
                    }
                }
            }
            case 3 -> nulls.add(0L, n);
            default -> {
                for (int i = 0; i < n; i += 1 + r.nextInt(500)) {
                    nulls.add((long) i, Math.min(n, i + r.nextInt(300)));
                }
            }
        }
        return nulls.isEmpty() && r.nextBoolean() ? null : nulls;
    }

    static long[] longs(Random r, int n) {
        long[] v = new long[n];
        int shape = r.nextInt(10);
        long base = r.nextLong();
        long t = 1_700_000_000_000L + r.nextInt(1_000_000);
        for (int i = 0; i < n; i++) {
            v[i] = switch (shape) {
                case 0 -> r.nextLong();
                case 1 -> base + r.nextInt(1000);
                case 2 -> t += r.nextInt(1000);
                case 3 -> (t += 1000) + r.nextInt(50) - 25;
                case 4 -> base;
                case 5 -> i == 0 || r.nextInt(50) > 0 ? (i == 0 ? base : v[i - 1]) : r.nextLong();
                case 6 -> EXTREMES[r.nextInt(EXTREMES.length)];
                case 7 -> i % 2 == 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
                case 8 -> r.nextInt(1000);
                default -> base - (long) i * r.nextInt(5);
            };
        }
        return v;
    }

    static double[] doubles(Random r, int n) {
        double[] v = new double[n];
        int shape = r.nextInt(9);
        double c = r.nextGaussian();
        double pow = Math.pow(10, 1 + r.nextInt(6));
        for (int i = 0; i < n; i++) {
            v[i] = switch (shape) {
                case 0 -> r.nextGaussian() * 1e6;
                case 1 -> r.nextInt(10_000) - 5000;
                case 2 -> SPECIAL[r.nextInt(SPECIAL.length)];
                case 3 -> c;
                case 4 -> r.nextInt(100) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : r.nextInt(100);
                case 5 -> Double.NaN;
                case 6 -> Math.round(r.nextGaussian() * 1e6) / pow;
                case 7 -> r.nextInt(200) == 0 ? -0.0 : Math.round(r.nextDouble() * 1e5) / 100.0;
                default -> Double.longBitsToDouble(r.nextLong());
            };
        }
        return v;
    }

    static StringVector strings(Random r, int n, RoaringBitmap nulls) {
        int shape = r.nextInt(5);
        int distinct = switch (shape) {
            case 0 -> 1;
            case 1 -> 1 + r.nextInt(8);
            case 2 -> 1 + r.nextInt(Math.max(1, n));
            default -> 1 + r.nextInt(40);
        };
        String[] dict = new String[distinct + r.nextInt(3)];
        for (int d = 0; d < dict.length; d++) {
            dict[d] = switch (shape) {
                case 3 -> ODD_STRINGS[r.nextInt(ODD_STRINGS.length)];
                case 4 -> randomUnicode(r);
                default -> "value-" + r.nextInt(1_000_000);
            };
        }
        int[] codes = new int[n];
        int run = 0;
        int last = 0;
        for (int i = 0; i < n; i++) {
            boolean repeat = shape == 1 && r.nextInt(20) > 0;
            codes[i] = repeat ? last : r.nextInt(distinct);
            last = codes[i];
            if (nulls != null && nulls.contains(i) && r.nextBoolean()) {
                codes[i] = -7 - run++; // a null row's slot is unspecified, even outside the dictionary
            }
        }
        return new StringVector(codes, dict, nulls, n);
    }

    private static String randomUnicode(Random r) {
        StringBuilder sb = new StringBuilder();
        int len = r.nextInt(20);
        for (int i = 0; i < len; i++) {
            sb.append((char) r.nextInt(0x10000));
        }
        return sb.toString();
    }

    static boolean[] bools(Random r, int n) {
        boolean[] v = new boolean[n];
        int shape = r.nextInt(3);
        for (int i = 0; i < n; i++) {
            v[i] = switch (shape) {
                case 0 -> r.nextBoolean();
                case 1 -> true;
                default -> i > 0 && r.nextInt(100) > 0 ? v[i - 1] : r.nextBoolean();
            };
        }
        return v;
    }

    /** Asserts same size, same null rows and equal values in the non-null rows (doubles bit for bit). */
    static void assertSame(ColumnVector expected, ColumnVector actual, String context) {
        assertEquals(expected.getClass(), actual.getClass(), context);
        int n = expected.size();
        assertEquals(n, actual.size(), context);
        RoaringBitmap en = expected.nulls() == null ? new RoaringBitmap() : expected.nulls();
        RoaringBitmap an = actual.nulls() == null ? new RoaringBitmap() : actual.nulls();
        assertEquals(en, an, context + ": null rows");
        for (int i = 0; i < n; i++) {
            if (en.contains(i)) {
                continue;
            }
            boolean same;
            if (expected instanceof LongVector e) {
                same = e.values()[i] == ((LongVector) actual).values()[i];
            } else if (expected instanceof DoubleVector e) {
                same = Double.doubleToRawLongBits(e.values()[i])
                        == Double.doubleToRawLongBits(((DoubleVector) actual).values()[i]);
            } else if (expected instanceof StringVector e) {
                same = e.value(i).equals(((StringVector) actual).value(i));
            } else {
                same = ((BoolVector) expected).values()[i] == ((BoolVector) actual).values()[i];
            }
            if (!same) {
                fail(context + ": row " + i + " differs");
            }
        }
    }
}
