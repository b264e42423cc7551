package io.strata.node.storage;

import net.openhft.posix.PosixAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Backs the bytes a memory-mapped log is about to write with real blocks of its filesystem, before
 * it writes them. Chronicle Queue grows its files sparsely and writes through a mapping: a write into
 * a hole the filesystem cannot fill (the disk is full) is a {@code SIGBUS}, which the JVM turns into
 * an asynchronous {@link InternalError} after the copy has silently skipped bytes — an acknowledged
 * write zeroed, then the node dead. Allocating first turns a full disk into an {@link IOException}
 * here, before anything is written, so the append can be rolled back and refused.
 *
 * <p>Blocks are allocated with {@code fallocate(2)} (no data written; {@code FALLOC_FL_KEEP_SIZE},
 * so Chronicle's view of the file length is unchanged); where the filesystem does not support it,
 * by writing zeros into the not-yet-written region, which only this log's writer touches. Both are
 * done {@link #STEP} bytes at a time, so most appends cost one comparison.
 *
 * <p>Threading: NOT thread-safe; the log's single writer calls it, before writing at
 * {@code position}.
 */
public final class MappedLogAllocator {

    private static final Logger LOG = LoggerFactory.getLogger(MappedLogAllocator.class);

    /**
     * Bytes backed past the end of each entry: Chronicle writes an index array (at most 64 KiB for
     * the roll cycles Strata uses) and the end-of-cycle marker after an entry.
     */
    static final long SLACK = 128 << 10;
    /** Bytes backed beyond {@link #SLACK} at a time. */
    static final long STEP = 256 << 10;

    private static final int O_RDWR = 2;
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int ENOSPC = 28;
    private static final int EOPNOTSUPP = 95;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10);
    private static final boolean POSIX_AVAILABLE = posixAvailable();

    private boolean useFallocate;
    private File file;
    private long backedUpTo;

    public MappedLogAllocator() {
        this(POSIX_AVAILABLE);
    }

    /** With {@code useFallocate} false, blocks are always backed by writing zeros (tests of that path). */
    MappedLogAllocator(boolean useFallocate) {
        this.useFallocate = useFallocate && POSIX_AVAILABLE;
    }

    /**
     * Makes sure {@code [position, position + length + SLACK)} of {@code file} is backed.
     *
     * @throws IOException when the filesystem cannot back it (full: "No space left on device"); the
     *     caller must then not write there
     */
    public void ensure(File file, long position, long length) throws IOException {
        long end = position + length + SLACK;
        if (file.equals(this.file) && end <= backedUpTo) {
            return;
        }
        if (!file.equals(this.file)) {
            this.file = file;
            backedUpTo = position;
        }
        long from = Math.max(backedUpTo, position);
        long to = end + STEP;
        if (!useFallocate || !fallocate(file, from, to - from)) {
            writeZeros(file, from, to);
        }
        backedUpTo = to;
    }

    /** Allocates with fallocate(2); false when this filesystem cannot (from then on zeros are written). */
    private boolean fallocate(File file, long from, long length) throws IOException {
        PosixAPI posix = PosixAPI.posix();
        int fd = posix.open(file.getPath(), O_RDWR, 0);
        if (fd < 0) {
            throw new IOException("cannot open " + file + " to allocate space: errno " + posix.lastError());
        }
        try {
            if (posix.fallocate(fd, FALLOC_FL_KEEP_SIZE, from, length) == 0) {
                return true;
            }
            int errno = posix.lastError();
            if (errno == EOPNOTSUPP) {
                LOG.debug("the filesystem of {} does not support fallocate; log space is backed by writing zeros", file);
                useFallocate = false;
                return false;
            }
            // The JDK's own wording for ENOSPC, which DiskSpace.isOutOfSpace recognises.
            String why = errno == ENOSPC ? "No space left on device" : posix.strerror(errno) + " (errno " + errno + ")";
            throw new IOException(why + ": cannot allocate " + length + " bytes of " + file + " at " + from);
        } finally {
            posix.close(fd);
        }
    }

    /** Writes zeros over {@code [from, to)}, a region the log has not written yet. */
    private static void writeZeros(File file, long from, long to) throws IOException {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.WRITE)) {
            for (long at = from; at < to; ) {
                ByteBuffer zeros = ZEROS.duplicate();
                zeros.limit((int) Math.min(zeros.capacity(), to - at));
                at += channel.write(zeros, at);
            }
        }
    }

    private static boolean posixAvailable() {
        try {
            return PosixAPI.posix().getClass().getSimpleName().startsWith("JNR");
        } catch (Throwable unavailable) {
            LOG.info("native fallocate is not available ({}); log space is backed by writing zeros", unavailable.toString());
            return false;
        }
    }
}
