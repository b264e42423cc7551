package io.strata.node;

import io.strata.node.launch.NodeProcess;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the load threads of a kill -9 test share: the count of acknowledged writes, the kill
 * switch, the requests in flight and the errors seen before the kill. The test runs its load
 * threads with {@link #runUntilKill}, which waits for {@link #awaitKillPoint}, sets {@link #killed}
 * and kills the node. Thread-safe.
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

    /** What ran up to the kill: the load threads (as their tasks returned them), the requests in flight then, and how long the load ran. */
    record Killed<W>(List<W> workers, int inFlightBeforeKill, long loadMillis) {}

    /**
     * Runs the load threads on {@code pool} until {@link #awaitKillPoint}, kills {@code node} with
     * SIGKILL and waits for every thread to return; then checks the load: no errors, at least the
     * minimum of {@code writes} acknowledged, and a request in flight at the kill.
     */
    <W> Killed<W> runUntilKill(ExecutorService pool, List<? extends Callable<W>> threads, NodeProcess node, Duration phase,
                               Duration slowMachineLimit, String writes)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<Future<W>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (Callable<W> thread : threads) {
            futures.add(pool.submit(thread));
        }
        int inFlightBeforeKill = awaitKillPoint(phase, slowMachineLimit);
        killed.set(true);
        node.kill9();
        long loadMillis = (System.nanoTime() - start) / 1_000_000;
        List<W> returned = new ArrayList<>();
        for (Future<W> f : futures) {
            returned.add(f.get(60, TimeUnit.SECONDS));
        }
        assertTrue(errors.isEmpty(), "errors before the kill:\n" + String.join("\n", errors));
        assertTrue(acked.get() >= minimum, "only " + acked.get() + " " + writes + " were acknowledged in "
                + loadMillis + " ms\nnode log tail:\n" + node.logTail());
        assertTrue(inFlightBeforeKill > 0, "no request was in flight when the node was killed");
        return new Killed<>(returned, inFlightBeforeKill, loadMillis);
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
