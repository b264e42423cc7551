package io.strata.node.columnar.query;

import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.ZoneMap;

import java.util.Arrays;
import java.util.Set;

/**
 * A condition on one column: a comparison with typed constants, or a null check. Constants are
 * typed at parse time ({@code Long} for INT64/TIMESTAMP, {@code Double} for FLOAT64, {@code String},
 * {@code Boolean}); see {@link Filter} for the row semantics. Immutable and thread-safe.
 */
public final class Predicate implements Filter {

    /** Filter operators as written in queries. */
    public enum Op {
        EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">="), BETWEEN("between"), IN("in"),
        IS_NULL("is_null"), IS_NOT_NULL("is_not_null");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        static Op of(String symbol) {
            for (Op op : values()) {
                if (op.symbol.equals(symbol)) {
                    return op;
                }
            }
            return null;
        }
    }

    private final int column;
    private final ColumnType type;
    private final Op op;
    private final Object[] operands;

    // Primitive forms for the hot loops: long and double predicates reduce to an inclusive range,
    // a not-equal, or a sorted in-list.
    private final boolean empty;
    private final long lo;
    private final long hi;
    private final double dlo;
    private final double dhi;
    private final long[] longSet;
    private final double[] doubleSet;

    Predicate(int column, ColumnType type, Op op, Object[] operands) {
        this.column = column;
        this.type = type;
        this.op = op;
        this.operands = operands;
        long l = Long.MIN_VALUE;
        long h = Long.MAX_VALUE;
        double dl = Double.NEGATIVE_INFINITY;
        double dh = Double.POSITIVE_INFINITY;
        boolean none = false;
        long[] ls = null;
        double[] ds = null;
        if (type.isLong() && op != Op.IS_NULL && op != Op.IS_NOT_NULL) {
            switch (op) {
                case EQ, NE -> l = h = (Long) operands[0];
                case LT -> {
                    h = (Long) operands[0] - 1;
                    none = (Long) operands[0] == Long.MIN_VALUE;
                }
                case LE -> h = (Long) operands[0];
                case GT -> {
                    l = (Long) operands[0] + 1;
                    none = (Long) operands[0] == Long.MAX_VALUE;
                }
                case GE -> l = (Long) operands[0];
                case BETWEEN -> {
                    l = (Long) operands[0];
                    h = (Long) operands[1];
                }
                case IN -> ls = Arrays.stream(operands).mapToLong(o -> (Long) o).sorted().distinct().toArray();
                default -> { }
            }
            none |= l > h;
        } else if (type == ColumnType.FLOAT64 && op != Op.IS_NULL && op != Op.IS_NOT_NULL) {
            switch (op) {
                case EQ, NE -> dl = dh = (Double) operands[0];
                // Strict bounds become inclusive ones a step inwards; beyond infinity nothing matches.
                case LT -> {
                    double x = (Double) operands[0];
                    none = x == Double.NEGATIVE_INFINITY;
                    dh = Math.nextDown(x);
                }
                case LE -> dh = (Double) operands[0];
                case GT -> {
                    double x = (Double) operands[0];
                    none = x == Double.POSITIVE_INFINITY;
                    dl = Math.nextUp(x);
                }
                case GE -> dl = (Double) operands[0];
                case BETWEEN -> {
                    dl = (Double) operands[0];
                    dh = (Double) operands[1];
                }
                case IN -> ds = Arrays.stream(operands).mapToDouble(o -> (Double) o + 0.0).sorted().distinct().toArray();
                default -> { }
            }
            none |= dl > dh;
        }
        this.empty = none;
        this.lo = l;
        this.hi = h;
        this.dlo = dl;
        this.dhi = dh;
        this.longSet = ls;
        this.doubleSet = ds;
    }

    public int column() {
        return column;
    }

    public Op op() {
        return op;
    }

    @Override
    public void columns(Set<Integer> into) {
        into.add(column);
    }

    @Override
    public int select(Block block, int[] in, int n, int[] out) {
        boolean[] nulls = block.nulls(column);
        if (op == Op.IS_NULL || op == Op.IS_NOT_NULL) {
            boolean want = op == Op.IS_NULL;
            if (nulls == null) {
                if (want) {
                    return 0;
                }
                System.arraycopy(in, 0, out, 0, n);
                return n;
            }
            int m = 0;
            for (int i = 0; i < n; i++) {
                int r = in[i];
                if (nulls[r] == want) {
                    out[m++] = r;
                }
            }
            return m;
        }
        if (empty && op != Op.NE) {
            return 0;
        }
        int m = n;
        int[] src = in;
        if (nulls != null) {
            m = 0;
            for (int i = 0; i < n; i++) {
                int r = in[i];
                if (!nulls[r]) {
                    out[m++] = r;
                }
            }
            src = out;
        }
        ColumnVector v = block.vectors[column];
        // A selection as long as the block is every row in order: the range loops then skip it.
        boolean all = m == block.size;
        if (v instanceof ColumnVector.LongVector lv) {
            return all && op != Op.NE && op != Op.IN ? selectLongRange(lv.values(), m, out) : selectLong(lv.values(), src, m, out);
        } else if (v instanceof ColumnVector.DoubleVector dv) {
            return all && op != Op.NE && op != Op.IN ? selectDoubleRange(dv.values(), m, out) : selectDouble(dv.values(), src, m, out);
        } else if (v instanceof ColumnVector.StringVector sv) {
            return selectCodes(sv, src, m, out);
        }
        return selectBool(((ColumnVector.BoolVector) v).values(), src, m, out);
    }

    // The range loops below are branch-free: every row is written and the count advances only on a
    // match, so a selectivity the CPU cannot predict costs no mispredictions. Safe when out == in,
    // as the write position never passes the read position.

    private int selectLong(long[] v, int[] in, int n, int[] out) {
        int m = 0;
        if (op == Op.NE) {
            long x = lo;
            for (int i = 0; i < n; i++) {
                int r = in[i];
                if (v[r] != x) {
                    out[m++] = r;
                }
            }
        } else if (op == Op.IN) {
            long[] set = longSet;
            for (int i = 0; i < n; i++) {
                int r = in[i];
                if (Arrays.binarySearch(set, v[r]) >= 0) {
                    out[m++] = r;
                }
            }
        } else {
            long l = lo;
            long h = hi;
            for (int i = 0; i < n; i++) {
                int r = in[i];
                long x = v[r];
                out[m] = r;
                m += x >= l & x <= h ? 1 : 0;
            }
        }
        return m;
    }

    /** {@link #selectLong}'s range case over rows 0 .. n-1. */
    private int selectLongRange(long[] v, int n, int[] out) {
        long l = lo;
        long h = hi;
        int m = 0;
        for (int i = 0; i < n; i++) {
            long x = v[i];
            out[m] = i;
            m += x >= l & x <= h ? 1 : 0;
        }
        return m;
    }

    /** {@link #selectDouble}'s range case over rows 0 .. n-1. */
    private int selectDoubleRange(double[] v, int n, int[] out) {
        double l = dlo;
        double h = dhi;
        int m = 0;
        for (int i = 0; i < n; i++) {
            double x = v[i];
            out[m] = i;
            m += x >= l & x <= h ? 1 : 0;
        }
        return m;
    }

    private int selectDouble(double[] v, int[] in, int n, int[] out) {
        int m = 0;
        if (op == Op.NE) {
            double x = dlo;
            for (int i = 0; i < n; i++) {
                int r = in[i];
                if (v[r] != x) {
                    out[m++] = r;
                }
            }
        } else if (op == Op.IN) {
            double[] set = doubleSet;
            for (int i = 0; i < n; i++) {
                int r = in[i];
                double x = v[r];
                // NaN is never in the list (JSON has no NaN), and -0.0 is folded like the list.
                if (x == x && Arrays.binarySearch(set, x + 0.0) >= 0) {
                    out[m++] = r;
                }
            }
        } else {
            double l = dlo;
            double h = dhi;
            for (int i = 0; i < n; i++) {
                int r = in[i];
                double x = v[r];
                out[m] = r;
                m += x >= l & x <= h ? 1 : 0;
            }
        }
        return m;
    }

    private int selectCodes(ColumnVector.StringVector sv, int[] in, int n, int[] out) {
        // Decide once per dictionary entry, then the row loop is a table lookup.
        String[] dict = sv.dictionary();
        boolean[] match = new boolean[dict.length];
        for (int c = 0; c < dict.length; c++) {
            match[c] = dict[c] != null && test(dict[c]);
        }
        int[] codes = sv.codes();
        int m = 0;
        for (int i = 0; i < n; i++) {
            int r = in[i];
            if (match[codes[r]]) {
                out[m++] = r;
            }
        }
        return m;
    }

    private int selectBool(boolean[] v, int[] in, int n, int[] out) {
        boolean matchFalse = test(Boolean.FALSE);
        boolean matchTrue = test(Boolean.TRUE);
        int m = 0;
        for (int i = 0; i < n; i++) {
            int r = in[i];
            if (v[r] ? matchTrue : matchFalse) {
                out[m++] = r;
            }
        }
        return m;
    }

    /** Whether a non-null STRING or BOOL value matches (not used on hot paths). */
    private boolean test(Object value) {
        return switch (op) {
            case EQ -> Values.compareNonNull(value, operands[0]) == 0;
            case NE -> Values.compareNonNull(value, operands[0]) != 0;
            case LT -> Values.compareNonNull(value, operands[0]) < 0;
            case LE -> Values.compareNonNull(value, operands[0]) <= 0;
            case GT -> Values.compareNonNull(value, operands[0]) > 0;
            case GE -> Values.compareNonNull(value, operands[0]) >= 0;
            case BETWEEN -> Values.compareNonNull(value, operands[0]) >= 0 && Values.compareNonNull(value, operands[1]) <= 0;
            case IN -> {
                for (Object o : operands) {
                    if (Values.compareNonNull(value, o) == 0) {
                        yield true;
                    }
                }
                yield false;
            }
            case IS_NULL, IS_NOT_NULL -> throw new IllegalStateException("null checks are not value tests");
        };
    }

    @Override
    public boolean mayMatch(ZoneMap[] zones) {
        ZoneMap z = zones[column];
        if (z == null || z.rowCount() == 0) {
            return z == null;
        }
        if (op == Op.IS_NULL) {
            return z.nullCount() > 0;
        }
        if (z.allNull()) {
            return false;
        }
        if (op == Op.IS_NOT_NULL) {
            return true;
        }
        if (empty && op != Op.NE) {
            return false;
        }
        Object[] b = bounds(z);
        if (b == null) {
            return true;
        }
        Object min = b[0];
        Object max = b[1];
        return switch (op) {
            case EQ -> cmp(min, operands[0]) <= 0 && cmp(operands[0], max) <= 0;
            // A FLOAT64 block may hold NaNs, which the bounds do not show and which match !=.
            case NE -> type == ColumnType.FLOAT64 || !(cmp(min, operands[0]) == 0 && cmp(max, operands[0]) == 0);
            case LT -> cmp(min, operands[0]) < 0;
            case LE -> cmp(min, operands[0]) <= 0;
            case GT -> cmp(max, operands[0]) > 0;
            case GE -> cmp(max, operands[0]) >= 0;
            case BETWEEN -> cmp(min, operands[1]) <= 0 && cmp(max, operands[0]) >= 0;
            case IN -> {
                for (Object o : operands) {
                    if (cmp(min, o) <= 0 && cmp(o, max) <= 0) {
                        yield true;
                    }
                }
                yield false;
            }
            case IS_NULL, IS_NOT_NULL -> true;
        };
    }

    @Override
    public boolean allMatch(ZoneMap[] zones) {
        ZoneMap z = zones[column];
        if (z == null) {
            return false;
        }
        if (z.rowCount() == 0) {
            return true;
        }
        if (op == Op.IS_NULL) {
            return z.allNull();
        }
        if (op == Op.IS_NOT_NULL) {
            return z.nullCount() == 0;
        }
        // Nulls never match a comparison; NaNs hide from FLOAT64 bounds, so no FLOAT64 promise.
        if (z.nullCount() > 0 || type == ColumnType.FLOAT64 || empty && op != Op.NE) {
            return false;
        }
        Object[] b = bounds(z);
        if (b == null) {
            return false;
        }
        Object min = b[0];
        Object max = b[1];
        return switch (op) {
            case EQ -> cmp(min, operands[0]) == 0 && cmp(max, operands[0]) == 0;
            case NE -> cmp(operands[0], min) < 0 || cmp(operands[0], max) > 0;
            case LT -> cmp(max, operands[0]) < 0;
            case LE -> cmp(max, operands[0]) <= 0;
            case GT -> cmp(min, operands[0]) > 0;
            case GE -> cmp(min, operands[0]) >= 0;
            case BETWEEN -> cmp(min, operands[0]) >= 0 && cmp(max, operands[1]) <= 0;
            case IN -> {
                if (cmp(min, max) != 0) {
                    yield false;
                }
                for (Object o : operands) {
                    if (cmp(min, o) == 0) {
                        yield true;
                    }
                }
                yield false;
            }
            case IS_NULL, IS_NOT_NULL -> false;
        };
    }

    /** The block's [min, max] as values comparable with the operands, or null when unknown. */
    private Object[] bounds(ZoneMap z) {
        return switch (type) {
            case INT64, TIMESTAMP -> new Object[] {z.minLong(), z.maxLong()};
            case BOOL -> new Object[] {z.minLong() != 0, z.maxLong() != 0};
            case FLOAT64 -> Double.isNaN(z.minDouble()) || Double.isNaN(z.maxDouble()) ? null
                    : new Object[] {z.minDouble() + 0.0, z.maxDouble() + 0.0};
            case STRING -> z.minString() == null || z.maxString() == null ? null
                    : new Object[] {z.minString(), z.maxString()};
        };
    }

    /** Compares bounds and operands; FLOAT64 zeros are folded so -0.0 and 0.0 compare equal as in IEEE. */
    private int cmp(Object a, Object b) {
        if (a instanceof Double x && b instanceof Double y) {
            return Double.compare(x + 0.0, y + 0.0);
        }
        return Values.compareNonNull(a, b);
    }

    @Override
    public String toString() {
        return "column#" + column + " " + op.symbol + " " + Arrays.toString(operands);
    }
}
