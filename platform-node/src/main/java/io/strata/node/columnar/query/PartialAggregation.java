package io.strata.node.columnar.query;

import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.ZoneMap;
import io.strata.node.columnar.query.proto.AggregationMsg;
import io.strata.node.columnar.query.proto.ValuesMsg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongUnaryOperator;

/**
 * The partial of an aggregating query: per group, the state of every aggregate.
 *
 * <p>Grouping maps each selected row to a dense group id: a single dictionary-coded STRING key
 * resolves once per dictionary code per block; a single INT64/TIMESTAMP/FLOAT64/BOOL key probes a
 * primitive hash table; composite keys probe a table of fixed-width long keys (one word per
 * column plus a null mask). A single INT64/TIMESTAMP key whose values in a block span fewer than
 * {@value #DENSE_SPAN} (as small, dense keys do) also goes through a direct-indexed array of group
 * ids by {@code key - base}, a cache of the hash table, so it probes the table once per distinct
 * key rather than once per row. Nulls form their own group. FLOAT64 keys group NaNs together and
 * {@code -0.0} with {@code 0.0}. Without GROUP BY there is exactly one group, present even when
 * no row matched (count 0, other aggregates null).
 *
 * <p>Aggregates ignore null values; sum, avg, min and max of no values are null. INT64 sums are
 * exact or fail with {@code sum_overflow} (422); FLOAT64 sums are IEEE doubles whose last bits
 * may depend on block and merge order. count_distinct is exact (a hash set per group) and, like
 * grouping, counts all NaNs as one value and {@code -0.0} as {@code 0.0}. Memory is
 * linear in the number of groups (plus distinct values). Not thread-safe.
 */
public final class PartialAggregation extends Partial {

    private final int[] keys;
    private final ColumnType[] keyTypes;
    private final boolean composite;
    private final GroupTable table;
    private int nullGroup = -1;
    private int groups;
    private final StringPool pool = new StringPool();
    private final List<Query.Aggregate> aggregates;
    private final AggState[] states;
    /** Each row's group id, reused from block to block. */
    private int[] rowGroups = new int[0];
    /**
     * For a single INT64/TIMESTAMP key: group id + 1 of key {@code denseBase + i} at {@code i}, 0
     * while not looked up; a window of at most {@link #DENSE_SPAN} keys, empty until a block fits.
     */
    private int[] dense = new int[0];
    private long denseBase;

    /** Most keys the direct-indexed cache covers (256 KiB of ints). */
    static final int DENSE_SPAN = 1 << 16;

    PartialAggregation(Query query) {
        super(query);
        this.keys = query.groupByInternal();
        this.keyTypes = new ColumnType[keys.length];
        for (int j = 0; j < keys.length; j++) {
            keyTypes[j] = query.schema().columns().get(keys[j]).type();
        }
        this.composite = keys.length > 1;
        this.table = keys.length == 0 ? null : new GroupTable(composite ? keys.length + 1 : 1);
        this.groups = keys.length == 0 ? 1 : 0;
        this.aggregates = query.aggregates();
        this.states = new AggState[aggregates.size()];
        for (int i = 0; i < states.length; i++) {
            states[i] = AggState.of(aggregates.get(i), pool);
            states[i].ensure(groups);
        }
    }

    /** Number of groups so far. */
    public int groupCount() {
        return groups;
    }

    @Override
    void consume(Block block, int[] sel, int n) {
        // Without GROUP BY every row is in group 0, which aggregates take as no group array at all.
        int[] g = null;
        if (keys.length > 0) {
            if (rowGroups.length < n) {
                rowGroups = new int[Math.max(n, block.size)];
            }
            g = rowGroups;
            if (keys.length == 1) {
                resolveSingle(block, sel, n, g);
            } else {
                resolveComposite(block, sel, n, g);
            }
            groups = table.count();
        }
        for (AggState s : states) {
            s.ensure(groups);
            s.update(block, sel, n, g);
        }
    }

    private int nullGroup() {
        if (nullGroup < 0) {
            nullGroup = table.allocate();
        }
        return nullGroup;
    }

