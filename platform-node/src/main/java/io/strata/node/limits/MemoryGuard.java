package io.strata.node.limits;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.typesafe.config.Config;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.strata.node.common.StrataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The node's memory ceiling, as Redis's {@code maxmemory} with its {@code noeviction} policy: once
 * the memory in use is past {@code strata.max-memory}, a write that would make the node hold more
 * (a KV put of a new key or a larger value, a table insert) is refused with {@code memory_full}
 * (HTTP 507, RESP {@code -OOM}), while reads, deletes and writes that hold no more go on; a
 * delete or an expiry makes room at once, without a restart. So client writes cannot exhaust the
 * heap and kill the node.
 *
 * <p>What counts as in use: the heap the JVM found live after its last garbage collection (from
 * its GC notifications), corrected by what the stores took or released since (KV partitions and
 * table shards report the bytes they hold through {@link #held}). A write is seen at once, a
 * delete frees room at once, and each collection re-measures everything else. The collector may
 * leave deleted data in the old generation for a long time when the heap is not under pressure,
 * and a young collection's figure counts it: so past the ceiling on such a figure the guard asks
 * the JVM for a full collection (at most once per {@code strata.max-memory-gc-interval}) and lets
 * writes on meanwhile as long as the last full collection's figure, plus what the stores took
 * since, is under the ceiling; it refuses once a full collection confirms the ceiling is reached,
 * and goes on refusing until memory in use is under it again (deletes, expiries, or a full
 * collection finding room). The node starts with a full collection, so its first figure counts no
 * garbage.
 *
 * <p>Thread-safe and cheap on the hot path: {@link #admits} reads a volatile and an atomic.
 */
public final class MemoryGuard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MemoryGuard.class);

    /** Share of the maximum heap {@code strata.max-memory = auto} allows. */
    static final double AUTO_SHARE = 0.6;
    /** Share of the ceiling memory in use must fall under before the guard reports that it accepts writes again. */
    private static final double RESUME_SHARE = 0.9;

    /**
     * The {@code strata.max-memory*} settings.
     *
     * @param maxBytes   the ceiling
     * @param gcInterval while writes are refused, how often at most to ask for a full collection; zero never asks
     */
    public record Settings(long maxBytes, Duration gcInterval) {

        public Settings {
            long heap = HeapShare.maxHeapBytes();
            if (maxBytes <= 0 || maxBytes > heap) {
                throw new IllegalArgumentException("strata.max-memory must be a positive size up to the maximum heap ("
                        + heap + " bytes, -Xmx) or auto, got " + maxBytes);
            }
            if (gcInterval.isNegative()) {
                throw new IllegalArgumentException("strata.max-memory-gc-interval must not be negative, got " + gcInterval);
            }
        }

        /** Reads {@code strata.max-memory} ({@code auto}: 60% of the maximum heap) and {@code strata.max-memory-gc-interval}. */
        public static Settings from(Config root) {
            return new Settings(HeapShare.resolve(root, "strata.max-memory", AUTO_SHARE),
                    root.getDuration("strata.max-memory-gc-interval"));
        }
    }

    /** The heap after a collection, and what the stores held then. */
    private record Measured(long heapAfterGc, long heldAtGc) {}

    private final long maxBytes;
    private final Duration gcInterval;
    private final AtomicLong held = new AtomicLong();
    /** The last collection's figure: a young collection's counts the old generation's garbage too. */
    private volatile Measured measured;
    /** The last full collection's figure, which counts no garbage: what the stores added since is on top of it. */
    private volatile Measured lastFull;
    /** When a collection was last asked for; the first refusal may ask at once. */
    private final AtomicLong lastGcRequest;
    private final AtomicBoolean refusing = new AtomicBoolean();
    private final ExecutorService gcRequests;
    private final Map<NotificationEmitter, NotificationListener> listeners;
    /** Counts refusals; null until registered (a guard without meters counts nothing). */
    private volatile Counter refused;

    private MemoryGuard(long maxBytes, Duration gcInterval, boolean listen) {
        this.maxBytes = maxBytes;
        this.gcInterval = gcInterval;
        this.lastGcRequest = new AtomicLong(System.nanoTime() - gcInterval.toNanos());
        if (listen) {
            // One full collection as the node starts: the first figure counts no garbage, so a ceiling
            // below what the heap holds refuses the first write, and one above it admits it.
            System.gc();
        }
        this.measured = new Measured(listen ? ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() : 0, 0);
        this.lastFull = measured;
        this.gcRequests = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "strata-memory-guard-gc");
            thread.setDaemon(true);
            return thread;
        });
        this.listeners = listen ? listen() : Map.of();
    }

    /** Starts a guard that follows this JVM's garbage collections; {@link #close} stops following them. */
    public static MemoryGuard start(Settings settings, MeterRegistry registry) {
        MemoryGuard guard = new MemoryGuard(settings.maxBytes(), settings.gcInterval(), true);
        guard.register(registry);
        return guard;
    }

    /** The ceiling, for the node's start-up log: "3.5 GiB of a 5.9 GiB maximum heap". */
    public String describeCeiling() {
        return HeapShare.describe(max()) + " of a " + HeapShare.describe(HeapShare.maxHeapBytes()) + " maximum heap";
    }

    /** A guard that admits every write: for stores run on their own, without a node, in tests. */
    public static MemoryGuard unlimited() {
        return new MemoryGuard(Long.MAX_VALUE, Duration.ZERO, false);
    }

    private void register(MeterRegistry registry) {
        Gauge.builder("strata.memory.used", this, MemoryGuard::used).baseUnit("bytes")
                .description("Memory in use as the memory ceiling counts it: heap live after the last GC, plus what the stores took since")
                .register(registry);
        Gauge.builder("strata.memory.max", this, MemoryGuard::max).baseUnit("bytes")
                .description("The memory ceiling (strata.max-memory): past it writes are refused with memory_full")
                .register(registry);
        Gauge.builder("strata.memory.store.held", held, AtomicLong::get).baseUnit("bytes")
                .description("Bytes the KV partitions and table shards of this node hold in memory, as they account them")
                .register(registry);
        refused = Counter.builder("strata.memory.refused.writes")
                .description("Writes refused with memory_full because the node was past strata.max-memory").register(registry);
    }

    /** A store took ({@code bytes > 0}) or released ({@code bytes < 0}) memory. */
    public void held(long bytes) {
        if (bytes != 0) {
            held.addAndGet(bytes);
        }
    }

    /**
     * Whether a write that makes the node hold {@code growth} more bytes may go ahead. Writes that
     * hold nothing more ({@code growth <= 0}: a delete, an overwrite with a value no larger, a TTL
     * change) always may. A refusal is counted and may ask the JVM for a collection.
     */
    public boolean admits(long growth) {
        if (growth <= 0) {
            return true;
        }
        long used = used();
        if (used + growth <= maxBytes) {
            // Refusing ends (and is logged) only well under the ceiling, so that writes at the edge do not flap the log.
            if (refusing.get() && used + growth <= maxBytes * RESUME_SHARE && refusing.compareAndSet(true, false)) {
                LOG.info("memory in use ({}) is under the ceiling ({}) again: writes are accepted", HeapShare.describe(used),
                        HeapShare.describe(maxBytes));
            }
            return true;
        }
        Measured full = lastFull;
        long surelyUsed = full.heapAfterGc + held.get() - full.heldAtGc;
        if (!refusing.get() && !gcInterval.isZero() && surelyUsed + growth <= maxBytes) {
            // Over the ceiling only by a figure that may count garbage (the last full collection's,
            // plus what the stores took since, is under it): ask for a full collection, and refuse
            // once one confirms the ceiling is reached, not on garbage.
            requestCollection();
            return true;
        }
        Counter counter = refused;
        if (counter != null) {
            counter.increment();
        }
        if (refusing.compareAndSet(false, true)) {
            LOG.warn("memory in use ({}) is at the ceiling (strata.max-memory = {}): writes are refused with memory_full"
                    + " until deletes or expiries free memory; reads and deletes go on", HeapShare.describe(used),
                    HeapShare.describe(maxBytes));
        }
        requestCollection();
        return false;
    }

    /** The refusal of a write past the ceiling, which every door maps to its own error (HTTP 507, RESP -OOM). */
    public StrataException refusal() {
        return new StrataException(StrataException.Kind.INSUFFICIENT_STORAGE, "memory_full", describeRefusal());
    }

    /** The message of {@link #refusal}. */
    public String describeRefusal() {
        return "the node's memory in use (" + HeapShare.describe(used()) + ") is at its ceiling (strata.max-memory = "
                + HeapShare.describe(maxBytes) + "): writes that need more memory are refused until deletes or expiries"
                + " free some; reads and deletes work";
    }

    /** Bytes in use as the ceiling counts them. */
    public long used() {
        Measured m = measured;
        return Math.max(0, m.heapAfterGc + held.get() - m.heldAtGc);
    }

    /** The ceiling in bytes. */
    public long max() {
        return maxBytes;
    }

    /** What the stores report they hold. */
    public long held() {
        return held.get();
    }

    /** Whether writes were refused since memory in use was last well under the ceiling (90% of it). */
    public boolean refusing() {
        return refusing.get();
    }

    private void requestCollection() {
        if (gcInterval.isZero()) {
            return;
        }
        long now = System.nanoTime();
        long last = lastGcRequest.get();
        if (now - last >= gcInterval.toNanos() && lastGcRequest.compareAndSet(last, now)) {
            // Deleted values may sit in the old generation until a full collection; without one the
            // node could refuse writes for ever on memory that is free.
            gcRequests.execute(System::gc);
        }
    }

    private Map<NotificationEmitter, NotificationListener> listen() {
        Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName)
                .collect(Collectors.toUnmodifiableSet());
        NotificationListener listener = (notification, handback) -> onNotification(notification, heapPools);
        List<Map.Entry<NotificationEmitter, NotificationListener>> registered = new ArrayList<>();
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                registered.add(Map.entry(emitter, listener));
            }
        }
        return Map.ofEntries(registered.toArray(Map.Entry[]::new));
    }

    private void onNotification(Notification notification, Set<String> heapPools) {
        if (!notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        long heap = 0;
        for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(pool.getKey())) {
                heap += pool.getValue().getUsed();
            }
        }
        Measured now = new Measured(heap, held.get());
        measured = now;
        if (!info.getGcAction().contains("minor")) {
            lastFull = now;
        }
    }

    @Override
    public void close() {
        listeners.forEach((emitter, listener) -> {
            try {
                emitter.removeNotificationListener(listener);
            } catch (ListenerNotFoundException gone) {
                // Nothing left to remove.
            }
        });
        gcRequests.shutdownNow();
    }
}
