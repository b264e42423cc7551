package io.strata.node.storage;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.node.common.StrataException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A write-ahead log of Protobuf entries: a Chronicle Queue in its own directory, one entry per
 * excerpt. A KV partition logs its mutations in one; a table shard its row batches.
 *
 * <p>Threading: NOT thread-safe. One owner at a time (the partition actor, or the recovery task
 * before it hands the log over); the owner's mailbox orders all calls, so Chronicle's
 * single-thread check is switched off rather than pinned to whichever thread ran first.
 *
 * <p>Durability: {@link #append} returns once the entry is in the memory-mapped file, which
 * survives the death of the process; {@link #currentFile()} is what a caller fsyncs to survive
 * power loss.
 *
 * <p>Space: an append has its bytes backed by the filesystem ({@link MappedLogAllocator}, which
 * claims what it backs from the node's {@link DiskSpace}) before writing; when there is no room,
 * the append throws {@code storage_full} and the log is as it was.
 */
public final class EntryLog<T extends MessageLite> implements AutoCloseable {

    /** Chronicle chunks are mapped this many bytes at a time; an entry must fit well within one. */
    static final long BLOCK_SIZE = 16L << 20;
    private static final String CYCLE_FILE_SUFFIX = ".cq4";

    private final Path dir;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final Parser<T> parser;
    private final DiskSpace space;
    private final MappedLogAllocator allocator;
    private File lastAppendedFile;

    private EntryLog(Path dir, SingleChronicleQueue queue, Parser<T> parser, DiskSpace space) {
        this.dir = dir;
        this.queue = queue;
        this.parser = parser;
        this.space = space;
        this.allocator = new MappedLogAllocator(space);
        this.appender = queue.createAppender();
        this.appender.singleThreadedCheckDisabled(true);
    }

    /**
     * Opens (creating if needed) the log in {@code dir}, whose entries {@code parser} reads.
     *
     * @throws io.strata.node.common.StrataException {@code storage_full} when a new log's files
     *     would take the reserve
     */
    public static <T extends MessageLite> EntryLog<T> open(Path dir, RollCycle rollCycle, Parser<T> parser, DiskSpace space) {
        return new EntryLog<>(dir, ChronicleLogs.open(dir, rollCycle, BLOCK_SIZE, space), parser, space);
    }

    /** Largest entry, in bytes, that the log accepts. */
    public static long maxEntryBytes() {
        return BLOCK_SIZE / 4;
    }

    /**
     * Appends an entry and returns its Chronicle index.
     *
     * @throws io.strata.node.common.StrataException {@code storage_full} when there is no room for
     *     it; nothing was written
     */
    public long append(T entry) {
        return appendAll(List.of(entry));
    }

    /**
     * Appends entries, one excerpt each, and returns the Chronicle index of the last. Their bytes
     * are backed at once, so a refusal comes before the first.
     *
     * @throws io.strata.node.common.StrataException {@code storage_full} when there is no room for
     *     them; nothing was written
     * @throws IllegalStateException when the log fails after some of them were written (another
     *     program filled the filesystem as they crossed into a new cycle file): the owner must
     *     recover from the log
     */
    public long appendAll(List<T> entries) {
        List<byte[]> encoded = new ArrayList<>(entries.size());
        long remaining = 0;
        for (T entry : entries) {
            byte[] bytes = entry.toByteArray();
            encoded.add(bytes);
            remaining += bytes.length + ChronicleLogs.ENTRY_OVERHEAD;
        }
        space.requireWritable();
        ChronicleLogs.beforeWrite(queue, appender, space);
        int written = 0;
        try {
            for (byte[] bytes : encoded) {
                try (DocumentContext dc = appender.writingDocument()) {
                    Bytes<?> out = dc.wire().bytes();
                    // The rest of the batch is backed at once, so it is refused before its first entry.
                    ChronicleLogs.back(allocator, dc, appender.currentFile(), out.writePosition(), remaining, dir);
                    out.write(bytes);
                }
                remaining -= bytes.length + ChronicleLogs.ENTRY_OVERHEAD;
                written++;
            }
        } catch (StrataException refused) {
            if (written == 0) {
                throw refused;
            }
            throw new IllegalStateException("log " + dir + " refused entry " + written + " of " + encoded.size()
                    + " after the first ones were written", refused);
        }
        lastAppendedFile = appender.currentFile();
        return appender.lastIndexAppended();
    }

    /**
     * The cycle file the last append went to (the current file before any append). Unlike
     * {@link #currentFile()}, it never moves on to a newer cycle by itself, so it is the file to
     * keep when everything before the last append is covered by a snapshot.
     */
    public File lastAppendedFile() {
        return lastAppendedFile != null ? lastAppendedFile : appender.currentFile();
    }

    /** The file the last append went to: the one to fsync. */
    public File currentFile() {
        return appender.currentFile();
    }

    /**
     * Feeds every entry after the one at {@code afterIndex} (or from the start when it is
     * negative) to {@code consumer}, and returns the index of the last entry read (or
     * {@code afterIndex} when there was none).
     *
     * @throws IllegalStateException when {@code afterIndex} is not in the log or an entry is unreadable:
     *     starting with a silent gap would lose acknowledged writes
     */
    public long replayAfter(long afterIndex, Consumer<T> consumer) {
        try (ExcerptTailer tailer = queue.createTailer()) {
            tailer.singleThreadedCheckDisabled(true);
            if (afterIndex >= 0 && !tailer.moveToIndex(afterIndex)) {
                throw new IllegalStateException("log " + dir + " has no entry at index " + afterIndex
                        + " where its snapshot ends");
            }
            long last = afterIndex;
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return last;
                    }
                    long index = dc.index();
                    if (index <= afterIndex) {
                        continue;
                    }
                    byte[] bytes = dc.wire().bytes().toByteArray();
                    try {
                        consumer.accept(parser.parseFrom(bytes));
                    } catch (InvalidProtocolBufferException e) {
                        throw new IllegalStateException("log " + dir + " entry at index " + index + " is unreadable", e);
                    }
                    last = index;
                }
            }
        }
    }

    /**
     * Deletes whole cycle files that come before the file holding {@code keepFrom}: their entries
     * are all covered by a snapshot. Returns the number of files deleted.
     */
    public int deleteCyclesBefore(File keepFrom) {
        String keepName = keepFrom.getName();
        int deleted = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                // Chronicle names cycle files by a fixed-width date format, so name order is time order.
                if (name.endsWith(CYCLE_FILE_SUFFIX) && name.compareTo(keepName) < 0) {
                    Files.deleteIfExists(file);
                    deleted++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compact log " + dir, e);
        }
        if (deleted > 0) {
            queue.refreshDirectoryListing();
        }
        return deleted;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        allocator.close();
        appender.close();
        queue.close();
    }
}
