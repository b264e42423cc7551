package io.strata.node.columnar.query;

import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.query.proto.AggStateMsg;
import io.strata.node.columnar.query.proto.DistinctSetMsg;
import io.strata.node.columnar.query.proto.ValuesMsg;
import io.strata.node.common.StrataException;

import java.util.Arrays;
import java.util.function.LongUnaryOperator;

/**
 * The state of one aggregate for every group of a partial, in primitive arrays indexed by group
 * id. Updates take the selected rows and their group ids and run one tight loop (specialised for
 * a single group, for columns without nulls and for a block whose rows are all selected); merges
 * fold in another partial's state through a group id map. Single-threaded.
 */
abstract class AggState {

    final int column;

    AggState(int column) {
        this.column = column;
    }

    static AggState of(Query.Aggregate a, StringPool pool) {
        return switch (a.fn()) {
            case COUNT -> new Count(a.column());
            case COUNT_DISTINCT -> new CountDistinct(a.column(), pool);
            case SUM, AVG -> a.type() == ColumnType.FLOAT64 ? new SumDouble(a, a.fn() == Query.Fn.AVG)
                    : new SumLong(a, a.fn() == Query.Fn.AVG);
            case MIN, MAX -> switch (a.type()) {
                case FLOAT64 -> new MinMaxDouble(a.column(), a.fn() == Query.Fn.MAX);
                case STRING -> new MinMaxString(a.column(), a.fn() == Query.Fn.MAX);
                case INT64, TIMESTAMP, BOOL -> new MinMaxLong(a.column(), a.fn() == Query.Fn.MAX, a.type() == ColumnType.BOOL);
            };
        };
    }

    /** Makes room for group ids below {@code groups}. */
    abstract void ensure(int groups);

    /**
     * Adds the values of rows {@code sel[0 .. n)} (ascending; {@code n == block.size} means every
     * row, {@code sel[i] == i}) to groups {@code groups[0 .. n)}, or all to group 0 when
     * {@code groups} is null.
     */
    abstract void update(Block block, int[] sel, int n, int[] groups);

    /** The group of the {@code i}th selected row. */
    static int group(int[] groups, int i) {
        return groups == null ? 0 : groups[i];
    }

    /**
     * Folds in {@code other}'s groups: other's group {@code g} becomes {@code map[g]};
     * {@code translate} turns other's string pool ids into this partial's.
     */
    abstract void merge(AggState other, int[] map, LongUnaryOperator translate);

    /** The raw value for a group: Long, Double, String, Boolean, or null when no value was seen. */
    abstract Object value(int group);

    /** The state of groups 0 .. groups-1 (see {@code query.proto} for which fields each kind sets). */
    abstract AggStateMsg write(int groups);

    /** Restores groups 0 .. groups-1 from {@link #write}'s message; call {@link #ensure} first. */
    abstract void read(AggStateMsg msg, int groups);

    static void checkSize(String what, int actual, int groups) {
        if (actual != groups) {
            throw new IllegalArgumentException("expected " + groups + " " + what + ", got " + actual);
        }
    }

    static int grown(int length, int needed) {
        return Math.max(needed, Math.max(16, length * 2));
    }

    /** count(*) when column is -1, else the number of non-null values. */
    static final class Count extends AggState {
        private long[] counts = new long[0];

        Count(int column) {
            super(column);
        }

        void ensure(int groups) {
            if (groups > counts.length) {
                counts = Arrays.copyOf(counts, grown(counts.length, groups));
            }
        }

        void update(Block block, int[] sel, int n, int[] groups) {
            long[] c = counts;
            boolean[] nulls = column < 0 ? null : block.nulls(column);
            if (groups == null) {
                long m = n;
                if (nulls != null) {
                    for (int i = 0; i < n; i++) {
                        m -= nulls[sel[i]] ? 1 : 0;
                    }
                }
                c[0] += m;
            } else if (nulls == null) {
                for (int i = 0; i < n; i++) {
                    c[groups[i]]++;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    if (!nulls[sel[i]]) {
                        c[groups[i]]++;
                    }
                }
            }
        }

