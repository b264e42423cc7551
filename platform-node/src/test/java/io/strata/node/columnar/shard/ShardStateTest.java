package io.strata.node.columnar.shard;

import io.strata.node.columnar.Column;
import io.strata.node.columnar.ColumnBuilder;
import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.ColumnarSettings;
import io.strata.node.columnar.RowBatches;
import io.strata.node.columnar.Schema;
import io.strata.node.columnar.proto.RowBatch;
import io.strata.node.columnar.query.Partial;
import io.strata.node.common.StrataException;
import io.strata.node.storage.DiskSpace;
import io.strata.node.storage.Durability;
import io.strata.node.storage.EntryLog;
import io.strata.node.storage.LegacyEntryLog;
import io.strata.node.log.PartitionLog;
import io.strata.node.storage.StorageConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A shard's state on real files: appends, seals, snapshots, export pages, and recovery from
 * every point a crash can interrupt (an insert half logged, a segment written but not in the
 * manifest, a manifest written but the sealed log not yet deleted): every acknowledged row is
 * recovered exactly once.
 */
class ShardStateTest {

    private static final Schema SCHEMA = new Schema(List.of(
            new Column("id", ColumnType.INT64, false), new Column("name", ColumnType.STRING, true)));
    private static DiskSpace space(Path dir) {
        return DiskSpace.of(dir.getParent(), 0, Duration.ofSeconds(1));
    }

    private static final ColumnarSettings SETTINGS = new ColumnarSettings(1, 4, 8, Durability.MMAP,
            StorageConfig.rollCycle("FAST_DAILY", "test"), 1000, 1000, Duration.ofSeconds(10), 3);
    private static final String ALL = "{\"select\":[\"id\",\"name\"]}";

    /** Rows with ids {@code from .. to-1}; every third name is null. */
    private static RowBatch rows(int from, int to) {
        ColumnBuilder.Longs ids = (ColumnBuilder.Longs) ColumnBuilder.of(ColumnType.INT64);
        ColumnBuilder.Strings names = (ColumnBuilder.Strings) ColumnBuilder.of(ColumnType.STRING);
        for (int i = from; i < to; i++) {
            ids.append(i);
            if (i % 3 == 0) {
                names.appendNull();
            } else {
                names.append("n" + i);
            }
        }
        ColumnVector[] vectors = {ids.build(), names.build()};
        return RowBatches.toProto(vectors, 0, to - from);
    }

    /** Starts a seal as the shard actor does: the next log generation opened first, then handed over. */
    private static ShardState.Seal startSeal(ShardState state) {
        ShardState.NextLog next = state.nextLog();
        return state.startSeal(next, next.open());
    }

    /** The ids of every row a full scan of the snapshot sees, in row order. */
    private static List<Long> ids(ShardSnapshot snapshot) {
        Partial partial = ShardState.newPartial(ALL, SCHEMA);
        snapshot.scan(partial, new ShardSnapshot.Limits(System.nanoTime() + 10_000_000_000L, Long.MAX_VALUE));
        return idsOf(partial);
    }

    private static List<Long> idsOf(Partial partial) {
        List<Long> ids = new ArrayList<>();
        partial.finish().rows().forEach(row -> ids.add((Long) row.get(0)));
        return ids;
    }

    private static List<Long> range(int from, int to) {
        List<Long> ids = new ArrayList<>();
        for (long i = from; i < to; i++) {
            ids.add(i);
        }
        return ids;
    }

    private static void seal(ShardState state) {
        state.finishSeal(startSeal(state).write());
    }

    @Test
    void rowsSurviveReopeningFromSegmentsAndTheLog(@TempDir Path dir) {
        ShardState state = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        state.append(List.of(rows(0, 5)));
        state.append(List.of(rows(5, 7), rows(7, 11)));
        seal(state);
        state.append(List.of(rows(11, 14)));
        assertEquals(14, state.rows());
        assertEquals(11, state.segmentRows());
        assertEquals(range(0, 14), ids(state.snapshot(state.rows())));
        state.close();

        ShardState reopened = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        assertEquals(14, reopened.rows());
        assertEquals(11, reopened.segmentRows());
        assertEquals(range(0, 14), ids(reopened.snapshot(reopened.rows())));
        var info = reopened.info();
        assertEquals(1, info.segments());
        assertEquals(3, info.tailRows());
        assertTrue(info.columns().get(0).raw() > 0 && info.columns().get(0).encoded() > 0, info.toString());
        reopened.close();
    }

    @Test
    void aTailThatOutgrewTheSegmentSizeIsSealedIntoSeveralSegments(@TempDir Path dir) {
        ShardState state = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        // 30 rows in blocks of 4, segments of 8: 8, 8 and the last 14 (what is left joins the last).
        state.append(List.of(rows(0, 13), rows(13, 30)));
        seal(state);
        assertEquals(3, state.info().segments());
        assertEquals(30, state.segmentRows());
        assertEquals(range(0, 30), ids(state.snapshot(state.rows())));
        state.close();

        ShardState reopened = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        assertEquals(3, reopened.info().segments());
        assertEquals(range(0, 30), ids(reopened.snapshot(reopened.rows())));
        reopened.close();
    }

