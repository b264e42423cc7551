package io.strata.dataflow.fault;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves the fault injector's decisions are what the experiments rely on: error rates that hold
 * statistically, exact reproducibility per seed whatever the call order, retries as fresh draws,
 * latency distributions with the configured shape, the capacity queue's spacing, and scheduled
 * faults that hold exactly over their window and on the services they name.
 */
class FaultInjectorTest {

    private static final int N = 100_000;
    private static final FaultSpec ONE_PERCENT = FaultSpec.NONE.withErrorRate(0.01);

    private static FaultInjector injector(String service, long seed, String... faults) {
        return new FaultInjector(service, seed, Arrays.stream(faults).map(ScheduledFault::parse).toList());
    }

    private static Set<Long> failing(FaultInjector injector, FaultSpec faults, int attempt) {
        Set<Long> keys = new HashSet<>();
        for (long key = 0; key < N; key++) {
            if (injector.fails(faults, key, attempt)) {
                keys.add(key);
            }
        }
        return keys;
    }

    @Test
    void onePercentErrorRateLandsWithinTheBinomialInterval() {
        int failures = failing(injector("C", 1), ONE_PERCENT, 1).size();
        // Binomial(100000, 0.01): mean 1000, sigma 31.5; 3.3 sigma is the 99.9% interval.
        assertTrue(Math.abs(failures - 1000) <= 104, "1% of 100000 calls failed " + failures + " times");
    }

    @Test
    void sameSeedFailsTheSameKeysAndAnotherSeedOthers() {
        Set<Long> first = failing(injector("C", 42), ONE_PERCENT, 1);
        Set<Long> again = failing(injector("C", 42), ONE_PERCENT, 1);
        Set<Long> otherSeed = failing(injector("C", 43), ONE_PERCENT, 1);
        Set<Long> otherService = failing(injector("D", 42), ONE_PERCENT, 1);
        assertEquals(first, again);
        // Independent 1% sets of 100000 keys share about 10 keys; 50 would mean the seed barely matters.
        assertTrue(overlap(first, otherSeed) < 50, "seeds 42 and 43 share " + overlap(first, otherSeed) + " failing keys");
        assertTrue(overlap(first, otherService) < 50, "services C and D share " + overlap(first, otherService) + " failing keys");
    }

    @Test
    void decisionsDoNotDependOnCallOrder() {
        FaultInjector injector = injector("B", 7);
        Set<Long> inOrder = failing(injector, ONE_PERCENT, 1);
        List<Long> keys = new ArrayList<>(LongStream.range(0, N).boxed().toList());
        Collections.shuffle(keys, new Random(3));
        Set<Long> shuffled = new HashSet<>();
        for (long key : keys) {
            if (injector.fails(ONE_PERCENT, key, 1)) {
                shuffled.add(key);
            }
        }
        Set<Long> parallel = new HashSet<>(LongStream.range(0, N).parallel()
                .filter(key -> injector.fails(ONE_PERCENT, key, 1)).boxed().toList());
        assertEquals(inOrder, shuffled);
        assertEquals(inOrder, parallel);
    }

    @Test
    void aRetryIsAnIndependentDraw() {
        FaultInjector injector = injector("B", 1);
        Set<Long> first = failing(injector, ONE_PERCENT, 1);
        Set<Long> second = failing(injector, ONE_PERCENT, 2);
        assertTrue(Math.abs(second.size() - 1000) <= 104, "attempt 2 failed " + second.size() + " times");
        // Independent draws fail both attempts for 1 key in 10000: about 10 here. A correlated retry would repeat most failures.
        int both = overlap(first, second);
        assertTrue(both <= 30, both + " keys failed both attempts");
    }

    @Test
    void lognormalLatencyHasTheConfiguredMedianAndP99() {
        FaultInjector injector = injector("B", 1);
        FaultSpec faults = FaultSpec.NONE.withLatency(LatencySpec.parse("lognormal:20ms:400ms"));
        long[] samples = new long[N];
        for (int key = 0; key < N; key++) {
            samples[key] = injector.addedLatencyNanos(faults, key, 1);
        }
        Arrays.sort(samples);
        double medianMs = samples[N / 2] / 1e6;
        double p99Ms = samples[N * 99 / 100] / 1e6;
        // The sampling error of the median is about 0.5%, of the p99 about 1.5% at this n.
        assertEquals(20, medianMs, 20 * 0.03, "median");
        assertEquals(400, p99Ms, 400 * 0.10, "p99");
        assertTrue(samples[N - 1] / 1e6 > 800, "a heavy tail reaches far beyond the p99, max was " + samples[N - 1] / 1e6 + " ms");
    }

