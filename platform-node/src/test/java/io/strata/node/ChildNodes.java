package io.strata.node;

import io.strata.node.launch.NodeProcess;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The child node processes a test started, and the pool of its load threads, for an
 * {@code @AfterEach} that stops the threads and kills every node still running, by PID, checking it is gone.
 */
final class ChildNodes {

    private final List<NodeProcess> started = new ArrayList<>();
    private ExecutorService pool;

    NodeProcess start(NodeProcess.Builder builder) {
        NodeProcess node = builder.start();
        started.add(node);
        return node;
    }

    /** The load threads' pool, stopped before the nodes are killed. */
    ExecutorService pool(ExecutorService threads) {
        this.pool = threads;
        return threads;
    }

    void killAll() throws InterruptedException {
        if (pool != null) {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS), "load threads did not stop");
        }
        for (NodeProcess node : started) {
            if (node.isAlive()) {
                node.kill9();
            }
            assertFalse(ProcessHandle.of(node.pid()).map(ProcessHandle::isAlive).orElse(false),
                    "node process " + node.pid() + " is still running");
        }
    }
}
