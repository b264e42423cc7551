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
 * Runs {@code bench bus} with tiny durations and without the redis anchor: checks that it prints a
 * well-formed BENCH line per figure, writes the same figures to bus.json with a note on the fsync
 * figure it skipped, and removes its temporary directories. Not a speed test: any positive figure passes.
 */
class BusBenchSmokeTest {

    private static final String SCRATCH = "strata-bench-bus-";
    private static final int BATCH = 10;

    @Test
    @Timeout(90)
    void printsBenchLinesAndWritesTheSameFiguresAsJson(@TempDir Path out) throws IOException {
        Set<Path> scratchBefore = BenchRun.scratchDirs(SCRATCH);

        BenchRun run = BenchRun.execute("bus", "--warmup", "0", "--duration", "0.3", "--rounds", "1", "--concurrency", "2",
                "--batch-size", Integer.toString(BATCH), "--consume-records", "3000", "--no-redis", "--out", out.toString());

        assertEquals(0, run.exit, run.stderr);
        assertEquals(List.of("bus.append.inproc", "bus.append.http.json", "bus.append.http.protobuf", "bus.consume.inproc",
                "bus.e2e.inproc"), run.names());
        assertTrue(run.stdout.contains("note: bus.append.fsync not measured: its anchor redis is off (--no-redis)"), run.stdout);
        JsonNode json = new ObjectMapper().readTree(out.resolve("bus.json").toFile());
        assertEquals("bus", json.get("benchmark").asText());
        assertEquals(BATCH, json.at("/settings/batch_size").asInt());
        assertEquals(1, json.get("notes").size());
        assertEquals("bus.append.fsync", json.at("/skipped/0/name").asText(), "the summary of bench all shows it as skipped");
        JsonNode figures = json.get("figures");
        run.assertFiguresMatch(figures);
        List<String> anchors = List.of(RawChronicle.APPEND, RawChronicle.APPEND, RawChronicle.APPEND, RawChronicle.TAIL, RawChronicle.E2E);
        for (int i = 0; i < figures.size(); i++) {
            JsonNode figure = figures.get(i);
            String name = figure.get("name").asText();
            assertEquals(anchors.get(i), figure.get("anchor").asText(), name);
            // Appends count records: a run completes whole batches.
            if (name.startsWith("bus.append")) {
                assertEquals(0, figure.get("runs").get(0).get("ops").asLong() % BATCH, name);
                assertEquals(3, figure.get("anchor_runs").size(), name + ": the append anchor runs after each append figure");
            }
        }
        BenchRun.assertNoneLeft(scratchBefore, SCRATCH);
    }
}
