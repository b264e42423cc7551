package io.strata.node.kv.resp;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The listener's clients blocked in BLPOP, BLMOVE, BZPOPMIN... and, per key, the order they
 * blocked in, so that they are served in that order, as Redis serves them: when a command of this
 * listener writes a key, the first client waiting on it tries its pop at once, and when it takes
 * something, the next one tries, and so on while there is something to take. A client waits
 * behind those that blocked before it on the same key, and tries only when it is first on one of
 * its keys. Writes that do not come through this listener (HTTP, another node, another database's
 * COPY) are found by polling: a client first in line tries again on a timer (1 ms, doubling to 50
 * ms). Each try is one atomic pop of the key's partition; no thread is held while clients wait.
 * Thread-safe.
 */
final class BlockedClients {

    /** The longest pause between two tries of a client first in line. */
    private static final long MAX_POLL_MILLIS = 50;

    private record Line(String db, String key) {}

    private final Map<Line, ArrayDeque<Waiter<?>>> lines = new HashMap<>();
    private final AtomicInteger blocked = new AtomicInteger();

    /** Clients waiting now (INFO's {@code blocked_clients}). */
    int count() {
        return blocked.get();
    }

    /**
     * The result of {@code attempt} (a pop that answers null when there is nothing to take) once
     * it takes something, trying first at once unless others already wait on one of {@code keys};
     * null when {@code deadline} (System.nanoTime; 0: never) passes first. With {@code popsOnly}
     * (BLPOP, BZPOPMIN..., not BLMOVE, whose destination may be of another type) a try that meets a
     * key of another type finds nothing, except the first (WRONGTYPE), as in Redis: a client blocked
     * on a key that became, say, a string waits on.
     */
    <T> CompletionStage<T> await(RespSession session, List<String> keys, long deadline, boolean popsOnly,
                                 Supplier<CompletionStage<T>> attempt) {
        String db = session.db();
        boolean othersWait;
        synchronized (lines) {
            othersWait = keys.stream().anyMatch(key -> lines.containsKey(new Line(db, key)));
        }
        if (othersWait) {
            return block(session, db, keys, deadline, popsOnly, attempt);
        }
        return attempt.get().thenCompose(result -> result != null || passed(deadline) ? CompletableFuture.completedFuture(result)
                : block(session, db, keys, deadline, popsOnly, attempt));
    }

    /** Lets the first client waiting on each of {@code keys} of {@code db} try: they were written. */
    void written(String db, Collection<String> keys) {
        if (blocked.get() == 0) {
            return;
        }
        for (String key : keys) {
            Waiter<?> first;
            synchronized (lines) {
                ArrayDeque<Waiter<?>> line = lines.get(new Line(db, key));
                first = line == null ? null : line.peekFirst();
            }
            if (first != null) {
                first.tryNow();
            }
        }
    }

    private <T> CompletionStage<T> block(RespSession session, String db, List<String> keys, long deadline, boolean popsOnly,
                                         Supplier<CompletionStage<T>> attempt) {
        Waiter<T> waiter = new Waiter<>(session, db, List.copyOf(new LinkedHashSet<>(keys)), deadline, popsOnly, attempt);
        synchronized (lines) {
            waiter.keys.forEach(key -> lines.computeIfAbsent(new Line(db, key), k -> new ArrayDeque<>()).addLast(waiter));
        }
        blocked.incrementAndGet();
        waiter.result.whenComplete((r, e) -> blocked.decrementAndGet());
        // What others did not take may be for this one: the first of each line looks again.
        written(db, waiter.keys);
        waiter.poll(1);
        return waiter.result;
    }

    private static boolean passed(long deadline) {
        return deadline != 0 && System.nanoTime() - deadline >= 0;
    }

    /** One blocked client. Its flags are guarded by the lines' lock. */
    private final class Waiter<T> {
        private final RespSession session;
        private final String db;
        private final List<String> keys;
        private final long deadline;
        private final boolean popsOnly;
        private final Supplier<CompletionStage<T>> attempt;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private boolean trying;
        private boolean again;
        private boolean done;

        Waiter(RespSession session, String db, List<String> keys, long deadline, boolean popsOnly, Supplier<CompletionStage<T>> attempt) {
            this.session = session;
            this.db = db;
            this.keys = keys;
            this.deadline = deadline;
            this.popsOnly = popsOnly;
            this.attempt = attempt;
        }

        /** Tries now, or right after the try under way when one is. */
        void tryNow() {
            synchronized (lines) {
                if (done) {
                    return;
                }
                if (trying) {
                    again = true;
                    return;
                }
                trying = true;
                again = false;
            }
            if (!session.connected()) {
                // Nobody to answer: no more pops, so nothing is taken for a client that is gone.
                finish(null, new RespSession.RespError("ERR the connection closed"));
                return;
            }
            CompletionStage<T> tried;
            try {
                tried = attempt.get();
            } catch (RuntimeException e) {
                tried = CompletableFuture.failedFuture(e);
            }
            tried.whenComplete(this::tried);
        }

        private void tried(T taken, Throwable failure) {
            if (failure != null && !(popsOnly && RespSession.errorText(failure).equals(RespSession.WRONGTYPE))) {
                finish(null, failure);
                // What it could not take (BLMOVE to a key of another type) is there for the next in line.
                written(db, keys);
                return;
            }
            if (taken != null) {
                finish(taken, null);
                // There may be more: the next in line on each key tries.
                written(db, keys);
                return;
            }
            boolean retry;
            synchronized (lines) {
                trying = false;
                retry = again;
            }
            if (retry) {
                tryNow();
            } else if (passed(deadline)) {
                finish(null, null);
            }
        }

        /** Tries on a timer while first in line on one of its keys; ends at the deadline or when the client goes. */
        void poll(long pauseMillis) {
            long pause = deadline == 0 ? pauseMillis
                    : Math.max(0, Math.min(pauseMillis, (deadline - System.nanoTime()) / 1_000_000));
            CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS).execute(() -> {
                boolean first;
                boolean idle;
                synchronized (lines) {
                    if (done) {
                        return;
                    }
                    first = keys.stream().anyMatch(key -> lines.get(new Line(db, key)).peekFirst() == this);
                    idle = !trying;
                }
                if (!session.connected()) {
                    finish(null, new RespSession.RespError("ERR the connection closed"));
                } else if (passed(deadline) && idle) {
                    finish(null, null);
                } else {
                    if (first) {
                        tryNow();
                    }
                    poll(Math.min(MAX_POLL_MILLIS, pauseMillis * 2));
                }
            });
        }

        private void finish(T taken, Throwable failure) {
            synchronized (lines) {
                if (done) {
                    return;
                }
                done = true;
                for (String key : keys) {
                    Line at = new Line(db, key);
                    ArrayDeque<Waiter<?>> line = lines.get(at);
                    line.remove(this);
                    if (line.isEmpty()) {
                        lines.remove(at);
                    }
                }
            }
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(taken);
            }
        }
    }
}
