package io.strata.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@code bench kv} with tiny durations: checks that it prints a well-formed BENCH line per
 * figure, writes the same figures to kv.json, and removes its node's data directory. Not a speed
 * test: any positive figure passes.
 */
class KvBenchSmokeTest {

    private static final Pattern BENCH_LINE = Pattern.compile("BENCH name=(\\S+) ops_per_s=(\\d+) p50_us=(\\d+) p99_us=(\\d+)"
            + " anchor=(\\S+) anchor_ops_per_s=(\\d+) ratio=(\\d+\\.\\d+)");

    @Test
    @Timeout(60)
    void printsBenchLinesAndWritesTheSameFiguresAsJson(@TempDir Path out) throws IOException {
        Set<Path> scratchBefore = scratchDirs();
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setOut(new PrintWriter(stdout));
        cli.setErr(new PrintWriter(stderr));

        int exit = cli.execute("kv", "--warmup", "0.1", "--duration", "0.3", "--rounds", "1", "--concurrency", "2",
                "--keyspace-size", "100", "--out", out.toString());

        assertEquals(0, exit, stderr::toString);
        List<Matcher> lines = new ArrayList<>();
        for (String line : stdout.toString().split("\n")) {
            if (line.startsWith("BENCH ")) {
                Matcher m = BENCH_LINE.matcher(line.trim());
                assertTrue(m.matches(), "malformed: " + line);
                lines.add(m);
            }
        }
        assertEquals(List.of("kv.put.inproc", "kv.get.inproc", "kv.put.http", "kv.get.http"),
                lines.stream().map(m -> m.group(1)).toList());

        JsonNode json = new ObjectMapper().readTree(out.resolve("kv.json").toFile());
        assertTrue(json.at("/machine/nproc").asInt() > 0, "nproc recorded");
        assertTrue(!json.at("/machine/loadavg_before").asText().isEmpty() && !json.at("/machine/loadavg_after").asText().isEmpty());
        JsonNode figures = json.get("figures");
        assertEquals(lines.size(), figures.size());
        for (int i = 0; i < lines.size(); i++) {
            Matcher line = lines.get(i);
            JsonNode figure = figures.get(i);
            String name = line.group(1);
            assertEquals(name, figure.get("name").asText());
            assertEquals(line.group(5), figure.get("anchor").asText());
            assertEquals(name.endsWith(".http") ? HelloServer.NAME : EchoActor.NAME, line.group(5));
            assertEquals(Long.parseLong(line.group(2)), figure.get("ops_per_s").asLong(), name);
            assertEquals(Long.parseLong(line.group(3)), figure.get("p50_us").asLong(), name);
            assertEquals(Long.parseLong(line.group(4)), figure.get("p99_us").asLong(), name);
            assertEquals(Long.parseLong(line.group(6)), figure.get("anchor_ops_per_s").asLong(), name);
            assertEquals(Double.parseDouble(line.group(7)), figure.get("ratio").asDouble(), name);
            assertTrue(figure.get("ops_per_s").asLong() > 0 && figure.get("anchor_ops_per_s").asLong() > 0, name);
            assertTrue(figure.get("p50_us").asLong() > 0 && figure.get("p99_us").asLong() >= figure.get("p50_us").asLong(), name);
            assertTrue(figure.get("ratio").asDouble() > 0, name);
            assertEquals(1, figure.get("runs").size(), name);
            assertEquals(2, figure.get("anchor_runs").size(), name);
        }
        assertEquals(scratchBefore, scratchDirs(), "the node's temporary data directory is deleted");
    }

    private static Set<Path> scratchDirs() throws IOException {
        try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return tmp.filter(p -> p.getFileName().toString().startsWith("strata-bench-kv-")).collect(Collectors.toSet());
        }
    }
}
