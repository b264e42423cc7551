package io.strata.node;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the load threads of a kill -9 test share: the count of acknowledged writes, the kill
 * switch, the requests in flight and the errors seen before the kill. The test waits for
 * {@link #awaitKillPoint}, sets {@link #killed} and kills the node. Thread-safe.
 */
class KillLoad {

    final int target;
    final int minimum;
    final AtomicInteger acked = new AtomicInteger();
    final AtomicBoolean killed = new AtomicBoolean();
    final AtomicInteger inFlight = new AtomicInteger();
    final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final CountDownLatch targetReached = new CountDownLatch(1);
    private final CountDownLatch minimumReached = new CountDownLatch(1);

    /** @param target acknowledged writes to reach before the kill; a quarter of it is the minimum a slow machine must reach */
    KillLoad(int target) {
        this.target = target;
        this.minimum = target / 4;
    }

    void ack() {
        ack(1);
    }

    /** Counts {@code writes} acknowledged at once (a batch). */
    void ack(int writes) {
        int before = acked.getAndAdd(writes);
        if (before < minimum && before + writes >= minimum) {
            minimumReached.countDown();
        }
        if (before < target && before + writes >= target) {
            targetReached.countDown();
        }
    }

    /** Records an error; the kill point comes at once, as the test fails anyway. */
    void error(String message) {
        errors.add(message);
        minimumReached.countDown();
        targetReached.countDown();
    }

    /**
     * Waits until the target is acknowledged or {@code phase} passes, but at least until the
     * minimum is or {@code slowMachineLimit} passes; then until a request is in flight (writers are
     * rarely between two requests), at most five seconds. Returns the requests in flight then.
     */
    int awaitKillPoint(Duration phase, Duration slowMachineLimit) throws InterruptedException {
        targetReached.await(phase.toMillis(), TimeUnit.MILLISECONDS);
        minimumReached.await(slowMachineLimit.toMillis(), TimeUnit.MILLISECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int requests;
        while ((requests = inFlight.get()) == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return requests;
    }
}
