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
        HttpResponse<String> reply = Await.until(Duration.ofSeconds(30),
                () -> body == null ? node.get(path) : node.post(path, body),
                r -> r.statusCode() == 200 && done.test(json(r)),
                r -> path + " → " + r.statusCode() + " " + r.body() + "\njob: " + node.get("/jobs/spend").body());
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
            assertEquals(0, json(node.get("/jobs")).get("jobs").size());
        }
    }
}
