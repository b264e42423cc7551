package io.strata.node.columnar.shard;

import io.strata.node.columnar.ColumnarSettings;
import io.strata.node.columnar.Schema;
import io.strata.node.columnar.TableShard;
import io.strata.node.columnar.proto.ColumnData;
import io.strata.node.columnar.proto.RowBatch;
import io.strata.node.columnar.query.Partial;
import io.strata.node.columnar.query.Query;
import io.strata.node.columnar.segment.Segment;
import io.strata.node.common.StrataException;
import io.strata.node.http.Json;
import io.strata.node.storage.AtomicFiles;
import io.strata.node.storage.DiskSpace;
import io.strata.node.storage.Directories;
import io.strata.node.storage.Durability;
import io.strata.node.storage.EntryLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a table shard holds: its sealed segments, the blocks being sealed, its in-memory
 * tail and the log generation that new rows go to (the files are laid out by
 * {@link ShardFiles}).
 *
 * <p>Not thread-safe: owned by the shard actor. The exceptions are the {@link Seal} task, which
 * writes a segment from blocks nobody changes, and {@link ShardSnapshot}s, which are immutable.
 */
public final class ShardState {

    private static final Logger LOG = LoggerFactory.getLogger(ShardState.class);

    /**
     * The work of sealing, handed to the blocking-I/O pool: write the segments and the manifest,
     * drop the old logs. A tail that outgrew {@code segment-rows} while a seal ran (or while the next
     * log generation opened) is cut into several segments of about that size, so zone maps keep
     * their granularity whatever the ingest rate.
     */
    public final class Seal {
        private final List<List<MemoryBlock>> segmentBlocks;
        private final List<String> newNames;
        private final List<String> segmentNames;
        private final long generation;
        private final long nextSegment;
        private final long rows;
        private final Map<String, Long> producers;
        private final EntryLog<RowBatch> sealedLog;

        private Seal(List<List<MemoryBlock>> segmentBlocks, List<String> newNames, List<String> segmentNames,
                     long generation, long nextSegment, long rows, Map<String, Long> producers,
                     EntryLog<RowBatch> sealedLog) {
            this.sealedLog = sealedLog;
            this.segmentBlocks = segmentBlocks;
            this.newNames = newNames;
            this.segmentNames = segmentNames;
            this.generation = generation;
            this.nextSegment = nextSegment;
            this.rows = rows;
            this.producers = producers;
        }

        /**
         * Closes the sealed log generation, writes the segments durably, then the manifest naming
         * them, then deletes the sealed log generations. Blocking file I/O.
         */
        public SealResult write() {
            long start = System.nanoTime();
            sealedLog.close();
            try {
                List<Segment> written = new ArrayList<>(newNames.size());
                for (int i = 0; i < newNames.size(); i++) {
                    Path file = files.segment(newNames.get(i));
                    Segment.write(file, schema, segmentBlocks.get(i).stream().map(MemoryBlock::vectors).toList());
                    written.add(Segment.open(file));
                }
                files.writeManifest(new ShardFiles.Manifest(segmentNames, generation, nextSegment, producers));
                files.deleteLogsBefore(generation);
                return new SealResult(List.copyOf(written), newNames, generation, rows, System.nanoTime() - start);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot seal " + rows + " rows into " + newNames, e);
            }
        }
    }

    /** A finished seal: the new segments, their names, and the first log generation not sealed. */
    public record SealResult(List<Segment> segments, List<String> segmentNames, long generation, long rows,
                             long nanos) {}

    private final ShardFiles files;
    private final Schema schema;
    private final ColumnarSettings settings;
    private final DiskSpace space;
    private final List<Segment> segments = new ArrayList<>();
    private final List<String> segmentNames = new ArrayList<>();
    private final ShardTail tail;
    private long segmentRows;
    private List<MemoryBlock> sealingBlocks = List.of();
    private long sealingRows;
    private boolean sealing;
    private EntryLog<RowBatch> log;
    /** The generation being sealed, until its seal closes it. */
    private EntryLog<RowBatch> sealingLog;
    private long generation;
    private long nextSegment;
    /** Bytes logged since the last finished seal. */
    private long logBytes;
    private long sealingLogBytes;
    /** The last sequence number applied per idempotent producer. */
    private final Map<String, Long> producers = new HashMap<>();

    private ShardState(ShardFiles files, Schema schema, ColumnarSettings settings, DiskSpace space) {
        this.files = files;
        this.schema = schema;
        this.settings = settings;
        this.space = space;
        this.tail = new ShardTail(schema, settings.blockRows());
    }

