package io.strata.node.storage;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.testing.Await;
import io.strata.node.testing.TestNode;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data in every store of a node, written through HTTP and read back: a keyspace, two topics (one
 * called {@code groups}, as the old layout's offsets directory was), two consumer groups with
 * committed offsets, a table and a stream job. What a test of the data directory must find intact.
 */
final class EveryStore {

    /** The topics written. */
    static final List<String> TOPICS = List.of("events", "groups");

    private EveryStore() {}

    /** A job named {@code name} reading topic {@code events} into keyspace {@code sink}. */
    static String jobSpec(String name, String sink) {
        return "{\"name\":\"" + name + "\",\"source\":{\"topic\":\"events\",\"group\":\"job-g\"},\"key\":\"user\","
                + "\"event_time\":\"ts\",\"window\":{\"type\":\"tumbling\",\"size\":\"1m\"},"
                + "\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}],\"sinks\":[{\"kv\":{\"space\":\"" + sink + "\"}}]}";
    }

    /** The response's JSON body (null when empty), after checking it is a 200 or 201. */
    static JsonNode ok(HttpResponse<String> response) {
        assertTrue(response.statusCode() == 200 || response.statusCode() == 201, response.statusCode() + " " + response.body());
        return response.body().isEmpty() ? null : json(response);
    }

    static void write(TestNode node) {
        ok(node.put("/kv/users", "{\"partitions\":4}"));
        for (int i = 0; i < 30; i++) {
            ok(node.put("/kv/users/u" + i, "v" + i));
        }
        for (String topic : TOPICS) {
            ok(node.put("/topics/" + topic, "{\"partitions\":2}"));
            StringBuilder records = new StringBuilder("[");
            for (int i = 0; i < 10; i++) {
                records.append(i == 0 ? "" : ",").append("{\"partition\":").append(i % 2).append(",\"value\":{\"user\":\"u")
                        .append(i).append("\",\"ts\":\"2026-01-01T00:00:0").append(i).append("Z\"}}");
            }
            ok(node.post("/topics/" + topic + "/records", records.append("]").toString()));
        }
        ok(node.post("/groups/billing/poll", "{\"topic\":\"events\",\"member\":\"m\"}"));
        ok(node.post("/groups/billing/commit", "{\"topic\":\"events\",\"member\":\"m\",\"offsets\":{\"0\":2,\"1\":1}}"));
        ok(node.post("/groups/audit/poll", "{\"topic\":\"groups\",\"member\":\"m\"}"));
        ok(node.post("/groups/audit/commit", "{\"topic\":\"groups\",\"member\":\"m\",\"offsets\":{\"1\":4}}"));
        ok(node.put("/tables/sales", "{\"columns\":[{\"name\":\"x\",\"type\":\"int64\"}],\"shards\":2}"));
        ok(node.post("/tables/sales/rows", "[{\"x\":1},{\"x\":2},{\"x\":3}]"));
        ok(node.post("/jobs", jobSpec("spend", "spend")));
    }

    /** Waits until the node's KV partitions have recovered, then reads everything {@link #write} wrote. */
    static void check(TestNode node) {
        Await.until(Duration.ofSeconds(60), () -> json(node.get("/health")), h -> h.get("kv_recovered").asBoolean(),
                JsonNode::toString);
        assertEquals(4, ok(node.get("/kv/users")).get("partitions").asInt());
        for (int i = 0; i < 30; i++) {
            assertEquals("v" + i, node.get("/kv/users/u" + i).body());
        }
        for (String topic : TOPICS) {
            JsonNode described = ok(node.get("/topics/" + topic));
            assertEquals(5, described.at("/offsets/0/next_offset").asLong(), described.toString());
            assertEquals(5, described.at("/offsets/1/next_offset").asLong(), described.toString());
            JsonNode records = ok(node.get("/topics/" + topic + "/partitions/1/records?offset=0"));
            assertEquals("u1", records.at("/records/0/value/user").asText(), records.toString());
        }
        JsonNode billing = ok(node.get("/groups/billing/lag"));
        assertEquals(7, billing.get("lag").asLong(), billing.toString());
        JsonNode audit = ok(node.get("/groups/audit/lag"));
        assertEquals(4, audit.at("/topics/0/partitions/1/committed").asLong(), audit.toString());
        JsonNode sum = ok(node.post("/tables/sales/query", "{\"aggregates\":[{\"fn\":\"sum\",\"column\":\"x\",\"as\":\"s\"}]}"));
        assertEquals(6, sum.at("/rows/0/0").asLong(), sum.toString());
        assertTrue(ok(node.get("/jobs/spend")).has("state"));
    }
}
