package io.strata.node.columnar.query;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What running a query cost: shards, segments and blocks scanned and skipped, rows scanned, bytes
 * read and milliseconds (engine time in a partial; the gateway reports the query's wall-clock time). The engine counts blocks, rows and its own time; shards add segment counts
 * and bytes, which only they know. Mutable and single-threaded; {@link #add} sums another's counts.
 */
public final class QueryStats {

    /** Shards that scanned at least one block, and shards whose every block was skipped: set by the gateway. */
    public long shardsScanned;
    public long shardsSkipped;
    public long segmentsScanned;
    public long segmentsSkipped;
    public long blocksScanned;
    public long blocksSkipped;
    public long rowsScanned;
    public long bytesRead;
    public long nanos;

    public void add(QueryStats o) {
        shardsScanned += o.shardsScanned;
        shardsSkipped += o.shardsSkipped;
        segmentsScanned += o.segmentsScanned;
        segmentsSkipped += o.segmentsSkipped;
        blocksScanned += o.blocksScanned;
        blocksSkipped += o.blocksSkipped;
        rowsScanned += o.rowsScanned;
        bytesRead += o.bytesRead;
        nanos += o.nanos;
    }

    /** The stats object of a query answer, keys in a stable order. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("shards_scanned", shardsScanned);
        m.put("shards_skipped", shardsSkipped);
        m.put("segments_scanned", segmentsScanned);
        m.put("segments_skipped", segmentsSkipped);
        m.put("blocks_scanned", blocksScanned);
        m.put("blocks_skipped", blocksSkipped);
        m.put("rows_scanned", rowsScanned);
        m.put("bytes_read", bytesRead);
        m.put("millis", nanos / 1_000_000);
        return m;
    }
}
