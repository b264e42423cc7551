package io.strata.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The summary of {@code ./strata bench all}: one row per figure of every benchmark that ran, read
 * back from the benchmark's {@code <name>.json}, with its value and unit, its anchor's value and the
 * ratio; a figure the benchmark skipped (redis missing) is a row that says so, and a benchmark that
 * failed or wrote no JSON is a row that says that. Written as {@code summary.json} and {@code summary.md}.
 *
 * @param command the command line that produced it, for the Markdown's title
 * @param machine the machine (cores, CPU, RAM, Java); its load averages are the whole suite's
 * @param benchmarks each benchmark's outcome, in the order they ran
 * @param rows one per figure, in the order of the benchmarks and of their figures
 */
record BenchSummary(String command, String startedAt, double wallS, Machine machine, Map<String, Object> settings,
                    List<Ran> benchmarks, List<Row> rows) {

    /**
     * How one benchmark's run went.
     *
     * @param status {@code ok}, or why it has no figures ({@code failed: exit 1}, {@code no JSON written})
     * @param loadavgBefore the 1, 5 and 15 minute load averages when its measuring began (its JSON's, else the runner's)
     */
    record Ran(String name, String status, double wallS, String loadavgBefore, String loadavgAfter,
               @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> notes) {}

    /**
     * One figure. Numbers are null where there is none: a skipped figure, a failed benchmark.
     *
     * @param status {@code ok}, {@code skipped: <why>} or {@code failed: <why>}
     */
    record Row(String benchmark, String figure, String status, Long value, String unit, Long p50Us, Long p99Us,
               String anchor, Long anchorValue, Double ratio) {}

    /**
     * What the runner knows of one benchmark before its JSON is read.
     *
     * @param exit the child JVM's exit code
     * @param json its {@code <name>.json}, or null when it wrote none in this run
     */
    record Outcome(String name, int exit, double wallS, String loadavgBefore, String loadavgAfter, Path json) {}

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** Reads each outcome's JSON (when it ran to the end) into rows. */
    static BenchSummary of(String command, String startedAt, double wallS, Machine machine, Map<String, Object> settings,
                           List<Outcome> outcomes) throws IOException {
        List<Ran> ran = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        for (Outcome outcome : outcomes) {
            if (outcome.exit() != 0 || outcome.json() == null) {
                String status = "failed: " + (outcome.exit() != 0 ? "exit " + outcome.exit() : "no JSON written");
                ran.add(new Ran(outcome.name(), status, outcome.wallS(), loadavg(MissingNode.getInstance(), outcome.loadavgBefore()),
                        loadavg(MissingNode.getInstance(), outcome.loadavgAfter()), List.of()));
                rows.add(new Row(outcome.name(), outcome.name() + ".*", status, null, null, null, null, null, null, null));
                continue;
            }
            JsonNode report = JSON.readTree(outcome.json().toFile());
            List<String> notes = new ArrayList<>();
            report.path("notes").forEach(note -> notes.add(note.asText()));
            ran.add(new Ran(outcome.name(), "ok", outcome.wallS(),
                    loadavg(report.at("/machine/loadavg_before"), outcome.loadavgBefore()),
                    loadavg(report.at("/machine/loadavg_after"), outcome.loadavgAfter()), notes));
            for (JsonNode figure : report.path("figures")) {
                String name = figure.get("name").asText();
                rows.add(new Row(outcome.name(), name, "ok", figure.get("ops_per_s").asLong(), unit(name),
                        figure.get("p50_us").asLong(), figure.get("p99_us").asLong(), figure.get("anchor").asText(),
                        figure.get("anchor_ops_per_s").asLong(), figure.get("ratio").asDouble()));
            }
            for (JsonNode skipped : report.path("skipped")) {
                String name = skipped.get("name").asText();
                rows.add(new Row(outcome.name(), name, "skipped: " + skipped.get("reason").asText(), null, unit(name),
                        null, null, skipped.get("anchor").asText(), null, null));
            }
        }
        return new BenchSummary(command, startedAt, wallS, machine, settings, List.copyOf(ran), List.copyOf(rows));
    }

    /**
     * The unit of a figure's {@code ops_per_s}, which each benchmark counts in its own way (see
     * bench/README.md); the latency figures count operations one at a time, so read their p50/p99.
     */
    static String unit(String figure) {
        if (figure.equals(RespBench.MEMORY_FIGURE)) {
            return "bytes/key, lower is better";
        }
        if (figure.equals(RespBench.HASH_MEMORY_FIGURE)) {
            return "bytes/hash, lower is better";
        }
        if (figure.startsWith("bus.e2e") || figure.startsWith("kafka.e2e")) {
            return "records/s, one at a time";
        }
        if (figure.startsWith("stream.e2e")) {
            return "events/s, paced";
        }
        if (figure.startsWith("bus.") || figure.startsWith("kafka.")) {
            return "records/s";
        }
        if (figure.startsWith("columnar.")) {
            return "rows/s";
        }
        if (figure.startsWith("stream.")) {
            return "events/CPU-s";
        }
        if (figure.startsWith("jmh.resp.")) {
            return "commands/s";
        }
        if (figure.startsWith("jmh.")) {
            return "values/s";
        }
        return "ops/s";
    }

    /** The three load averages of a {@code /proc/loadavg} line, the benchmark's own when it recorded one. */
    private static String loadavg(JsonNode recorded, String fallback) {
        String line = recorded.isTextual() ? recorded.asText() : fallback;
        if (line == null) {
            return "unavailable";
        }
        String[] fields = line.trim().split("\\s+");
        return fields.length >= 3 ? String.join(" ", fields[0], fields[1], fields[2]) : line;
    }

    /** Writes {@code summary.json} and {@code summary.md} under {@code dir}; returns the Markdown's path. */
    Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve("summary.json").toFile(), this);
        Path markdown = dir.resolve("summary.md");
        Files.writeString(markdown, markdown());
        return markdown;
    }

    /** The summary as Markdown: the machine, a table of the benchmarks' runs, a table of the figures, the notes. */
    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# `").append(command).append("`\n\n");
        md.append(String.format(Locale.ROOT, "Started %s, %s in all. Machine: %d cores, %s, %s RAM, %s, %s.%n%n",
                startedAt, duration(wallS), machine.nproc(), machine.cpu(), ram(machine.memory()), machine.java(), machine.os()));
        md.append(String.format(Locale.ROOT, "Settings: %s. Each benchmark alternates runs of Strata and its anchor"
                + " (A B A B ...) in the same JVM; values are medians over the rounds; ratio = value / anchor value."
                + " Compare ratios, not absolute values, across machines and runs.%n%n", settingsText()));
        md.append("| benchmark | status | wall | load average before | load average after |\n");
        md.append("| --- | --- | ---: | --- | --- |\n");
        for (Ran ran : benchmarks) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", ran.name(), ran.status(), duration(ran.wallS()),
                    ran.loadavgBefore(), ran.loadavgAfter()));
        }
        md.append("\n| figure | value | unit | p50 µs | p99 µs | anchor | anchor value | ratio |\n");
        md.append("| --- | ---: | --- | ---: | ---: | --- | ---: | ---: |\n");
        for (Row row : rows) {
            boolean ok = row.status().equals("ok");
            md.append(String.format(Locale.ROOT, "| `%s` | %s | %s | %s | %s | %s | %s | %s |%n", row.figure(),
                    ok ? grouped(row.value()) : row.status(), orDash(row.unit()), latency(row.p50Us()), latency(row.p99Us()),
                    row.anchor() == null ? "—" : "`" + row.anchor() + "`", grouped(row.anchorValue()),
                    row.ratio() == null ? "—" : ratio(row.ratio())));
        }
        List<String> notes = benchmarks.stream().flatMap(ran -> ran.notes().stream().map(note -> ran.name() + ": " + note)).toList();
        if (!notes.isEmpty()) {
            md.append("\nNotes:\n\n");
            notes.forEach(note -> md.append("- ").append(note.strip()).append('\n'));
        }
        return md.toString();
    }

    private String settingsText() {
        List<String> parts = new ArrayList<>();
        settings.forEach((key, value) -> parts.add(key + "=" + value));
        return String.join(", ", parts);
    }

    private static String grouped(Long n) {
        return n == null ? "—" : String.format(Locale.ROOT, "%,d", n);
    }

    /** A latency; 0 means the figure has none (JMH's throughput mode, the memory figure). */
    private static String latency(Long micros) {
        return micros == null || micros == 0 ? "—" : grouped(micros);
    }

    private static String orDash(String s) {
        return s == null ? "—" : s;
    }

    private static String ratio(double ratio) {
        return BigDecimal.valueOf(ratio).toPlainString();
    }

    /** "24684084 kB" as "23.5 GiB". */
    private static String ram(String memTotal) {
        String[] fields = memTotal.trim().split("\\s+");
        if (fields.length == 2 && fields[1].equals("kB") && fields[0].chars().allMatch(Character::isDigit)) {
            return String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(fields[0]) / (1024.0 * 1024.0));
        }
        return memTotal;
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? String.format(Locale.ROOT, "%d min %d s", s / 60, s % 60) : s + " s";
    }
}
