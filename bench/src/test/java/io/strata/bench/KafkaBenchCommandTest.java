package io.strata.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench kafka} without running it (a run starts two servers and dozens of JVMs: see
 * bench/README.md to run it): its options parse, values no run can use are usage errors, the
 * tools' output is read as they print it, and the broker's settings keep it on loopback.
 */
class KafkaBenchCommandTest {

    @Test
    void helpNamesTheFiguresAndTheAnchor() {
        BenchRun run = BenchRun.execute("kafka", "--help");
        assertEquals(0, run.exit, run.stderr);
        assertTrue(run.stdout.contains("kafka.produce.<100b|1kib>.<acks1|acksall>.<p1|p8>"), run.stdout);
        assertTrue(run.stdout.contains("--consume-records"), run.stdout);
        assertTrue(run.stdout.contains("--quick"), run.stdout);
        assertEquals("apache-kafka-4.4.0", KafkaBroker.NAME);
    }

    @Test
    void optionsNoRunCanUseAreUsageErrors(@TempDir Path out) {
        BenchRun few = BenchRun.execute("kafka", "--consume-records", "5", "--out", out.toString());
        assertEquals(2, few.exit);
        assertTrue(few.stderr.contains("--consume-records must be at least 10000"), few.stderr);
        BenchRun rounds = BenchRun.execute("kafka", "--rounds", "0", "--out", out.toString());
        assertEquals(2, rounds.exit);
    }

    @Test
    void benchAllRunsItQuickAfterBus() {
        List<String> order = BenchAllCommand.BENCHMARKS;
        assertEquals(order.indexOf("bus") + 1, order.indexOf("kafka"));
        BenchAllCommand all = new BenchAllCommand();
        all.quick = true;
        List<String> args = all.arguments("kafka", Path.of("/tmp/out"));
        assertTrue(args.containsAll(List.of("--quick", "--rounds", "1", "--out", "/tmp/out")), args.toString());
        new CommandLine(new BenchCommand()).parseArgs(args.subList(1, args.size()).toArray(String[]::new));
        assertEquals("records/s", BenchSummary.unit("kafka.produce.100b.acks1.p1"));
        assertEquals("records/s, one at a time", BenchSummary.unit("kafka.e2e.100b.acks1"));
    }

    @Test
    void readsProducerPerformancesSteadyStateSummary() {
        String output = """
                Warmup first 100000 records. Steady state results will print after the complete test summary.
                149275 records sent, 29855.0 records/sec (2.85 MB/sec), 3629.2 ms avg latency, 4000.0 ms max latency.
                500000 records sent, 57084.142025 records/sec (5.44 MB/sec), 2757.88 ms avg latency, 4226.00 ms max latency, 2750 ms 50th, 4000 ms 95th, 4177 ms 99th, 4224 ms 99.9th.
                400000 steady state records sent, 63542.494043 records/sec (6.06 MB/sec), 2828.67 ms avg latency, 4000.00 ms max latency, 2742 ms 50th, 3883 ms 95th, 3960 ms 99th, 3997 ms 99.9th.
                """;
        RunResult steady = KafkaLoad.parseProducerPerformance(output);
        assertEquals(400_000, steady.ops());
        assertEquals(63_542, steady.opsPerS());
        assertEquals(2_742_000, steady.p50Us());
        assertEquals(3_960_000, steady.p99Us());

        RunResult whole = KafkaLoad.parseProducerPerformance(output.lines().limit(3).reduce("", (a, b) -> a + b + "\n"));
        assertEquals(500_000, whole.ops());
        assertEquals(4_177_000, whole.p99Us());
        assertThrows(IllegalStateException.class, () -> KafkaLoad.parseProducerPerformance("org.apache.kafka...TimeoutException"));
    }

    @Test
    void readsTheClientLoadsResult() {
        RunResult result = KafkaLoad.parseResult("some warning\nRESULT records=1000 seconds=0.500000 p50_us=120 p99_us=900\n");
        assertEquals(1000, result.ops());
        assertEquals(2000, result.opsPerS());
        assertEquals(120, result.p50Us());
        assertEquals(900, result.p99Us());
    }

    @Test
    void readsConsumerPerformancesFetchRate() {
        RunResult result = KafkaLoad.parseConsumerPerformance("""
                start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
                2026-12-07 05:59:09:996, 2026-12-07 05:59:11:338, 190.7349, 142.1273, 2000000, 1490312.9657, 290, 1052, 181.3069, 1901140.6844
                """);
        assertEquals(2_000_000, result.ops());
        assertEquals(1.052, result.seconds(), 1e-9);
        assertEquals(1_901_141, result.opsPerS(), "fetch.nMsg.sec: the group's join left out");
        assertThrows(IllegalStateException.class, () -> KafkaLoad.parseConsumerPerformance("WARN the group could not be joined"));
        assertThrows(IllegalStateException.class, () -> KafkaLoad.parseConsumerPerformance(
                "2026-12-07 05:59:09:996, 2026-12-07 05:59:11:338, 0.0, 0.0, 0, 0.0, 290, 0, 0.0, 0.0"));
    }

    @Test
    void theBrokerListensOnLoopbackOnlyAndReportsToNoOne() {
        String properties = KafkaBroker.serverProperties(Path.of("/tmp/logs"), 9092, 9093);
        assertTrue(properties.contains("listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"), properties);
        assertTrue(properties.contains("process.roles=broker,controller"), properties);
        assertTrue(properties.contains("controller.quorum.bootstrap.servers=127.0.0.1:9093"), properties);
        assertFalse(properties.contains("metric.reporters"), properties);
        assertFalse(properties.contains("log.flush.interval"), "Kafka's flush defaults: no fsync per write");
        for (String line : properties.split("\n")) {
            assertFalse(line.contains("://") && !line.contains("127.0.0.1"), line);
        }
    }
}
