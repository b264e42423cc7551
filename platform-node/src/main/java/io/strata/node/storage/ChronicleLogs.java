package io.strata.node.storage;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.Wires;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What every Chronicle Queue log of a store shares: opening one with room for its files, and
 * backing an entry's bytes before they are written through the mapping (see
 * {@link MappedLogAllocator} for why).
 */
public final class ChronicleLogs {

    /** Bytes an entry takes besides its own: Chronicle's header and its share of the index. */
    public static final int ENTRY_OVERHEAD = 16;
    /** Free bytes a new log needs: its metadata file and first cycle file's header and index. */
    public static final long NEW_LOG_BYTES = 512 << 10;
    /** Free bytes a log needs to start a cycle file: its header and first index arrays. */
    static final long NEW_FILE_BYTES = 512 << 10;

    private ChronicleLogs() {}

    /**
     * Opens (creating if needed) the queue in {@code dir}.
     *
     * <p>A new log is created even when the disk is at its reserve, as long as the filesystem has
     * room for its first files: a partition that was never written must open, so that reads of it
     * answer (empty) while writes are refused. The reserve is enforced on what is appended.
     *
     * @throws io.strata.node.common.StrataException {@code storage_full} when the log is new and the
     *     filesystem has no room for its files (nothing is created then)
     */
    public static SingleChronicleQueue open(Path dir, RollCycle rollCycle, long blockSize, DiskSpace space) {
        if (Directories.isMissingOrEmpty(dir)) {
            space.requireFree(NEW_LOG_BYTES);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw DiskSpace.refusal("cannot create log directory " + dir, e);
        }
        SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(rollCycle).blockSize(blockSize).build();
        queue.singleThreadedCheckDisabled(true);
        return queue;
    }

    /**
     * Checks, before {@code appender} opens a document, that the file it may start is safe to
     * start: when the document is the first of a new cycle (or of the log), Chronicle creates the
     * file and writes its header and index before the entry's bytes can be backed.
     *
     * @throws io.strata.node.common.StrataException {@code storage_full} when there is not enough free space for that
     */
    public static void beforeWrite(SingleChronicleQueue queue, ExcerptAppender appender, DiskSpace space) {
        if (appender.cycle() != queue.cycle()) {
            space.requireFree(NEW_FILE_BYTES);
        }
    }

    /**
     * Backs {@code length} bytes from {@code position} of {@code file}, the data of the open
     * document {@code dc}; when the filesystem cannot, rolls the document back (nothing of it is
     * kept) and throws.
     *
     * @throws io.strata.node.common.StrataException {@code storage_full} (or {@code storage_unavailable} for other I/O faults)
     */
    public static void back(MappedLogAllocator allocator, DocumentContext dc, File file, long position, long length, Path dir) {
        try {
            allocator.ensure(file, position, length);
        } catch (IOException e) {
            dc.rollbackOnClose();
            throw DiskSpace.refusal("cannot append to the log in " + dir, e);
        } catch (RuntimeException refused) {
            dc.rollbackOnClose();
            throw refused;
        }
    }

    /** Whether {@code file} is one of a Chronicle queue's: a cycle file or its metadata file. */
    public static boolean isChronicleFile(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file) && (name.endsWith(".cq4") || name.endsWith(".cq4t"));
    }

    /**
     * Whether the Chronicle file's first header was never completely written: Chronicle creates a
     * file, marks its first header incomplete (the header's top bit, {@code Wires.NOT_COMPLETE})
     * while it writes the file's own metadata, then completes it. A kill before the mark leaves
     * zeros, one before the completion leaves the mark; either way the file holds nothing.
     */
    public static boolean headerNeverWritten(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            byte[] first = in.readNBytes(4);
            if (first.length < 4) {
                return true;
            }
            // Chronicle's headers are little-endian ints.
            int header = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getInt();
            return header == 0 || (header & Wires.NOT_COMPLETE) != 0;
        }
    }

    /**
     * Removes the Chronicle files in {@code dir} whose first header was never written (see
     * {@link #headerNeverWritten}), and returns them. Opening a queue with such a file waits on its
     * header for seconds before giving up, so a log removes them before it opens.
     */
    public static List<Path> removeFilesNeverWritten(Path dir) throws IOException {
        List<Path> removed = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(ChronicleLogs::isChronicleFile).toList()) {
                if (headerNeverWritten(file)) {
                    Files.delete(file);
                    removed.add(file);
                }
            }
        }
        return removed;
    }
}
