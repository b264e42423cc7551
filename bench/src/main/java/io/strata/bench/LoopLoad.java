package io.strata.bench;

/**
 * A closed loop on one thread over a blocking operation (a raw Chronicle append or read): the
 * thread runs the operation again as soon as it returns, until the run stops. Latency is per
 * operation. An exception fails the run.
 */
final class LoopLoad {

    private static final long JOIN_TIMEOUT_MILLIS = 20_000;

    /** One operation of the loop. */
    @FunctionalInterface
    interface Operation {
        void run() throws Exception;
    }

    /** One operation of the loop that says when it completed, which may be before it returns. */
    @FunctionalInterface
    interface TimedOperation {
        /** Runs the operation; returns the {@link System#nanoTime()} at which it completed. */
        long run() throws Exception;
    }

    private LoopLoad() {}

    static RunResult run(Window window, String threadName, Operation operation) throws InterruptedException {
        return runTimed(window, threadName, () -> {
            operation.run();
            return System.nanoTime();
        });
    }

    static RunResult runTimed(Window window, String threadName, TimedOperation operation) throws InterruptedException {
        RunControl control = new RunControl();
        Thread thread = new Thread(() -> {
            try {
                while (control.running()) {
                    long start = System.nanoTime();
                    control.record(start, operation.run());
                }
            } catch (Exception | Error e) {
                control.fail(e);
            }
        }, threadName);
        thread.setDaemon(true);
        thread.start();
        RunResult result;
        try {
            result = control.measure(window);
        } finally {
            control.stop();
            thread.join(JOIN_TIMEOUT_MILLIS);
            if (thread.isAlive()) {
                throw new IllegalStateException(threadName + " did not stop");
            }
        }
        control.throwIfFailed();
        return result;
    }
}
