package io.strata.node.storage;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.strata.node.common.StrataException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The free-space guard of the filesystem that holds the data directory. Every store claims the
 * bytes it is about to write ({@link #claim}) before it writes them; once the filesystem's free
 * space would fall below the reserve ({@code strata.storage.min-free}) the claim is refused with
 * {@code storage_full} (HTTP 507, RESP {@code MISCONF}), nothing is written, and the node goes on
 * serving reads. Writes work again as soon as space is freed: the free space is read again from the
 * filesystem, so no restart is needed.
 *
 * <p>The reserve is what keeps memory-mapped writes safe: a Chronicle log writes through a mapping,
 * and a write into a page the filesystem cannot back kills the JVM ({@code SIGBUS}). With the
 * reserve free, the pages a log maps when it starts a file and the pages {@link MappedLogAllocator}
 * backs before each append can always be allocated.
 *
 * <p>Thread-safe and cheap: the free space is read from the filesystem ({@code statfs}) at most
 * every {@code refreshInterval}, and on every claim once it is within twice the reserve; in between,
 * claimed bytes are subtracted from the last reading. The logs claim the blocks they back, a window
 * at a time ({@link MappedLogAllocator}), not each entry; space another program takes between two
 * readings is caught by that allocation too, which asks the filesystem itself.
 */
public final class DiskSpace {

    /** The code of the refusal when the reserve would be used. */
    public static final String STORAGE_FULL = "storage_full";

    private final Path dir;
    private final FileStore store;
    private final long reserveBytes;
    private final long refreshNanos;
    private final AtomicLong claimedSinceRefresh = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();
    private volatile long usableAtRefresh;
    private volatile long refreshedAtNanos;

    private DiskSpace(Path dir, FileStore store, long reserveBytes, Duration refreshInterval) {
        this.dir = dir;
        this.store = store;
        this.reserveBytes = reserveBytes;
        this.refreshNanos = refreshInterval.toNanos();
        refresh();
    }

    /**
     * The guard of the filesystem holding {@code dir} (which must exist).
     *
     * @param reserveBytes free bytes no write may use; 0 disables the check (allocation failures
     *                     still refuse writes cleanly)
     */
    public static DiskSpace of(Path dir, long reserveBytes, Duration refreshInterval) {
        if (reserveBytes < 0) {
            throw new IllegalArgumentException("the free-space reserve must not be negative, got " + reserveBytes);
        }
        try {
            return new DiskSpace(dir, Files.getFileStore(dir), reserveBytes, refreshInterval);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the filesystem of " + dir, e);
        }
    }

    /**
     * Claims {@code bytes} about to be written.
     *
     * @throws StrataException {@code storage_full} (507) when the write would leave less than the
     *     reserve free; nothing has been written then
     */
    public void claim(long bytes) {
        if (!tryClaim(bytes)) {
            refusals.incrementAndGet();
            throw full("the filesystem of " + dir + " has " + freeBytes() + " bytes free; writing " + bytes
                    + " more would leave less than the reserve of " + reserveBytes + " bytes (strata.storage.min-free)");
        }
    }

    /**
     * Checks that the filesystem is not past its reserve, claiming nothing: for a write into space
     * already claimed (a log's backed window), which is refused all the same once the reserve is
     * reached, so that a full disk refuses every write alike.
     *
     * @throws StrataException {@code storage_full} (507) when less than the reserve is free
     */
    public void requireWritable() {
        if (reserveBytes == 0) {
            return;
        }
        // Near the reserve every check reads the filesystem, as claims do: space taken by others counts at once.
        if (System.nanoTime() - refreshedAtNanos >= refreshNanos || freeBytes() < 2 * reserveBytes) {
            refresh();
        }
        if (freeBytes() < reserveBytes) {
            refusals.incrementAndGet();
            throw full("the filesystem of " + dir + " has " + freeBytes() + " bytes free, less than the reserve of "
                    + reserveBytes + " bytes (strata.storage.min-free)");
        }
    }

    /** Claims {@code bytes} if that leaves the reserve free, and says whether it did; refuses nothing. */
    public boolean tryClaim(long bytes) {
        long free = usableAtRefresh - claimedSinceRefresh.get();
        if (System.nanoTime() - refreshedAtNanos >= refreshNanos || free - bytes < 2 * reserveBytes) {
            // Near the reserve every claim reads the filesystem: space freed or taken by others counts at once.
            refresh();
            free = usableAtRefresh - claimedSinceRefresh.get();
        }
        if (reserveBytes > 0 && free - bytes < reserveBytes) {
            return false;
        }
        claimedSinceRefresh.addAndGet(bytes);
        return true;
    }

    /**
     * Checks, against the filesystem's own figure, that {@code bytes} are free now, whatever the
     * reserve: for the files a log starts, whose first pages Chronicle writes through a fresh
     * mapping before any of them could be backed.
     *
     * @throws StrataException {@code storage_full} when they are not
     */
    public void requireFree(long bytes) {
        refresh();
        long free = usableAtRefresh;
        if (free < bytes) {
            refusals.incrementAndGet();
            throw full("the filesystem of " + dir + " has " + free + " bytes free, less than the " + bytes
                    + " bytes a new log file needs");
        }
    }

    /** The refusal of a write that could not be made durable for want of space. */
    public static StrataException full(String why) {
        return new StrataException(StrataException.Kind.INSUFFICIENT_STORAGE, STORAGE_FULL,
                why + "; writes are refused until space is freed, reads go on");
    }

    /**
     * The refusal for a failed write: {@code storage_full} (507) when the filesystem ran out of
     * space, otherwise {@code storage_unavailable} (503).
     */
    public static StrataException refusal(String what, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StrataException e && e.code().equals(STORAGE_FULL)) {
                return new StrataException(StrataException.Kind.INSUFFICIENT_STORAGE, STORAGE_FULL, what + ": " + e.getMessage());
            }
        }
        if (isOutOfSpace(failure)) {
            return full(what + ": no space left on the device");
        }
        return new StrataException(StrataException.Kind.UNAVAILABLE, "storage_unavailable", what + ": " + failure.getMessage());
    }

    /** Whether {@code failure} (or a cause) is a refusal of this guard or the filesystem's ENOSPC. */
    public static boolean isOutOfSpace(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StrataException e && e.code().equals(STORAGE_FULL)) {
                return true;
            }
            if (t instanceof IOException && t.getMessage() != null && t.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }

    /** Free bytes on the filesystem, as last read plus what was claimed since. */
    public long freeBytes() {
        return Math.max(usableAtRefresh - claimedSinceRefresh.get(), 0);
    }

    public long reserveBytes() {
        return reserveBytes;
    }

    /** Writes refused so far. */
    public long refusals() {
        return refusals.get();
    }

    /** Whether writes are refused now (free space below the reserve), read afresh from the filesystem. */
    public boolean isFull() {
        refresh();
        return reserveBytes > 0 && freeBytes() < reserveBytes;
    }

    /** Registers the free space, the reserve and the refused writes with {@code registry}. */
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("strata.storage.free", this, DiskSpace::freeBytes).baseUnit("bytes")
                .description("Free bytes on the data directory's filesystem").register(registry);
        Gauge.builder("strata.storage.reserve", this, DiskSpace::reserveBytes).baseUnit("bytes")
                .description("Free bytes writes may not use (strata.storage.min-free)").register(registry);
        FunctionCounter.builder("strata.storage.refused.writes", this, DiskSpace::refusals)
                .description("Writes refused with storage_full").register(registry);
    }

    private void refresh() {
        try {
            long usable = store.getUsableSpace();
            claimedSinceRefresh.set(0);
            usableAtRefresh = usable;
        } catch (IOException e) {
            // An unreadable filesystem keeps the last reading; the write itself will report the fault.
        }
        refreshedAtNanos = System.nanoTime();
    }
}
