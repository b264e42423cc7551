package io.strata.node.storage;

import com.google.protobuf.MessageLite;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The write-ahead log of Protobuf entries of the versions before the partition log (KV partitions'
 * mutations, table shards' row batches): a Chronicle Queue in its own directory, one entry per
 * excerpt, positioned by Chronicle index. Kept only so that {@link EntryLogMigration} can read such
 * logs, and tests can write them; every store now writes an {@link EntryLog}.
 *
 * <p>Threading: one owner at a time, as the versions that wrote it used it.
 */
public final class LegacyEntryLog implements AutoCloseable {

    /** Chronicle chunks were mapped this many bytes at a time. */
    static final long BLOCK_SIZE = 16L << 20;

    private final SingleChronicleQueue queue;
    private final DiskSpace space;
    private final MappedLogAllocator allocator;
    private final Path dir;
    private ExcerptAppender appender;

    private LegacyEntryLog(Path dir, SingleChronicleQueue queue, DiskSpace space) {
        this.dir = dir;
        this.queue = queue;
        this.space = space;
        this.allocator = new MappedLogAllocator(space);
    }

    /** Opens (creating if needed) the log in {@code dir}. */
    public static LegacyEntryLog open(Path dir, RollCycle rollCycle, DiskSpace space) {
        return new LegacyEntryLog(dir, ChronicleLogs.open(dir, rollCycle, BLOCK_SIZE, space), space);
    }

    /** Appends entries, one excerpt each, as the versions before the partition log did (tests make old logs with it). */
    public void appendAll(List<? extends MessageLite> entries) {
        if (appender == null) {
            appender = queue.createAppender();
        }
        ChronicleLogs.beforeWrite(queue, appender, space);
        for (MessageLite entry : entries) {
            byte[] bytes = entry.toByteArray();
            try (DocumentContext dc = appender.writingDocument()) {
                Bytes<?> out = dc.wire().bytes();
                ChronicleLogs.back(allocator, dc, appender.currentFile(), out.writePosition(),
                        bytes.length + ChronicleLogs.ENTRY_OVERHEAD, dir);
                out.write(bytes);
            }
        }
    }

    /** Feeds the bytes of every entry, in order, to {@code consumer}; returns how many there were. */
    public long forEachEntry(Consumer<byte[]> consumer) {
        long count = 0;
        try (ExcerptTailer tailer = queue.createTailer()) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return count;
                    }
                    consumer.accept(dc.wire().bytes().toByteArray());
                    count++;
                }
            }
        }
    }

    @Override
    public void close() {
        allocator.close();
        if (appender != null) {
            appender.close();
        }
        queue.close();
    }
}