        void merge(AggState other, int[] map, LongUnaryOperator translate) {
            long[] o = ((Count) other).counts;
            for (int g = 0; g < map.length; g++) {
                counts[map[g]] += o[g];
            }
        }

        AggStateMsg write(int groups) {
            AggStateMsg.Builder b = AggStateMsg.newBuilder();
            for (int g = 0; g < groups; g++) {
                b.addCounts(counts[g]);
            }
            return b.build();
        }

        void read(AggStateMsg msg, int groups) {
            checkSize("counts", msg.getCountsCount(), groups);
            for (int g = 0; g < groups; g++) {
                counts[g] = msg.getCounts(g);
            }
        }

        Object value(int group) {
            return counts[group];
        }
    }

    /** Exact count of distinct non-null values, with a hash set of value keys per group. */
    static final class CountDistinct extends AggState {
        private final StringPool pool;
        private LongHashSet[] sets = new LongHashSet[0];

        CountDistinct(int column, StringPool pool) {
            super(column);
            this.pool = pool;
        }

        void ensure(int groups) {
            if (groups > sets.length) {
                sets = Arrays.copyOf(sets, grown(sets.length, groups));
            }
        }

        private LongHashSet set(int g) {
            LongHashSet s = sets[g];
            if (s == null) {
                s = new LongHashSet();
                sets[g] = s;
            }
            return s;
        }

        void update(Block block, int[] sel, int n, int[] groups) {
            long[] keys = block.keys(column, sel, n, pool);
            boolean[] nulls = block.nulls(column);
            for (int i = 0; i < n; i++) {
                if (nulls == null || !nulls[sel[i]]) {
                    set(group(groups, i)).add(keys[i]);
                }
            }
        }

        void merge(AggState other, int[] map, LongUnaryOperator translate) {
            LongHashSet[] o = ((CountDistinct) other).sets;
            for (int g = 0; g < map.length; g++) {
                if (o[g] != null) {
                    set(map[g]).addAll(o[g], translate);
                }
            }
        }

        AggStateMsg write(int groups) {
            AggStateMsg.Builder b = AggStateMsg.newBuilder();
            for (int g = 0; g < groups; g++) {
                DistinctSetMsg.Builder set = DistinctSetMsg.newBuilder();
                if (sets[g] != null) {
                    // Sorted, so equal states encode to equal bytes whatever their insertion order.
                    long[] keys = sets[g].toArray();
                    Arrays.sort(keys);
                    for (long k : keys) {
                        set.addKeys(k);
                    }
                }
                b.addDistinct(set);
            }
            return b.build();
        }

        void read(AggStateMsg msg, int groups) {
            checkSize("distinct sets", msg.getDistinctCount(), groups);
            for (int g = 0; g < groups; g++) {
                for (long k : msg.getDistinct(g).getKeysList()) {
                    set(g).add(k);
                }
            }
        }

        Object value(int group) {
            return sets[group] == null ? 0L : (long) sets[group].size();
        }
    }

    /**
     * Sum (or avg) of INT64 values in a long. Overflow is detected, never wrapped: it fails the
     * query with {@code sum_overflow} (422) rather than answer a wrong number.
     */
    static final class SumLong extends AggState {
        private final boolean avg;
        private final String name;
        private long[] sums = new long[0];
        private long[] counts = new long[0];

        SumLong(Query.Aggregate a, boolean avg) {
            super(a.column());
            this.avg = avg;
            this.name = a.name();
        }

        void ensure(int groups) {
            if (groups > sums.length) {
                int len = grown(sums.length, groups);
                sums = Arrays.copyOf(sums, len);
                counts = Arrays.copyOf(counts, len);
            }
        }