    private void resolveSingle(Block block, int[] sel, int n, int[] g) {
        int column = keys[0];
        boolean[] nulls = block.nulls(column);
        ColumnVector v = block.vectors[column];
        if (v instanceof ColumnVector.StringVector sv) {
            int[] codeGroup = new int[sv.dictionary().length];
            Arrays.fill(codeGroup, -1);
            int[] codes = sv.codes();
            for (int i = 0; i < n; i++) {
                int r = sel[i];
                if (nulls != null && nulls[r]) {
                    g[i] = nullGroup();
                } else {
                    int code = codes[r];
                    int group = codeGroup[code];
                    if (group < 0) {
                        group = table.findOrInsert(block.poolId(column, code, pool));
                        codeGroup[code] = group;
                    }
                    g[i] = group;
                }
            }
        } else if (v instanceof ColumnVector.LongVector lv) {
            resolveLongs(lv.values(), nulls, sel, n, g);
        } else {
            long[] k = block.keys(column, sel, n, pool);
            for (int i = 0; i < n; i++) {
                g[i] = nulls != null && nulls[sel[i]] ? nullGroup() : table.findOrInsert(k[i]);
            }
        }
    }

    /**
     * Group ids of INT64/TIMESTAMP keys. Keys inside the dense window take their group from it
     * (the table on first sight); others probe the table. The window widens to the block's key
     * range, from its zone map when offered (else a pass over the keys), when the two together
     * span at most {@link #DENSE_SPAN} keys. Each key is checked against the window, so a zone
     * map that understates the range costs speed, never correctness.
     */
    private void resolveLongs(long[] a, boolean[] nulls, int[] sel, int n, int[] g) {
        ZoneMap zone = offeredZones == null ? null : offeredZones[keys[0]];
        long min;
        long max;
        if (zone != null && !zone.allNull()) {
            min = zone.minLong();
            max = zone.maxLong();
        } else {
            min = Long.MAX_VALUE;
            max = Long.MIN_VALUE;
            for (int i = 0; i < n; i++) {
                int r = sel[i];
                if (nulls == null || !nulls[r]) {
                    min = Math.min(min, a[r]);
                    max = Math.max(max, a[r]);
                }
            }
        }
        if (min <= max) {
            widenDense(min, max);
        }
        int[] map = dense;
        long base = denseBase;
        // The window's last key, computed without overflow: the window only ever covers real keys.
        long last = base + (map.length - 1);
        for (int i = 0; i < n; i++) {
            int r = sel[i];
            if (nulls != null && nulls[r]) {
                g[i] = nullGroup();
                continue;
            }
            long k = a[r];
            if (k >= base & k <= last) {
                int slot = (int) (k - base);
                int group = map[slot] - 1;
                if (group < 0) {
                    group = table.findOrInsert(k);
                    map[slot] = group + 1;
                }
                g[i] = group;
            } else {
                g[i] = table.findOrInsert(k);
            }
        }
    }

    /**
     * Widens the dense window to cover keys {@code min .. max} too, when together they span at
     * most {@link #DENSE_SPAN} keys; else leaves it. Differences wrap: a span of 2^63 or more
     * comes out negative and is refused, so extreme keys are exact too.
     */
    private void widenDense(long min, long max) {
        long lo = min;
        long hi = max;
        if (dense.length > 0) {
            lo = Math.min(lo, denseBase);
            hi = Math.max(hi, denseBase + (dense.length - 1));
        }
        long span = hi - lo;
        if (span < 0 || span >= DENSE_SPAN || (lo == denseBase && span < dense.length)) {
            return;
        }
        int[] grown = new int[(int) span + 1];
        if (dense.length > 0) {
            System.arraycopy(dense, 0, grown, (int) (denseBase - lo), dense.length);
        }
        dense = grown;
        denseBase = lo;
    }

