package io.strata.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@code bench jmh} on one small benchmark and its anchor, one forked JVM each with a single
 * 100 ms iteration: checks the BENCH line, jmh.json in the other benchmarks' format, and that
 * options no run can use are usage errors (exit 2). Not a speed test: any positive figure passes.
 */
class JmhBenchCommandTest {

    @Test
    @Timeout(60)
    void runsOneFigureWithItsAnchorAndWritesTheSameAsJson(@TempDir Path out) throws IOException {
        Path lock = Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");
        boolean lockBefore = Files.exists(lock);
        BenchRun run = BenchRun.execute("jmh", "--quick", "--include", "^jmh\\.zonemap\\.int64$", "--forks", "1",
                "--warmup-iterations", "0", "--iterations", "1", "--time", "0.1", "--out", out.toString());

        assertEquals(0, run.exit, run.stderr);
        assertEquals(List.of("jmh.zonemap.int64"), run.names());
        assertEquals("jmh.anchor.loop.minmax-int64", run.lines.get(0).group(5));
        assertTrue(run.stderr.contains("# Benchmark: io.strata.bench.jmh.ZoneMapBench.int64Loop"), "JMH's own output on stderr");
        assertTrue(run.stderr.contains("# Fork: 1 of 1"), "each benchmark in a forked JVM");
        JsonNode json = new ObjectMapper().readTree(out.resolve("jmh.json").toFile());
        assertEquals("jmh", json.get("benchmark").asText());
        assertTrue(json.at("/machine/loadavg_before").isTextual() && json.at("/machine/loadavg_after").isTextual());
        JsonNode figures = json.get("figures");
        assertEquals(1, figures.size());
        JsonNode figure = figures.get(0);
        assertEquals("jmh.zonemap.int64", figure.get("name").asText());
        assertEquals(Long.parseLong(run.lines.get(0).group(2)), figure.get("ops_per_s").asLong());
        assertTrue(figure.get("ops_per_s").asLong() > 0 && figure.get("anchor_ops_per_s").asLong() > 0, figure.toString());
        assertTrue(figure.get("ratio").asDouble() > 0, figure.toString());
        assertEquals(1, figure.get("runs").size());
        assertEquals(0, figure.get("p50_us").asLong());
        assertEquals("io.strata.bench.jmh.ZoneMapBench.int64Loop",
                json.at("/details/results/jmh.anchor.loop.minmax-int64/benchmark").asText());
        assertEquals(lockBefore, Files.exists(lock), "JMH's lock file is gone unless it was there before");
    }

    @Test
    void optionsNoRunCanUseAreUsageErrors(@TempDir Path out) throws IOException {
        BenchRun zeroIterations = BenchRun.execute("jmh", "--iterations", "0", "--out", out.toString());
        assertEquals(2, zeroIterations.exit);
        assertTrue(zeroIterations.stderr.contains("--iterations must be at least 1"), zeroIterations.stderr);

        BenchRun noMatch = BenchRun.execute("jmh", "--include", "no-such-figure", "--out", out.toString());
        assertEquals(2, noMatch.exit);
        assertTrue(noMatch.stderr.contains("matches no figure or benchmark"), noMatch.stderr);

        BenchRun badRegex = BenchRun.execute("jmh", "--include", "(", "--out", out.toString());
        assertEquals(2, badRegex.exit);
        assertTrue(badRegex.stderr.contains("is not a regular expression"), badRegex.stderr);

        BenchRun badProfiler = BenchRun.execute("jmh", "--include", "zonemap", "--prof", "no-such-profiler", "--out", out.toString());
        assertEquals(2, badProfiler.exit);
        assertTrue(badProfiler.stderr.contains("--prof no-such-profiler"), badProfiler.stderr);

        try (var files = Files.list(out)) {
            assertFalse(files.findAny().isPresent(), "a refused run writes nothing");
        }
    }
}
