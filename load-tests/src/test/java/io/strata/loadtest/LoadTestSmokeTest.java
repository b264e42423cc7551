package io.strata.loadtest;

import io.strata.dataflow.chain.Mode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The smoke version of the load tests, run by {@code mvn verify}: each scenario for a few seconds
 * at a small rate through Gatling against a fresh node in this JVM, gated by the simulations'
 * assertions; and one run whose gate must fail, so a gate that can never fail does not pass for one.
 * Reports and summaries stay under target/loadtest-smoke for the CI's artifacts.
 */
class LoadTestSmokeTest {

    private static final Path RESULTS = Path.of("target", "loadtest-smoke");
    private static final List<LoadTestSummary> SUMMARIES = new ArrayList<>();
    private static LoadTestNode node;
    private static LoadTest loadTest;
    private static long startNanos;

    @BeforeAll
    static void startNode() throws Exception {
        startNanos = System.nanoTime();
        node = LoadTestNode.fresh();
        loadTest = new LoadTest(node.base(), RESULTS, System.out::println);
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.close();
        }
        if (!SUMMARIES.isEmpty()) {
            LoadTestSummary.writeJson(RESULTS.resolve("smoke-summary.json"), SUMMARIES);
            LoadTestSummary.writeMarkdown(RESULTS.resolve("smoke-summary.md"), SUMMARIES);
            System.out.print(LoadTestSummary.markdown(SUMMARIES));
        }
        System.out.printf("load-test smoke: %.1f s wall time%n", (System.nanoTime() - startNanos) / 1e9);
    }

    @Test
    void steadyPassesInEveryMode() throws Exception {
        for (LoadTestParams params : LoadTest.runsOf(Scenario.STEADY, Scenario.STEADY.smokeProperties())) {
            LoadTestSummary s = run(params);
            assertTrue(s.passed(), "steady " + s.mode() + ": " + s);
            assertEquals(60, s.requests(), s.mode());
            assertEquals(0, s.failed(), s.mode());
        }
    }

    @Test
    void compoundingLandsInItsInterval() throws Exception {
        List<LoadTestParams> runs = LoadTest.runsOf(Scenario.COMPOUNDING, Scenario.COMPOUNDING.smokeProperties());
        assertEquals(List.of(Mode.RPC), runs.stream().map(LoadTestParams::mode).toList());
        LoadTestSummary s = run(runs.get(0));
        assertTrue(s.passed(), s.toString());
        assertEquals(200, s.requests());
        assertEquals(1 - Math.pow(0.99, 4), s.predictedFailureRate(), 1e-9);
        assertTrue(s.failed() > 0, "1% at each of 4 hops failed none of 200 requests");
    }

    @Test
    void outageCascadesInRpcNotOverTheBus() throws Exception {
        // D down for 3 s of 8 at a 500 ms hop timeout: plain rpc waits out the timeout, the breaker fails fast, the bus absorbs it.
        List<LoadTestParams> runs = LoadTest.runsOf(Scenario.OUTAGE, Scenario.OUTAGE.smokeProperties());
        assertEquals(3, runs.size());
        for (LoadTestParams params : runs) {
            LoadTestSummary s = run(params);
            assertTrue(s.passed(), s.mode() + " " + s.policies() + ": " + s);
            assertEquals(160, s.requests());
            assertTrue(s.outage().requests() > 0, s.toString());
            if (params.mode() == Mode.BUS) {
                assertEquals(0, s.failed());
                assertEquals(160, s.completed());
            }
        }
    }

    @Test
    void aSlowHopsTailReachesTheEntryInRpcAndDbNotOverTheBus() throws Exception {
        List<LoadTestParams> runs = LoadTest.runsOf(Scenario.SLOW_HOP, Scenario.SLOW_HOP.smokeProperties());
        assertEquals(List.of(Mode.RPC, Mode.DB, Mode.BUS), runs.stream().map(LoadTestParams::mode).toList());
        for (LoadTestParams params : runs) {
            LoadTestSummary s = run(params);
            assertTrue(s.passed(), s.mode() + ": " + s);
            assertEquals(60, s.requests(), s.mode());
            assertEquals(0, s.failed(), s.mode());
            if (params.mode() == Mode.BUS) {
                assertEquals(60, s.completed());
            }
        }
    }

    @Test
    void platformAnswersEveryKindOfRequest() throws Exception {
        List<LoadTestParams> runs = LoadTest.runsOf(Scenario.PLATFORM, Scenario.PLATFORM.smokeProperties());
        assertEquals(1, runs.size());
        LoadTestSummary s = run(runs.get(0));
        assertTrue(s.passed(), s.toString());
        assertEquals(60, s.requests());
        assertEquals(0, s.failed());
        assertEquals(Set.of("kv-put", "kv-get", "bus-produce", "bus-read", "table-insert", "table-query"), s.byKind().keySet());
        assertEquals(18, s.byKind().get("kv-put").requests());
        assertEquals(3, s.byKind().get("table-query").requests());
    }

    @Test
    void aBrokenClaimFailsTheGate() throws Exception {
        // Steady claims no failures; a service failing 30% of its requests must make Gatling's assertions fail.
        LoadTestSummary s = run(LoadTest.runsOf(Scenario.STEADY,
                props("mode", "rpc", "rate", "20", "duration", "2s", "faults", "B:error-rate=0.3")).get(0));
        assertFalse(s.passed(), s.toString());
        assertNotEquals(0, s.gatlingStatus());
        assertTrue(s.failuresByCode().containsKey("injected_fault"), s.failuresByCode().toString());
    }

    private static LoadTestSummary run(LoadTestParams params) throws Exception {
        long t0 = System.nanoTime();
        LoadTestSummary s = loadTest.run(params);
        System.out.printf("%s %s: %.1f s%n", s.scenario(), s.mode(), (System.nanoTime() - t0) / 1e9);
        SUMMARIES.add(s);
        return s;
    }

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(LoadTestParams.PREFIX + kv[i], kv[i + 1]);
        }
        return p;
    }

}