    private void resolveComposite(Block block, int[] sel, int n, int[] g) {
        int width = keys.length;
        long[][] cols = new long[width][];
        boolean[][] nulls = new boolean[width][];
        for (int j = 0; j < width; j++) {
            cols[j] = block.keys(keys[j], sel, n, pool);
            nulls[j] = block.nulls(keys[j]);
        }
        long[] scratch = new long[width + 1];
        for (int i = 0; i < n; i++) {
            int r = sel[i];
            long mask = 0;
            for (int j = 0; j < width; j++) {
                scratch[j] = cols[j][i];
                if (nulls[j] != null && nulls[j][r]) {
                    mask |= 1L << j;
                }
            }
            scratch[width] = mask;
            g[i] = table.findOrInsert(scratch);
        }
    }

    @Override
    void mergeFrom(Partial other) {
        PartialAggregation o = (PartialAggregation) other;
        int[] map = new int[o.groups];
        if (keys.length == 1) {
            for (int og = 0; og < o.groups; og++) {
                map[og] = og == o.nullGroup ? nullGroup()
                        : table.findOrInsert(translate(o, 0, o.table.key(og, 0)));
            }
        } else if (composite) {
            long[] scratch = new long[keys.length + 1];
            for (int og = 0; og < o.groups; og++) {
                long mask = o.table.key(og, keys.length);
                for (int j = 0; j < keys.length; j++) {
                    scratch[j] = (mask & (1L << j)) != 0 ? 0 : translate(o, j, o.table.key(og, j));
                }
                scratch[keys.length] = mask;
                map[og] = table.findOrInsert(scratch);
            }
        }
        if (table != null) {
            groups = table.count();
        }
        for (int i = 0; i < states.length; i++) {
            states[i].ensure(groups);
            int column = aggregates.get(i).column();
            boolean strings = column >= 0 && query.schema().columns().get(column).type() == ColumnType.STRING;
            LongUnaryOperator translate = strings ? id -> pool.id(o.pool.get((int) id)) : LongUnaryOperator.identity();
            states[i].merge(o.states[i], map, translate);
        }
    }

    private long translate(PartialAggregation o, int keyIndex, long word) {
        return keyTypes[keyIndex] == ColumnType.STRING ? pool.id(o.pool.get((int) word)) : word;
    }

    /** This partial's state as a message: groups in id order, the string pool as its string table. */
    AggregationMsg write() {
        AggregationMsg.Builder b = AggregationMsg.newBuilder().setGroups(groups);
        for (int id = 0; id < pool.size(); id++) {
            b.addStrings(pool.get(id));
        }
        for (int j = 0; j < keys.length; j++) {
            ValuesMsg.Builder v = ValuesMsg.newBuilder();
            for (int g = 0; g < groups; g++) {
                boolean isNull = composite ? (table.key(g, keys.length) & (1L << j)) != 0 : g == nullGroup;
                long word = table.key(g, composite ? j : 0);
                if (isNull) {
                    v.addNulls(g);
                    word = 0;
                }
                switch (keyTypes[j]) {
                    case INT64, TIMESTAMP -> v.addLongs(word);
                    case FLOAT64 -> v.addDoubles(Double.longBitsToDouble(word));
                    case BOOL -> v.addBools(word != 0);
                    case STRING -> v.addStringIds((int) word);
                }
            }
            b.addKeys(v);
        }
        for (AggState s : states) {
            b.addAggregates(s.write(groups));
        }
        return b.build();
    }

