package io.strata.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.common.PartitionId;
import io.strata.node.testing.Await;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three nodes of a cluster file share one catalog: a keyspace, topic or table created through any
 * gateway is known to every node, conflicting settings are refused wherever they come from, topic
 * partitions and table shards live on all three nodes, and consumer groups and table queries work
 * through any gateway. A node restarted keeps the catalog from its disk.
 */
class ClusterCatalogTest extends ClusterTest {

    @Test
    void everyNodeServesWhatAnyNodeCreated() throws Exception {
        createCluster("catalog-test");
        NODES.forEach(cluster::start);

        // Keyspaces: created through n1, known to n2 and n3, conflicting settings refused through n3.
        assertEquals(201, cluster.send("n1", "PUT", "/kv/profiles", "{\"partitions\":6}").statusCode());
        HttpResponse<String> described = cluster.send("n2", "GET", "/kv/profiles", null);
        assertEquals(6, json(described).path("partitions").asInt(), described.body());
        assertEquals(200, cluster.send("n2", "PUT", "/kv/profiles", "{\"partitions\":6}").statusCode(), "the same keyspace again");
        assertEquals(409, cluster.send("n3", "PUT", "/kv/profiles", "{\"partitions\":4}").statusCode(), "other settings");
        assertEquals(201, cluster.send("n3", "PUT", "/kv/profiles/u1", "alice").statusCode());
        assertEquals("alice", cluster.send("n2", "GET", "/kv/profiles/u1", null).body());

        // Topics: partitions spread over the three nodes; produced through n1, read through n3.
        assertEquals(201, cluster.send("n2", "PUT", "/topics/orders", "{\"partitions\":9}").statusCode());
        Set<String> homes = new HashSet<>();
        for (int p = 0; p < 9; p++) {
            homes.add(cluster.placement().homeOf(new PartitionId("orders", p).entityId()));
        }
        assertEquals(Set.copyOf(NODES), homes, "topic partitions land on every node");
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 90; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"key\":\"k").append(i).append("\",\"value\":").append(i).append('}');
        }
        assertEquals(200, cluster.send("n1", "POST", "/topics/orders/records", batch + "]").statusCode());
        long total = 0;
        for (int p = 0; p < 9; p++) {
            JsonNode read = json(cluster.send("n3", "GET", "/topics/orders/partitions/" + p + "/records?offset=0&max=1000", null));
            total += read.path("records").size();
        }
        assertEquals(90, total, "every record read back through n3");

        // A consumer group: polled and committed through n1, resumed through n2 from the committed offsets.
        JsonNode first = json(cluster.send("n1", "POST", "/groups/billing/poll",
                "{\"topic\":\"orders\",\"member\":\"w1\",\"max\":1000,\"auto_offset_reset\":\"earliest\"}"));
        int polled = first.path("records").size();
        assertTrue(polled > 0, first.toString());
        StringBuilder offsets = new StringBuilder("{");
        Set<Integer> seen = new HashSet<>();
        for (JsonNode record : first.path("records")) {
            seen.add(record.path("partition").asInt());
        }
        for (int p : seen) {
            long next = 0;
            for (JsonNode record : first.path("records")) {
                if (record.path("partition").asInt() == p) {
                    next = Math.max(next, record.path("offset").asLong() + 1);
                }
            }
            offsets.append(offsets.length() > 1 ? "," : "").append('"').append(p).append("\":").append(next);
        }
        assertEquals(200, cluster.send("n1", "POST", "/groups/billing/commit",
                "{\"topic\":\"orders\",\"member\":\"w1\",\"offsets\":" + offsets + "}}").statusCode());
        JsonNode lag = json(cluster.send("n2", "GET", "/groups/billing/lag", null));
        assertEquals(90 - polled, lag.path("lag").asLong(), lag.toString());

        // Tables: created through n3, rows inserted through n1, queried through n2 (scattered to all shards).
        assertEquals(201, cluster.send("n3", "PUT", "/tables/sales", "{\"columns\":[{\"name\":\"shop\",\"type\":\"string\"},"
                + "{\"name\":\"amount\",\"type\":\"int64\"}],\"shards\":6}").statusCode());
        StringBuilder rows = new StringBuilder("[");
        for (int i = 0; i < 300; i++) {
            rows.append(i == 0 ? "" : ",").append("{\"shop\":\"s").append(i % 3).append("\",\"amount\":").append(i).append('}');
        }
        for (int i = 0; i < 6; i++) {
            JsonNode accepted = json(cluster.send("n1", "POST", "/tables/sales/rows", rows + "]"));
            assertEquals(300, accepted.path("accepted").asInt(), accepted.toString());
        }
        JsonNode answer = json(cluster.send("n2", "POST", "/tables/sales/query",
                "{\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"sum\",\"column\":\"amount\",\"as\":\"s\"}]}"));
        assertEquals(1800, answer.path("rows").get(0).get(0).asLong(), answer.toString());
        assertEquals(6 * 44850, answer.path("rows").get(0).get(1).asLong(), answer.toString());
        assertEquals(6, answer.path("stats").path("shards_scanned").asInt(), answer.toString());

        // A drop through n2 is seen everywhere, and the shards' files go on every node.
        assertEquals(204, cluster.send("n2", "DELETE", "/tables/sales", null).statusCode());
        for (String node : NODES) {
            assertEquals(404, cluster.send(node, "GET", "/tables/sales", null).statusCode(), node);
            assertFalse(Files.exists(cluster.dataDir(node).resolve("tables").resolve("sales")), node);
        }

        // The catalog is on each node's disk: a node restarted alone knows every keyspace and topic.
        cluster.process("n2").stop();
        cluster.start("n2");
        assertEquals(6, json(cluster.send("n2", "GET", "/kv/profiles", null)).path("partitions").asInt());
        JsonNode topics = Await.until(Duration.ofSeconds(20), () -> json(cluster.send("n2", "GET", "/topics", null)),
                t -> t.toString().contains("orders"), JsonNode::toString);
        assertTrue(topics.toString().contains("\"orders\""), topics.toString());
        assertEquals("alice", cluster.send("n2", "GET", "/kv/profiles/u1", null).body());
    }
}
