package io.strata.bench;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A closed loop over an asynchronous call (an actor ask): {@code outstanding} calls in flight,
 * each completion starting the next one from the thread that completed it. Latency is from the
 * call to its completion. A reply that {@code expected} refuses, or a failed call, fails the run.
 *
 * <p>The call must be asynchronous, returning before its reply arrives as an ask does: the chains
 * start on the thread that calls {@link #run}.
 */
final class AsyncLoad {

    private static final long DRAIN_TIMEOUT_SECONDS = 15;

    /**
     * Runs a completion callback on the thread that completed the call. Pekko's asks return Scala's
     * CompletableFuture adapter, whose whenComplete/handle/thenApply hop to the default async
     * executor: a new thread per callback on a machine of two cores or fewer, which would cost
     * more than the ask measured.
     */
    private static final Executor SAME_THREAD = Runnable::run;

    private final Supplier<? extends CompletionStage<?>> call;
    private final Predicate<Object> expected;
    private final int outstanding;

    AsyncLoad(Supplier<? extends CompletionStage<?>> call, Predicate<Object> expected, int outstanding) {
        this.call = call;
        this.expected = expected;
        this.outstanding = outstanding;
    }

    RunResult run(Window window) throws InterruptedException {
        RunControl control = new RunControl();
        CountDownLatch chainsEnded = new CountDownLatch(outstanding);
        for (int i = 0; i < outstanding; i++) {
            next(control, chainsEnded);
        }
        RunResult result;
        try {
            result = control.measure(window);
        } finally {
            control.stop();
            // The next run must not share the node with this one's stragglers.
            if (!chainsEnded.await(DRAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(chainsEnded.getCount() + " calls still outstanding "
                        + DRAIN_TIMEOUT_SECONDS + " s after the run");
            }
        }
        control.throwIfFailed();
        return result;
    }

    /**
     * Carries one chain of calls on until the run stops. A call whose reply raced ahead of it (it
     * is complete when it returns) is handled in this loop rather than in a callback that would
     * run nested here, so that a chain never recurses deeply.
     */
    private void next(RunControl control, CountDownLatch chainsEnded) {
        while (control.running()) {
            long start = System.nanoTime();
            CompletableFuture<?> reply;
            try {
                reply = call.get().toCompletableFuture();
            } catch (RuntimeException e) {
                control.fail(e);
                break;
            }
            if (!reply.isDone()) {
                reply.whenCompleteAsync((value, failure) -> {
                    if (completed(control, start, value, failure)) {
                        next(control, chainsEnded);
                    } else {
                        chainsEnded.countDown();
                    }
                }, SAME_THREAD);
                return;
            }
            Object value = null;
            Throwable failure = null;
            try {
                value = reply.join();
            } catch (CompletionException | CancellationException e) {
                failure = e.getCause() != null ? e.getCause() : e;
            }
            if (!completed(control, start, value, failure)) {
                break;
            }
        }
        chainsEnded.countDown();
    }

    /** Records a call that completed with {@code value} or {@code failure}; false when it fails the run. */
    private boolean completed(RunControl control, long start, Object value, Throwable failure) {
        if (failure != null || !expected.test(value)) {
            control.fail(failure != null ? failure : new IllegalStateException("unexpected reply " + value));
            return false;
        }
        control.record(start);
        return true;
    }
}
