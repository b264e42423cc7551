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
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./strata bench bus}: append and consume throughput of the message bus, against raw Chronicle Queue and redis (see {@link BusBench}). */
@Command(name = "bus", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Message bus append and consume throughput, in process and over HTTP.",
                "",
                "On a fresh node in a temporary directory; figures in records/s, each with its anchor:",
                "  bus.append.inproc           BusStore.produce of batches, N in flight",
                "  bus.append.http.json        POST batches as JSON on C keep-alive connections",
                "  bus.append.http.protobuf    the same as Protobuf",
                "    anchor chronicle-raw:     one raw Chronicle Queue appender, same payloads",
                "  bus.consume.inproc          BusStore.read of 1000 records from a pre-filled partition",
                "    anchor chronicle-raw-tail: one raw Chronicle tailer over the same records",
                "  bus.e2e.inproc              produce-to-visible latency: one record at a time,",
                "                              seen by a reader long-polling the partition",
                "    anchor chronicle-raw-e2e: raw appender to a tailer polling on another thread",
                "  bus.append.fsync            fsync durability: single-record POSTs, P producers",
                "    anchor redis-appendfsync-always: redis-benchmark SET, P clients, appendfsync always",
                "                              (redis-server is installed with apt-get if missing)",
                "Closed loop; the load generator shares the node's JVM and cores. Runs",
                "alternate figure and anchor; figures are medians of the rounds.",
                "Prints BENCH lines and a table, and writes the same to DIR/bus.json.",
                ""})
final class BusBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BenchOptions options;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "100",
            description = "Records per produce call or POST of the append figures (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "1",
            description = "Partitions of the topic appended to; unkeyed records spread over them round-robin (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--consume-records", paramLabel = "N", defaultValue = "100000",
            description = "Records pre-filled for the consume figure and its anchor (default: ${DEFAULT-VALUE}).")
    int consumeRecords;

    @Option(names = "--fsync-producers", paramLabel = "N", defaultValue = "50",
            description = "Concurrent producers (connections) of bus.append.fsync, and clients of its redis anchor (default: ${DEFAULT-VALUE}).")
    int fsyncProducers;

    @Option(names = "--fsync", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Measure bus.append.fsync (default: on; --no-fsync skips it).")
    boolean fsync;

    @Option(names = "--redis", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run the redis anchor of bus.append.fsync, installing redis-server with apt-get if needed"
                    + " (default: on; with --no-redis the fsync figure is skipped with a note).")
    boolean redis;

    @Override
    public Integer call() throws Exception {
        options.validate();
        require(batchSize >= 1 && batchSize <= 10_000, "--batch-size must be 1..10000");
        require(partitions >= 1 && partitions <= 64, "--partitions must be 1..64");
        require(consumeRecords >= 1, "--consume-records must be positive");
        require(fsyncProducers >= 1 && fsyncProducers <= 1024, "--fsync-producers must be 1..1024");
        KvBenchCommand.quietNodeLogs();
        PrintWriter out = spec.commandLine().getOut();
        String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Machine machine = Machine.start();
        BusBench bench = new BusBench(new BusBench.Settings(options.window(), options.rounds, options.concurrency,
                options.valueSize, batchSize, partitions, consumeRecords, fsyncProducers, fsync, redis), spec.commandLine().getErr());
        var figures = bench.run();

        Map<String, Object> described = options.describe();
        described.remove("keyspace_size");
        described.put("batch_size", batchSize);
        described.put("partitions", partitions);
        described.put("consume_records", consumeRecords);
        described.put("read_max", BusBench.READ_MAX);
        described.put("fsync_producers", fsyncProducers);
        BenchReport report = new BenchReport("bus", startedAt, machine.finish(), described, figures, bench.notes(),
                Map.of(), bench.skipped());
        report.publish(out, options.outputDir());
        return 0;
    }

    private void require(boolean condition, String message) {
        if (!condition) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }
}
