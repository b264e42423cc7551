package io.strata.node.log;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.core.UnsafeMemory;
import net.openhft.posix.PosixAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Faults the pages just ahead of a log's writer into its file mapping, in the background
 * ({@code madvise(MADV_POPULATE_WRITE)}, Linux 5.14+), so that the writer's copy into the mapping
 * does not take a page fault for every 4 KiB it crosses: the pages are there when it arrives.
 * Only within the bytes the log's allocator has backed, so nothing is allocated that the disk
 * space accounting has not claimed. Where the call is not available it does nothing.
 *
 * <p>One per log, called by its writer only. The page faults of the background thread change no
 * byte of the file: a range unmapped meanwhile (the writer moved to the next file or chunk) just
 * makes the call fail, which is ignored.
 */
final class PageToucher {

    private static final Logger LOG = LoggerFactory.getLogger(PageToucher.class);

    private static final int MADV_POPULATE_WRITE = 23;
    private static final long PAGE = 4096;
    /** How far ahead of the writer pages are faulted in. */
    private static final long AHEAD = 1 << 20;
    private static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("strata.log.populate-ahead", "true"))
            && supported();
    /** Faults pages in for every log of this JVM; a daemon, as Chronicle's own background threads. */
    private static final ExecutorService TOUCHER = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "strata-log-toucher");
        thread.setDaemon(true);
        return thread;
    });

    private File file;
    /** The file position up to which pages were handed to the background thread. */
    private long touchedUpTo;

    /**
     * After the writer wrote up to {@code position} of {@code file} through {@code out}: faults in
     * the pages from there on, up to {@code backedUpTo}, unless enough are ahead already.
     */
    void after(Bytes<?> out, File file, long position, long backedUpTo) {
        if (!ENABLED) {
            return;
        }
        if (!file.equals(this.file)) {
            this.file = file;
            touchedUpTo = 0;
        }
        if (touchedUpTo - position > AHEAD / 2) {
            return;
        }
        long from = Math.max(touchedUpTo, (position + PAGE - 1) & -PAGE);
        long to = Math.min(backedUpTo & -PAGE, (position & -PAGE) + AHEAD);
        if (to <= from) {
            return;
        }
        BytesStore<?, ?> store = out.bytesStore();
        if (store == null || !store.inside(from, to - from)) {
            return;
        }
        long address = store.addressForWrite(from);
        long length = to - from;
        touchedUpTo = to;
        TOUCHER.execute(() -> PosixAPI.posix().madvise(address, length, MADV_POPULATE_WRITE));
    }

    /** Whether the kernel and the POSIX binding take the call: tried once on a page of this JVM's own memory. */
    private static boolean supported() {
        if (!OS.isLinux()) {
            return false;
        }
        long block = 0;
        try {
            block = UnsafeMemory.MEMORY.allocate(3 * PAGE);
            long aligned = (block + PAGE - 1) & -PAGE;
            boolean works = PosixAPI.posix().madvise(aligned, PAGE, MADV_POPULATE_WRITE) == 0;
            if (!works) {
                LOG.info("logs fault their pages in as they write them: madvise(MADV_POPULATE_WRITE) is not available");
            }
            return works;
        } catch (Throwable unavailable) {
            LOG.info("logs fault their pages in as they write them: {}", unavailable.toString());
            return false;
        } finally {
            if (block != 0) {
                UnsafeMemory.MEMORY.freeMemory(block, 3 * PAGE);
            }
        }
    }
}
