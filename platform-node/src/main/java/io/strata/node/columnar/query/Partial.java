package io.strata.node.columnar.query;

import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.ZoneMap;
import io.strata.node.columnar.query.proto.PartialMsg;
import io.strata.node.columnar.query.proto.QueryStatsMsg;

import java.util.function.Supplier;

/**
 * The partial answer of one query over some blocks: what a shard computes over its own blocks and
 * the gateway merges across shards (scatter-gather).
 *
 * <p>A shard makes one with {@link #of(Query)}, feeds it every block through {@link #offer} (zone
 * maps first, so blocks that cannot match are skipped before decoding) or {@link #add}, and
 * ships it; the gateway {@link #merge}s the partials in any order and calls {@link #finish} once,
 * which applies ORDER BY (nulls last) and LIMIT. Blocks are given as {@code ColumnVector[]}
 * indexed by schema position, with at least {@link Query#neededColumns()} present (others may be
 * null).
 *
 * <p>Not thread-safe: one thread feeds a partial at a time. {@code merge} takes over the other
 * partial's state; do not use the other afterwards. Cost per block is linear in its rows, with one
 * primitive loop per filter predicate and aggregate.
 *
 * <p>To cross nodes a partial travels as a {@link PartialMsg} ({@code query.proto}):
 * {@link #toProto} on the shard, {@link #fromProto} with the same query on the gateway. The
 * decoded partial merges and finishes exactly as the original would, bit for bit.
 */
public abstract sealed class Partial permits PartialAggregation, PartialScan {

    protected final Query query;
    protected final QueryStats stats = new QueryStats();
    /** Reused across blocks (a partial is single-threaded): 0, 1, 2, ... and the selection the filter narrows. */
    private int[] identity = new int[0];
    private int[] selection = new int[0];
    /** The zone maps of the block {@link #offer} is adding, else null: hints for {@link #consume}. */
    ZoneMap[] offeredZones;

    Partial(Query query) {
        this.query = query;
    }

    /** An empty partial for {@code query}: an aggregation or a row scan as the query asks. */
    public static Partial of(Query query) {
        return query.aggregating() ? new PartialAggregation(query) : new PartialScan(query);
    }

    public Query query() {
        return query;
    }

    public QueryStats stats() {
        return stats;
    }

    /**
     * Offers a block by its zone maps (schema-indexed, null where unknown): skips it when the
     * where clause cannot match or the answer is already complete, else decodes it with
     * {@code decode} and adds it. Returns whether the block was scanned.
     */
    public boolean offer(ZoneMap[] zones, Supplier<ColumnVector[]> decode) {
        if (complete() || !query.mayMatch(zones)) {
            stats.blocksSkipped++;
            return false;
        }
        ColumnVector[] vectors = decode.get();
        offeredZones = zones;
        try {
            add(vectors);
        } finally {
            offeredZones = null;
        }
        return true;
    }

    /**
     * Adds every matching row of a decoded block: vectors by schema index, all of the same size,
     * with at least the needed columns (a query that needs none, a bare count, takes its row
     * count from any one vector).
     */
    public void add(ColumnVector[] vectors) {
        long start = System.nanoTime();
        Block block = new Block(vectors, query.needed());
        stats.blocksScanned++;
        stats.rowsScanned += block.size;
        int n = block.size;
        int[] sel = allRows(n);
        if (query.where() != null && n > 0) {
            n = query.where().select(block, sel, n, sel);
        }
        if (n > 0) {
            consume(block, sel, n);
        }
        stats.nanos += System.nanoTime() - start;
    }

    /** A selection of rows 0 .. n-1, in a buffer this partial reuses for the next block. */
    private int[] allRows(int n) {
        if (identity.length < n) {
            identity = new int[n];
            for (int i = 0; i < n; i++) {
                identity[i] = i;
            }
            selection = new int[n];
        }
        System.arraycopy(identity, 0, selection, 0, n);
        return selection;
    }

