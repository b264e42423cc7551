package io.strata.bench;

import io.strata.bench.jmh.RespDecoderBench;
import io.strata.bench.jmh.SampleBlocks;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.profile.ProfilerException;
import org.openjdk.jmh.profile.ProfilerFactory;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.ProfilerConfig;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code ./strata bench jmh}: the JMH microbenchmarks of the hot loops ({@code io.strata.bench.jmh}:
 * column encodings, scan kernels, zone maps, RESP parsing), run through JMH's {@link Runner} in
 * throughput mode, each figure beside its anchor benchmark from the same run. JMH's own report goes
 * to stderr; the BENCH lines, a table and {@code jmh.json} are as the other benchmarks'.
 */
@Command(name = "jmh", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"JMH microbenchmarks of the hot loops, each against a plain-loop anchor.",
                "",
                "  jmh.encoding.<enc>.encode|decode  ColumnCodec on a 65,536-value block;",
                "      anchor: a loop copying long[] to and from a ByteBuffer",
                "  jmh.scan.filter-sum|aggregate|groupby  Partial.add of one block;",
                "      anchor: the same arithmetic in a loop over long[] and double[]",
                "  jmh.zonemap.int64|float64  ZoneMaps.of of one block; anchor: min/max loop",
                "  jmh.resp.multibulk|inline  RespDecoder, 16 pipelined SETs; anchor: CRLF scan",
                "Figures are values/s (commands/s for resp): JMH throughput mode, one",
                "forked JVM per benchmark, in alphabetical order; p50/p99 are not measured (0).",
                "--prof gc adds gc.alloc.rate.norm, bytes allocated per value (per command).",
                "Prints BENCH lines and a table, and writes the same to DIR/jmh.json.",
                ""})
