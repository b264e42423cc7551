package io.strata.node.columnar.shard;

import io.strata.node.columnar.ColumnBuilder;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.ColumnVectors;
import io.strata.node.columnar.RowBatches;
import io.strata.node.columnar.Schema;
import io.strata.node.columnar.ZoneMap;
import io.strata.node.columnar.encoding.ZoneMaps;
import io.strata.node.columnar.proto.RowBatch;

import java.util.ArrayList;
import java.util.List;

/**
 * A table shard's mutable in-memory tail: the rows logged since the last seal, as full blocks of
 * {@code blockRows} rows (immutable, with zone maps) and one block being filled. Queries see it
 * through {@link #snapshot}, which never copies value arrays: appends only write past a
 * snapshot's end.
 *
 * <p>Not thread-safe: owned by the shard actor (or by recovery before it hands the tail over).
 */
final class ShardTail {

    private final Schema schema;
    private final int blockRows;
    private final List<MemoryBlock> full = new ArrayList<>();
    private ColumnBuilder[] open;
    private long rows;

    ShardTail(Schema schema, int blockRows) {
        this.schema = schema;
        this.blockRows = blockRows;
        this.open = newBuilders();
    }

    private ColumnBuilder[] newBuilders() {
        return schema.columns().stream().map(c -> ColumnBuilder.of(c.type())).toArray(ColumnBuilder[]::new);
    }

    /** Rows in the tail. */
    long rows() {
        return rows;
    }

    /** Appends a logged batch, cutting a block each time the open one reaches {@code blockRows}. */
    void append(RowBatch batch) {
        int from = 0;
        while (from < batch.getRows()) {
            int take = Math.min(batch.getRows() - from, blockRows - open[0].size());
            RowBatches.appendTo(batch, from, from + take, open);
            from += take;
            rows += take;
            if (open[0].size() == blockRows) {
                cutOpenBlock();
            }
        }
    }

    private void cutOpenBlock() {
        ColumnVector[] vectors = new ColumnVector[open.length];
        ZoneMap[] zones = new ZoneMap[open.length];
        for (int c = 0; c < open.length; c++) {
            vectors[c] = open[c].build();
            zones[c] = ZoneMaps.of(schema.columns().get(c).type(), vectors[c]);
        }
        full.add(new MemoryBlock(vectors, zones, vectors.length == 0 ? 0 : vectors[0].size()));
        open = newBuilders();
    }

    /** The first {@code limit} rows of the tail (all of them when it has fewer), as immutable blocks. */
    List<MemoryBlock> snapshot(long limit) {
        List<MemoryBlock> blocks = new ArrayList<>(full.size() + 1);
        long left = limit;
        for (MemoryBlock block : full) {
            if (left <= 0) {
                return blocks;
            }
            if (block.rows() <= left) {
                blocks.add(block);
            } else {
                blocks.add(prefix(block.vectors(), (int) left));
            }
            left -= block.rows();
        }
        int openRows = (int) Math.min(left, open[0].size());
        if (openRows > 0) {
            ColumnVector[] vectors = new ColumnVector[open.length];
            for (int c = 0; c < open.length; c++) {
                vectors[c] = open[c].build();
            }
            blocks.add(prefix(vectors, openRows));
        }
        return blocks;
    }

    private static MemoryBlock prefix(ColumnVector[] vectors, int rows) {
        ColumnVector[] cut = new ColumnVector[vectors.length];
        for (int c = 0; c < vectors.length; c++) {
            cut[c] = ColumnVectors.prefix(vectors[c], rows);
        }
        return new MemoryBlock(cut, null, rows);
    }

    /**
     * Takes every row out of the tail as blocks with zone maps (the open block cut short), for
     * sealing; the tail is empty afterwards.
     */
    List<MemoryBlock> drain() {
        if (open[0].size() > 0) {
            cutOpenBlock();
        }
        List<MemoryBlock> blocks = List.copyOf(full);
        full.clear();
        rows = 0;
        return blocks;
    }

    /** About how many bytes of heap the tail takes. */
    long memoryBytes() {
        long bytes = 0;
        for (MemoryBlock block : full) {
            bytes += block.memoryBytes();
        }
        if (open[0].size() > 0) {
            for (ColumnBuilder builder : open) {
                bytes += ColumnVectors.memoryBytes(builder.build());
            }
        }
        return bytes;
    }
}