    /** Merges another partial of the same query into this one. */
    public void merge(Partial other) {
        if (other == this) {
            throw new IllegalArgumentException("a partial cannot merge into itself");
        }
        if (!other.getClass().equals(getClass()) || !other.query.outputNames().equals(query.outputNames())) {
            throw new IllegalArgumentException("partials of different queries cannot merge");
        }
        long start = System.nanoTime();
        mergeFrom(other);
        stats.add(other.stats);
        stats.nanos += System.nanoTime() - start;
    }

    /** The answer: ordered, limited, JSON-ready. */
    public QueryResult finish() {
        long start = System.nanoTime();
        var rows = finishRows();
        stats.nanos += System.nanoTime() - start;
        QueryStats copy = new QueryStats();
        copy.add(stats);
        return new QueryResult(query.outputNames(), rows, copy);
    }

    /**
     * This partial as a message: the stats and, for an aggregation, every group's key (typed,
     * nulls listed, strings through a string table) and aggregate state (counts, sums, min/max
     * with presence, distinct sets); for a scan, the kept rows column-major. The query is not
     * included. Size is linear in groups times aggregates plus distinct values and strings, or in
     * kept rows times columns; this partial is unchanged and usable afterwards. The message is
     * immutable, so any thread may serialize or send it.
     */
    public PartialMsg toProto() {
        PartialMsg.Builder b = PartialMsg.newBuilder()
                .addAllColumns(query.outputNames())
                .setStats(QueryStatsMsg.newBuilder()
                        .setSegmentsScanned(stats.segmentsScanned)
                        .setSegmentsSkipped(stats.segmentsSkipped)
                        .setBlocksScanned(stats.blocksScanned)
                        .setBlocksSkipped(stats.blocksSkipped)
                        .setRowsScanned(stats.rowsScanned)
                        .setBytesRead(stats.bytesRead)
                        .setNanos(stats.nanos));
        if (this instanceof PartialAggregation a) {
            b.setAggregation(a.write());
        } else {
            b.setScan(((PartialScan) this).write());
        }
        return b.build();
    }

    /**
     * The partial {@link #toProto} wrote, for {@code query}: the same query (JSON and schema)
     * the shard ran. A message of another query or a malformed one is an
     * {@link IllegalArgumentException}. Costs time linear in the message's size.
     */
    public static Partial fromProto(PartialMsg msg, Query query) {
        if (!msg.getColumnsList().equals(query.outputNames())
                || msg.hasAggregation() != query.aggregating() || msg.hasScan() == query.aggregating()) {
            throw new IllegalArgumentException("the partial is not one of this query");
        }
        Partial p = of(query);
        if (p instanceof PartialAggregation a) {
            a.read(msg.getAggregation());
        } else {
            ((PartialScan) p).read(msg.getScan());
        }
        QueryStatsMsg s = msg.getStats();
        p.stats.segmentsScanned = s.getSegmentsScanned();
        p.stats.segmentsSkipped = s.getSegmentsSkipped();
        p.stats.blocksScanned = s.getBlocksScanned();
        p.stats.blocksSkipped = s.getBlocksSkipped();
        p.stats.rowsScanned = s.getRowsScanned();
        p.stats.bytesRead = s.getBytesRead();
        p.stats.nanos = s.getNanos();
        return p;
    }

    /** Groups (an aggregation) or kept rows (a scan) this partial holds: what its answer's size grows with. */
    public long held() {
        return this instanceof PartialAggregation a ? a.groupCount() : ((PartialScan) this).rowCount();
    }

    /** Whether more rows cannot change the answer (a LIMIT without ORDER BY is filled). */
    public boolean complete() {
        return false;
    }

    abstract void consume(Block block, int[] sel, int n);

    abstract void mergeFrom(Partial other);

    abstract java.util.List<java.util.List<Object>> finishRows();
}
