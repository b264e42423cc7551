package io.strata.node.stream.job;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a running job reports: its state, watermark, counters and offsets. The job's stream stages
 * update it; {@code GET /jobs/{id}} reads it. Thread-safe.
 */
public final class JobStatus {

    /** A job's state. */
    public enum State { STARTING, RUNNING, RESTARTING, FAILED, STOPPING, STOPPED }

    volatile State state = State.STARTING;
    volatile long watermark = Long.MIN_VALUE;
    volatile int openWindows;
    volatile long epoch;
    volatile String lastError;
    final AtomicLong eventsIn = new AtomicLong();
    final AtomicLong resultsOut = new AtomicLong();
    final AtomicLong lateEvents = new AtomicLong();
    final AtomicLong badRecords = new AtomicLong();
    /** Results sent to the dead-letter topic instead of a sink that cannot store them (once per sink). */
    final AtomicLong badResults = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    final AtomicLong restarts = new AtomicLong();
    /** Per source partition, the next offset the job will read. */
    final Map<Integer, Long> consumed = new ConcurrentHashMap<>();
    /** Per source partition, the next offset of the last durable checkpoint: where a restart resumes. */
    final Map<Integer, Long> committed = new ConcurrentHashMap<>();

    public State state() {
        return state;
    }

    public long watermark() {
        return watermark;
    }

    public int openWindows() {
        return openWindows;
    }

    public long epoch() {
        return epoch;
    }

    public String lastError() {
        return lastError;
    }

    public long eventsIn() {
        return eventsIn.get();
    }

    public long resultsOut() {
        return resultsOut.get();
    }

    public long lateEvents() {
        return lateEvents.get();
    }

    public long badRecords() {
        return badRecords.get();
    }

    public long badResults() {
        return badResults.get();
    }

    public long skipped() {
        return skipped.get();
    }

    public long restarts() {
        return restarts.get();
    }

    public Map<Integer, Long> consumed() {
        return Map.copyOf(consumed);
    }

    public Map<Integer, Long> committed() {
        return Map.copyOf(committed);
    }
}
