package io.strata.node.columnar.encoding;

import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.ColumnVector.BoolVector;
import io.strata.node.columnar.ColumnVector.DoubleVector;
import io.strata.node.columnar.ColumnVector.LongVector;
import io.strata.node.columnar.ColumnVector.StringVector;
import io.strata.node.columnar.ZoneMap;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZoneMapsTest {

    private static final int ROUNDS = 300;

    /** The non-null rows' values, boxed: a slow, obviously right reference. */
    private static List<Object> present(ColumnVector v) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (v.isNull(i)) {
                continue;
            }
            if (v instanceof LongVector l) {
                out.add(l.values()[i]);
            } else if (v instanceof DoubleVector d) {
                out.add(d.values()[i]);
            } else if (v instanceof StringVector s) {
                out.add(s.value(i));
            } else {
                out.add(((BoolVector) v).values()[i] ? 1L : 0L);
            }
        }
        return out;
    }

    private static void assertCounts(ColumnVector v, List<Object> present, ZoneMap z) {
        assertEquals(v.size(), z.rowCount());
        assertEquals(v.size() - present.size(), z.nullCount());
    }

    @Test
    void longAndBoolBoundsMatchTheReference() {
        Random r = new Random(41);
        for (int round = 0; round < ROUNDS; round++) {
            int n = Vectors.size(r);
            RoaringBitmap nulls = Vectors.nulls(r, n);
            boolean bool = r.nextInt(3) == 0;
            ColumnVector v = bool ? new BoolVector(Vectors.bools(r, n), nulls, n) : new LongVector(Vectors.longs(r, n), nulls, n);
            ZoneMap z = ZoneMaps.of(bool ? ColumnType.BOOL : ColumnType.INT64, v);
            List<Object> present = present(v);
            assertCounts(v, present, z);
            if (!present.isEmpty()) {
                assertEquals(present.stream().map(Long.class::cast).min(Long::compare).orElseThrow(), z.minLong());
                assertEquals(present.stream().map(Long.class::cast).max(Long::compare).orElseThrow(), z.maxLong());
            } else {
                assertTrue(z.allNull());
            }
        }
    }

    @Test
    void stringBoundsMatchTheReference() {
        Random r = new Random(42);
        for (int round = 0; round < ROUNDS; round++) {
            int n = Vectors.size(r);
            StringVector v = Vectors.strings(r, n, Vectors.nulls(r, n));
            ZoneMap z = ZoneMaps.of(ColumnType.STRING, v);
            List<Object> present = present(v);
            assertCounts(v, present, z);
            assertEquals(present.stream().map(String.class::cast).min(Comparator.naturalOrder()).orElse(null), z.minString());
            assertEquals(present.stream().map(String.class::cast).max(Comparator.naturalOrder()).orElse(null), z.maxString());
        }
    }

    @Test
    void doubleBoundsNeverPruneAMatchingBlock() {
        Random r = new Random(43);
        for (int round = 0; round < ROUNDS; round++) {
            int n = Vectors.size(r);
            DoubleVector v = new DoubleVector(Vectors.doubles(r, n), Vectors.nulls(r, n), n);
            ZoneMap z = ZoneMaps.of(ColumnType.FLOAT64, v);
            List<Object> present = present(v);
            assertCounts(v, present, z);
            List<Double> numbers = present.stream().map(Double.class::cast).filter(d -> !d.isNaN()).sorted().toList();
            boolean anyNaN = present.stream().map(Double.class::cast).anyMatch(d -> d.isNaN());
            if (!numbers.isEmpty()) {
                assertEquals(numbers.get(0), z.minDouble(), 0.0, "min");
                assertEquals(anyNaN, Double.isNaN(z.maxDouble()), "NaN flagged in max");
                if (!anyNaN) {
                    assertEquals(numbers.get(numbers.size() - 1), z.maxDouble(), 0.0, "max");
                }
            } else if (anyNaN) {
                assertTrue(Double.isNaN(z.minDouble()) && Double.isNaN(z.maxDouble()), "all NaN");
            }
            for (Object o : present) {
                double x = (Double) o;
                // An equality pruner skips when max < x or min > x, in IEEE or in Double.compare order.
                assertTrue(!(z.maxDouble() < x) && !(z.minDouble() > x), "IEEE pruning would skip " + x);
                assertTrue(Double.compare(z.minDouble(), x) <= 0 && Double.compare(x, z.maxDouble()) <= 0,
                        "total-order pruning would skip " + x + " in " + z);
            }
        }
    }

    @Test
    void zeroBoundsCoverBothSigns() {
        ZoneMap onlyNegativeZero = ZoneMaps.of(ColumnType.FLOAT64, new DoubleVector(new double[]{-0.0, -0.0}, null, 2));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(onlyNegativeZero.minDouble()));
        assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(onlyNegativeZero.maxDouble()));
        ZoneMap infinities = ZoneMaps.of(ColumnType.FLOAT64,
                new DoubleVector(new double[]{Double.NEGATIVE_INFINITY, 3, Double.POSITIVE_INFINITY}, null, 3));
        assertEquals(Double.NEGATIVE_INFINITY, infinities.minDouble());
        assertEquals(Double.POSITIVE_INFINITY, infinities.maxDouble());
    }

    @Test
    void allNullAndEmptyBlocks() {
        ZoneMap empty = ZoneMaps.of(ColumnType.INT64, new LongVector(new long[0], null, 0));
        assertTrue(empty.allNull());
        RoaringBitmap all = RoaringBitmap.bitmapOf(0, 1, 2);
        ZoneMap allNull = ZoneMaps.of(ColumnType.STRING, new StringVector(new int[]{-1, 5, 9}, new String[]{"a"}, all, 3));
        assertTrue(allNull.allNull());
        assertEquals(3, allNull.nullCount());
        assertNull(allNull.minString());
        assertThrows(IllegalArgumentException.class,
                () -> ZoneMaps.of(ColumnType.BOOL, new LongVector(new long[1], null, 1)));
    }
}
