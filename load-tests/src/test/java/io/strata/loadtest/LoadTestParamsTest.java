package io.strata.loadtest;

import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.fault.LatencySpec;
import io.strata.loadtest.simulation.PlatformSimulation;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parameters' defaults, overrides, bounds and round trip through properties; the gates' intervals. */
class LoadTestParamsTest {

    @Test
    void propertiesOverrideTheScenarioDefaultsAndRoundTrip() {
        Properties props = new Properties();
        props.setProperty("loadtest.rate", "300");
        props.setProperty("loadtest.duration", "90s");
        props.setProperty("loadtest.faults", "B:latency=50ms, D:down=10s@5s");
        LoadTestParams p = LoadTestParams.from(Scenario.COMPOUNDING, props);
        assertEquals(300, p.rate());
        assertEquals(Duration.ofSeconds(90), p.duration());
        assertEquals(0.01, p.errorRate());
        assertEquals(27_000, p.requests());
        assertEquals("D:down=10s@5s", p.outage().toString());
        assertEquals(List.of("*:error-rate=0.01", "B:latency=50ms", "D:down=10s@5s"), p.allFaults().stream().map(Object::toString).toList());

        // Faults hold a lambda, so parameters compare by their properties.
        LoadTestParams targeted = p.withTarget("http://127.0.0.1:9999/process");
        Properties back = new Properties();
        targeted.toProperties().forEach(back::setProperty);
        assertEquals(targeted.toProperties(), LoadTestParams.from(Scenario.COMPOUNDING, back).toProperties());
    }

    @Test
    void eachScenarioHasItsRuns() {
        assertEquals(List.of(Mode.RPC, Mode.DB, Mode.BUS),
                LoadTest.runsOf(Scenario.STEADY, new Properties()).stream().map(LoadTestParams::mode).toList());
        List<LoadTestParams> outage = LoadTest.runsOf(Scenario.OUTAGE, new Properties());
        assertEquals(List.of(false, true, false), outage.stream().map(LoadTestParams::breaker).toList());
        assertEquals(Mode.BUS, outage.get(2).mode());
        Properties onlyBus = new Properties();
        onlyBus.setProperty("loadtest.mode", "bus");
        assertEquals(1, LoadTest.runsOf(Scenario.STEADY, onlyBus).size());
    }

    @Test
    void slowHopAndPlatformHaveTheirRuns() {
        List<LoadTestParams> slow = LoadTest.runsOf(Scenario.SLOW_HOP, new Properties());
        assertEquals(List.of(Mode.RPC, Mode.DB, Mode.BUS), slow.stream().map(LoadTestParams::mode).toList());
        assertEquals("C:latency=lognormal:20ms:400ms", slow.get(0).slowHop().toString());
        assertEquals(Scenario.SLOW_HOP, Scenario.parse("slow-hop"));
        assertEquals(1, LoadTest.runsOf(Scenario.PLATFORM, new Properties()).size());
        assertFalse(Scenario.PLATFORM.drivesChain());
    }

    @Test
    void theSlowHopsBarLiesBelowItsP99AndRisesWithTheRequests() {
        LatencySpec tail = LatencySpec.parse("lognormal:20ms:400ms");
        assertEquals(400, tail.quantileNanos(0.99) / 1e6, 1);
        assertEquals(20, tail.quantileNanos(0.5) / 1e6, 0.01);
        assertEquals(60, LatencySpec.parse("50ms+20ms").quantileNanos(0.5) / 1_000_000);
        double small = Verdicts.quantileLevelLowBound(0.99, 60);
        double large = Verdicts.quantileLevelLowBound(0.99, 1500);
        assertTrue(small < large && large < 0.99 && small >= 0.5, small + " " + large);
    }

    @Test
    void thePlatformMixSendsEachKindItsShare() {
        assertEquals(20, PlatformSimulation.MIX.values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(18, PlatformSimulation.expected("kv-put", 60));
        assertEquals(3, PlatformSimulation.expected("table-query", 60));
        assertEquals(6, PlatformSimulation.expected("kv-put", 7));
        assertEquals(1, PlatformSimulation.expected("kv-get", 7));
        assertEquals(0, PlatformSimulation.expected("table-query", 19));
        assertEquals(1, PlatformSimulation.expected("table-query", 20));
    }

    @Test
    void boundsAreEnforced() {
        assertThrows(IllegalArgumentException.class, () -> params("rate", "5000"));
        assertThrows(IllegalArgumentException.class, () -> params("duration", "11m"));
        assertThrows(IllegalArgumentException.class, () -> params("hops", "9"));
        assertThrows(IllegalArgumentException.class, () -> params("errorRate", "1.5"));
        assertThrows(IllegalArgumentException.class, () -> params("faults", "E:down=1s", "hops", "4"));
        assertThrows(IllegalArgumentException.class, () -> params("target", "http://example.com/process"));
        assertThrows(IllegalArgumentException.class, () -> Scenario.parse("soak"));
    }

    @Test
    void theCompoundingIntervalNarrowsWithTheRequests() {
        double p = 1 - Math.pow(0.99, 4);
        Verdicts.Interval small = Verdicts.failureInterval(p, 200);
        Verdicts.Interval large = Verdicts.failureInterval(p, 12_000);
        assertEquals(0, small.low());
        assertTrue(large.contains(p) && large.low() > 0.033 && large.high() < 0.046, large.toString());
        assertFalse(large.contains(0.05));
        assertEquals(p, LoadTestParams.from(Scenario.COMPOUNDING, new Properties()).predictedFailureRate(), 1e-12);
    }

    private static LoadTestParams params(String... kv) {
        Properties props = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            props.setProperty(LoadTestParams.PREFIX + kv[i], kv[i + 1]);
        }
        return LoadTestParams.from(Scenario.STEADY, props);
    }
}