        void update(Block block, int[] sel, int n, int[] groups) {
            long[] v = ((ColumnVector.LongVector) block.vectors[column]).values();
            boolean[] nulls = block.nulls(column);
            long[] s = sums;
            long[] c = counts;
            try {
                for (int i = 0; i < n; i++) {
                    int r = sel[i];
                    if (nulls == null || !nulls[r]) {
                        int g = group(groups, i);
                        s[g] = Math.addExact(s[g], v[r]);
                        c[g]++;
                    }
                }
            } catch (ArithmeticException e) {
                throw overflow();
            }
        }

        void merge(AggState other, int[] map, LongUnaryOperator translate) {
            SumLong o = (SumLong) other;
            try {
                for (int g = 0; g < map.length; g++) {
                    sums[map[g]] = Math.addExact(sums[map[g]], o.sums[g]);
                    counts[map[g]] += o.counts[g];
                }
            } catch (ArithmeticException e) {
                throw overflow();
            }
        }

        private StrataException overflow() {
            return new StrataException(StrataException.Kind.UNPROCESSABLE, "sum_overflow",
                    "'" + name + "' overflows a 64-bit integer");
        }

        AggStateMsg write(int groups) {
            AggStateMsg.Builder b = AggStateMsg.newBuilder();
            ValuesMsg.Builder v = ValuesMsg.newBuilder();
            for (int g = 0; g < groups; g++) {
                b.addCounts(counts[g]);
                v.addLongs(sums[g]);
            }
            return b.setValues(v).build();
        }

        void read(AggStateMsg msg, int groups) {
            checkSize("counts", msg.getCountsCount(), groups);
            checkSize("sums", msg.getValues().getLongsCount(), groups);
            for (int g = 0; g < groups; g++) {
                counts[g] = msg.getCounts(g);
                sums[g] = msg.getValues().getLongs(g);
            }
        }

        Object value(int group) {
            if (counts[group] == 0) {
                return null;
            }
            return avg ? (Object) ((double) sums[group] / counts[group]) : (Object) sums[group];
        }
    }

    /** Sum (or avg) of FLOAT64 values in a double (IEEE: NaN and infinities propagate). */
    static final class SumDouble extends AggState {
        private final boolean avg;
        private double[] sums = new double[0];
        private long[] counts = new long[0];

        SumDouble(Query.Aggregate a, boolean avg) {
            super(a.column());
            this.avg = avg;
        }

        void ensure(int groups) {
            if (groups > sums.length) {
                int len = grown(sums.length, groups);
                sums = Arrays.copyOf(sums, len);
                counts = Arrays.copyOf(counts, len);
            }
        }

        void update(Block block, int[] sel, int n, int[] groups) {
            double[] v = ((ColumnVector.DoubleVector) block.vectors[column]).values();
            boolean[] nulls = block.nulls(column);
            double[] s = sums;
            long[] c = counts;
            if (groups == null) {
                // One running sum, started from the group's, adds in the same order as the general loop.
                double sum = s[0];
                long count = 0;
                if (nulls != null) {
                    for (int i = 0; i < n; i++) {
                        int r = sel[i];
                        if (!nulls[r]) {
                            sum += v[r];
                            count++;
                        }
                    }
                } else if (n == block.size) {
                    for (int i = 0; i < n; i++) {
                        sum += v[i];
                    }
                    count = n;
                } else {
                    for (int i = 0; i < n; i++) {
                        sum += v[sel[i]];
                    }
                    count = n;
                }
                s[0] = sum;
                c[0] += count;
            } else if (nulls == null && n == block.size) {
                for (int i = 0; i < n; i++) {
                    int g = groups[i];
                    s[g] += v[i];
                    c[g]++;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    int r = sel[i];
                    if (nulls == null || !nulls[r]) {
                        int g = groups[i];
                        s[g] += v[r];
                        c[g]++;
                    }
                }
            }
        }

        void merge(AggState other, int[] map, LongUnaryOperator translate) {
            SumDouble o = (SumDouble) other;
            for (int g = 0; g < map.length; g++) {
                sums[map[g]] += o.sums[g];
                counts[map[g]] += o.counts[g];
            }
        }

