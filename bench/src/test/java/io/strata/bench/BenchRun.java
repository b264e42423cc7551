package io.strata.bench;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One {@code bench} subcommand run in this JVM, for the smoke tests: its exit code, what it
 * printed, and its BENCH lines, each checked to be well-formed and comparable with the JSON figures.
 */
final class BenchRun {

    private static final Pattern BENCH_LINE = Pattern.compile("BENCH name=(\\S+) ops_per_s=(\\d+) p50_us=(\\d+) p99_us=(\\d+)"
            + " anchor=(\\S+) anchor_ops_per_s=(\\d+) ratio=(\\d+(?:\\.\\d+)?)");

    final int exit;
    final String stdout;
    final String stderr;
    /** The BENCH lines, parsed: group 1 the name, 5 the anchor. */
    final List<Matcher> lines = new ArrayList<>();

    private BenchRun(int exit, String stdout, String stderr) {
        this.exit = exit;
        this.stdout = stdout;
        this.stderr = stderr;
        for (String line : stdout.split("\n")) {
            if (line.startsWith("BENCH ")) {
                Matcher m = BENCH_LINE.matcher(line.trim());
                assertTrue(m.matches(), "malformed: " + line);
                lines.add(m);
            }
        }
    }

    static BenchRun execute(String... args) {
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setOut(new PrintWriter(stdout));
        cli.setErr(new PrintWriter(stderr));
        int exit = cli.execute(args);
        return new BenchRun(exit, stdout.toString(), stderr.toString());
    }

    List<String> names() {
        return lines.stream().map(m -> m.group(1)).toList();
    }

    /**
     * Each JSON figure says what its BENCH line says, and every figure is positive with
     * {@code p99 >= p50}; one measured run per figure (a single round).
     */
    void assertFiguresMatch(JsonNode figures) {
        assertEquals(lines.size(), figures.size());
        for (int i = 0; i < lines.size(); i++) {
            Matcher line = lines.get(i);
            JsonNode figure = figures.get(i);
            String name = line.group(1);
            assertEquals(name, figure.get("name").asText());
            assertEquals(line.group(5), figure.get("anchor").asText());
            assertEquals(Long.parseLong(line.group(2)), figure.get("ops_per_s").asLong(), name);
            assertEquals(Long.parseLong(line.group(3)), figure.get("p50_us").asLong(), name);
            assertEquals(Long.parseLong(line.group(4)), figure.get("p99_us").asLong(), name);
            assertEquals(Long.parseLong(line.group(6)), figure.get("anchor_ops_per_s").asLong(), name);
            assertEquals(Double.parseDouble(line.group(7)), figure.get("ratio").asDouble(), name);
            assertTrue(figure.get("ops_per_s").asLong() > 0 && figure.get("anchor_ops_per_s").asLong() > 0, name);
            assertTrue(figure.get("p50_us").asLong() > 0 && figure.get("p99_us").asLong() >= figure.get("p50_us").asLong(), name);
            assertTrue(figure.get("ratio").asDouble() > 0, name);
            assertEquals(1, figure.get("runs").size(), name);
        }
    }

    /**
     * No entry of the temporary directory starting with {@code prefix} is there that was not
     * {@code before} the run (others may have gone: another build on the machine may run the same benchmark).
     */
    static void assertNoneLeft(Set<Path> before, String prefix) throws IOException {
        Set<Path> left = new HashSet<>(scratchDirs(prefix));
        left.removeAll(before);
        assertEquals(Set.of(), left, "temporary directories left behind");
    }

    /** The entries of the temporary directory whose names start with {@code prefix}. */
    static Set<Path> scratchDirs(String prefix) throws IOException {
        try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return tmp.filter(p -> p.getFileName().toString().startsWith(prefix)).collect(Collectors.toSet());
        }
    }
}
