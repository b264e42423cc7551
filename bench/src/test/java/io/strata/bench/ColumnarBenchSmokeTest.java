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
 * Runs {@code bench columnar} on 100,000 rows for one round: checks that it prints a well-formed
 * BENCH line per figure against DuckDB, writes the same figures to columnar.json with the answers
 * agreeing, sizes per row and the time range's skipped blocks, and removes its temporary directory.
 * Not a speed test: any positive figure passes.
 */
class ColumnarBenchSmokeTest {

    private static final String SCRATCH = "strata-bench-columnar-";
    private static final int ROWS = 100_000;

    @Test
    @Timeout(60)
    void printsBenchLinesAndWritesTheSameFiguresAsJson(@TempDir Path out) throws IOException {
        Set<Path> scratchBefore = BenchRun.scratchDirs(SCRATCH);

        BenchRun run = BenchRun.execute("columnar", "--rows", Integer.toString(ROWS), "--rounds", "1", "--warmup", "0.2", "--out", out.toString());

        assertEquals(0, run.exit, run.stderr);
        assertEquals(List.of("columnar.ingest", "columnar.groupby", "columnar.filter_agg", "columnar.time_range"), run.names());
        assertTrue(run.stdout.contains("note: answers agreed on every query"), run.stdout);
        assertTrue(run.stdout.contains("note: bytes/row on disk: Strata segment"), run.stdout);
        JsonNode json = new ObjectMapper().readTree(out.resolve("columnar.json").toFile());
        assertEquals("columnar", json.get("benchmark").asText());
        assertEquals(ROWS, json.at("/settings/rows").asInt());
        assertTrue(json.at("/details/answers_agree").asBoolean(), "answers agreed");
        assertTrue(json.at("/details/sizes/strata_segment_bytes_per_row").asDouble() > 0);
        assertTrue(json.at("/details/sizes/duckdb_file_bytes_per_row").asDouble() > 0);
        assertTrue(json.at("/details/sizes/csv_bytes_per_row").asDouble() > 0);
        // Two blocks of 65,536 rows; the 1% time range lies in the first, so zone maps skip the second.
        assertEquals(1, json.at("/details/time_range/blocks_skipped").asInt());
        assertEquals(1, json.at("/details/time_range/blocks_scanned").asInt());
        JsonNode figures = json.get("figures");
        run.assertFiguresMatch(figures);
        for (JsonNode figure : figures) {
            assertEquals(ColumnarBench.ANCHOR, figure.get("anchor").asText());
        }
        BenchRun.assertNoneLeft(scratchBefore, SCRATCH);
    }
}
