package io.strata.node.limits;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A number of bytes that requests may hold at once across all connections (bodies being read,
 * commands waiting for their answer), so a flood of large or pipelined requests cannot fill the
 * heap. A caller takes bytes before it holds them and gives them back when it lets go; a request
 * larger than the whole budget is let through only when nothing else holds any, so it is never
 * stuck for ever.
 *
 * <p>Two ways to take: {@link #tryAcquire} answers at once (a door that refuses, such as HTTP's
 * 503), {@link #acquire} waits its turn, first come first served (a door that backpressures, such
 * as RESP, which then stops reading the connection). Thread-safe.
 */
public final class ByteBudget {

    private record Waiter(long bytes, CompletableFuture<Void> granted) {}

    private final long limit;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private long used;

    public ByteBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("a byte budget must be positive, got " + limit);
        }
        this.limit = limit;
    }

    /** Takes {@code bytes} if they fit now (and nobody waits before), else takes nothing and answers false. */
    public synchronized boolean tryAcquire(long bytes) {
        if (bytes <= 0) {
            return true;
        }
        if (!waiters.isEmpty() || !fits(bytes)) {
            return false;
        }
        used += bytes;
        return true;
    }

    /** Takes {@code bytes}, waiting behind earlier callers until they fit; the stage completes once they are taken. */
    public synchronized CompletionStage<Void> acquire(long bytes) {
        if (bytes <= 0 || waiters.isEmpty() && fits(bytes)) {
            used += Math.max(0, bytes);
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> granted = new CompletableFuture<>();
        waiters.add(new Waiter(bytes, granted));
        return granted;
    }

    /** Gives back bytes taken earlier, and lets waiting callers in while they fit. */
    public void release(long bytes) {
        if (bytes <= 0) {
            return;
        }
        ArrayDeque<CompletableFuture<Void>> granted = new ArrayDeque<>();
        synchronized (this) {
            used = Math.max(0, used - bytes);
            while (!waiters.isEmpty() && fits(waiters.peek().bytes)) {
                Waiter next = waiters.poll();
                used += next.bytes;
                granted.add(next.granted);
            }
        }
        // Outside the lock: a waiter's continuation may take or give back bytes itself.
        granted.forEach(g -> g.complete(null));
    }

    private boolean fits(long bytes) {
        return used + bytes <= limit || used == 0;
    }

    public long limit() {
        return limit;
    }

    public synchronized long used() {
        return used;
    }

    /** How many callers wait for bytes. */
    public synchronized int waiting() {
        return waiters.size();
    }
}
