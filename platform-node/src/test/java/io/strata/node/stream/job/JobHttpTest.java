package io.strata.node.stream.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.testing.Await;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.strata.node.testing.TestNode.assertError;
import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream job on a real node: submitted over HTTP, fed through a topic, its results in KV, a
 * table and a topic, bad records in its dead-letter topic; restarted with the node, it resumes
 * from its checkpoint and writes no table row twice.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class JobHttpTest {

    private static final Map<String, String> FAST = Map.of("strata.stream.checkpoint-interval", "200ms",
            "strata.stream.tick-interval", "50ms", "strata.stream.poll-interval", "20ms");
    private static final String SPEC = "{\"name\":\"spend\",\"source\":{\"topic\":\"purchases\",\"group\":\"spend-job\"},"
            + "\"filter\":{\"column\":\"type\",\"op\":\"=\",\"value\":\"purchase\"},\"key\":\"user\",\"event_time\":\"ts\","
            + "\"window\":{\"type\":\"tumbling\",\"size\":\"1m\"},\"out_of_orderness\":\"5s\",\"allowed_lateness\":\"10s\","
            + "\"idle_timeout\":\"1s\",\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"sum\",\"column\":\"amount\",\"as\":\"spend\"}],"
            + "\"sinks\":[{\"kv\":{\"space\":\"features\",\"ttl\":\"1d\"}},{\"table\":\"spend_1m\"},{\"topic\":\"spend-out\"}]}";

    private static String purchase(String user, String type, int amount, String ts) {
        return "{\"key\":\"" + user + "\",\"value\":{\"user\":\"" + user + "\",\"type\":\"" + type + "\",\"amount\":" + amount
                + ",\"ts\":\"2026-01-01T" + ts + "Z\"}}";
    }

    private static JsonNode await(TestNode node, String path, String body, Predicate<JsonNode> done) {
        return await(node, "spend", path, body, done);
    }

    /** Awaits {@code path}'s answer; a failure shows job {@code job}'s status. */
    private static JsonNode await(TestNode node, String job, String path, String body, Predicate<JsonNode> done) {
        HttpResponse<String> reply = Await.until(Duration.ofSeconds(30),
                () -> body == null ? node.get(path) : node.post(path, body),
                r -> r.statusCode() == 200 && done.test(json(r)),
                r -> path + " → " + r.statusCode() + " " + r.body() + "\njob: " + node.get("/jobs/" + job).body());
        return json(reply);
    }

    @Test
    void aJobWritesWindowResultsToKvATableAndATopicAndResumesAfterARestart(@TempDir Path dir) throws Exception {
        String rows = "{\"select\":[\"user\",\"window_start\",\"n\",\"spend\"],\"order_by\":[{\"column\":\"window_start\"},{\"column\":\"user\"}]}";
        try (TestNode node = TestNode.start(dir, FAST)) {
            assertError(404, "topic_not_found", node.post("/jobs", SPEC));
            assertEquals(201, node.put("/topics/purchases", "{\"partitions\":2}").statusCode());
            HttpResponse<String> submitted = node.post("/jobs", SPEC);
            assertEquals(201, submitted.statusCode(), submitted.body());
            assertEquals(200, node.post("/jobs", SPEC).statusCode(), "the same job again");
            node.post("/topics/purchases/records", "[" + String.join(",",
                    purchase("u1", "purchase", 10, "00:00:10"), purchase("u1", "purchase", 5, "00:00:50"),
                    purchase("u2", "view", 1, "00:00:20"), purchase("u2", "purchase", 7, "00:01:20"),
                    "{\"key\":\"u1\",\"value\":\"not json\"}", purchase("u1", "purchase", 1, "00:05:00")) + "]");

            JsonNode kv = await(node, "/kv/features/u1", null, j -> j.path("n").asInt() == 2);
            assertEquals(15, kv.get("spend").asInt());
            assertEquals("2026-01-01T00:00:00Z", kv.get("window_start").asText());
            JsonNode table = await(node, "/tables/spend_1m/query", rows, j -> j.get("rows").size() == 2);
            assertEquals("[[\"u1\",\"2026-01-01T00:00:00Z\",2,15.0],[\"u2\",\"2026-01-01T00:01:00Z\",1,7.0]]", table.get("rows").toString());
            JsonNode out = await(node, "/topics/spend-out/partitions/0/records?offset=0", null, j -> j.get("records").size() >= 1);
            assertEquals("on_time", out.at("/records/0/value/kind").asText());
            JsonNode dlq = await(node, "/topics/purchases.dlq/partitions/0/records?offset=0", null, j -> j.get("records").size() == 1);
            assertTrue(dlq.at("/records/0/headers/dlq.reason").asText().contains("not valid JSON"), dlq.toString());
            JsonNode status = await(node, "/jobs/spend", null, j -> j.get("lag").asLong() == 0 && j.get("checkpoint_epoch").asLong() > 0);
            assertEquals("running", status.get("state").asText());
            assertEquals(4, status.get("events_in").asLong(), status.toString());
            assertEquals(1, status.get("bad_records").asLong());
            assertEquals(1, status.get("skipped").asLong());
        }
        try (TestNode node = TestNode.start(dir, FAST)) {
            node.post("/topics/purchases/records", "[" + purchase("u1", "purchase", 3, "00:10:00") + "]");
            JsonNode table = await(node, "/tables/spend_1m/query", rows, j -> j.get("rows").size() >= 3);
            assertEquals("[[\"u1\",\"2026-01-01T00:00:00Z\",2,15.0],[\"u2\",\"2026-01-01T00:01:00Z\",1,7.0],"
                    + "[\"u1\",\"2026-01-01T00:05:00Z\",1,1.0]]", table.get("rows").toString(), "resumed, and no row twice");
            JsonNode status = json(node.get("/jobs/spend"));
            assertEquals(1, status.get("events_in").asLong(), "only the new event was read after the restart: " + status);
            assertEquals(204, node.delete("/jobs/spend").statusCode());
            assertError(404, "job_not_found", node.get("/jobs/spend"));
        }
    }

    @Test
    void aBadSpecIsRefusedNamingTheProblem(@TempDir Path dir) {
        try (TestNode node = TestNode.start(dir, FAST)) {
            assertError(400, "invalid_window", node.post("/jobs", SPEC.replace("\"tumbling\"", "\"hopping\"")));
            assertError(400, "invalid_aggregate", node.post("/jobs", SPEC.replace("\"fn\":\"sum\"", "\"fn\":\"median\"")));
            assertError(400, "invalid_duration", node.post("/jobs", SPEC.replace("\"5s\"", "\"5 parsecs\"")));
            assertError(400, "invalid_json", node.post("/jobs", "{\"name\":"));
            // Durations too long for a job (or for a long of milliseconds), and windows that would
            // make one record do unbounded work, are 400s naming the field, never a 500 or a burn.
            for (String field : new String[]{"\"out_of_orderness\":\"5s\"", "\"allowed_lateness\":\"10s\"", "\"idle_timeout\":\"1s\"",
                    "\"size\":\"1m\"", "\"ttl\":\"1d\""}) {
                HttpResponse<String> refused = node.post("/jobs", SPEC.replace(field, field.replaceAll(":\"[^\"]+\"", ":\"999999999999d\"")));
                assertError(400, "invalid_duration", refused);
                assertTrue(json(refused).at("/error/message").asText().contains("must be at most 365d"), refused.body());
            }
            assertError(400, "invalid_duration", node.post("/jobs", SPEC.replace("\"idle_timeout\"", "\"early_every\":\"999999999999d\",\"idle_timeout\"")));
            HttpResponse<String> burn = node.post("/jobs", SPEC.replace("{\"type\":\"tumbling\",\"size\":\"1m\"}",
                    "{\"type\":\"sliding\",\"size\":\"1d\",\"slide\":\"1ms\"}"));
            assertError(400, "invalid_window", burn);
            assertTrue(json(burn).at("/error/message").asText().startsWith("'window.slide' is 1ms, which puts each event in 86400000 windows"),
                    burn.body());
            assertError(400, "invalid_json", node.post("/jobs", SPEC + "xyz"));
            assertError(400, "invalid_json", node.post("/jobs", SPEC + "\n" + SPEC));
            assertError(400, "invalid_number", node.post("/jobs", SPEC.replace("\"value\":\"purchase\"", "\"value\":1e400")));
            assertError(400, "duplicate_parameter", node.post("/jobs?x=1&x=2", SPEC));
            assertError(400, "invalid_utf8", node.get("/jobs/spend%ff"));
            assertError(400, "invalid_utf8", node.delete("/jobs/%fe%ff"));
            assertEquals(0, json(node.get("/jobs")).get("jobs").size());
            assertError(404, "topic_not_found", node.get("/topics/purchases.late"));
        }
    }

    @Test
    void aJobDeletedAndSubmittedAgainWritesItsTableRowsAfresh(@TempDir Path dir) {
        String rows = "{\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}]}";
        try (TestNode node = TestNode.start(dir, FAST)) {
            assertEquals(201, node.put("/topics/purchases", "{\"partitions\":1}").statusCode());
            node.post("/topics/purchases/records", "[" + String.join(",", purchase("u1", "purchase", 10, "00:00:10"),
                    purchase("u2", "purchase", 5, "00:00:50"), purchase("u1", "purchase", 1, "00:05:00")) + "]");
            assertEquals(201, node.post("/jobs", SPEC).statusCode());
            await(node, "/tables/spend_1m/query", rows, j -> j.at("/rows/0/0").asLong() == 2);
            assertEquals(204, node.delete("/jobs/spend").statusCode());
            assertEquals(201, node.post("/jobs", SPEC).statusCode(), "the same name again is a new job");
            // It reads the topic from the start and writes its final rows as its own producer: the
            // table keeps the deleted job's rows and gets the new job's too, none dropped as repeats.
            JsonNode status = await(node, "/jobs/spend", null, j -> j.get("events_in").asLong() == 3 && j.get("checkpoint_epoch").asLong() > 0);
            assertEquals(0, status.get("restarts").asLong(), status.toString());
            await(node, "/tables/spend_1m/query", rows, j -> j.at("/rows/0/0").asLong() == 4);
        }
    }

    /**
     * What the job cannot store goes to its dead-letter topic with the reason, as a bad record
     * does, and the job goes on without a restart: a sum that overflows a 64-bit float (no sink
     * stores Infinity: the table refuses it, and JSON has no number for it), a key longer than the
     * KV store takes (only the KV sink refuses it), and a record whose transform splits a
     * surrogate pair (a last value no sink could hold: the record is bad).
     */
    @Test
    void resultsNoSinkCanStoreGoToTheDeadLetterTopicAndTheJobGoesOn(@TempDir Path dir) {
        String spec = "{\"name\":\"overflow\",\"source\":{\"topic\":\"readings\",\"group\":\"overflow-job\"},"
                + "\"transforms\":[{\"set\":{\"field\":\"initial\",\"expr\":\"substr(name, 1, 1)\"}}],"
                + "\"key\":\"sensor\",\"event_time\":\"ts\",\"window\":{\"type\":\"tumbling\",\"size\":\"1m\"},"
                + "\"out_of_orderness\":\"0s\",\"idle_timeout\":\"1s\",\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},"
                + "{\"fn\":\"sum\",\"column\":\"v\",\"as\":\"total\"},{\"fn\":\"last\",\"column\":\"initial\",\"as\":\"initial\"}],"
                + "\"sinks\":[{\"kv\":{\"space\":\"readings_kv\"}},{\"table\":\"readings_1m\"},{\"topic\":\"readings_out\"}]}";
        String longKey = "k".repeat(1100);
        String rows = "{\"select\":[\"sensor\",\"window_start\",\"n\",\"total\",\"initial\"],"
                + "\"order_by\":[{\"column\":\"window_start\"},{\"column\":\"sensor\"}]}";
        try (TestNode node = TestNode.start(dir, FAST)) {
            assertEquals(201, node.put("/topics/readings", "{\"partitions\":1}").statusCode());
            assertEquals(201, node.post("/jobs", spec).statusCode());
            HttpResponse<String> produced = node.post("/topics/readings/records", "[" + String.join(",",
                    reading("s1", "1e308", "00:00:10", "ok"), reading("s1", "1e308", "00:00:20", "ok"),
                    reading("s2", "5", "00:00:30", "ok"), reading("s3", "1", "00:00:40", "\\ud83d\\ude00x"),
                    reading(longKey, "2", "00:00:45", "ok"), reading("s2", "1", "00:02:00", "ok")) + "]");
            assertEquals(200, produced.statusCode(), produced.body());

            JsonNode table = await(node, "overflow", "/tables/readings_1m/query", rows, j -> j.get("rows").size() >= 2);
            assertEquals("[[\"" + longKey + "\",\"2026-01-01T00:00:00Z\",1,2.0,\"o\"],[\"s2\",\"2026-01-01T00:00:00Z\",1,5.0,\"o\"]]",
                    table.get("rows").toString(), "the table holds the results it can");
            assertEquals(5, json(node.get("/kv/readings_kv/s2")).get("total").asInt());
            assertError(404, "key_not_found", node.get("/kv/readings_kv/s1"));

            JsonNode dlq = await(node, "overflow", "/topics/readings.dlq/partitions/0/records?offset=0&max=100", null,
                    j -> j.get("records").size() >= 5);
            Map<String, String> reasons = new java.util.TreeMap<>();
            for (JsonNode record : dlq.get("records")) {
                JsonNode headers = record.get("headers");
                assertEquals("overflow", headers.path("dlq.job").asText(), record.toString());
                String what = headers.has("dlq.sink") ? headers.get("dlq.sink").asText() + " " + record.path("key").asText().length()
                        : "record " + headers.path("dlq.offset").asText();
                assertTrue(reasons.put(what, headers.path("dlq.reason").asText()) == null, "once each: " + dlq);
            }
            assertEquals(java.util.Set.of("kv:readings_kv 2", "table:readings_1m 2", "topic:readings_out 2", "kv:readings_kv 1100",
                    "record 3"), reasons.keySet(), dlq.toString());
            for (String sink : java.util.List.of("kv:readings_kv 2", "table:readings_1m 2", "topic:readings_out 2")) {
                assertTrue(reasons.get(sink).contains("'total' is Infinity"), sink + ": " + reasons.get(sink));
            }
            assertTrue(reasons.get("kv:readings_kv 1100").contains("invalid_key"), reasons.toString());
            assertTrue(reasons.get("record 3").contains("unpaired surrogate"), reasons.toString());

            // It goes on: a later window reaches every sink, with no restart on the way.
            node.post("/topics/readings/records", "[" + reading("s2", "3", "00:03:10", "ok") + "," + reading("s2", "1", "00:05:00", "ok") + "]");
            await(node, "overflow", "/tables/readings_1m/query", rows, j -> j.get("rows").size() == 4);
            JsonNode status = await(node, "overflow", "/jobs/overflow", null, j -> j.get("lag").asLong() == 0);
            assertEquals("running", status.get("state").asText(), status.toString());
            assertEquals(0, status.get("restarts").asLong(), status.toString());
            assertEquals(1, status.get("bad_records").asLong(), status.toString());
            assertEquals(4, status.get("bad_results").asLong(), status.toString());
            assertTrue(status.path("last_error").isNull() || status.path("last_error").isMissingNode(), status.toString());
        }
    }

    /**
     * A refusal that no single result can be blamed for, and that every restart would meet again
     * (here a table row larger than one log entry), fails the job once: it stays failed with the
     * refusal in {@code last_error}, instead of restarting from its checkpoint forever.
     */
    @Test
    void aJobWhoseWriteIsRefusedAsItIsFailsOnceAndStaysFailed(@TempDir Path dir) {
        StringBuilder lasts = new StringBuilder();
        // Five last values of a 1 MB field: a 5 MB row, over the 4 MiB a table's log entry holds.
        for (int i = 0; i < 5; i++) {
            lasts.append(",{\"fn\":\"last\",\"column\":\"blob\",\"as\":\"blob").append(i).append("\"}");
        }
        String spec = "{\"name\":\"wide\",\"source\":{\"topic\":\"blobs\",\"group\":\"wide-job\"},\"key\":\"sensor\","
                + "\"event_time\":\"ts\",\"window\":{\"type\":\"tumbling\",\"size\":\"1m\"},\"out_of_orderness\":\"0s\","
                + "\"idle_timeout\":\"1s\",\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}" + lasts + "],\"sinks\":[{\"table\":\"wide_1m\"}]}";
        try (TestNode node = TestNode.start(dir, FAST)) {
            assertEquals(201, node.put("/topics/blobs", "{\"partitions\":1}").statusCode());
            assertEquals(201, node.post("/jobs", spec).statusCode());
            String blob = "x".repeat(1_000_000);
            for (String ts : new String[]{"00:00:10", "00:02:00"}) {
                HttpResponse<String> produced = node.post("/topics/blobs/records", "[{\"value\":{\"sensor\":\"s1\",\"blob\":\"" + blob
                        + "\",\"ts\":\"2026-01-01T" + ts + "Z\"}}]");
                assertEquals(200, produced.statusCode(), produced.body());
            }
            JsonNode failed = await(node, "wide", "/jobs/wide", null, j -> j.get("state").asText().equals("failed"));
            assertTrue(failed.get("last_error").asText().startsWith("row_too_large: "), failed.toString());
            // It stays failed. A restart would come 0.5 s after the failure; watching six times as
            // long can only miss one that never comes, never report one that does not.
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until) {
                JsonNode status = json(node.get("/jobs/wide"));
                assertEquals("failed", status.get("state").asText(), status.toString());
                assertEquals(0, status.get("restarts").asLong(), status.toString());
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
            assertEquals(204, node.delete("/jobs/wide").statusCode(), "a failed job is deleted as any other");
        }
    }

    private static String reading(String sensor, String v, String ts, String name) {
        return "{\"key\":\"" + sensor + "\",\"value\":{\"sensor\":\"" + sensor + "\",\"v\":" + v + ",\"name\":\"" + name
                + "\",\"ts\":\"2026-01-01T" + ts + "Z\"}}";
    }
}