    @Test
    void aSnapshotDoesNotChangeWhenRowsArriveOrTheTailIsSealed(@TempDir Path dir) {
        ShardState state = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        state.append(List.of(rows(0, 6)));
        ShardSnapshot before = state.snapshot(state.rows());
        ShardSnapshot visible = state.snapshot(5);
        state.append(List.of(rows(6, 9)));
        ShardState.Seal seal = startSeal(state);
        ShardSnapshot sealing = state.snapshot(state.rows());
        state.finishSeal(seal.write());
        state.append(List.of(rows(9, 10)));
        assertEquals(range(0, 6), ids(before));
        assertEquals(range(0, 5), ids(visible), "a snapshot holds only the rows visible when it was taken");
        assertEquals(range(0, 9), ids(sealing), "rows being sealed stay visible");
        assertEquals(range(0, 10), ids(state.snapshot(state.rows())));
        state.close();
    }

    @Test
    void exportPagesReadEveryRowOnceFromAFixedEnd(@TempDir Path dir) {
        ShardState state = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        state.append(List.of(rows(0, 13)));
        seal(state);
        state.append(List.of(rows(13, 19)));
        long until = state.rows();
        List<Long> seen = new ArrayList<>();
        long from = 0;
        int pages = 0;
        while (from < until) {
            // Rows arriving and seals between pages do not move the rows already counted.
            state.append(List.of(rows(100 + pages, 101 + pages)));
            if (pages == 2) {
                seal(state);
            }
            Partial partial = ShardState.newPartial(ALL, SCHEMA);
            var page = state.snapshot(state.rows()).page(partial, from, until, 3, 64,
                    new ShardSnapshot.Limits(System.nanoTime() + 10_000_000_000L, Long.MAX_VALUE));
            assertTrue(page.nextRow() > from, "a page moves on");
            seen.addAll(idsOf(page.partial()));
            from = page.nextRow();
            pages++;
        }
        assertEquals(range(0, 19), seen);
        assertTrue(pages >= 5, "pages of about 3 rows: " + pages);
        state.close();
    }

    @Test
    void anInsertWhoseLastBatchNeverReachedTheLogIsLeftOut(@TempDir Path dir) throws IOException {
        ShardState state = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        state.append(List.of(rows(0, 3)));
        state.close();
        // A crash in the middle of logging a two-batch insert: only its first batch is there.
        Path log = new ShardFiles(dir).logDir(1);
        try (EntryLog<RowBatch> raw = EntryLog.open(log, SETTINGS.rollCycle(), RowBatch.parser(), space(dir))) {
            raw.append(rows(3, 5).toBuilder().setContinued(true).build());
        }
        ShardState recovered = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        assertEquals(range(0, 3), ids(recovered.snapshot(recovered.rows())));
        recovered.append(List.of(rows(5, 6)));
        recovered.close();
        ShardState again = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        assertEquals(List.of(0L, 1L, 2L, 5L), ids(again.snapshot(again.rows())),
                "a later insert never completes the unfinished one");
        again.close();
    }

