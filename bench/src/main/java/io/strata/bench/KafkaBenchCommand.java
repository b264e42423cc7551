package io.strata.bench;

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

/** {@code ./strata bench kafka}: Strata's Kafka door against a real Apache Kafka broker, the same Kafka clients driving both (see {@link KafkaBench}). */
@Command(name = "kafka", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Strata's Kafka door against a real Apache Kafka broker, the same clients on both.",
                "",
                "A fresh Strata node (Kafka door on) and an Apache Kafka broker (KRaft, one node),",
                "each a child JVM on loopback in a temporary directory; the load tools run in a",
                "child JVM of their own per run. Figures in records/s, each with the anchor",
                "apache-kafka-<version>: the same run against the Kafka broker.",
                "  kafka.produce.<100b|1kib>.<acks1|acksall>.<p1|p8>",
                "                              Kafka's ProducerPerformance, unthrottled, to a fresh",
                "                              topic of 1 or 8 partitions; p50/p99 per record (ms)",
                "  kafka.consume.100b.p1       one consumer reading a pre-filled partition",
                "  kafka.e2e.100b.acks1        one record sent (ack awaited), then polled; p50/p99",
                "                              are the round trip (the anchor's are in the notes)",
                "Runs are record counts sized to last about --duration, after --warmup records",
                "not counted. Runs alternate Strata and Kafka; figures are medians of the rounds.",
                "Prints BENCH lines and a table, and writes the same to DIR/kafka.json.",
                ""})
final class KafkaBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions run;

    @Option(names = "--consume-records", paramLabel = "N", defaultValue = "4000000",
            description = "Records of 100 B pre-filled on each side for the consume figure; every consume run reads them all (default: ${DEFAULT-VALUE}).")
    long consumeRecords;

    @Option(names = "--quick", description = "A check that it runs end to end: one round (unless --rounds), no warm-up, each run a probe's count of records (5 MB to produce, 100,000 to consume), 1 s of e2e.")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        run.validate();
        if (consumeRecords < 10_000) {
            throw new ParameterException(spec.commandLine(), "--consume-records must be at least 10000");
        }
        if (quick) {
            run.warmupSeconds = 0;
            run.durationSeconds = Math.min(run.durationSeconds, 1);
            if (!spec.commandLine().getParseResult().hasMatchedOption("--rounds")) {
                run.rounds = 1;
            }
            consumeRecords = Math.min(consumeRecords, 100_000);
        }
        KvBenchCommand.quietNodeLogs();
        PrintWriter out = spec.commandLine().getOut();
        String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Machine machine = Machine.start("the Strata node, the Kafka broker and each run's load tool are JVMs of their own,"
                + " all on the same " + Runtime.getRuntime().availableProcessors() + " cores; both servers run throughout");
        KafkaBench bench = new KafkaBench(new KafkaBench.Settings(run.window(), run.rounds, consumeRecords), spec.commandLine().getErr());
        List<Figure> figures = bench.run();

        Map<String, Object> settings = run.describe();
        settings.put("quick", quick);
        settings.put("consume_records", consumeRecords);
        settings.put("anchor", KafkaBroker.NAME);
        settings.put("server_heap", String.join(" ", KafkaBench.SERVER_HEAP));
        settings.put("tool_jvm_flags", String.join(" ", ChildJvm.TOOL_FLAGS));
        new BenchReport("kafka", startedAt, machine.finish(), settings, figures, bench.notes(), bench.details()).publish(out, run.outputDir());
        return 0;
    }
}