    /**
     * Restores the state {@link #write} gave into this empty partial, recreating groups in the
     * same order with the same ids so the result is the one the original would give.
     */
    void read(AggregationMsg msg) {
        int n = msg.getGroups();
        if (msg.getKeysCount() != keys.length || msg.getAggregatesCount() != states.length
                || n < 0 || (keys.length == 0 && n != 1)) {
            throw new IllegalArgumentException("the partial does not fit the query's group keys and aggregates");
        }
        // Checked before allocating per group, so a corrupt group count cannot exhaust memory.
        for (int j = 0; j < keys.length; j++) {
            int count = keyCount(msg.getKeys(j), keyTypes[j]);
            if (count != n) {
                throw new IllegalArgumentException("expected " + n + " group keys, got " + count);
            }
        }
        for (int id = 0; id < msg.getStringsCount(); id++) {
            if (pool.id(msg.getStrings(id)) != id) {
                throw new IllegalArgumentException("the partial's string table repeats a string");
            }
        }
        long[][] words = new long[keys.length][];
        long[] masks = new long[n];
        for (int j = 0; j < keys.length; j++) {
            for (int g : msg.getKeys(j).getNullsList()) {
                if (g >= n) {
                    throw new IllegalArgumentException("null group " + g + " out of " + n);
                }
                masks[g] |= 1L << j;
            }
            words[j] = keyWords(msg.getKeys(j), keyTypes[j], n, masks, j, msg.getStringsCount());
        }
        long[] scratch = new long[keys.length + 1];
        for (int g = 0; g < n && keys.length > 0; g++) {
            int got;
            if (composite) {
                for (int j = 0; j < keys.length; j++) {
                    scratch[j] = words[j][g];
                }
                scratch[keys.length] = masks[g];
                got = table.findOrInsert(scratch);
            } else if (masks[g] != 0) {
                got = nullGroup < 0 ? nullGroup() : -1;
            } else {
                got = table.findOrInsert(words[0][g]);
            }
            if (got != g) {
                throw new IllegalArgumentException("the partial repeats group key " + g);
            }
        }
        if (table != null) {
            groups = table.count();
        }
        for (int i = 0; i < states.length; i++) {
            states[i].ensure(groups);
            states[i].read(msg.getAggregates(i), groups);
        }
    }

    private static int keyCount(ValuesMsg v, ColumnType type) {
        return switch (type) {
            case INT64, TIMESTAMP -> v.getLongsCount();
            case FLOAT64 -> v.getDoublesCount();
            case BOOL -> v.getBoolsCount();
            case STRING -> v.getStringIdsCount();
        };
    }

    /** The key words of column {@code j} as the engine keys them, 0 at null groups. */
    private static long[] keyWords(ValuesMsg v, ColumnType type, int n, long[] masks, int j, int strings) {
        long[] out = new long[n];
        for (int g = 0; g < n; g++) {
            if ((masks[g] & (1L << j)) != 0) {
                continue;
            }
            out[g] = switch (type) {
                case INT64, TIMESTAMP -> v.getLongs(g);
                case FLOAT64 -> Values.doubleKey(v.getDoubles(g));
                case BOOL -> v.getBools(g) ? 1 : 0;
                case STRING -> v.getStringIds(g);
            };
            if (type == ColumnType.STRING && (out[g] < 0 || out[g] >= strings)) {
                throw new IllegalArgumentException("string id " + out[g] + " out of " + strings);
            }
        }
        return out;
    }

    /** The raw value of key column {@code j} of group {@code g}. */
    private Object keyValue(int g, int j) {
        long word;
        if (composite) {
            if ((table.key(g, keys.length) & (1L << j)) != 0) {
                return null;
            }
            word = table.key(g, j);
        } else {
            if (g == nullGroup) {
                return null;
            }
            word = table.key(g, 0);
        }
        return switch (keyTypes[j]) {
            case INT64, TIMESTAMP -> word;
            case FLOAT64 -> Double.longBitsToDouble(word);
            case BOOL -> word != 0;
            case STRING -> pool.get((int) word);
        };
    }

    @Override
    List<List<Object>> finishRows() {
        int[] select = query.selectInternal();
        int[] keyPos = new int[select.length];
        for (int s = 0; s < select.length; s++) {
            for (int j = 0; j < keys.length; j++) {
                if (keys[j] == select[s]) {
                    keyPos[s] = j;
                }
            }
        }
        long limit = query.limit();
        Rows.TopK top = limit >= 0 && limit < groups ? new Rows.TopK(Rows.comparator(query), (int) limit) : null;
        List<Object[]> rows = new ArrayList<>(top == null ? groups : 0);
        for (int g = 0; g < groups; g++) {
            Object[] row = new Object[select.length + states.length];
            for (int s = 0; s < select.length; s++) {
                row[s] = keyValue(g, keyPos[s]);
            }
            for (int a = 0; a < states.length; a++) {
                row[select.length + a] = states[a].value(g);
            }
            if (top != null) {
                top.offer(row);
            } else {
                rows.add(row);
            }
        }
        return Rows.finish(query, top != null ? top.rows() : rows, true);
    }
}
