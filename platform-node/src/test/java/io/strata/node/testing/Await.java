package io.strata.node.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Predicate;

/** Waiting in tests for a condition, with a deadline, instead of sleeping a fixed time. */
public final class Await {

    private static final Duration EVERY = Duration.ofMillis(20);

    private Await() {}

    /**
     * Asks {@code probe} every 20 ms until {@code done} holds of its answer, and returns that
     * answer; past {@code limit}, fails with {@code describe} of the last answer.
     */
    public static <T> T until(Duration limit, Callable<T> probe, Predicate<T> done, Function<T, String> describe) {
        long deadline = System.nanoTime() + limit.toNanos();
        T last;
        try {
            last = probe.call();
            while (!done.test(last)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not reached within " + limit + ": " + describe.apply(last));
                }
                Thread.sleep(EVERY.toMillis());
                last = probe.call();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        } catch (Exception e) {
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError("the probe failed: " + e, e);
        }
        return last;
    }
}
