package io.strata.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./strata bench all}: every benchmark, one after another, each in a JVM of its own, then
 * {@code summary.json} and {@code summary.md} beside their JSON (see {@link BenchSummary}).
 *
 * <p>A JVM per benchmark, started with this JVM's own flags and classpath: each starts with a cold
 * JIT and an empty heap, as when run alone, and one that fails or crashes leaves the others to run
 * (the summary shows it as failed).
 */
@Command(name = "all", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Every benchmark (kv, resp, bus, kafka, columnar, stream, jmh), then a summary table.",
                "",
                "Runs each benchmark in a JVM of its own, one after another, with its",
                "defaults (or --quick's small sizes), each writing DIR/<name>.json; then",
                "writes DIR/summary.json and DIR/summary.md: a row per figure with its",
                "value and unit, its anchor's value and the ratio, the machine (cores, CPU,",
                "RAM, Java) and each benchmark's load average before and after. A skipped",
                "figure (redis-server missing) or a failed benchmark shows as such.",
                "With the defaults it takes about twenty minutes on a 2-core machine; --quick",
                "takes about four minutes, to check that everything runs (its figures mean little).",
                ""})
final class BenchAllCommand implements Callable<Integer> {

    /** The benchmarks, in the order they run. */
    static final List<String> BENCHMARKS = List.of("kv", "resp", "bus", "kafka", "columnar", "stream", "jmh");

    @Spec
    CommandSpec spec;

    @Option(names = "--rounds", paramLabel = "N",
            description = "Rounds of alternating runs of every benchmark (default: each benchmark's own, 3; 1 with --quick).")
    Integer rounds;

    @Option(names = "--quick", description = "Small sizes and short runs, one round: a check that every benchmark runs end to end.")
    boolean quick;

    @Option(names = "--only", paramLabel = "NAME", split = ",",
            description = "Run only these benchmarks (kv, resp, bus, kafka, columnar, stream, jmh), in the usual order.")
    List<String> only;

    @Option(names = "--redis", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Let bench resp and bench bus run redis (default: on; --no-redis skips bench resp's figures and the bus fsync figure).")
    boolean redis;

    @Option(names = "--wrk", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Let bench kv drive its HTTP figures with wrk too (default: on; --no-wrk skips the .wrk figures).")
    boolean wrk;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Directory for the JSON results and the summary (default: target/bench under the Strata home, or the working directory).")
    Path outDir;

    @Override
    public Integer call() throws Exception {
        if (rounds != null && rounds < 1) {
            throw new ParameterException(spec.commandLine(), "--rounds must be at least 1");
        }
        if (only != null) {
            for (String name : only) {
                if (!BENCHMARKS.contains(name)) {
                    throw new ParameterException(spec.commandLine(), "--only takes " + String.join(", ", BENCHMARKS) + "; got '" + name + "'");
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = (outDir != null ? outDir : BenchOptions.defaultOutputDir()).toAbsolutePath();
        String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        long start = System.nanoTime();
        Machine machine = Machine.start("each benchmark in a JVM of its own, one after another");

        List<BenchSummary.Outcome> outcomes = new ArrayList<>();
        for (String name : BENCHMARKS) {
            if (only == null || only.contains(name)) {
                outcomes.add(runOne(name, arguments(name, dir), dir, err));
            }
        }

        double wall = (System.nanoTime() - start) / 1e9;
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("preset", quick ? "quick" : "defaults");
        settings.put("rounds", rounds != null ? rounds : quick ? 1 : 3);
        settings.put("redis", redis);
        settings.put("wrk", wrk);
        BenchSummary summary = BenchSummary.of(commandLine(), startedAt, wall, machine.finish(), settings, outcomes);
        Path markdown = summary.write(dir);
        out.printf("%n%s%nwrote %s and %s%n", summary.markdown(), dir.resolve("summary.json"), markdown);
        out.flush();
        return outcomes.stream().allMatch(o -> o.exit() == 0) ? 0 : 1;
    }

    /** The arguments of {@code ./strata bench <name>} for this run's options. */
    List<String> arguments(String name, Path dir) {
        List<String> args = new ArrayList<>(List.of("bench", name));
        if (quick) {
            args.addAll(switch (name) {
                case "kv" -> List.of("--warmup", "0.2", "--duration", "0.5", "-c", "4", "--keyspace-size", "1000");
                case "resp" -> List.of("--warmup", "0.2", "--duration", "0.5", "-c", "10", "--random-keys", "10000",
                        "--memory-keys", "100000", "--memory-hashes", "10000");
                case "bus" -> List.of("--warmup", "0.2", "--duration", "0.5", "-c", "4", "--consume-records", "10000",
                        "--fsync-producers", "10");
                case "kafka" -> List.of("--quick");
                case "columnar" -> List.of("--rows", "500000", "--warmup", "0.2");
                case "stream" -> List.of("--events", "20000", "--keys", "1000", "--warmup", "0.2", "--e2e-duration", "1");
                case "jmh" -> List.of("--quick", "--warmup-iterations", "1", "--iterations", "1", "--time", "0.2");
                default -> throw new IllegalArgumentException(name);
            });
        }
        // JMH repeats by its own forks and iterations, not by rounds.
        if ((rounds != null || quick) && !name.equals("jmh")) {
            args.addAll(List.of("--rounds", Integer.toString(rounds != null ? rounds : 1)));
        }
        if ((name.equals("bus") || name.equals("resp")) && !redis) {
            args.add("--no-redis");
        }
        if (name.equals("kv") && !wrk) {
            args.add("--no-wrk");
        }
        args.addAll(List.of("--out", dir.toString()));
        return args;
    }

    /**
     * Runs {@code ./strata <args>} in a child JVM, its output passed through, and waits for it. If
     * this JVM is stopped meanwhile (Ctrl-C), the child is stopped too, so that its own clean-up
     * runs and no node or redis-server outlives the suite.
     */
    private static BenchSummary.Outcome runOne(String name, List<String> args, Path dir, PrintWriter err) throws Exception {
        err.printf("%n=== bench %s: %s%n", name, String.join(" ", args));
        err.flush();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.strata.node.cli.Main");
        command.addAll(args);

        Path json = dir.resolve(name + ".json");
        String loadBefore = Machine.loadavg();
        long start = System.nanoTime();
        // Whole seconds: a file system may keep modification times no finer.
        Instant startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Process child = new ProcessBuilder(command).inheritIO().start();
        Thread stopChild = new Thread(() -> {
            child.destroy();
            try {
                child.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(stopChild);
        int exit;
        try {
            exit = child.waitFor();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopChild);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running or about to: it stops the child.
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        // A JSON from an earlier run must not pass for this one's.
        boolean fresh = Files.exists(json) && Files.getLastModifiedTime(json).compareTo(FileTime.from(startedAt)) >= 0;
        err.printf("=== bench %s: exit %d after %.0f s%n", name, exit, wall);
        err.flush();
        return new BenchSummary.Outcome(name, exit, wall, loadBefore, Machine.loadavg(), fresh ? json : null);
    }

    private String commandLine() {
        List<String> parts = new ArrayList<>(List.of("./strata bench all"));
        if (quick) {
            parts.add("--quick");
        }
        if (rounds != null) {
            parts.add("--rounds " + rounds);
        }
        if (only != null) {
            parts.add("--only " + String.join(",", only));
        }
        if (!redis) {
            parts.add("--no-redis");
        }
        if (!wrk) {
            parts.add("--no-wrk");
        }
        return String.join(" ", parts);
    }
}
