package io.strata.dataflow.fault;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides, for one service, which requests fail and how long each is delayed.
 *
 * <p>Decisions are exact for a seed: each is a hash of the seed, the service's name, the request's
 * key and its attempt number, never a draw from a shared random stream, so the same request meets
 * the same fate in every run with that seed whatever order concurrent requests arrive in, and a
 * retry (the next attempt) gets a fresh, equally reproducible draw.
 *
 * <p>The faults in force are those set through the admin API (until changed) combined with those
 * of the run's schedule that hold at the moment, counted from {@link #startClock}.
 */
public final class FaultInjector {

    private static final int ERROR = 1;
    private static final int LATENCY = 2;
    private static final int STORE = 3;

    private final String service;
    private final long serviceSeed;
    private final List<ScheduledFault> schedule;
    private volatile FaultSpec admin = FaultSpec.NONE;
    /** Until {@link #startClock}, the schedule has not begun and none of its faults hold. */
    private volatile long startNanos = Long.MAX_VALUE;
    private volatile boolean started;
    /** The capacity fault's single-server queue: when the next request may start. */
    private final AtomicLong nextSlotNanos = new AtomicLong();

    /** An injector for {@code service} with the faults of {@code schedule} that name it (or {@code *}). */
    public FaultInjector(String service, long seed, List<ScheduledFault> schedule) {
        this.service = service;
        this.serviceSeed = mix(seed ^ mix(hash(service)));
        this.schedule = schedule.stream().filter(f -> f.service().equals(service) || f.service().equals("*")).toList();
    }

    public String service() {
        return service;
    }

    /** Starts the schedule's clock: scheduled faults are timed from {@code nanos} ({@link System#nanoTime()}). */
    public void startClock(long nanos) {
        startNanos = nanos;
        started = true;
    }

    /** Replaces the faults set through the admin API. */
    public void setAdmin(FaultSpec faults) {
        admin = faults;
    }

    public FaultSpec admin() {
        return admin;
    }

    public List<ScheduledFault> schedule() {
        return schedule;
    }

    /** The faults in force at {@code nowNanos}. */
    public FaultSpec effective(long nowNanos) {
        FaultSpec faults = admin;
        if (!started) {
            return faults;
        }
        Duration elapsed = Duration.ofNanos(nowNanos - startNanos);
        for (ScheduledFault fault : schedule) {
            if (fault.holdsAt(elapsed)) {
                faults = fault.apply().on(faults);
            }
        }
        return faults;
    }

    /** The faults in force now. */
    public FaultSpec now() {
        return effective(System.nanoTime());
    }

    /** Whether attempt {@code attempt} of the request {@code key} fails under {@code faults}. */
    public boolean fails(FaultSpec faults, long key, long attempt) {
        return faults.errorRate() > 0 && uniform(key, attempt, ERROR, 0) < faults.errorRate();
    }

    /** The latency added to attempt {@code attempt} of request {@code key}. */
    public long addedLatencyNanos(FaultSpec faults, long key, long attempt) {
        LatencySpec latency = faults.latency();
        return latency == null ? 0 : latency.sampleNanos(uniform(key, attempt, LATENCY, 0), uniform(key, attempt, LATENCY, 1));
    }

    /** The latency added to store operation {@code op} made for request {@code key}. */
    public long storeLatencyNanos(FaultSpec faults, long key, int op) {
        LatencySpec latency = faults.storeLatency();
        return latency == null ? 0 : latency.sampleNanos(uniform(key, op, STORE, 0), uniform(key, op, STORE, 1));
    }

    /**
     * How long a request arriving at {@code nowNanos} waits for its turn under a capacity limit:
     * the service works through one request every 1/capacity seconds, and the others queue.
     */
    public long queueingNanos(FaultSpec faults, long nowNanos) {
        if (faults.capacity() <= 0) {
            return 0;
        }
        long serviceNanos = 1_000_000_000L / faults.capacity();
        long slot = nextSlotNanos.getAndAccumulate(nowNanos, (next, now) -> Math.max(next, now) + serviceNanos);
        return Math.max(0, slot - nowNanos);
    }

    /** A uniform draw in [0, 1) that depends only on the seed, the service and the arguments. */
    double uniform(long key, long attempt, int purpose, int draw) {
        long h = mix(serviceSeed ^ mix(key * 0x9E3779B97F4A7C15L + attempt));
        h = mix(h ^ ((long) purpose << 32 | draw));
        return (h >>> 11) * 0x1.0p-53;
    }

    /** The SplitMix64 finalizer: a bijection that spreads every input bit over the output. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long hash(String text) {
        long h = 1125899906842597L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h = 31 * h + b;
        }
        return h;
    }
}
