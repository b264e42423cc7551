package io.strata.node.columnar.query;

import io.strata.node.columnar.ZoneMap;

import java.util.List;

/**
 * A WHERE clause: a tree of {@link And}, {@link Or}, {@link Not} over {@link Predicate}s on single
 * columns.
 *
 * <p>Semantics are two-valued per row: a comparison on a null value is false, {@code is_null} is
 * the only way to match nulls, and {@code not} is plain negation (so {@code not (x < 5)} matches
 * rows where {@code x} is null). FLOAT64 comparisons follow IEEE 754: NaN equals nothing, so it
 * matches only {@code !=} and {@code is_not_null}; {@code -0.0 = 0.0}.
 *
 * <p>Evaluation narrows a selection vector (sorted row ids) with one primitive loop per type and
 * operator; zone-map checks ({@link #mayMatch}, {@link #allMatch}) are conservative and decide per
 * block whether it can be skipped. Immutable and thread-safe.
 */
public sealed interface Filter permits Filter.And, Filter.Or, Filter.Not, Predicate {

    /**
     * Writes to {@code out} the rows of {@code in[0..n)} that match, in order, and returns how
     * many. {@code out} may be {@code in}.
     */
    int select(Block block, int[] in, int n, int[] out);

    /** False only when no row of a block with these zone maps (by schema index) can match. */
    boolean mayMatch(ZoneMap[] zones);

    /** True only when every row of a block with these zone maps surely matches. */
    boolean allMatch(ZoneMap[] zones);

    /** Adds the schema indices this filter reads to {@code into}. */
    void columns(java.util.Set<Integer> into);

    /** Every child must match. */
    record And(List<Filter> children) implements Filter {
        public int select(Block block, int[] in, int n, int[] out) {
            int m = n;
            int[] src = in;
            for (Filter child : children) {
                m = child.select(block, src, m, out);
                src = out;
                if (m == 0) {
                    break;
                }
            }
            if (src == in && in != out) {
                System.arraycopy(in, 0, out, 0, m);
            }
            return m;
        }

        public boolean mayMatch(ZoneMap[] zones) {
            for (Filter child : children) {
                if (!child.mayMatch(zones)) {
                    return false;
                }
            }
            return true;
        }

        public boolean allMatch(ZoneMap[] zones) {
            for (Filter child : children) {
                if (!child.allMatch(zones)) {
                    return false;
                }
            }
            return true;
        }

        public void columns(java.util.Set<Integer> into) {
            children.forEach(c -> c.columns(into));
        }
    }

    /** At least one child must match. */
    record Or(List<Filter> children) implements Filter {
        public int select(Block block, int[] in, int n, int[] out) {
            // Union of the children's (sorted) selections, each taken from the full input.
            int[] acc = new int[n];
            int accN = 0;
            int[] part = new int[n];
            int[] merged = new int[n];
            for (Filter child : children) {
                int p = child.select(block, in, n, part);
                int i = 0;
                int j = 0;
                int k = 0;
                while (i < accN && j < p) {
                    int a = acc[i];
                    int b = part[j];
                    if (a == b) {
                        merged[k++] = a;
                        i++;
                        j++;
                    } else if (a < b) {
                        merged[k++] = a;
                        i++;
                    } else {
                        merged[k++] = b;
                        j++;
                    }
                }
                while (i < accN) {
                    merged[k++] = acc[i++];
                }
                while (j < p) {
                    merged[k++] = part[j++];
                }
                int[] t = acc;
                acc = merged;
                merged = t;
                accN = k;
                if (accN == n) {
                    break;
                }
            }
            System.arraycopy(acc, 0, out, 0, accN);
            return accN;
        }

        public boolean mayMatch(ZoneMap[] zones) {
            for (Filter child : children) {
                if (child.mayMatch(zones)) {
                    return true;
                }
            }
            return false;
        }

        public boolean allMatch(ZoneMap[] zones) {
            for (Filter child : children) {
                if (child.allMatch(zones)) {
                    return true;
                }
            }
            return false;
        }

        public void columns(java.util.Set<Integer> into) {
            children.forEach(c -> c.columns(into));
        }
    }

    /** The child must not match. */
    record Not(Filter child) implements Filter {
        public int select(Block block, int[] in, int n, int[] out) {
            int[] hit = new int[n];
            int h = child.select(block, in, n, hit);
            int m = 0;
            int j = 0;
            for (int i = 0; i < n; i++) {
                int r = in[i];
                if (j < h && hit[j] == r) {
                    j++;
                } else {
                    out[m++] = r;
                }
            }
            return m;
        }

        public boolean mayMatch(ZoneMap[] zones) {
            return !child.allMatch(zones);
        }

        public boolean allMatch(ZoneMap[] zones) {
            return !child.mayMatch(zones);
        }

        public void columns(java.util.Set<Integer> into) {
            child.columns(into);
        }
    }
}
