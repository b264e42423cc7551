package io.strata.node.stream.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.http.Json;
import io.strata.node.kv.KvPartition;
import io.strata.node.kv.KvStore;
import io.strata.node.stream.spec.JobSpec;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The KV sink on a real node: the newest window per key wins, within a batch, across batches and after a restore. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KvSinkTest {

    private static final String SPEC = "{\"name\":\"sink\",\"source\":{\"topic\":\"events\",\"group\":\"sink\"},"
            + "\"key\":\"user\",\"event_time\":\"ts\",\"window\":{\"type\":\"tumbling\",\"size\":\"1s\"},"
            + "\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}],\"sinks\":[{\"kv\":{\"space\":\"latest\"}}]}";

    @Test
    void eachKeyKeepsItsNewestWindowAndTheEndsWrittenSurviveARestore(@TempDir Path dir) throws Exception {
        try (TestNode node = TestNode.start(dir.resolve("node"), Map.of())) {
            KvStore kv = node.node().kv();
            JobSpec spec = JobSpec.parse(Json.MAPPER.readTree(SPEC));
            DeadLetters deadLetters = new DeadLetters(node.node().bus(), spec, new JobStatus());
            KvSink sink = new KvSink(kv, "latest", "user", null, deadLetters);

            // Within a batch the greatest end wins, whatever the order; a tie goes to the later row.
            sink.write(List.of(row("a", 2000, 1), row("b", 1000, 1), row("a", 1000, 2), row("b", 1000, 3)))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertWindow(kv, "a", 2000, 1);
            assertWindow(kv, "b", 1000, 3);
            assertEquals(Map.of("a", 2000L, "b", 1000L), sink.latestEnds());

            // Across batches an older window does not replace a newer one.
            sink.write(List.of(row("a", 1000, 9), row("b", 3000, 4))).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertWindow(kv, "a", 2000, 1);
            assertWindow(kv, "b", 3000, 4);
            assertEquals(Map.of("a", 2000L, "b", 3000L), sink.latestEnds());

            // A restored sink knows the ends its checkpoint holds, and only those.
            KvSink restored = new KvSink(kv, "latest", "user", null, deadLetters);
            restored.restore(Map.of("a", 5000L));
            restored.write(List.of(row("a", 4000, 7), row("c", 1000, 1))).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertWindow(kv, "a", 2000, 1);
            assertWindow(kv, "c", 1000, 1);
            assertEquals(Map.of("a", 5000L, "c", 1000L), restored.latestEnds());
        }
    }

    private static ResultRow row(String key, long end, long n) {
        LinkedHashMap<String, Object> values = new LinkedHashMap<>();
        values.put("n", n);
        return new ResultRow(key, end - 1000, end, values);
    }

    private static void assertWindow(KvStore kv, String key, long end, long n) throws Exception {
        KvPartition.Reply reply = kv.get("latest", key).toCompletableFuture().get(10, TimeUnit.SECONDS);
        KvPartition.Found found = assertInstanceOf(KvPartition.Found.class, reply, key);
        JsonNode value = Json.MAPPER.readTree(found.value());
        assertEquals(Instant.ofEpochMilli(end).toString(), value.path("window_end").asText(), key);
        assertEquals(n, value.path("n").asLong(), key);
    }
}
