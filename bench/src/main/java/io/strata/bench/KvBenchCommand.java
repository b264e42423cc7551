package io.strata.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./strata bench kv}: throughput and latency of KV puts and gets, in process and over HTTP,
 * from an in-JVM client and from wrk (see {@link KvBench}).
 */
@Command(name = "kv", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"KV put and get throughput and latency, in process and over HTTP.",
                "",
                "On a fresh node in a temporary directory; each figure with its anchor:",
                "  kv.put.inproc, kv.get.inproc  KvStore calls (asks to the sharded partition)",
                "    anchor pekko-ask-echo:      asks to an echo actor on the same dispatcher",
                "  kv.put.http, kv.get.http      HTTP/1.1 requests on keep-alive connections",
                "    anchor pekko-http-hello:    the same GETs to a bare Pekko HTTP route",
                "  kv.put.http.wrk               the same PUTs sent by wrk, a process of its own",
                "    anchor pekko-http-hello-put.wrk: the same PUTs to a bare route that",
                "                              reads each body and drops it",
                "  kv.get.http.wrk               the same GETs sent by wrk",
                "    anchor pekko-http-hello.wrk: the same GETs to the bare route",
                "  (wrk -t --wrk-threads -c C --latency; apt-get installs it if missing)",
                "Closed loop; the in-JVM load generator shares the node's JVM and cores,",
                "wrk only the cores. Runs alternate figure and anchor; figures are medians",
                "of the rounds.",
                "Prints BENCH lines and a table, and writes the same to DIR/kv.json.",
                ""})
final class KvBenchCommand implements Callable<Integer> {

    private static final List<String> DURABILITIES = List.of("mmap", "fsync");

    @Spec
    CommandSpec spec;

    @Mixin
    BenchOptions options;

    @Option(names = "--durability", paramLabel = "MODE", split = ",", defaultValue = "mmap",
            description = "mmap (default), fsync, or mmap,fsync: the KV durability modes to measure, a fresh node each.")
    List<String> durabilities;

    @Option(names = "--wrk", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Measure the wrk figures, installing wrk with apt-get if needed"
                    + " (default: on; --no-wrk skips them).")
    boolean wrk;

    @Option(names = "--wrk-threads", paramLabel = "N", defaultValue = "2",
            description = "wrk's threads (-t), at most --concurrency (default: ${DEFAULT-VALUE}).")
    int wrkThreads;

    @Override
    public Integer call() throws Exception {
        options.validate();
        for (String durability : durabilities) {
            if (!DURABILITIES.contains(durability)) {
                throw new ParameterException(spec.commandLine(), "--durability must be mmap or fsync, got '" + durability + "'");
            }
        }
        if (wrkThreads < 1 || wrkThreads > 64) {
            throw new ParameterException(spec.commandLine(), "--wrk-threads must be 1..64");
        }
        quietNodeLogs();
        PrintWriter out = spec.commandLine().getOut();
        String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Machine machine = Machine.start();
        KvBench.Settings settings = new KvBench.Settings(options.window(), options.rounds, options.concurrency,
                options.valueSize, options.keyspaceSize, List.copyOf(durabilities), wrk, Math.min(wrkThreads, options.concurrency));
        KvBench bench = new KvBench(settings, spec.commandLine().getErr());
        List<Figure> figures = bench.run();

        Map<String, Object> described = options.describe();
        described.put("durability", String.join(",", durabilities));
        described.put("wrk", wrk);
        described.put("wrk_threads", settings.wrkThreads());
        BenchReport report = new BenchReport("kv", startedAt, machine.finish(), described, figures, bench.notes(),
                Map.of(), bench.skipped());
        report.publish(out, options.outputDir());
        return 0;
    }

    /**
     * The node's INFO lines (startup, partition recovery, shutdown) would interleave with the
     * report; warnings still show. An explicit {@code -Dstrata.log.level} wins.
     */
    static void quietNodeLogs() {
        if (System.getProperty("strata.log.level") == null && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
        }
    }
}