        AggStateMsg write(int groups) {
            AggStateMsg.Builder b = AggStateMsg.newBuilder();
            ValuesMsg.Builder v = ValuesMsg.newBuilder();
            for (int g = 0; g < groups; g++) {
                b.addCounts(counts[g]);
                v.addDoubles(sums[g]);
            }
            return b.setValues(v).build();
        }

        void read(AggStateMsg msg, int groups) {
            checkSize("counts", msg.getCountsCount(), groups);
            checkSize("sums", msg.getValues().getDoublesCount(), groups);
            for (int g = 0; g < groups; g++) {
                counts[g] = msg.getCounts(g);
                sums[g] = msg.getValues().getDoubles(g);
            }
        }

        Object value(int group) {
            if (counts[group] == 0) {
                return null;
            }
            return avg ? sums[group] / counts[group] : sums[group];
        }
    }

    /** Min or max of INT64, TIMESTAMP or BOOL (false < true) values. */
    static final class MinMaxLong extends AggState {
        private final boolean max;
        private final boolean bool;
        private long[] vals = new long[0];
        private boolean[] has = new boolean[0];

        MinMaxLong(int column, boolean max, boolean bool) {
            super(column);
            this.max = max;
            this.bool = bool;
        }

        void ensure(int groups) {
            if (groups > vals.length) {
                int len = grown(vals.length, groups);
                vals = Arrays.copyOf(vals, len);
                has = Arrays.copyOf(has, len);
            }
        }

        void update(Block block, int[] sel, int n, int[] groups) {
            long[] v = bool ? null : ((ColumnVector.LongVector) block.vectors[column]).values();
            boolean[] bv = bool ? ((ColumnVector.BoolVector) block.vectors[column]).values() : null;
            boolean[] nulls = block.nulls(column);
            for (int i = 0; i < n; i++) {
                int r = sel[i];
                if (nulls == null || !nulls[r]) {
                    accept(group(groups, i), bool ? (bv[r] ? 1 : 0) : v[r]);
                }
            }
        }

        private void accept(int g, long x) {
            if (!has[g] || (max ? x > vals[g] : x < vals[g])) {
                vals[g] = x;
                has[g] = true;
            }
        }

        void merge(AggState other, int[] map, LongUnaryOperator translate) {
            MinMaxLong o = (MinMaxLong) other;
            for (int g = 0; g < map.length; g++) {
                if (o.has[g]) {
                    accept(map[g], o.vals[g]);
                }
            }
        }

        AggStateMsg write(int groups) {
            ValuesMsg.Builder v = ValuesMsg.newBuilder();
            for (int g = 0; g < groups; g++) {
                ProtoValues.add(v, ColumnType.INT64, g, has[g] ? vals[g] : null);
            }
            return AggStateMsg.newBuilder().setValues(v).build();
        }

        void read(AggStateMsg msg, int groups) {
            Object[] v = ProtoValues.get(msg.getValues(), ColumnType.INT64, groups);
            for (int g = 0; g < groups; g++) {
                if (v[g] != null) {
                    accept(g, (Long) v[g]);
                }
            }
        }

        Object value(int group) {
            if (!has[group]) {
                return null;
            }
            return bool ? (Object) (vals[group] != 0) : (Object) vals[group];
        }
    }

    /** Min or max of FLOAT64 values in {@link Double#compare} order: NaN is above every number. */
    static final class MinMaxDouble extends AggState {
        private final boolean max;
        private double[] vals = new double[0];
        private boolean[] has = new boolean[0];

        MinMaxDouble(int column, boolean max) {
            super(column);
            this.max = max;
        }

        void ensure(int groups) {
            if (groups > vals.length) {
                int len = grown(vals.length, groups);
                vals = Arrays.copyOf(vals, len);
                has = Arrays.copyOf(has, len);
            }
        }

