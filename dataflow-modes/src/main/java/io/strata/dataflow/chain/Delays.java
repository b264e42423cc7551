package io.strata.dataflow.chain;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Futures that complete after a delay, on one shared daemon timer thread. */
public final class Delays {

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "strata-dataflow-timer");
        thread.setDaemon(true);
        return thread;
    });

    private Delays() {}

    /** A future completed after {@code nanos}; at once when {@code nanos <= 0}. */
    public static CompletableFuture<Void> after(long nanos) {
        if (nanos <= 0) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        TIMER.schedule(() -> done.complete(null), nanos, TimeUnit.NANOSECONDS);
        return done;
    }

    /** Runs {@code task} every {@code periodNanos} until the returned handle is cancelled. */
    public static java.util.concurrent.ScheduledFuture<?> every(long periodNanos, Runnable task) {
        return TIMER.scheduleAtFixedRate(task, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }
}
