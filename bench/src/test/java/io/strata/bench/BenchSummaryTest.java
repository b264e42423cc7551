package io.strata.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The summary of {@code bench all} from benchmark JSON written as the benchmarks write it (no
 * benchmark runs): a row per figure with its unit, anchor and ratio; a figure skipped for want of
 * redis and a benchmark that failed show as such.
 */
class BenchSummaryTest {

    private static final Machine MACHINE = new Machine(2, "Test CPU", "2097152 kB", "1.50 1.20 1.00 2/300 42",
            "2.00 1.40 1.10 1/300 43", "Test VM 17", "Linux amd64", "test");

    @Test
    void aRowPerFigureWithItsAnchorAndRatioSkippedAndFailedShownAsSuch(@TempDir Path dir) throws IOException {
        Path kv = new BenchReport("kv", "2026-11-22T00:00:00Z", MACHINE, Map.of("rounds", 3), List.of(
                Figure.of("kv.put.inproc", runs(100, 300, 200), "pekko-ask-echo", runs(1000, 1000, 1000)),
                Figure.of("kv.get.http", runs(50, 50, 50), "pekko-http-hello", runs(150, 150, 150)))).writeJson(dir);
        Path bus = new BenchReport("bus", "2026-11-22T00:01:00Z", MACHINE, Map.of("rounds", 3), List.of(
                Figure.of("bus.append.inproc", runs(20_000, 20_000, 20_000), "chronicle-raw", runs(80_000, 80_000, 80_000))),
                List.of("bus.append.fsync not measured: redis-server is not installed"), Map.of(),
                List.of(new BenchReport.Skipped("bus.append.fsync", RedisAnchor.NAME, "redis-server is not installed"))).writeJson(dir);
        List<BenchSummary.Outcome> outcomes = List.of(
                new BenchSummary.Outcome("kv", 0, 61.4, "9 9 9 1/1 1", "9 9 9 1/1 1", kv),
                new BenchSummary.Outcome("bus", 0, 90, null, null, bus),
                new BenchSummary.Outcome("columnar", 1, 5, "0.50 0.40 0.30 1/200 7", "0.60 0.40 0.30 1/200 8", null));

        BenchSummary summary = BenchSummary.of("./strata bench all", "2026-11-22T00:00:00Z", 156.4, MACHINE,
                Map.of("preset", "defaults"), outcomes);

        List<BenchSummary.Row> rows = summary.rows();
        assertEquals(List.of("kv.put.inproc", "kv.get.http", "bus.append.inproc", "bus.append.fsync", "columnar.*"),
                rows.stream().map(BenchSummary.Row::figure).toList());
        BenchSummary.Row put = rows.get(0);
        assertEquals(200L, put.value(), "the median of the rounds");
        assertEquals("ops/s", put.unit());
        assertEquals("pekko-ask-echo", put.anchor());
        assertEquals(1000L, put.anchorValue());
        assertEquals(0.2, put.ratio());
        assertEquals(0.33, rows.get(1).ratio(), "two significant digits");
        assertEquals("records/s", rows.get(2).unit());
        assertEquals(0.25, rows.get(2).ratio());
        BenchSummary.Row fsync = rows.get(3);
        assertEquals("skipped: redis-server is not installed", fsync.status());
        assertEquals(RedisAnchor.NAME, fsync.anchor());
        assertNull(fsync.value());
        assertNull(fsync.ratio());
        assertEquals("failed: exit 1", rows.get(4).status());

        // Load averages: the benchmark's own, measured around its runs, three figures of each.
        assertEquals("1.50 1.20 1.00", summary.benchmarks().get(0).loadavgBefore());
        assertEquals("2.00 1.40 1.10", summary.benchmarks().get(1).loadavgAfter());
        assertEquals("0.50 0.40 0.30", summary.benchmarks().get(2).loadavgBefore(), "the runner's, for a benchmark without JSON");

        String md = summary.markdown();
        assertTrue(md.contains("Machine: 2 cores, Test CPU, 2.0 GiB RAM, Test VM 17, Linux amd64."), md);
        assertTrue(md.contains("| kv | ok | 1 min 1 s | 1.50 1.20 1.00 | 2.00 1.40 1.10 |"), md);
        assertTrue(md.contains("| columnar | failed: exit 1 | 5 s | 0.50 0.40 0.30 | 0.60 0.40 0.30 |"), md);
        assertTrue(md.contains("| `kv.put.inproc` | 200 | ops/s | 10 | 20 | `pekko-ask-echo` | 1,000 | 0.2 |"), md);
        assertTrue(md.contains("| `bus.append.inproc` | 20,000 | records/s | 10 | 20 | `chronicle-raw` | 80,000 | 0.25 |"), md);
        assertTrue(md.contains("| `bus.append.fsync` | skipped: redis-server is not installed | records/s | — | — | `"
                + RedisAnchor.NAME + "` | — | — |"), md);
        assertTrue(md.contains("| `columnar.*` | failed: exit 1 | — | — | — | — | — | — |"), md);
        assertTrue(md.contains("- bus: bus.append.fsync not measured: redis-server is not installed"), md);

        Path written = summary.write(dir);
        assertEquals(md, Files.readString(written));
        JsonNode json = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertEquals(5, json.get("rows").size());
        assertEquals("Test CPU", json.at("/machine/cpu").asText());
        assertEquals(0.2, json.at("/rows/0/ratio").asDouble());
        assertTrue(json.at("/rows/3/ratio").isNull());
    }