        void update(Block block, int[] sel, int n, int[] groups) {
            double[] v = ((ColumnVector.DoubleVector) block.vectors[column]).values();
            boolean[] nulls = block.nulls(column);
            if (nulls == null && n == block.size && groups != null) {
                double[] best = vals;
                boolean[] seen = has;
                int better = max ? 1 : -1;
                for (int i = 0; i < n; i++) {
                    int g = groups[i];
                    double x = v[i];
                    if (!seen[g]) {
                        best[g] = x;
                        seen[g] = true;
                    } else if (Double.compare(x, best[g]) == better) {
                        best[g] = x;
                    }
                }
                return;
            }
            for (int i = 0; i < n; i++) {
                int r = sel[i];
                if (nulls == null || !nulls[r]) {
                    accept(group(groups, i), v[r]);
                }
            }
        }

        private void accept(int g, double x) {
            if (!has[g]) {
                vals[g] = x;
                has[g] = true;
            } else {
                int c = Double.compare(x, vals[g]);
                if (max ? c > 0 : c < 0) {
                    vals[g] = x;
                }
            }
        }

        void merge(AggState other, int[] map, LongUnaryOperator translate) {
            MinMaxDouble o = (MinMaxDouble) other;
            for (int g = 0; g < map.length; g++) {
                if (o.has[g]) {
                    accept(map[g], o.vals[g]);
                }
            }
        }

        AggStateMsg write(int groups) {
            ValuesMsg.Builder v = ValuesMsg.newBuilder();
            for (int g = 0; g < groups; g++) {
                ProtoValues.add(v, ColumnType.FLOAT64, g, has[g] ? vals[g] : null);
            }
            return AggStateMsg.newBuilder().setValues(v).build();
        }

        void read(AggStateMsg msg, int groups) {
            Object[] v = ProtoValues.get(msg.getValues(), ColumnType.FLOAT64, groups);
            for (int g = 0; g < groups; g++) {
                if (v[g] != null) {
                    accept(g, (Double) v[g]);
                }
            }
        }

        Object value(int group) {
            return has[group] ? vals[group] : null;
        }
    }

    /** Min or max of STRING values in natural {@link String} order. */
    static final class MinMaxString extends AggState {
        private final boolean max;
        private String[] vals = new String[0];

        MinMaxString(int column, boolean max) {
            super(column);
            this.max = max;
        }

        void ensure(int groups) {
            if (groups > vals.length) {
                vals = Arrays.copyOf(vals, grown(vals.length, groups));
            }
        }

        void update(Block block, int[] sel, int n, int[] groups) {
            ColumnVector.StringVector sv = (ColumnVector.StringVector) block.vectors[column];
            int[] codes = sv.codes();
            String[] dict = sv.dictionary();
            boolean[] nulls = block.nulls(column);
            for (int i = 0; i < n; i++) {
                int r = sel[i];
                if (nulls == null || !nulls[r]) {
                    accept(group(groups, i), dict[codes[r]]);
                }
            }
        }

        private void accept(int g, String x) {
            String cur = vals[g];
            if (cur == null || (max ? x.compareTo(cur) > 0 : x.compareTo(cur) < 0)) {
                vals[g] = x;
            }
        }

        void merge(AggState other, int[] map, LongUnaryOperator translate) {
            String[] o = ((MinMaxString) other).vals;
            for (int g = 0; g < map.length; g++) {
                if (o[g] != null) {
                    accept(map[g], o[g]);
                }
            }
        }

        AggStateMsg write(int groups) {
            ValuesMsg.Builder v = ValuesMsg.newBuilder();
            for (int g = 0; g < groups; g++) {
                ProtoValues.add(v, ColumnType.STRING, g, vals[g]);
            }
            return AggStateMsg.newBuilder().setValues(v).build();
        }

        void read(AggStateMsg msg, int groups) {
            Object[] v = ProtoValues.get(msg.getValues(), ColumnType.STRING, groups);
            for (int g = 0; g < groups; g++) {
                vals[g] = (String) v[g];
            }
        }

        Object value(int group) {
            return vals[group];
        }
    }
}