    /**
     * Opens a shard's files: the manifest's segments, then every unsealed log generation replayed
     * into the tail (an insert whose last batch never reached the log is left out: it was never
     * acknowledged). New rows go to the newest generation.
     */
    public static ShardState recover(Path dir, Schema schema, ColumnarSettings settings, DiskSpace space) {
        ShardState state = new ShardState(new ShardFiles(dir), schema, settings, space);
        try {
            state.open();
            return state;
        } catch (IOException e) {
            state.close();
            throw new UncheckedIOException("cannot recover table shard " + dir, e);
        } catch (RuntimeException e) {
            state.close();
            throw e;
        }
    }

    private void open() throws IOException {
        ShardFiles.Manifest manifest = files.readManifest();
        files.removeLeftovers(manifest);
        nextSegment = manifest.nextSegment();
        producers.putAll(manifest.producers());
        for (String name : manifest.segments()) {
            Segment segment = Segment.open(files.segment(name));
            segments.add(segment);
            if (!segment.schema().equals(schema)) {
                throw new IllegalStateException("segment " + files.segment(name) + " has schema " + segment.schema()
                        + ", not the table's " + schema);
            }
            segmentNames.add(name);
            segmentRows += segment.rows();
        }
        List<Long> generations = new ArrayList<>(files.logGenerationsFrom(manifest.logGeneration()));
        for (long g : List.copyOf(generations)) {
            if (files.neverWritten(g)) {
                LOG.warn("table shard {}: log generation {} was cut short while being created; it holds nothing and is removed",
                        files.dir(), g);
                Directories.deleteTree(files.logDir(g));
                generations.remove(g);
            }
        }
        for (long g : generations) {
            EntryLog<RowBatch> replaying = EntryLog.open(files.logDir(g), settings.rollCycle(), RowBatch.parser(), space);
            List<RowBatch> pending = new ArrayList<>();
            long[] entries = {0};
            try {
                replaying.replayAfter(-1, batch -> {
                    entries[0]++;
                    logBytes += batch.getSerializedSize();
                    pending.add(batch);
                    if (!batch.getContinued()) {
                        if (isNew(batch)) {
                            pending.forEach(tail::append);
                            applied(batch);
                        }
                        pending.clear();
                    }
                });
            } finally {
                replaying.close();
            }
            if (!pending.isEmpty()) {
                LOG.warn("table shard {}: log generation {} ends with {} batches of an insert that never completed; "
                        + "they were not acknowledged and are left out", files.dir(), g, pending.size());
            }
            if (entries[0] == 0) {
                Directories.deleteTree(files.logDir(g));
            }
        }
        // New rows go to a new generation: never appended after what a crash may have cut short
        // (an unfinished insert, or a log file whose header was never written, which Chronicle
        // would wait on before appending).
        generation = generations.isEmpty() ? manifest.logGeneration() : generations.get(generations.size() - 1) + 1;
        openLog();
    }

    private void openLog() throws IOException {
        log = openLog(generation);
    }

    private EntryLog<RowBatch> openLog(long logGeneration) throws IOException {
        EntryLog<RowBatch> opened = EntryLog.open(files.logDir(logGeneration), settings.rollCycle(), RowBatch.parser(), space);
        if (settings.durability() == Durability.FSYNC) {
            AtomicFiles.fsync(files.dir());
        }
        return opened;
    }

    /**
     * The log generation a seal starts next: open it on the blocking-I/O pool ({@link NextLog#open}),
     * then hand it to {@link #startSeal}.
     */
    public NextLog nextLog() {
        return new NextLog(generation + 1);
    }

    /** A log generation to be opened off the owner's thread for the next seal. */
    public final class NextLog {
        private final long logGeneration;

        private NextLog(long logGeneration) {
            this.logGeneration = logGeneration;
        }

        /** Opens (creating) the generation's log. Blocking file I/O. */
        public EntryLog<RowBatch> open() {
            try {
                return openLog(logGeneration);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open log generation " + logGeneration, e);
            }
        }

        long generation() {
            return logGeneration;
        }
    }

    public Schema schema() {
        return schema;
    }

    public long rows() {
        return segmentRows + sealingRows + tail.rows();
    }

    public long segmentRows() {
        return segmentRows;
    }

    /** Rows not in segment files yet: being sealed, or in the tail. */
    public long memoryRows() {
        return sealingRows + tail.rows();
    }

    public long tailRows() {
        return tail.rows();
    }

    public boolean sealing() {
        return sealing;
    }

