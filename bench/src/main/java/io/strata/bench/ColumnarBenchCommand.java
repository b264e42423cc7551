package io.strata.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./strata bench columnar}: the columnar engine's ingest and scans against DuckDB on the same rows (see {@link ColumnarBench}). */
@Command(name = "columnar", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Columnar engine ingest and queries against DuckDB, single-threaded.",
                "",
                "Generates --rows rows (k int64 of 1000 values, v float64, ts timestamp",
                "increasing) from a fixed seed, a block at a time (the heap does not grow",
                "with --rows), writes them as one Strata segment of 65,536-row blocks and",
                "loads them into a DuckDB file (appender), both in a temporary directory;",
                "then runs the same queries on both:",
                "  columnar.groupby      count, sum, avg, min, max of v by k",
                "  columnar.filter_agg   sum(v) where k < 100",
                "  columnar.time_range   count, avg(v) where ts covers ~1%% of the rows",
                "  columnar.ingest       build + encode + write, against the DuckDB load",
                "Anchor duckdb (SET threads TO 1). Engine level: no node, no HTTP.",
                "Answers must agree, else the run fails. Figures are rows/s (table",
                "rows / time), medians of the rounds after a warm-up of every run;",
                "sizes per row are in the notes.",
                "Prints BENCH lines and a table, and writes the same to DIR/columnar.json.",
                ""})
final class ColumnarBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "10000000",
            description = "Rows in the table (default: ${DEFAULT-VALUE}).")
    long rows;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
            description = "Rounds of alternating runs (Strata, DuckDB, ...) after one uncounted warm-up pass; figures are medians over rounds (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "3",
            description = "Before the rounds, each ingest and query repeats uncounted for this long, at least once, so the JIT has compiled the scan loops (default: ${DEFAULT-VALUE}; 0: no warm-up).")
    double warmupSeconds;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of the generated rows (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Directory for the JSON results (default: target/bench under the Strata home, or the working directory).")
    Path outDir;

    @Override
    public Integer call() throws Exception {
        // Rows are counted in ints (blocks of 65,536 rows indexed by int); memory does not grow with them.
        if (rows < 1 || rows > Integer.MAX_VALUE - 8) {
            throw new ParameterException(spec.commandLine(), "--rows must be 1.." + (Integer.MAX_VALUE - 8));
        }
        if (warmupSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--warmup must not be negative");
        }
        if (rounds < 1) {
            throw new ParameterException(spec.commandLine(), "--rounds must be at least 1");
        }
        KvBenchCommand.quietNodeLogs();
        PrintWriter out = spec.commandLine().getOut();
        String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Machine machine = Machine.start("engine level, one thread on each side; the machine's other cores idle or busy with others");
        ColumnarBench.Outcome outcome = new ColumnarBench((int) rows, rounds,
                Duration.ofNanos(Math.round(warmupSeconds * 1e9)), seed, spec.commandLine().getErr()).run();

        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("rounds", rounds);
        settings.put("warmup_s", warmupSeconds);
        settings.put("rows", rows);
        settings.put("block_rows", ColumnarBench.BLOCK_ROWS);
        settings.put("seed", seed);
        settings.put("threads", 1);
        BenchReport report = new BenchReport("columnar", startedAt, machine.finish(), settings, outcome.figures(),
                outcome.notes(), outcome.details());
        report.publish(out, outDir != null ? outDir : BenchOptions.defaultOutputDir());
        return 0;
    }
}