    @Test
    void aShardWrittenByThePreviousVersionRecoversEveryAcknowledgedRowAndMovesToThePartitionLog(@TempDir Path dir) throws IOException {
        // As the version before the partition log left it: a generation log of one row batch per
        // Chronicle excerpt, ending with an insert whose last batch never reached it.
        Path log = new ShardFiles(dir).logDir(1);
        try (LegacyEntryLog old = LegacyEntryLog.open(log, SETTINGS.rollCycle(), space(dir))) {
            old.appendAll(List.of(rows(0, 3), rows(3, 5).toBuilder().setContinued(true).build(), rows(5, 7),
                    rows(7, 9).toBuilder().setContinued(true).build()));
        }
        ShardState recovered = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        assertEquals(range(0, 7), ids(recovered.snapshot(recovered.rows())));
        assertTrue(PartitionLog.holdsPartitionLog(log), "the generation's log moved to the partition log format");
        recovered.append(List.of(rows(9, 10)));
        recovered.close();
        ShardState again = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 9L), ids(again.snapshot(again.rows())));
        again.close();
    }

    @Test
    void aSealCutShortLeavesEveryRowExactlyOnce(@TempDir Path dir, @TempDir Path spare) throws IOException {
        ShardState state = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        state.append(List.of(rows(0, 9)));
        startSeal(state);
        // Crash after the segment file was written but before the manifest named it.
        Path orphan = dir.resolve(ShardFiles.segmentName(1));
        io.strata.node.columnar.segment.Segment.write(orphan, SCHEMA, List.of());
        state.close();
        ShardState afterSegment = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        assertFalse(Files.exists(orphan), "a segment the manifest does not name is removed");
        assertEquals(range(0, 9), ids(afterSegment.snapshot(afterSegment.rows())));
        assertEquals(0, afterSegment.segmentRows());
        afterSegment.append(List.of(rows(9, 10)));

        // Crash after the manifest was written but before the sealed log generations were deleted.
        ShardState.Seal second = startSeal(afterSegment);
        Path keep = spare.resolve("shard");
        copyTree(dir, keep);
        afterSegment.finishSeal(second.write());
        afterSegment.close();
        try (Stream<Path> logs = Files.list(keep)) {
            for (Path p : logs.filter(p -> p.getFileName().toString().startsWith("log-")).toList()) {
                if (!Files.exists(dir.resolve(p.getFileName()))) {
                    copyTree(p, dir.resolve(p.getFileName()));
                }
            }
        }
        ShardState afterManifest = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        assertEquals(range(0, 10), ids(afterManifest.snapshot(afterManifest.rows())), "sealed rows are not replayed again");
        assertEquals(10, afterManifest.segmentRows());
        afterManifest.close();
    }

    private static RowBatch idempotent(RowBatch batch, String producer, long sequence) {
        return batch.toBuilder().setProducer(producer).setSequence(sequence).build();
    }

    @Test
    void anIdempotentInsertIsAppliedOnceAcrossRestartsAndSeals(@TempDir Path dir) {
        ShardState state = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        assertTrue(state.append(List.of(rows(0, 2), idempotent(rows(2, 4), "job", 1))) > 0);
        assertEquals(-1, state.append(List.of(idempotent(rows(2, 4), "job", 1))), "the same sequence again");
        assertTrue(state.append(List.of(idempotent(rows(4, 5), "other", 1))) > 0, "sequences are per producer");
        state.close();

        ShardState replayed = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        assertEquals(-1, replayed.append(List.of(idempotent(rows(0, 4), "job", 0))), "an older sequence, after replay");
        assertTrue(replayed.append(List.of(idempotent(rows(5, 7), "job", 2))) > 0);
        seal(replayed);
        replayed.close();

        ShardState sealed = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        assertEquals(-1, sealed.append(List.of(idempotent(rows(5, 7), "job", 2))), "after a seal, from the manifest");
        assertEquals(range(0, 7), ids(sealed.snapshot(sealed.rows())));
        sealed.close();
    }

    @Test
    void aLogGenerationCutShortWhileBeingCreatedIsRemoved(@TempDir Path dir) throws IOException {
        ShardState state = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        state.append(List.of(rows(0, 3)));
        state.close();
        // What a kill during Chronicle's creation of a queue leaves: files allocated, headers never written.
        Path cut = new ShardFiles(dir).logDir(2);
        Files.createDirectories(cut);
        Files.write(cut.resolve("metadata.cq4t"), new byte[65536]);
        Files.write(cut.resolve("20261121F.cq4"), new byte[65536]);
        long start = System.nanoTime();
        ShardState recovered = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "recovery does not wait on the broken files");
        assertEquals(range(0, 3), ids(recovered.snapshot(recovered.rows())));
        recovered.append(List.of(rows(3, 4)));
        recovered.close();
        ShardState again = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        assertEquals(range(0, 4), ids(again.snapshot(again.rows())));
        again.close();
    }

    @Test
    void aScanPastItsDeadlineIsCancelledWithQueryTimeout(@TempDir Path dir) {
        ShardState state = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        state.append(List.of(rows(0, 20)));
        seal(state);
        Partial partial = ShardState.newPartial(ALL, SCHEMA);
        StrataException timeout = assertThrows(StrataException.class, () -> state.snapshot(state.rows())
                .scan(partial, new ShardSnapshot.Limits(System.nanoTime() - 1, Long.MAX_VALUE)));
        assertEquals("query_timeout", timeout.code());
        assertEquals(0, partial.stats().rowsScanned, "nothing was read past the deadline");
        StrataException tooLarge = assertThrows(StrataException.class, () -> state.snapshot(state.rows())
                .scan(ShardState.newPartial(ALL, SCHEMA), new ShardSnapshot.Limits(System.nanoTime() + 10_000_000_000L, 5)));
        assertEquals("result_too_large", tooLarge.code());
        state.close();
    }

    @Test
    void aBatchThatDoesNotFitTheSchemaIsRefusedBeforeItIsLogged(@TempDir Path dir) {
        ShardState state = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        RowBatch missingColumn = RowBatch.newBuilder().setRows(1).addColumns(rows(0, 1).getColumns(0)).build();
        assertThrows(StrataException.class, () -> state.append(List.of(rows(0, 2), missingColumn)));
        RowBatch nullId = rows(0, 1).toBuilder().setColumns(0, rows(0, 1).getColumns(0).toBuilder().addNullRows(0)).build();
        assertThrows(StrataException.class, () -> state.append(List.of(nullId)));
        assertEquals(0, state.rows());
        state.close();
        ShardState reopened = ShardState.recover(dir, SCHEMA, SETTINGS, space(dir));
        assertEquals(0, reopened.rows(), "nothing of a refused insert was logged");
        reopened.close();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
