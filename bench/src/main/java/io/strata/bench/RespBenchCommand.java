package io.strata.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./strata bench resp}: the KV store over RESP against redis-server, driven by redis-benchmark (see {@link RespBench}). */
@Command(name = "resp", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The KV store over the Redis protocol against redis-server, by redis-benchmark.",
                "",
                "The same redis-benchmark runs against a fresh node's RESP listener and a",
                "redis-server started on a free loopback port, alternating; figures in ops/s:",
                "  resp.set.c50, resp.get.c50          -c 50, unpipelined",
                "  resp.set.c50.p16, resp.get.c50.p16  -c 50 -P 16",
                "  resp.set.c1, resp.get.c1            -c 1: one request at a time (read p50/p99)",
                "    anchor redis: redis-server in memory only (--appendonly no --save '')",
                "  all with -d 100 -r 100000; every key written on both sides first.",
                "  resp.set.c50.mmap                   the same runs as resp.set.c50",
                "    anchor redis-appendfsync-everysec: both survive a killed process",
                "  resp.incr.c50, resp.incr.c50.p16    -c 50 and -c 50 -P 16, after the matrix",
                "  resp.hset.c50, resp.hget.c50, resp.lpush.c50, resp.zadd.c50, and each .p16",
                "      -c 50 and -c 50 -P 16 on a node and a redis-server of their own;",
                "      hset, lpush and zadd grow one key each, hget reads hset's fields",
                "      (redis-benchmark's custom command)",
                "    anchor redis",
                "  resp.set.c50.fsync, resp.set.c50.p16.fsync   a node with fsync durability",
                "    anchor redis-appendfsync-always",
                "  resp.memory                         bytes per key for 1M small keys",
                "  resp.memory.hash                    bytes per hash for 100k hashes of 10 small fields",
                "    anchor redis-used-memory: the node's heap after a full GC vs used_memory",
                "redis-server and redis-benchmark are installed with apt-get if missing;",
                "without them every figure is skipped with the reason.",
                "Prints BENCH lines and a table, and writes the same to DIR/resp.json.",
                ""})
final class RespBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions run;

    @Option(names = {"-c", "--clients"}, paramLabel = "N", defaultValue = "50",
            description = "redis-benchmark -c of the many-clients runs (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = {"-P", "--pipeline"}, paramLabel = "N", defaultValue = "16",
            description = "redis-benchmark -P of the pipelined runs (default: ${DEFAULT-VALUE}).")
    int pipeline;

    @Option(names = {"-d", "--value-size"}, paramLabel = "BYTES", defaultValue = "100",
            description = "redis-benchmark -d: bytes of each SET value (default: ${DEFAULT-VALUE}).")
    int valueSize;

    @Option(names = {"-r", "--random-keys"}, paramLabel = "N", defaultValue = "100000",
            description = "redis-benchmark -r: keys picked at random, all written first (default: ${DEFAULT-VALUE}).")
    int randomKeys;

    @Option(names = "--memory-keys", paramLabel = "N", defaultValue = "1000000",
            description = "Keys of the memory figure; 0 skips it (default: ${DEFAULT-VALUE}).")
    int memoryKeys;

    @Option(names = "--memory-value-size", paramLabel = "BYTES", defaultValue = "8",
            description = "Bytes of each value of the memory figures, the strings' and the hash fields'"
                    + " (default: ${DEFAULT-VALUE}).")
    int memoryValueSize;

    @Option(names = "--memory-hashes", paramLabel = "N", defaultValue = "100000",
            description = "Hashes (of " + RespBench.HASH_FIELDS + " fields) of the hash memory figure; 0 skips it"
                    + " (default: ${DEFAULT-VALUE}).")
    int memoryHashes;

    @Option(names = "--durability", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Measure the fsync figures on a second node (default: on).")
    boolean durability;

    @Option(names = "--redis", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run against redis-server, installing it with apt-get if needed (default: on; --no-redis skips every figure with a note:"
                    + " redis-benchmark drives both sides).")
    boolean redis;

    @Override
    public Integer call() throws Exception {
        run.validate();
        run.require(clients >= 1 && clients <= 1000, "--clients must be 1..1000");
        run.require(pipeline >= 1 && pipeline <= 1000, "--pipeline must be 1..1000");
        run.require(valueSize >= 1 && valueSize <= 1_000_000, "--value-size must be 1..1000000");
        run.require(randomKeys >= 1 && randomKeys <= 100_000_000, "--random-keys must be 1..100000000");
        run.require(memoryKeys >= 0 && memoryKeys <= 100_000_000, "--memory-keys must be 0..100000000");
        run.require(memoryValueSize >= 1 && memoryValueSize <= 1_000_000, "--memory-value-size must be 1..1000000");
        run.require(memoryHashes >= 0 && memoryHashes <= 10_000_000, "--memory-hashes must be 0..10000000");
        KvBenchCommand.quietNodeLogs();
        PrintWriter out = spec.commandLine().getOut();
        String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Machine machine = Machine.start("redis-benchmark runs as a process of its own, on the same cores as the node and redis-server");
        RespBench bench = new RespBench(new RespBench.Settings(run.window(), run.rounds, clients, pipeline, valueSize, randomKeys,
                memoryKeys, memoryValueSize, memoryHashes, durability, redis), spec.commandLine().getErr());
        List<Figure> figures = bench.run();

        Map<String, Object> settings = run.describe();
        settings.put("clients", clients);
        settings.put("pipeline", pipeline);
        settings.put("value_size_bytes", valueSize);
        settings.put("random_keys", randomKeys);
        settings.put("memory_keys", memoryKeys);
        settings.put("memory_value_size_bytes", memoryValueSize);
        settings.put("memory_hashes", memoryHashes);
        settings.put("memory_hash_fields", RespBench.HASH_FIELDS);
        new BenchReport("resp", startedAt, machine.finish(), settings, figures, bench.notes(), bench.details(), bench.skipped())
                .publish(out, run.outputDir());
        return 0;
    }
}
