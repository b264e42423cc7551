package io.strata.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@code bench stream} on a few thousand events: checks that it prints a well-formed BENCH
 * line per figure, writes the same figures to stream.json, that every throughput run counted every
 * event (the benchmark itself fails a job that misses one or disagrees with the anchor's results),
 * and that it removes its temporary directory. Not a speed test: any positive figure passes.
 */
class StreamBenchSmokeTest {

    private static final String SCRATCH = "strata-bench-stream-";
    private static final int EVENTS = 3000;

    @Test
    @Timeout(120)
    void printsBenchLinesAndWritesTheSameFiguresAsJson(@TempDir Path out) throws IOException {
        Set<Path> scratchBefore = BenchRun.scratchDirs(SCRATCH);

        BenchRun run = BenchRun.execute("stream", "--events", Integer.toString(EVENTS), "--keys", "500", "--rounds", "1",
                "--warmup", "0", "--e2e-duration", "0.5", "--out", out.toString());

        assertEquals(0, run.exit, run.stderr);
        assertEquals(List.of("stream.tumbling", "stream.sliding", "stream.session", "stream.e2e.tumbling"), run.names());
        JsonNode json = new ObjectMapper().readTree(out.resolve("stream.json").toFile());
        assertEquals("stream", json.get("benchmark").asText());
        assertEquals(EVENTS, json.at("/settings/events").asInt());
        JsonNode figures = json.get("figures");
        run.assertFiguresMatch(figures);
        List<String> anchors = List.of("pekko-streams.tumbling", "pekko-streams.sliding", "pekko-streams.session", StreamBench.E2E_ANCHOR);
        for (int i = 0; i < figures.size(); i++) {
            assertEquals(anchors.get(i), figures.get(i).get("anchor").asText());
        }
        List<String> types = List.copyOf(StreamBench.WINDOWS.keySet());
        for (int i = 0; i < types.size(); i++) {
            String type = types.get(i);
            // The events and the end event that fires every window.
            assertEquals(EVENTS + 1, figures.get(i).get("runs").get(0).get("ops").asLong(), type);
            for (String name : List.of("stream." + type, "pekko-streams." + type)) {
                JsonNode runs = json.at("/details/throughput_runs/" + name);
                assertEquals(1, runs.size(), name);
                assertEquals(EVENTS + 1, runs.get(0).get("events").asLong(), name);
                assertTrue(runs.get(0).get("events_per_s_wall").asLong() > 0, name);
            }
            assertTrue(json.at("/details/results_expected/" + type).asLong() > 0, type);
        }
        // Latency from append to visible in KV: more than nothing, less than the 30 s the benchmark waits at most.
        JsonNode e2e = figures.get(3);
        assertTrue(e2e.get("p99_us").asLong() < 30_000_000, e2e.toString());
        // The same latencies held against the close + 50 ms target (not a pass/fail of the smoke run).
        JsonNode bound = json.at("/details/e2e_close_to_visible");
        assertEquals(e2e.get("p99_us").asLong() / 1000.0, bound.get("p99_ms").asDouble(), 1e-9);
        assertEquals(StreamBench.E2E_BOUND_MS, bound.get("bound_ms").asLong());
        assertEquals(bound.get("p99_ms").asDouble() <= StreamBench.E2E_BOUND_MS, bound.get("within_bound").asBoolean());
        assertTrue(run.stdout.contains("window close -> result visible in KV"), run.stdout);
        BenchRun.assertNoneLeft(scratchBefore, SCRATCH);
    }
}
