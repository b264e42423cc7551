package io.strata.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@code bench kv} with tiny durations: checks that it prints a well-formed BENCH line per
 * figure, writes the same figures to kv.json, and removes its node's data directory; with
 * {@code --no-wrk} (wrk is not on CI), lists the wrk figures as skipped. Not a speed test: any
 * positive figure passes.
 */
class KvBenchSmokeTest {

    private static final String SCRATCH = "strata-bench-kv-";

    @Test
    @Timeout(60)
    void printsBenchLinesAndWritesTheSameFiguresAsJson(@TempDir Path out) throws IOException {
        Set<Path> scratchBefore = BenchRun.scratchDirs(SCRATCH);

        BenchRun run = BenchRun.execute("kv", "--warmup", "0.1", "--duration", "0.3", "--rounds", "1", "--concurrency", "2",
                "--keyspace-size", "100", "--no-wrk", "--out", out.toString());

        assertEquals(0, run.exit, run.stderr);
        assertEquals(List.of("kv.put.inproc", "kv.get.inproc", "kv.put.http", "kv.get.http"), run.names());
        JsonNode json = new ObjectMapper().readTree(out.resolve("kv.json").toFile());
        assertTrue(json.at("/machine/nproc").asInt() > 0, "nproc recorded");
        assertTrue(!json.at("/machine/loadavg_before").asText().isEmpty() && !json.at("/machine/loadavg_after").asText().isEmpty());
        JsonNode figures = json.get("figures");
        run.assertFiguresMatch(figures);
        for (JsonNode figure : figures) {
            String name = figure.get("name").asText();
            assertEquals(name.endsWith(".http") ? HelloServer.NAME : EchoActor.NAME, figure.get("anchor").asText());
            assertEquals(2, figure.get("anchor_runs").size(), name);
        }
        List<String> skipped = new ArrayList<>();
        for (JsonNode figure : json.get("skipped")) {
            skipped.add(figure.get("name").asText() + " vs " + figure.get("anchor").asText() + ": " + figure.get("reason").asText());
        }
        assertEquals(List.of("kv.put.http.wrk vs pekko-http-hello-put.wrk: off (--no-wrk)",
                "kv.get.http.wrk vs pekko-http-hello.wrk: off (--no-wrk)"), skipped);
        BenchRun.assertNoneLeft(scratchBefore, SCRATCH);
    }
}
