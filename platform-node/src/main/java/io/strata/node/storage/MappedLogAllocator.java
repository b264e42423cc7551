package io.strata.node.storage;

import net.openhft.posix.PosixAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

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
 * by writing zeros into the not-yet-written region, which only this log's writer touches.
 *
 * <p>The blocks backed are the log's use of the disk, so they are what it claims from the node's
 * {@link DiskSpace}: a window that would take the reserve is refused ({@code storage_full}), and
 * the write that needs it with it. Entries are not claimed again one by one.
 *
 * <p>The writer stays off the filesystem in the steady state: a window of {@link #WINDOW} bytes
 * ahead of it is backed, and when less than {@link #LOW_WATER} of it is left, one background thread
 * (shared by every log of the JVM) backs the next window; the writer allocates itself only when it
 * starts a file or outruns that thread. The window is published only once it is backed, and the
 * writer never writes past what is published, so neither way of allocating touches written bytes.
 *
 * <p>Threading: {@link #ensure} is called by the log's single writer, before it writes at
 * {@code position}; {@link #close} by its owner when the log closes.
 */
public final class MappedLogAllocator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MappedLogAllocator.class);

    /**
     * Bytes backed past the end of each entry: Chronicle writes an index array (at most 64 KiB for
     * the roll cycles Strata uses) and the end-of-cycle marker after an entry.
     */
    static final long SLACK = 128 << 10;
    /** Bytes backed ahead of the writer at a time. */
    static final long WINDOW = 1 << 20;
    /** Left of the window when the next one is backed in the background. */
    static final long LOW_WATER = WINDOW / 2;

    private static final int O_RDWR = 2;
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int ENOSPC = 28;
    private static final int EOPNOTSUPP = 95;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10);
    private static final boolean POSIX_AVAILABLE = posixAvailable();
    /** Backs the next windows of every log of this JVM; a daemon, as Chronicle's own background threads. */
    private static final ExecutorService REFILLS = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "strata-log-allocator");
        thread.setDaemon(true);
        return thread;
    });

    /** Held while blocks are allocated, by the writer or the background thread, never both. */
    private final ReentrantLock allocating = new ReentrantLock();
    private final DiskSpace space;
    private volatile boolean useFallocate;
    private volatile File file;
    /** Bytes of {@link #file} backed from the writer's first position on: what it may write below. */
    private volatile long backedUpTo;
    private volatile boolean refilling;
    private boolean closed;

    /** An allocator whose windows claim their bytes from {@code space}. */
    public MappedLogAllocator(DiskSpace space) {
        this(space, POSIX_AVAILABLE);
    }

    /** With {@code useFallocate} false, blocks are always backed by writing zeros (tests of that path). */
    MappedLogAllocator(DiskSpace space, boolean useFallocate) {
        this.space = space;
        this.useFallocate = useFallocate && POSIX_AVAILABLE;
    }

    /**
     * Makes sure {@code [position, position + length + SLACK)} of {@code file} is backed.
     *
     * @throws IOException when the filesystem cannot back it (full: "No space left on device"); the
     *     caller must then not write there
     * @throws io.strata.node.common.StrataException {@code storage_full} when backing it would take
     *     the reserve; the caller must then not write there
     */
    public void ensure(File file, long position, long length) throws IOException {
        long end = position + length + SLACK;
        if (file.equals(this.file) && end <= backedUpTo) {
            if (backedUpTo - end < LOW_WATER && !refilling) {
                refillInBackground(file, backedUpTo);
            }
            return;
        }
        allocating.lock();
        try {
            if (!file.equals(this.file)) {
                this.file = file;
                backedUpTo = position;
            }
            if (end > backedUpTo) {
                long from = Math.max(backedUpTo, position);
                space.claim(end + WINDOW - from);
                allocate(file, from, end + WINDOW);
                backedUpTo = end + WINDOW;
            }
        } finally {
            allocating.unlock();
        }
    }

    /** How far {@code file} is backed: what its writer may write below; 0 for a file this allocator is not backing. */
    public long backedUpTo(File file) {
        return file.equals(this.file) ? backedUpTo : 0;
    }

    private void refillInBackground(File file, long from) {
        refilling = true;
        REFILLS.execute(() -> {
            allocating.lock();
            try {
                // Still the writer's file and window: otherwise the writer has moved on and backed its own.
                if (!closed && file.equals(this.file) && backedUpTo == from && space.tryClaim(WINDOW)) {
                    allocate(file, from, from + WINDOW);
                    backedUpTo = from + WINDOW;
                }
            } catch (IOException full) {
                // The writer meets the same refusal when it reaches the end of its window, and refuses that write.
                LOG.debug("cannot back the next {} bytes of {}: {}", WINDOW, file, full.getMessage());
            } finally {
                allocating.unlock();
                refilling = false;
            }
        });
    }

    private void allocate(File file, long from, long to) throws IOException {
        if (!useFallocate || !fallocate(file, from, to - from)) {
            writeZeros(file, from, to);
        }
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

    /**
     * Stops backing windows: waits for one being backed in the background (its file may be about to
     * be deleted, or its filesystem unmounted) and backs none after it.
     */
    @Override
    public void close() {
        allocating.lock();
        try {
            closed = true;
        } finally {
            allocating.unlock();
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
