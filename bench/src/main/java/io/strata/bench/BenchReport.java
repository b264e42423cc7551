package io.strata.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The results of one benchmark: its figures with the machine and settings they were measured
 * on, notes on what it could not measure, and details that are not throughput figures (sizes
 * on disk, blocks skipped), JSON only and left out when empty. Prints the {@code BENCH} lines and a table, and
 * writes the same as {@code <benchmark>.json}.
 */
record BenchReport(String benchmark, String startedAt, Machine machine, Map<String, Object> settings, List<Figure> figures,
                   List<String> notes, @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Object> details,
                   @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Skipped> skipped) {

    /** A figure the benchmark did not measure (its anchor could not run, or an option turned it off), and why. */
    record Skipped(String name, String anchor, String reason) {}

    BenchReport(String benchmark, String startedAt, Machine machine, Map<String, Object> settings, List<Figure> figures,
                List<String> notes, Map<String, Object> details) {
        this(benchmark, startedAt, machine, settings, figures, notes, details, List.of());
    }

    BenchReport(String benchmark, String startedAt, Machine machine, Map<String, Object> settings, List<Figure> figures) {
        this(benchmark, startedAt, machine, settings, figures, List.of());
    }

    BenchReport(String benchmark, String startedAt, Machine machine, Map<String, Object> settings, List<Figure> figures,
                List<String> notes) {
        this(benchmark, startedAt, machine, settings, figures, notes, Map.of());
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** Prints the BENCH lines and the table to {@code out}, writes the JSON under {@code dir}, and says where. */
    void publish(PrintWriter out, Path dir) throws IOException {
        printBenchLines(out);
        printTable(out);
        Path json = writeJson(dir);
        out.printf("%nwrote %s%n", json);
        out.flush();
    }

    void printBenchLines(PrintWriter out) {
        figures.forEach(f -> out.println(f.benchLine()));
        out.flush();
    }

    void printTable(PrintWriter out) {
        out.printf(Locale.ROOT, "%n%s benchmark, %s: medians of %s rounds; %d cores, %s%n", benchmark, startedAt,
                settings.get("rounds"), machine.nproc(), machine.note());
        out.printf(Locale.ROOT, "load average before: %s%nload average after:  %s%n", machine.loadavgBefore(), machine.loadavgAfter());
        out.printf(Locale.ROOT, "settings: %s%n", settings.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" ")));
        out.printf(Locale.ROOT, "ratio = ops/s / anchor ops/s, runs alternating with the anchor's on the same node%n%n");
        String row = "%-30s %10s %9s %9s   %-24s %12s %7s%n";
        out.printf(Locale.ROOT, row, "figure", "ops/s", "p50 µs", "p99 µs", "anchor", "anchor ops/s", "ratio");
        for (Figure f : figures) {
            out.printf(Locale.ROOT, row, f.name(), grouped(f.opsPerS()), grouped(f.p50Us()), grouped(f.p99Us()),
                    f.anchor(), grouped(f.anchorOpsPerS()), f.ratioText());
        }
        notes.forEach(note -> out.printf(Locale.ROOT, "note: %s%n", note));
        out.flush();
    }

    private static String grouped(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Writes {@code <dir>/<benchmark>.json} and returns its path. */
    Path writeJson(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(benchmark + ".json");
        JSON.writeValue(file.toFile(), this);
        return file;
    }
}
