package io.strata.node.bus;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.http.Json;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Consumer groups and dead-letter topics on a real node over real HTTP. */
class GroupHttpTest {

    @TempDir
    static Path dir;

    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("strata.bus.group.session-timeout", "60s"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static JsonNode json(HttpResponse<String> response) {
        return Json.parse(response.body().getBytes());
    }

    static JsonNode ok(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return json(response);
    }

    static void assertError(int status, String code, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode error = json(response).get("error");
        assertEquals(code, error.get("code").asText(), response.body());
        assertTrue(error.get("message").asText().length() > 5, "the message says what and why");
    }

    /** Creates a topic and puts {@code perPartition} records "p{partition}-{i}" in each partition. */
    static void topicWithRecords(TestNode node, String topic, int partitions, int perPartition) {
        assertEquals(201, node.put("/topics/" + topic, "{\"partitions\": " + partitions + "}").statusCode());
        StringBuilder batch = new StringBuilder("[");
        for (int p = 0; p < partitions; p++) {
            for (int i = 0; i < perPartition; i++) {
                batch.append(batch.length() > 1 ? "," : "").append("{\"partition\": ").append(p)
                        .append(", \"value\": \"p").append(p).append('-').append(i).append("\"}");
            }
        }
        ok(node.post("/topics/" + topic + "/records", batch.append("]").toString()));
    }

    static JsonNode poll(TestNode node, String group, String topic, String member) {
        return ok(node.post("/groups/" + group + "/poll",
                "{\"topic\": \"" + topic + "\", \"member\": \"" + member + "\", \"auto_offset_reset\": \"earliest\"}"));
    }

    static HttpResponse<String> commit(TestNode node, String group, String topic, String member, String offsets) {
        return node.post("/groups/" + group + "/commit",
                "{\"topic\": \"" + topic + "\", \"member\": \"" + member + "\", \"offsets\": " + offsets + "}");
    }

    static List<Integer> assignment(JsonNode polled) {
        List<Integer> partitions = new ArrayList<>();
        polled.get("assignment").forEach(p -> partitions.add(p.asInt()));
        return partitions;
    }

    static List<String> values(JsonNode polled) {
        List<String> values = new ArrayList<>();
        polled.get("records").forEach(r -> values.add(r.get("value").asText()));
        return values;
    }

    @Test
    void membersSplitPartitionsAndAJoinRebalances() {
        topicWithRecords(node, "split", 4, 2);
        JsonNode first = poll(node, "g-split", "split", "m1");
        assertEquals(List.of(0, 1, 2, 3), assignment(first), "a lone member gets every partition");
        assertEquals(8, first.get("records").size());
        long generation = first.get("generation").asLong();

        JsonNode second = poll(node, "g-split", "split", "m2");
        assertEquals(generation + 1, second.get("generation").asLong(), "a join bumps the generation");
        assertEquals(List.of(2, 3), assignment(second));
        assertEquals(List.of("p2-0", "p2-1", "p3-0", "p3-1"), values(second),
                "nothing was committed: the new owner starts from the earliest offset");
        assertEquals(List.of(0, 1), assignment(poll(node, "g-split", "split", "m1")));

        JsonNode third = poll(node, "g-split", "split", "m3");
        assertEquals(generation + 2, third.get("generation").asLong());
        List<Integer> m1 = assignment(poll(node, "g-split", "split", "m1"));
        List<Integer> m2 = assignment(poll(node, "g-split", "split", "m2"));
        List<Integer> m3 = assignment(third);
        assertEquals(List.of(0, 1), m1);
        assertEquals(List.of(2), m2);
        assertEquals(List.of(3), m3);

        JsonNode described = ok(node.get("/groups/g-split"));
        assertEquals(generation + 2, described.get("generation").asLong());
        assertEquals(3, described.get("topics").get(0).get("members").size());

        ok(node.post("/groups/g-split/leave", "{\"topic\": \"split\", \"member\": \"m3\"}"));
        assertEquals(List.of(2, 3), assignment(poll(node, "g-split", "split", "m2")), "a leave hands its partitions over");
    }

    @Test
    void aPartitionsNewOwnerStartsFromTheCommittedOffset() {
        topicWithRecords(node, "alo", 2, 3);
        JsonNode polled = poll(node, "g-alo", "alo", "m1");
        assertEquals(List.of("p0-0", "p0-1", "p0-2", "p1-0", "p1-1", "p1-2"), values(polled));
        assertEquals(0, poll(node, "g-alo", "alo", "m1").get("records").size(), "the fetch position advanced");
        // m1 processed p0-0 only, committed it (next offset 1), and dies before committing more.
        ok(commit(node, "g-alo", "alo", "m1", "{\"0\": 1}"));
        ok(node.post("/groups/g-alo/leave", "{\"topic\": \"alo\", \"member\": \"m1\"}"));

        JsonNode taken = poll(node, "g-alo", "alo", "m2");
        assertEquals(List.of(0, 1), assignment(taken));
        assertEquals(List.of("p0-1", "p0-2", "p1-0", "p1-1", "p1-2"), values(taken),
                "records polled but not committed are delivered again, none skipped");
        JsonNode record = taken.get("records").get(0);
        assertEquals(0, record.get("partition").asInt());
        assertEquals(1, record.get("offset").asLong());
    }

    @Test
    void lagIsEndMinusCommitted() {
        topicWithRecords(node, "lag", 2, 5);
        poll(node, "g-lag", "lag", "m1");
        ok(commit(node, "g-lag", "lag", "m1", "{\"0\": 3, \"1\": 5}"));
        JsonNode lag = ok(node.get("/groups/g-lag/lag"));
        assertEquals(2, lag.get("lag").asLong());
        JsonNode topic = lag.get("topics").get(0);
        assertEquals("lag", topic.get("topic").asText());
        JsonNode p0 = topic.get("partitions").get(0);
        assertEquals(3, p0.get("committed").asLong());
        assertEquals(5, p0.get("end_offset").asLong());
        assertEquals(2, p0.get("lag").asLong());
        assertEquals(0, topic.get("partitions").get(1).get("lag").asLong());

        ok(node.post("/topics/lag/records", "{\"partition\": 1, \"value\": \"more\"}"));
        assertEquals(3, ok(node.get("/groups/g-lag/lag")).get("lag").asLong());
    }

    @Test
    void badInputIsRefused() {
        topicWithRecords(node, "bad", 2, 1);
        poll(node, "g-bad", "bad", "m1");
        poll(node, "g-bad", "bad", "m2");
        assertError(409, "not_assigned", commit(node, "g-bad", "bad", "m2", "{\"0\": 1}"));
        assertError(409, "not_assigned", commit(node, "g-bad", "bad", "stranger", "{\"0\": 1}"));
        assertError(400, "invalid_offset", commit(node, "g-bad", "bad", "m1", "{\"0\": -1}"));
        assertError(416, "offset_out_of_range", commit(node, "g-bad", "bad", "m1", "{\"0\": 2}"));
        assertError(400, "invalid_partition", commit(node, "g-bad", "bad", "m1", "{\"7\": 0}"));
        assertError(400, "invalid_partition", commit(node, "g-bad", "bad", "m1", "{\"x\": 0}"));
        assertError(400, "invalid_offsets", commit(node, "g-bad", "bad", "m1", "{}"));
        assertError(400, "invalid_offsets", commit(node, "g-bad", "bad", "m1", "[1]"));
        assertError(404, "topic_not_found", node.post("/groups/g-bad/poll", "{\"topic\": \"nope\", \"member\": \"m1\"}"));
        assertError(404, "topic_not_found", commit(node, "g-bad", "nope", "m1", "{\"0\": 0}"));
        assertError(404, "group_not_found", node.get("/groups/never-used/lag"));
        assertError(404, "group_not_found", node.get("/groups/never-used"));
        assertError(400, "invalid_json", node.post("/groups/g-bad/poll", "{not json"));
        assertError(400, "invalid_json", node.post("/groups/g-bad/poll", "[]"));
        assertError(400, "invalid_member", node.post("/groups/g-bad/poll", "{\"topic\": \"bad\"}"));
        assertError(400, "invalid_member", node.post("/groups/g-bad/poll", "{\"topic\": \"bad\", \"member\": \"a b\"}"));
        assertError(400, "invalid_field", node.post("/groups/g-bad/poll", "{\"topic\": \"bad\", \"member\": \"m1\", \"x\": 1}"));
        assertError(400, "invalid_max", node.post("/groups/g-bad/poll", "{\"topic\": \"bad\", \"member\": \"m1\", \"max\": 0}"));
        assertError(400, "invalid_auto_offset_reset",
                node.post("/groups/g-bad/poll", "{\"topic\": \"bad\", \"member\": \"m1\", \"auto_offset_reset\": \"none\"}"));
        assertError(400, "invalid_group", node.post("/groups/..bad/poll", "{\"topic\": \"bad\", \"member\": \"m1\"}"));
        // A second body, a number beyond float64, a lone surrogate, bytes that are not UTF-8, a
        // parameter twice: refused, never taken in part or changed.
        assertError(400, "invalid_json", node.post("/groups/g-bad/commit", "{\"topic\": \"bad\", \"member\": \"m1\", \"offsets\": {\"0\": 1}}"
                + "\n{\"topic\": \"bad\", \"member\": \"m1\", \"offsets\": {\"0\": 0}}"));
        assertError(400, "invalid_json", commit(node, "g-bad", "bad", "m1", "{\"0\": 1}} trailing"));
        assertError(400, "invalid_number", commit(node, "g-bad", "bad", "m1", "{\"0\": 1e400}"));
        assertError(400, "invalid_offset", commit(node, "g-bad", "bad", "m1", "{\"0\": 1.5}"));
        assertError(400, "invalid_string", commit(node, "g-bad", "bad", "\\ud800", "{\"0\": 1}"));
        assertError(400, "invalid_utf8", node.post("/groups/g%ff/poll", "{\"topic\": \"bad\", \"member\": \"m1\"}"));
        assertError(400, "invalid_utf8", node.get("/groups/g-bad%c3%28/lag"));
        assertError(400, "duplicate_parameter", node.get("/groups/g-bad/lag?x=1&x=1"));
        assertError(400, "invalid_json", node.post("/groups/g-bad/dlq", "{\"topic\": \"bad\", \"partition\": 0, \"offset\": 0}[]"));
        assertTrue(json(node.get("/groups/g-bad")).at("/topics/0/committed").isEmpty(), "no refused commit committed anything");
        assertError(404, "topic_not_found", node.get("/topics/bad.dlq"));
        ok(commit(node, "g-bad", "bad", "m1", "{\"0\": 1}"));
        assertEquals(1, json(node.get("/groups/g-bad")).at("/topics/0/committed/0").asLong());
    }

    @Test
    void maxLimitsAPollAndTheRestFollows() {
        topicWithRecords(node, "max", 1, 5);
        JsonNode first = ok(node.post("/groups/g-max/poll",
                "{\"topic\": \"max\", \"member\": \"m1\", \"max\": 2, \"auto_offset_reset\": \"earliest\"}"));
        assertEquals(List.of("p0-0", "p0-1"), values(first));
        JsonNode rest = ok(node.post("/groups/g-max/poll", "{\"topic\": \"max\", \"member\": \"m1\", \"max\": 10}"));
        assertEquals(List.of("p0-2", "p0-3", "p0-4"), values(rest));
        JsonNode latest = ok(node.post("/groups/g-max-latest/poll", "{\"topic\": \"max\", \"member\": \"m1\"}"));
        assertEquals(0, latest.get("records").size(), "auto_offset_reset latest (the default) skips what exists");
        ok(node.post("/topics/max/records", "{\"value\": \"new\"}"));
        assertEquals(List.of("new"), values(ok(node.post("/groups/g-max-latest/poll", "{\"topic\": \"max\", \"member\": \"m1\"}"))));
    }

    @Test
    void deadLetterCopiesTheRecordWithItsOrigin() {
        assertEquals(201, node.put("/topics/orders", "{\"partitions\": 2}").statusCode());
        ok(node.post("/topics/orders/records",
                "{\"partition\": 1, \"key\": \"k1\", \"value\": {\"id\": 7}, \"headers\": {\"trace\": \"abc\"}}"));
        JsonNode moved = ok(node.post("/groups/billing/dlq",
                "{\"topic\": \"orders\", \"partition\": 1, \"offset\": 0, \"reason\": \"bad amount\"}"));
        assertEquals("orders.dlq", moved.get("topic").asText());
        JsonNode read = ok(node.get("/topics/orders.dlq/partitions/" + moved.get("partition").asInt() + "/records"));
        JsonNode record = read.get("records").get(moved.get("offset").asInt());
        assertEquals("k1", record.get("key").asText());
        assertEquals(7, record.get("value").get("id").asInt());
        JsonNode headers = record.get("headers");
        assertEquals("abc", headers.get("trace").asText());
        assertEquals("bad amount", headers.get("dlq.reason").asText());
        assertEquals("orders", headers.get("dlq.topic").asText());
        assertEquals("1", headers.get("dlq.partition").asText());
        assertEquals("0", headers.get("dlq.offset").asText());
        assertEquals("billing", headers.get("dlq.group").asText());
        ok(node.post("/groups/billing/dlq", "{\"topic\": \"orders\", \"partition\": 1, \"offset\": 0, \"reason\": \"again\"}"));

        assertError(416, "offset_out_of_range",
                node.post("/groups/billing/dlq", "{\"topic\": \"orders\", \"partition\": 1, \"offset\": 5, \"reason\": \"x\"}"));
        assertError(404, "topic_not_found",
                node.post("/groups/billing/dlq", "{\"topic\": \"nope\", \"partition\": 0, \"offset\": 0, \"reason\": \"x\"}"));
        assertError(404, "invalid_partition",
                node.post("/groups/billing/dlq", "{\"topic\": \"orders\", \"partition\": 9, \"offset\": 0, \"reason\": \"x\"}"));
        assertError(400, "invalid_offset",
                node.post("/groups/billing/dlq", "{\"topic\": \"orders\", \"partition\": 0, \"offset\": -1}"));
    }

    /** A member that stops polling loses its partitions after the session timeout. */
    @Test
    void aSilentMemberTimesOut(@TempDir Path own) throws Exception {
        try (TestNode quick = TestNode.start(own, Map.of("strata.bus.group.session-timeout", "1s"))) {
            topicWithRecords(quick, "hb", 2, 2);
            poll(quick, "g-hb", "hb", "m1");
            JsonNode m2 = poll(quick, "g-hb", "hb", "m2");
            assertEquals(List.of(1), assignment(m2));
            assertEquals(List.of("p1-0", "p1-1"), values(m2));
            ok(commit(quick, "g-hb", "hb", "m2", "{\"1\": 1}"));
            // m2 goes silent: m1 keeps polling (its heartbeat) until m2's partition comes to it.
            long deadline = System.currentTimeMillis() + 15_000;
            TreeSet<String> seen = new TreeSet<>();
            JsonNode polled = poll(quick, "g-hb", "hb", "m1");
            while (!assignment(polled).equals(List.of(0, 1))) {
                assertTrue(System.currentTimeMillis() < deadline, "m2's session never timed out: " + polled);
                Thread.sleep(100);
                polled = poll(quick, "g-hb", "hb", "m1");
            }
            seen.addAll(values(polled));
            assertTrue(seen.contains("p1-1") && !seen.contains("p1-0"),
                    "the new owner starts at the committed offset: " + seen);
            assertFalse(ok(quick.get("/groups/g-hb")).toString().contains("m2"));
        }
    }

    @Test
    void committedOffsetsSurviveARestart(@TempDir Path own) {
        try (TestNode first = TestNode.start(own, Map.of())) {
            topicWithRecords(first, "durable", 1, 4);
            poll(first, "g-durable", "durable", "m1");
            ok(commit(first, "g-durable", "durable", "m1", "{\"0\": 3}"));
        }
        try (TestNode second = TestNode.start(own, Map.of())) {
            JsonNode lag = ok(second.get("/groups/g-durable/lag"));
            assertEquals(3, lag.get("topics").get(0).get("partitions").get(0).get("committed").asLong());
            assertEquals(1, lag.get("lag").asLong());
            assertEquals(List.of("p0-3"), values(poll(second, "g-durable", "durable", "m9")));
        }
    }
}