final class JmhBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--include", paramLabel = "REGEX",
            description = "Run the figures whose name (jmh.encoding.delta.decode) or JMH benchmark (io.strata.bench.jmh.EncodingBench.decode) this finds, with their anchors; repeatable (default: all).")
    List<String> includes = new ArrayList<>();

    @Option(names = "--quick", description = "Short runs, to check that everything runs: 1 fork, 2 x 0.5 s warm-up, 2 x 0.5 s measured (options given as well win).")
    boolean quick;

    @Option(names = "--forks", paramLabel = "N",
            description = "Forked JVMs per benchmark, one after another; 0 runs in this JVM, for debugging only (default: 1).")
    Integer forks;

    @Option(names = "--warmup-iterations", paramLabel = "N",
            description = "Uncounted iterations before the measured ones, in each fork (default: 3; 2 with --quick).")
    Integer warmupIterations;

    @Option(names = "--iterations", paramLabel = "N",
            description = "Measured iterations in each fork; a figure is their mean (default: 5; 2 with --quick).")
    Integer iterations;

    @Option(names = "--time", paramLabel = "SECONDS",
            description = "Length of every iteration, warm-up and measured (default: 1; 0.5 with --quick).")
    Double time;

    @Option(names = "--prof", paramLabel = "NAME[:OPTIONS]",
            description = "A JMH profiler for every benchmark, as JMH's -prof takes it; repeatable. gc adds gc.alloc.rate.norm (bytes per value).")
    List<String> profilers = new ArrayList<>();

    @Option(names = "--list", description = "List the figures and their anchors, and exit.")
    boolean list;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Directory for the JSON results (default: target/bench under the Strata home, or the working directory).")
    Path outDir;

    @Override
    public Integer call() throws Exception {
        JmhCatalog catalog = JmhCatalog.load();
        PrintWriter out = spec.commandLine().getOut();
        if (list) {
            for (JmhCatalog.Entry e : catalog.entries()) {
                out.printf(Locale.ROOT, "%-36s %s%n", e.figure(), e.isAnchor() ? "(anchor)" : "anchor " + e.anchor());
            }
            out.flush();
            return 0;
        }
        int forkCount = forks != null ? forks : 1;
        int warmups = warmupIterations != null ? warmupIterations : quick ? 2 : 3;
        int measured = iterations != null ? iterations : quick ? 2 : 5;
        double seconds = time != null ? time : quick ? 0.5 : 1;
        require(forkCount >= 0, "--forks must not be negative");
        require(warmups >= 0, "--warmup-iterations must not be negative");
        require(measured >= 1, "--iterations must be at least 1");
        require(seconds >= 0.001, "--time must be at least 0.001 (a millisecond)");
        List<JmhCatalog.Entry> selected = catalog.select(patterns());
        require(!selected.isEmpty(), "--include " + includes + " matches no figure or benchmark (./strata bench jmh --list shows them)");

        ChainedOptionsBuilder options = jmhOptions(selected, forkCount, warmups, measured, seconds);

        String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Machine machine = Machine.start("JMH: a forked JVM per benchmark, one after another; the other cores idle or busy with others");
        Collection<org.openjdk.jmh.results.RunResult> results;
        PrintStream jmhOutput = new PrintStream(new LineStream(spec.commandLine().getErr()), true, StandardCharsets.UTF_8);
        // JMH creates this file to lock out a second JMH run and leaves it; the run leaves no file it did not find.
        Path lock = Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");
        boolean lockExisted = Files.exists(lock);
        try {
            results = new Runner(options.build(), OutputFormatFactory.createFormatInstance(jmhOutput, VerboseMode.NORMAL)).run();
        } catch (RunnerException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.printf("bench jmh: %s%n", e.getMessage() != null ? e.getMessage() : e);
            err.flush();
            return 1;
        } finally {
            jmhOutput.flush();
            if (!lockExisted) {
                Files.deleteIfExists(lock);
            }
        }
        machine = machine.finish();

        Map<String, Measured> byFigure = new LinkedHashMap<>();
        for (org.openjdk.jmh.results.RunResult result : results) {
            JmhCatalog.Entry entry = catalog.of(result.getParams());
            byFigure.put(entry.figure(), Measured.of(entry, result, seconds));
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("forks", forkCount);
        settings.put("warmup_iterations", warmups);
        settings.put("iterations", measured);
        settings.put("time_s", seconds);
        settings.put("mode", "throughput");
        settings.put("include", includes);
        settings.put("profilers", profilers);
        settings.put("jmh_version", results.iterator().next().getParams().getJmhVersion());
        settings.put("block_values", SampleBlocks.ROWS);
        BenchReport report = report(selected, byFigure, startedAt, machine, settings);
        report.printBenchLines(out);
        printTable(out, report, byFigure);
        Path json = report.writeJson(outDir != null ? outDir : BenchOptions.defaultOutputDir());
        out.printf("%nwrote %s%n", json);
        out.flush();
        return 0;
    }

    /** JMH's options for the selected benchmarks; a profiler JMH cannot load is a usage error. */
    private ChainedOptionsBuilder jmhOptions(List<JmhCatalog.Entry> selected, int forkCount, int warmups, int measured,
                                             double seconds) {
        TimeValue iteration = TimeValue.milliseconds(Math.round(seconds * 1000));
        ChainedOptionsBuilder options = new OptionsBuilder()
                .mode(Mode.Throughput).timeUnit(TimeUnit.SECONDS)
                .forks(forkCount)
                .warmupIterations(warmups).warmupTime(iteration)
                .measurementIterations(measured).measurementTime(iteration)
                // The forks get this JVM's flags (--add-opens, -D...): JMH's default, made explicit; prepending them
                // to that default would pass every flag twice.
                .jvmArgs(ManagementFactory.getRuntimeMXBean().getInputArguments().toArray(new String[0]))
                .shouldFailOnError(true);
        JmhCatalog.includePatterns(selected).forEach(options::include);
        JmhCatalog.params(selected).forEach(options::param);
        for (String profiler : profilers) {
            int colon = profiler.indexOf(':');
            ProfilerConfig config = colon < 0 ? new ProfilerConfig(profiler, "")
                    : new ProfilerConfig(profiler.substring(0, colon), profiler.substring(colon + 1));
            try {
                // JMH itself would only say "Profilers failed to initialize" once the run starts.
                ProfilerFactory.getProfilerOrException(config);
            } catch (ProfilerException e) {
                throw new ParameterException(spec.commandLine(), "--prof " + profiler + ": " + e.getMessage());
            }
            options.addProfiler(config.getKlass(), config.getOpts());
        }
        return options;
    }

    /** The report of {@code selected}: a figure per entry that is not an anchor, beside its anchor's score; notes on data and units. */
    private static BenchReport report(List<JmhCatalog.Entry> selected, Map<String, Measured> byFigure, String startedAt,
                                      Machine machine, Map<String, Object> settings) {
        List<Figure> figures = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<String, Object> perFigure = new LinkedHashMap<>();
        for (JmhCatalog.Entry entry : selected) {
            Measured m = byFigure.get(entry.figure());
            if (m == null) {
                throw new IllegalStateException("JMH reported no result for " + entry.figure());
            }
            perFigure.put(entry.figure(), m.details());
            if (!entry.isAnchor()) {
                Measured anchor = byFigure.get(entry.anchor());
                figures.add(Figure.of(entry.figure(), m.opsPerS(), 0, 0, entry.anchor(), anchor.opsPerS(), m.runs(), anchor.runs()));
            }
            if ("encoding".equals(entry.param()) && entry.figure().endsWith(".decode")) {
                notes.add("jmh.encoding." + entry.value() + ": " + SampleBlocks.sample(entry.value()).describe());
            }
        }
        notes.add("ops_per_s: values/s (one value of a 65,536-value block) for encoding, scan and zonemap figures; commands/s"
                + " (" + RespDecoderBench.PIPELINE + " pipelined SETs of " + RespDecoderBench.VALUE_BYTES + "-byte values a buffer) for resp."
                + " The mean of the measured iterations (JMH's score); throughput mode, so p50_us/p99_us are 0");
        return new BenchReport("jmh", startedAt, machine, settings, figures, notes, Map.of("results", perFigure));
    }

    private List<Pattern> patterns() {
        List<Pattern> patterns = new ArrayList<>();
        for (String regex : includes) {
            try {
                patterns.add(Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                throw new ParameterException(spec.commandLine(), "--include '" + regex + "' is not a regular expression: " + e.getDescription());
            }
        }
        return patterns;
    }

    private void require(boolean condition, String message) {
        if (!condition) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    private static void printTable(PrintWriter out, BenchReport report, Map<String, Measured> byFigure) {
        Map<String, Object> s = report.settings();
        out.printf(Locale.ROOT, "%njmh benchmark, %s: JMH %s, throughput, %s fork(s) x (%s warm-up + %s measured iterations of %s s);"
                        + " %d cores, %s%n", report.startedAt(), s.get("jmh_version"), s.get("forks"), s.get("warmup_iterations"),
                s.get("iterations"), s.get("time_s"), report.machine().nproc(), report.machine().note());
        out.printf(Locale.ROOT, "load average before: %s%nload average after:  %s%n", report.machine().loadavgBefore(),
                report.machine().loadavgAfter());
        out.printf(Locale.ROOT, "ratio = ops/s / anchor ops/s, both from this run; ± is JMH's 99.9%% confidence half-width; B/op with --prof gc%n%n");
        String row = "%-36s %15s %11s %-31s %15s %7s %10s%n";
        out.printf(Locale.ROOT, row, "figure", "ops/s", "±", "anchor", "anchor ops/s", "ratio", "B/op");
        for (Figure f : report.figures()) {
            Measured m = byFigure.get(f.name());
            out.printf(Locale.ROOT, row, f.name(), String.format(Locale.ROOT, "%,d", f.opsPerS()), m.errorText(), f.anchor(),
                    String.format(Locale.ROOT, "%,d", f.anchorOpsPerS()), f.ratioText(), m.allocationText());
        }
        report.notes().forEach(note -> out.printf(Locale.ROOT, "note: %s%n", note));
        out.flush();
    }

    /** One benchmark's result: JMH's score, its error, the iterations, and the profilers' secondary results. */
    private record Measured(String benchmark, String param, long opsPerS, double error, List<RunResult> runs,
                            Map<String, Object> secondary, Double allocationPerOp) {

        static Measured of(JmhCatalog.Entry entry, org.openjdk.jmh.results.RunResult result, double seconds) {
            List<RunResult> runs = new ArrayList<>();
            for (var fork : result.getBenchmarkResults()) {
                for (IterationResult it : fork.getIterationResults()) {
                    double score = it.getPrimaryResult().getScore();
                    runs.add(new RunResult(Math.round(score * seconds), seconds, Math.round(score), 0, 0));
                }
            }
            Map<String, Object> secondary = new LinkedHashMap<>();
            Double allocation = null;
            var profiled = result.getSecondaryResults();
            for (String label : profiled.keySet()) {
                Result<?> r = profiled.get(label);
                secondary.put(label, Map.of("score", r.getScore(), "unit", r.getScoreUnit()));
                if (label.equals("gc.alloc.rate.norm")) {
                    allocation = r.getScore();
                }
            }
            Result<?> primary = result.getPrimaryResult();
            return new Measured(entry.benchmark(), entry.param() == null ? null : entry.param() + "=" + entry.value(),
                    Math.round(primary.getScore()), primary.getScoreError(), runs, secondary, allocation);
        }

        String errorText() {
            return Double.isNaN(error) ? "—" : String.format(Locale.ROOT, "%,d", Math.round(error));
        }

        String allocationText() {
            return allocationPerOp == null ? "" : String.format(Locale.ROOT, "%.3f", allocationPerOp);
        }

        /** What jmh.json keeps of it under {@code details.results}. */
        Map<String, Object> details() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("benchmark", benchmark);
            if (param != null) {
                d.put("param", param);
            }
            d.put("ops_per_s", opsPerS);
            d.put("score_error_99_9", Double.isNaN(error) ? null : error);
            if (!secondary.isEmpty()) {
                d.put("secondary", secondary);
            }
            return d;
        }
    }

    /** Passes JMH's console output, a line at a time, to a {@link PrintWriter} (picocli's stderr). */
    private static final class LineStream extends OutputStream {

        private final PrintWriter target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineStream(PrintWriter target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            line.write(b);
            if (b == '\n') {
                flush();
            }
        }

        @Override
        public void flush() {
            target.print(line.toString(StandardCharsets.UTF_8));
            target.flush();
            line.reset();
        }
    }
}
