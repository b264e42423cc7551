package io.strata.node.columnar.query;

import io.strata.node.columnar.Column;
import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.Schema;
import io.strata.node.columnar.ZoneMap;
import org.roaringbitmap.RoaringBitmap;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Test data: a schema with every type, random rows as Java objects, and their blocks and zone maps. */
final class Fixtures {

    static final Schema SCHEMA = new Schema(List.of(
            new Column("k", ColumnType.INT64, true),
            new Column("s", ColumnType.STRING, true),
            new Column("v", ColumnType.INT64, true),
            new Column("d", ColumnType.FLOAT64, true),
            new Column("b", ColumnType.BOOL, true),
            new Column("ts", ColumnType.TIMESTAMP, true)));

    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    static final String[] WORDS = {"apple", "banana", "cherry", "date", "elder", "fig", ""};

    private Fixtures() {
    }

    /** A random row; small domains so groups and filters collide, with nulls, NaN and -0.0. */
    static Object[] randomRow(Random r, double nullRate) {
        Object[] row = new Object[6];
        row[0] = r.nextInt(12) - 3L;
        row[1] = WORDS[r.nextInt(WORDS.length)];
        row[2] = (long) r.nextInt(2001) - 1000;
        int dk = r.nextInt(40);
        row[3] = dk == 0 ? Double.NaN : dk == 1 ? -0.0 : (r.nextInt(41) - 20) * 0.25;
        row[4] = r.nextBoolean();
        row[5] = T0 + r.nextInt(50) * 3_600_000L;
        for (int c = 0; c < 6; c++) {
            if (r.nextDouble() < nullRate) {
                row[c] = null;
            }
        }
        return row;
    }

    static List<Object[]> randomRows(Random r, int n, double nullRate) {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(randomRow(r, nullRate));
        }
        return rows;
    }

    /** Column vectors of some rows; null slots hold garbage and string dictionaries are shuffled. */
    static ColumnVector[] block(List<Object[]> rows, Random r) {
        int n = rows.size();
        ColumnVector[] out = new ColumnVector[SCHEMA.size()];
        for (int c = 0; c < SCHEMA.size(); c++) {
            RoaringBitmap nulls = new RoaringBitmap();
            for (int i = 0; i < n; i++) {
                if (rows.get(i)[c] == null) {
                    nulls.add(i);
                }
            }
            RoaringBitmap nb = nulls.isEmpty() ? null : nulls;
            // Arrays a little longer than size, as the contract allows.
            switch (SCHEMA.columns().get(c).type()) {
                case INT64, TIMESTAMP -> {
                    long[] a = new long[n + 2];
                    for (int i = 0; i < n; i++) {
                        a[i] = rows.get(i)[c] == null ? r.nextLong() : (Long) rows.get(i)[c];
                    }
                    out[c] = new ColumnVector.LongVector(a, nb, n);
                }
                case FLOAT64 -> {
                    double[] a = new double[n + 1];
                    for (int i = 0; i < n; i++) {
                        a[i] = rows.get(i)[c] == null ? r.nextDouble() * 1e6 : (Double) rows.get(i)[c];
                    }
                    out[c] = new ColumnVector.DoubleVector(a, nb, n);
                }
                case BOOL -> {
                    boolean[] a = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = rows.get(i)[c] == null ? r.nextBoolean() : (Boolean) rows.get(i)[c];
                    }
                    out[c] = new ColumnVector.BoolVector(a, nb, n);
                }
                case STRING -> {
                    List<String> distinct = new ArrayList<>();
                    for (Object[] row : rows) {
                        if (row[c] != null && !distinct.contains(row[c])) {
                            distinct.add((String) row[c]);
                        }
                    }
                    Collections.shuffle(distinct, r);
                    Map<String, Integer> codeOf = new LinkedHashMap<>();
                    for (String s : distinct) {
                        codeOf.put(s, codeOf.size());
                    }
                    int[] codes = new int[n];
                    for (int i = 0; i < n; i++) {
                        codes[i] = rows.get(i)[c] == null ? 0 : codeOf.get(rows.get(i)[c]);
                    }
                    out[c] = new ColumnVector.StringVector(codes, distinct.toArray(new String[0]), nb, n);
                }
            }
        }
        return out;
    }

    /** Zone maps of some rows, as a writer would compute them (FLOAT64 bounds ignore NaN). */
    static ZoneMap[] zones(List<Object[]> rows) {
        ZoneMap[] out = new ZoneMap[SCHEMA.size()];
        for (int c = 0; c < SCHEMA.size(); c++) {
            int nulls = 0;
            long minL = Long.MAX_VALUE;
            long maxL = Long.MIN_VALUE;
            double minD = Double.NaN;
            double maxD = Double.NaN;
            String minS = null;
            String maxS = null;
            for (Object[] row : rows) {
                Object v = row[c];
                if (v == null) {
                    nulls++;
                } else if (v instanceof Long l) {
                    minL = Math.min(minL, l);
                    maxL = Math.max(maxL, l);
                } else if (v instanceof Boolean b) {
                    minL = Math.min(minL, b ? 1 : 0);
                    maxL = Math.max(maxL, b ? 1 : 0);
                } else if (v instanceof Double d) {
                    if (!d.isNaN()) {
                        minD = Double.isNaN(minD) || d < minD ? d : minD;
                        maxD = Double.isNaN(maxD) || d > maxD ? d : maxD;
                    }
                } else {
                    String s = (String) v;
                    minS = minS == null || s.compareTo(minS) < 0 ? s : minS;
                    maxS = maxS == null || s.compareTo(maxS) > 0 ? s : maxS;
                }
            }
            out[c] = new ZoneMap(rows.size(), nulls, minL, maxL, minD, maxD, minS, maxS);
        }
        return out;
    }
}