    @Test
    void fixedLatencyWithJitterStaysWithinItsBounds() {
        FaultInjector injector = injector("B", 1);
        FaultSpec faults = FaultSpec.NONE.withLatency(LatencySpec.parse("50ms+20ms"));
        long min = Long.MAX_VALUE;
        long max = 0;
        double sum = 0;
        for (int key = 0; key < N; key++) {
            long nanos = injector.addedLatencyNanos(faults, key, 1);
            min = Math.min(min, nanos);
            max = Math.max(max, nanos);
            sum += nanos;
        }
        assertTrue(min >= TimeUnit.MILLISECONDS.toNanos(50) && max < TimeUnit.MILLISECONDS.toNanos(70), "latencies in [" + min + ", " + max + "] ns");
        // The jitter is uniform: it covers the whole range, with its mean in the middle.
        assertTrue(min < TimeUnit.MILLISECONDS.toNanos(51) && max > TimeUnit.MILLISECONDS.toNanos(69), "jitter spans [" + min + ", " + max + "] ns");
        assertEquals(60, sum / N / 1e6, 0.2, "mean latency in ms");
        assertEquals(0, injector.addedLatencyNanos(FaultSpec.NONE, 1, 1), "no latency fault adds nothing");
    }

    @Test
    void capacityQueuesRequestsOnePerServiceTimeApart() {
        FaultInjector injector = injector("D", 1);
        FaultSpec faults = FaultSpec.NONE.withCapacity(100);
        long now = TimeUnit.SECONDS.toNanos(1000);
        long tenMs = TimeUnit.MILLISECONDS.toNanos(10);
        for (int i = 0; i < 5; i++) {
            assertEquals(i * tenMs, injector.queueingNanos(faults, now), "request " + i + " arriving together");
        }
        // Once the queue has emptied, a request arriving later starts at once.
        assertEquals(0, injector.queueingNanos(faults, now + TimeUnit.SECONDS.toNanos(1)));
        assertEquals(tenMs - TimeUnit.MILLISECONDS.toNanos(4), injector.queueingNanos(faults, now + TimeUnit.SECONDS.toNanos(1) + TimeUnit.MILLISECONDS.toNanos(4)));
        assertEquals(0, injector("E", 1).queueingNanos(FaultSpec.NONE, now), "no capacity fault, no queue");
    }

    @Test
    void scheduledFaultsHoldOnlyWithinTheirWindow() {
        FaultInjector injector = injector("C", 1, "C:down=3s@2s", "C:error-rate=0.5@4s");
        long start = TimeUnit.SECONDS.toNanos(500);
        assertFalse(injector.effective(start + TimeUnit.SECONDS.toNanos(3)).down(), "no fault holds before the clock starts");
        injector.startClock(start);
        assertFalse(injector.effective(start + ms(1999)).down());
        assertTrue(injector.effective(start + ms(2000)).down());
        assertTrue(injector.effective(start + ms(4999)).down());
        assertFalse(injector.effective(start + ms(5000)).down());
        assertEquals(0, injector.effective(start + ms(3999)).errorRate());
        assertEquals(0.5, injector.effective(start + ms(4000)).errorRate());
        assertEquals(0.5, injector.effective(start + ms(3_600_000)).errorRate(), "a fault without an end lasts the run");

        ScheduledFault outage = ScheduledFault.parse("C:down=3s@2s");
        assertEquals(Duration.ofSeconds(5), outage.end());
        assertFalse(outage.holdsAt(Duration.ofMillis(1999)));
        assertTrue(outage.holdsAt(Duration.ofSeconds(2)));
        assertFalse(outage.holdsAt(Duration.ofSeconds(5)));
    }

    @Test
    void starAppliesToEveryServiceAndANamedFaultOnlyToItsService() {
        List<String> schedule = List.of("*:latency=10ms", "C:error-rate=0.2");
        for (String service : List.of("A", "B", "C", "H")) {
            FaultInjector injector = injector(service, 1, schedule.toArray(String[]::new));
            injector.startClock(0);
            FaultSpec now = injector.effective(1);
            assertEquals("10ms", String.valueOf(now.latency()), service + "'s latency");
            assertEquals(service.equals("C") ? 0.2 : 0, now.errorRate(), 1e-12, service + "'s error rate");
        }
    }

    @Test
    void adminFaultsCombineWithScheduledOnes() {
        FaultInjector injector = injector("C", 1, "C:error-rate=0.5");
        injector.startClock(0);
        injector.setAdmin(FaultSpec.NONE.withErrorRate(0.5).withDown(true));
        FaultSpec now = injector.effective(1);
        // Two independent sources of 50% failures pass a request only a quarter of the time.
        assertEquals(0.75, now.errorRate(), 1e-12);
        assertTrue(now.down());
        injector.setAdmin(FaultSpec.NONE);
        assertEquals(0.5, injector.effective(1).errorRate(), 1e-12);
        assertFalse(injector.effective(1).down());
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private static int overlap(Set<Long> a, Set<Long> b) {
        Set<Long> both = new HashSet<>(a);
        both.retainAll(b);
        return both.size();
    }
}