    /** The log file the last append went to: the one to fsync. */
    public File logFile() {
        return log.currentFile();
    }

    /**
     * Appends one insert: every batch to the log (all but the last marked continued), then to the
     * tail. Returns the bytes logged, or -1 when the insert is a duplicate: its last batch names a
     * producer whose sequence number is not above the last one applied (nothing is logged).
     *
     * @throws StrataException {@code invalid_batch} when a batch does not fit the schema, and
     *     {@code storage_full} when the disk has no room for the insert (nothing is logged)
     * @throws IllegalStateException when the log fails after some chunks of the insert were logged
     *     (another program filled the filesystem as they crossed into a new cycle file): the shard
     *     must recover from its log, which leaves the unfinished insert out
     */
    public long append(List<RowBatch> chunks) {
        for (RowBatch chunk : chunks) {
            check(chunk);
        }
        RowBatch last = chunks.get(chunks.size() - 1);
        if (!isNew(last)) {
            return -1;
        }
        long bytes = 0;
        List<RowBatch> logged = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            RowBatch chunk = chunks.get(i);
            boolean continued = i < chunks.size() - 1;
            if (chunk.getContinued() != continued) {
                chunk = chunk.toBuilder().setContinued(continued).build();
            }
            bytes += chunk.getSerializedSize();
            logged.add(chunk);
        }
        // One append for the whole insert: refused before its first chunk when the disk has no room.
        log.appendAll(logged);
        logged.forEach(tail::append);
        applied(last);
        logBytes += bytes;
        return bytes;
    }

    /** Whether an insert ending with {@code last} is to be applied: not idempotent, or above its producer's last sequence. */
    private boolean isNew(RowBatch last) {
        return last.getProducer().isEmpty() || last.getSequence() > producers.getOrDefault(last.getProducer(), Long.MIN_VALUE);
    }

    private void applied(RowBatch last) {
        if (!last.getProducer().isEmpty()) {
            producers.put(last.getProducer(), last.getSequence());
        }
    }

    private void check(RowBatch chunk) {
        if (chunk.getColumnsCount() != schema.size()) {
            throw StrataException.invalid("invalid_batch", "a batch has " + chunk.getColumnsCount()
                    + " columns; the table has " + schema.size());
        }
        for (int c = 0; c < schema.size(); c++) {
            ColumnData data = chunk.getColumns(c);
            int values = switch (schema.columns().get(c).type()) {
                case INT64, TIMESTAMP -> data.getLongsCount();
                case FLOAT64 -> data.getDoublesCount();
                case STRING -> data.getStringsCount();
                case BOOL -> data.getBoolsCount();
            };
            if (values != chunk.getRows()) {
                throw StrataException.invalid("invalid_batch", "column '" + schema.columns().get(c).name() + "' has "
                        + values + " values for " + chunk.getRows() + " rows");
            }
            if (!schema.columns().get(c).nullable() && data.getNullRowsCount() > 0) {
                throw StrataException.invalid("invalid_batch", "column '" + schema.columns().get(c).name()
                        + "' is not nullable but the batch has nulls in it");
            }
            for (int row : data.getNullRowsList()) {
                if (row >= chunk.getRows()) {
                    throw StrataException.invalid("invalid_batch", "null row " + row + " is outside the batch");
                }
            }
        }
    }

    /**
     * Begins a seal: new rows go to {@code next}, the fresh log generation opened from
     * {@link #nextLog()}, and the tail's rows become the blocks being sealed (still visible to
     * snapshots). Run the returned task (it closes the sealed generation), then {@link #finishSeal}.
     *
     * @throws StrataException {@code storage_full} when the segment would take the reserve; the
     *     caller closes {@code next}, which holds nothing
     */
    public Seal startSeal(NextLog nextLog, EntryLog<RowBatch> next) {
        if (sealing) {
            throw new IllegalStateException("a seal is already running");
        }
        if (nextLog.generation() != generation + 1) {
            throw new IllegalStateException("log generation " + nextLog.generation() + " does not follow " + generation);
        }
        // The segment is at most about the size of the logged rows it replaces (their columns encoded).
        space.claim(logBytes);
        EntryLog<RowBatch> sealed = log;
        generation = nextLog.generation();
        log = next;
        sealingLog = sealed;
        sealing = true;
        sealingRows = tail.rows();
        sealingBlocks = tail.drain();
        sealingLogBytes = logBytes;
        List<List<MemoryBlock>> groups = segmentsOf(sealingBlocks, settings.segmentRows());
        List<String> newNames = new ArrayList<>(groups.size());
        for (int i = 0; i < groups.size(); i++) {
            newNames.add(ShardFiles.segmentName(nextSegment++));
        }
        List<String> names = new ArrayList<>(segmentNames);
        names.addAll(newNames);
        return new Seal(groups, List.copyOf(newNames), List.copyOf(names), generation, nextSegment, sealingRows,
                Map.copyOf(producers), sealed);
    }

    /**
     * Cuts blocks, in order, into groups of at least {@code segmentRows} rows each (whole blocks);
     * the rows left over join the last group, so no segment is much smaller than the setting.
     */
    static List<List<MemoryBlock>> segmentsOf(List<MemoryBlock> blocks, long segmentRows) {
        List<List<MemoryBlock>> groups = new ArrayList<>();
        List<MemoryBlock> group = new ArrayList<>();
        long rows = 0;
        for (MemoryBlock block : blocks) {
            group.add(block);
            rows += block.rows();
            if (rows >= segmentRows) {
                groups.add(group);
                group = new ArrayList<>();
                rows = 0;
            }
        }
        if (!group.isEmpty()) {
            if (groups.isEmpty()) {
                groups.add(group);
            } else {
                groups.get(groups.size() - 1).addAll(group);
            }
        }
        return groups;
    }

    /** Makes a written seal's segment part of the shard. */
    public void finishSeal(SealResult result) {
        segments.addAll(result.segments());
        segmentNames.addAll(result.segmentNames());
        segmentRows += result.rows();
        sealingBlocks = List.of();
        sealingRows = 0;
        sealingLog = null;
        sealing = false;
        logBytes -= sealingLogBytes;
        sealingLogBytes = 0;
    }

    /** The rows visible now (the first {@code visibleRows}) as an immutable snapshot. */
    public ShardSnapshot snapshot(long visibleRows) {
        List<MemoryBlock> memory = new ArrayList<>(sealingBlocks);
        memory.addAll(tail.snapshot(visibleRows - segmentRows - sealingRows));
        long rows = segmentRows;
        for (MemoryBlock block : memory) {
            rows += block.rows();
        }
        return new ShardSnapshot(List.copyOf(segments), memory, rows);
    }

    /** The shard's size for a describe. */
    public TableShard.ShardInfo info() {
        long segmentBytes = 0;
        for (Segment s : segments) {
            segmentBytes += s.bytesOnDisk();
        }
        List<TableShard.ColumnBytes> columns = new ArrayList<>();
        for (int c = 0; c < schema.size(); c++) {
            long raw = 0;
            long encoded = 0;
            for (Segment s : segments) {
                long[] bytes = s.columnBytes(c);
                raw += bytes[0];
                encoded += bytes[1];
            }
            columns.add(new TableShard.ColumnBytes(raw, encoded));
        }
        long memoryBytes = tail.memoryBytes();
        for (MemoryBlock block : sealingBlocks) {
            memoryBytes += block.memoryBytes();
        }
        return new TableShard.ShardInfo(rows(), memoryRows(), segments.size(), segmentRows, segmentBytes, logBytes,
                memoryBytes, columns);
    }

    /** A partial for a query given as JSON text, parsed against {@code schema}. */
    public static Partial newPartial(String queryJson, Schema schema) {
        return Partial.of(Query.parse(Json.parse(queryJson.getBytes(java.nio.charset.StandardCharsets.UTF_8)), schema));
    }

    /** Closes the log and the segments. */
    public void close() {
        if (log != null) {
            log.close();
        }
        if (sealingLog != null) {
            sealingLog.close();
        }
        for (Segment s : segments) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.warn("cannot close segment {}", s.file(), e);
            }
        }
    }

    /**
     * Closes the shard and deletes its files, and its table's directory once no other shard of the
     * table has files on this node (in a cluster, each node holds the directories of its own shards).
     */
    public void delete() {
        close();
        deleteShard(files.dir());
    }

    /**
     * Deletes the files of a shard that is not open, in {@code dir}, and its table's directory once
     * no other shard of the table has files on this node.
     */
    public static void deleteShard(Path dir) {
        // One shard at a time, so the last shard of the table on this node finds the directory empty.
        synchronized (ShardState.class) {
            deleteFiles(dir);
            try {
                Files.deleteIfExists(dir.getParent());
            } catch (IOException stillInUse) {
                // Another shard of the table on this node still has its files; the last one removes the directory.
            }
        }
    }

    /** Deletes the files of the shard in {@code dir}. */
    public static void deleteFiles(Path dir) {
        new ShardFiles(dir).deleteAll();
    }
}
