package io.strata.node.kv.resp;

import io.strata.node.limits.ByteBudget;
import io.strata.node.limits.HeapShare;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The RESP input the listener holds across all its connections, bounded by
 * {@code strata.resp.max-input-bytes} so that a flood of pipelined or large commands cannot fill
 * the heap:
 * <ul>
 *   <li>Whole commands read and not yet answered take bytes from a {@link ByteBudget}; when it is
 *       spent, a connection waits for room before its next command runs, and stops being read
 *       meanwhile (TCP backpressure). Commands always finish, so room always comes back.</li>
 *   <li>Commands still arriving (a decoder's unfinished bytes) cannot wait: they finish only by
 *       reading more. Past the same number of bytes in total, the connection holding the largest
 *       unfinished command is closed, as Redis 7 evicts the clients that use the most memory.</li>
 * </ul>
 * What stays outside: each connection's one network read in hand, and its replies not yet
 * written (at most {@code max-in-flight}). Thread-safe.
 */
final class RespInput {

    private static final Logger LOG = LoggerFactory.getLogger(RespInput.class);
    /** Evictions are logged once, then once per this many, so a flood does not flood the log. */
    private static final int LOG_EVERY_EVICTIONS = 1000;

    private final ByteBudget commands;
    private final long maxUnfinished;
    private final AtomicLong unfinished = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private final Map<Long, Reader> readers = new ConcurrentHashMap<>();

    RespInput(long maxInputBytes) {
        this.commands = new ByteBudget(maxInputBytes);
        this.maxUnfinished = maxInputBytes;
    }

    /** Starts accounting for connection {@code id}; {@code close} closes it when it must be evicted. */
    Reader open(long id, Runnable close) {
        Reader reader = new Reader(id, close);
        readers.put(id, reader);
        return reader;
    }

    /** Bytes of whole commands waiting for their answer. */
    long commandBytes() {
        return commands.used();
    }

    /** Bytes of commands still arriving. */
    long unfinishedBytes() {
        return unfinished.get();
    }

    /** Connections closed because their unfinished commands held too much. */
    long evictions() {
        return evictions.get();
    }

    /** About how much heap a decoded command holds: its arguments and their framing. */
    static long sizeOf(RespDecoder.Frame frame) {
        if (!(frame instanceof RespDecoder.Command command)) {
            return 0;
        }
        long bytes = 0;
        for (byte[] arg : command.args()) {
            bytes += arg.length + 16;
        }
        return bytes;
    }

    private void evictLargest() {
        readers.values().stream().max(Comparator.comparingLong(r -> r.unfinished)).ifPresent(victim -> {
            if (victim.unfinished == 0 || !victim.evict()) {
                return;
            }
            long n = evictions.incrementAndGet();
            if (n == 1 || n % LOG_EVERY_EVICTIONS == 0) {
                LOG.warn("closed RESP connection {} holding {} of an unfinished command: unfinished commands held more than"
                        + " strata.resp.max-input-bytes ({}) in all ({} such closes so far)", victim.id,
                        HeapShare.describe(victim.unfinished), HeapShare.describe(maxUnfinished), n);
            }
        });
    }

    /** One connection's share. Its methods are called from the connection's stream, and from other connections' evictions. */
    final class Reader {
        private final long id;
        private final Runnable close;
        private volatile long unfinished;
        private volatile boolean evicted;
        private boolean closed;
        /** Bytes of commands admitted and not yet answered: given back when the connection closes. */
        private long admitted;

        private Reader(long id, Runnable close) {
            this.id = id;
            this.close = close;
        }

        /** The decoder now holds {@code bytes} of a command still arriving. */
        void unfinished(long bytes) {
            long delta = bytes - unfinished;
            unfinished = bytes;
            if (delta != 0 && RespInput.this.unfinished.addAndGet(delta) > maxUnfinished && delta > 0) {
                evictLargest();
            }
        }

        /** Completes once a whole command of {@code bytes} may be held. */
        CompletionStage<Void> admit(long bytes) {
            return commands.acquire(bytes).thenRun(() -> {
                boolean gone;
                synchronized (this) {
                    gone = closed;
                    if (!gone) {
                        admitted += bytes;
                    }
                }
                if (gone) {
                    // Granted after the connection closed: nobody will answer it.
                    commands.release(bytes);
                }
            });
        }

        /** A command admitted earlier was answered. */
        void answered(long bytes) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                admitted -= bytes;
            }
            commands.release(bytes);
        }

        private synchronized boolean evict() {
            if (evicted || closed) {
                return false;
            }
            evicted = true;
            close.run();
            return true;
        }

        /** The connection closed: what it still holds is no longer counted. */
        void closed() {
            long release;
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                release = admitted;
                admitted = 0;
                readers.remove(id);
                RespInput.this.unfinished.addAndGet(-unfinished);
                unfinished = 0;
            }
            // Outside this reader's lock: giving bytes back may run another connection's admission.
            commands.release(release);
        }
    }
}