    @Test
    void unitsFollowHowEachBenchmarkCounts() {
        assertEquals("ops/s", BenchSummary.unit("kv.get.inproc"));
        assertEquals("records/s", BenchSummary.unit("bus.append.fsync"));
        assertEquals("records/s, one at a time", BenchSummary.unit("bus.e2e.inproc"));
        assertEquals("rows/s", BenchSummary.unit("columnar.groupby"));
        assertEquals("events/CPU-s", BenchSummary.unit("stream.sliding"));
        assertEquals("events/s, paced", BenchSummary.unit("stream.e2e.tumbling"));
        assertEquals("bytes/key, lower is better", BenchSummary.unit("resp.memory"));
        assertEquals("bytes/hash, lower is better", BenchSummary.unit("resp.memory.hash"));
        assertEquals("ops/s", BenchSummary.unit("resp.get.c50.p16"));
        assertEquals("values/s", BenchSummary.unit("jmh.encoding.delta.decode"));
        assertEquals("commands/s", BenchSummary.unit("jmh.resp.multibulk"));
    }

    @Test
    void quickArgumentsAndSharedOptionsReachEveryBenchmark() {
        BenchAllCommand all = new BenchAllCommand();
        all.quick = true;
        all.redis = false;
        all.wrk = false;
        Path out = Path.of("/tmp/out");
        List<String> bus = all.arguments("bus", out);
        assertEquals(List.of("bench", "bus"), bus.subList(0, 2));
        assertTrue(bus.containsAll(List.of("--no-redis", "--out", "/tmp/out")), bus.toString());
        assertEquals("1", bus.get(bus.indexOf("--rounds") + 1));
        all.rounds = 2;
        List<String> columnar = all.arguments("columnar", out);
        assertEquals("2", columnar.get(columnar.indexOf("--rounds") + 1));
        assertTrue(!columnar.contains("--no-redis"), columnar.toString());
        assertTrue(all.arguments("resp", out).contains("--no-redis"), "bench resp runs redis too");
        assertTrue(all.arguments("kv", out).contains("--no-wrk"));
        assertTrue(!all.arguments("resp", out).contains("--no-wrk"));
        for (String name : BenchAllCommand.BENCHMARKS) {
            List<String> args = all.arguments(name, out);
            // What the child JVM will be given must parse: "bench" is the child's first word.
            new CommandLine(new BenchCommand()).parseArgs(args.subList(1, args.size()).toArray(String[]::new));
        }
    }

    /** Rounds with these throughputs, p50 10 µs and p99 20 µs each. */
    private static List<RunResult> runs(long... opsPerS) {
        return Arrays.stream(opsPerS).mapToObj(ops -> new RunResult(ops, 1.0, ops, 10, 20)).toList();
    }
}
