package io.strata.node.columnar.shard;

import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.ColumnVectors;
import io.strata.node.columnar.query.Partial;
import io.strata.node.columnar.segment.Segment;
import io.strata.node.common.StrataException;

import java.util.List;

/**
 * A consistent view of a table shard's rows at one moment: its sealed segments, then its blocks
 * in memory (being sealed, then the tail), in row order. Segments are immutable and the memory
 * blocks never change, so a snapshot can be scanned on any thread while the shard goes on
 * taking rows. Row {@code r} of the shard is the same row in every later snapshot too (rows are
 * only ever appended, and sealing keeps their order), which is what lets an export read a shard
 * page by page.
 *
 * @param rows every row the snapshot holds
 */
public record ShardSnapshot(List<Segment> segments, List<MemoryBlock> memory, long rows) {

    /** How long a scan may run, and how big its answer may grow. */
    public record Limits(long deadlineNanos, long maxHeld) {

        void check(Partial partial) {
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new StrataException(StrataException.Kind.TIMEOUT, "query_timeout",
                        "the query ran past its time limit and was cancelled");
            }
            if (partial.held() > maxHeld) {
                throw new StrataException(StrataException.Kind.UNPROCESSABLE, "result_too_large",
                        "the answer would hold more than " + maxHeld + " rows or groups; add a limit or filter, "
                                + "or export the result as CSV or NDJSON");
            }
        }
    }

    /** What a page read: the partial over its blocks, and where the next page starts. */
    public record Page(Partial partial, long nextRow) {}

    /** Feeds every row to {@code partial}, skipping blocks by zone maps, within {@code limits}. */
    public void scan(Partial partial, Limits limits) {
        for (Segment segment : segments) {
            limits.check(partial);
            if (partial.complete()) {
                return;
            }
            segment.scan(partial);
        }
        for (MemoryBlock block : memory) {
            limits.check(partial);
            offer(partial, block.vectors(), block);
        }
        limits.check(partial);
    }

    private static void offer(Partial partial, ColumnVector[] vectors, MemoryBlock block) {
        if (block != null && block.zones() != null) {
            partial.offer(block.zones(), () -> vectors);
        } else if (!partial.complete()) {
            partial.add(vectors);
        }
    }

    /**
     * Feeds {@code partial} the rows from {@code fromRow} (a block boundary: 0 or the
     * {@code nextRow} of an earlier page) up to {@code untilRow}, block by block, until it holds
     * {@code maxRows} rows or {@code maxBlocks} blocks were read.
     */
    public Page page(Partial partial, long fromRow, long untilRow, int maxRows, int maxBlocks, Limits limits) {
        long start = 0;
        int blocksRead = 0;
        for (Segment segment : segments) {
            for (int b = 0; b < segment.blocks(); b++) {
                int rows = segment.zoneMaps(b)[0].rowCount();
                if (start >= fromRow && start < untilRow) {
                    if (partial.held() >= maxRows || blocksRead >= maxBlocks) {
                        return new Page(partial, start);
                    }
                    limits.check(partial);
                    int block = b;
                    int keep = (int) Math.min(rows, untilRow - start);
                    if (keep == rows) {
                        partial.offer(segment.zoneMaps(b), () -> read(segment, block, partial, rows));
                    } else {
                        partial.add(prefix(read(segment, block, partial, rows), keep));
                    }
                    blocksRead++;
                }
                start += rows;
            }
        }
        for (MemoryBlock block : memory) {
            if (start >= fromRow && start < untilRow) {
                if (partial.held() >= maxRows || blocksRead >= maxBlocks) {
                    return new Page(partial, start);
                }
                limits.check(partial);
                int keep = (int) Math.min(block.rows(), untilRow - start);
                offer(partial, keep == block.rows() ? block.vectors() : prefix(block.vectors(), keep), keep == block.rows() ? block : null);
                blocksRead++;
            }
            start += block.rows();
        }
        return new Page(partial, untilRow);
    }

    private static ColumnVector[] read(Segment segment, int block, Partial partial, int rows) {
        ColumnVector[] vectors = new ColumnVector[segment.schema().size()];
        for (int c : partial.query().neededColumns()) {
            vectors[c] = segment.read(block, c);
        }
        return vectors;
    }

    private static ColumnVector[] prefix(ColumnVector[] vectors, int rows) {
        ColumnVector[] cut = new ColumnVector[vectors.length];
        for (int c = 0; c < vectors.length; c++) {
            cut[c] = vectors[c] == null ? null : ColumnVectors.prefix(vectors[c], rows);
        }
        return cut;
    }
}
