package io.strata.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs {@code bench resp} with tiny sizes against a real redis-server (skipped where redis is not
 * installed, as on CI: the test does not install it), and without redis: every figure is then
 * recorded as skipped. Not a speed test: any positive figure passes.
 */
class RespBenchSmokeTest {

    private static final String SCRATCH = "strata-bench-resp-";
    private static final List<String> FIGURES = List.of("resp.set.c4", "resp.get.c4", "resp.set.c4.p8", "resp.get.c4.p8",
            "resp.set.c1", "resp.get.c1", "resp.set.c4.mmap",
            "resp.incr.c4", "resp.incr.c4.p8", "resp.hset.c4", "resp.hget.c4", "resp.lpush.c4", "resp.zadd.c4",
            "resp.hset.c4.p8", "resp.hget.c4.p8", "resp.lpush.c4.p8", "resp.zadd.c4.p8",
            "resp.set.c4.fsync", "resp.set.c4.p8.fsync", "resp.memory", "resp.memory.hash");
    private static final Set<String> MEMORY_FIGURES = Set.of(RespBench.MEMORY_FIGURE, RespBench.HASH_MEMORY_FIGURE);

    @Test
    @Timeout(120)
    void runsTheSameRedisBenchmarkAgainstStrataAndRedis(@TempDir Path out) throws IOException {
        assumeTrue(onPath("redis-server") && onPath("redis-benchmark"), "redis-server and redis-benchmark are not installed");
        Set<Path> scratchBefore = BenchRun.scratchDirs(SCRATCH);

        BenchRun run = BenchRun.execute("resp", "--warmup", "0", "--duration", "0.3", "--rounds", "1", "-c", "4", "-P", "8",
                "--random-keys", "2000", "--memory-keys", "20000", "--memory-hashes", "10000", "--out", out.toString());

        assertEquals(0, run.exit, run.stderr);
        assertEquals(FIGURES, run.names());
        JsonNode json = new ObjectMapper().readTree(out.resolve("resp.json").toFile());
        JsonNode figures = json.get("figures");
        List<String> anchors = new ArrayList<>();
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode figure : figures) {
            String name = figure.get("name").asText();
            byName.put(name, figure);
            anchors.add(figure.get("anchor").asText());
            assertTrue(figure.get("ops_per_s").asLong() > 0 && figure.get("anchor_ops_per_s").asLong() > 0, name);
            assertTrue(figure.get("ratio").asDouble() > 0, name);
            if (!MEMORY_FIGURES.contains(name)) {
                assertTrue(figure.get("p99_us").asLong() >= figure.get("p50_us").asLong(), name);
            }
        }
        List<String> expected = new ArrayList<>(Collections.nCopies(6, "redis"));
        expected.add("redis-appendfsync-everysec");
        expected.addAll(Collections.nCopies(10, "redis"));
        expected.addAll(List.of("redis-appendfsync-always", "redis-appendfsync-always", "redis-used-memory", "redis-used-memory"));
        assertEquals(expected, anchors);
        assertEquals(figures.get(0).get("runs"), figures.get(6).get("runs"), "the .mmap figure is resp.set.c4's runs against everysec");
        JsonNode memory = json.at("/details/memory");
        assertEquals(20000, memory.get("keys").asInt());
        assertEquals(byName.get(RespBench.MEMORY_FIGURE).get("ops_per_s").asLong(), memory.get("strata_heap_bytes_per_key").asLong());
        // Any store keeps at least the key and the value of each entry.
        assertTrue(memory.get("strata_heap_bytes_per_key").asLong() >= 16 + 8, memory.toString());
        assertTrue(memory.get("redis_used_memory_bytes_per_key").asLong() >= 16 + 8, memory.toString());
        JsonNode hashes = json.at("/details/memory_hash");
        assertEquals(10000, hashes.get("hashes").asInt());
        assertEquals(RespBench.HASH_FIELDS, hashes.get("fields_per_hash").asInt());
        assertEquals(byName.get(RespBench.HASH_MEMORY_FIGURE).get("ops_per_s").asLong(),
                hashes.get("strata_heap_bytes_per_hash").asLong());
        // And at least about the names and values of a hash's fields: heap figures over only 10k hashes move
        // by a megabyte with what the collector finds between the two readings (one run here read 159 B of 160).
        assertTrue(hashes.get("strata_heap_bytes_per_hash").asLong() >= RespBench.HASH_FIELDS * (8 + 8) / 2, hashes.toString());
        assertTrue(hashes.get("redis_used_memory_bytes_per_hash").asLong() >= RespBench.HASH_FIELDS * (8 + 8), hashes.toString());
        BenchRun.assertNoneLeft(scratchBefore, SCRATCH);
        assertEquals(0, ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count(),
                "redis-server and redis-benchmark are stopped");
    }

    @Test
    @Timeout(30)
    void withoutRedisEveryFigureIsSkippedWithTheReason(@TempDir Path out) throws IOException {
        BenchRun run = BenchRun.execute("resp", "--no-redis", "--out", out.toString());

        assertEquals(0, run.exit, run.stderr);
        assertEquals(List.of(), run.names());
        JsonNode json = new ObjectMapper().readTree(out.resolve("resp.json").toFile());
        List<String> skipped = new ArrayList<>();
        json.get("skipped").forEach(s -> {
            skipped.add(s.get("name").asText());
            assertTrue(s.get("reason").asText().contains("--no-redis"), s.toString());
        });
        assertEquals(List.of("resp.set.c50", "resp.get.c50", "resp.set.c50.p16", "resp.get.c50.p16", "resp.set.c1",
                "resp.get.c1", "resp.set.c50.mmap", "resp.incr.c50", "resp.incr.c50.p16", "resp.hset.c50", "resp.hget.c50",
                "resp.lpush.c50", "resp.zadd.c50", "resp.hset.c50.p16", "resp.hget.c50.p16", "resp.lpush.c50.p16",
                "resp.zadd.c50.p16", "resp.set.c50.fsync", "resp.set.c50.p16.fsync", "resp.memory", "resp.memory.hash"), skipped);
    }

    @Test
    void badOptionsAreRefused(@TempDir Path out) {
        for (List<String> args : List.of(List.of("-c", "0"), List.of("-P", "0"), List.of("--memory-keys", "-1"),
                List.of("--memory-hashes", "-1"), List.of("--duration", "0"), List.of("--rounds", "0"))) {
            List<String> all = new ArrayList<>(List.of("resp"));
            all.addAll(args);
            all.addAll(List.of("--out", out.toString()));
            BenchRun run = BenchRun.execute(all.toArray(String[]::new));
            assertEquals(2, run.exit, args + ": " + run.stderr);
        }
    }

    @Test
    void readsRedisBenchmarkCsv() {
        String csv = """
                "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
                "SET","42553.19","0.076","0.008","0.023","0.039","0.367","22.767"
                "GET","117647.05","0.022","0.008","0.023","0.039","0.063","0.079"
                """;
        RunResult get = RedisBenchmark.parseCsv(csv, "GET", 2000);
        assertEquals(117647, get.opsPerS());
        assertEquals(23, get.p50Us());
        assertEquals(63, get.p99Us());
        assertEquals(367, RedisBenchmark.parseCsv(csv, "SET", 2000).p99Us());
        IllegalStateException none = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> RedisBenchmark.parseCsv("ERR unknown command\n", "GET", 10));
        assertTrue(none.getMessage().contains("no GET line"), none.getMessage());
        assertEquals("key:000000000042", RedisBenchmark.key(42));
    }

    @Test
    void readsACustomCommandsRowByTheCommand() {
        String csv = """
                "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
                "hget myhash element:__rand_int__","222222.23","0.102","0.024","0.063","0.127","0.167","4.471"
                """;
        RedisBenchmark.Load hget = new RedisBenchmark.Load("hget", List.of("hget", "myhash", "element:__rand_int__"), 4, 1, 8, 100);
        RunResult result = RedisBenchmark.parseCsv(csv, hget.csvName(), 2000);
        assertEquals(222222, result.opsPerS());
        assertEquals(167, result.p99Us());
        assertEquals("HSET", new RedisBenchmark.Load("hset", 4, 1, 8, 100).csvName());
    }

    private static boolean onPath(String program) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, program)));
    }
}
