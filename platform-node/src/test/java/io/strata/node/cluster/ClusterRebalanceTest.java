package io.strata.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.testing.Await;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Partitions move with their data: a node that joins gets its share of the partitions (each
 * stops, the new node pulls its files, and it serves there), and a node told to leave hands all of
 * its partitions over before it stops. Every acknowledged write is readable throughout, through
 * any gateway.
 */
class ClusterRebalanceTest extends ClusterTest {

    @Test
    void aJoiningNodeTakesItsShareAndALeavingNodeHandsEverythingOver() throws Exception {
        createCluster("rebalance-test");
        cluster.start("n1");
        cluster.start("n2");
        assertEquals(201, cluster.send("n1", "PUT", "/kv/items", "{\"partitions\":12}").statusCode());
        Map<String, String> written = new LinkedHashMap<>();
        for (int i = 0; i < 48; i++) {
            assertEquals(201, cluster.send("n1", "PUT", "/kv/items/key-" + i, "value-" + i).statusCode());
            written.put("key-" + i, "value-" + i);
        }
        assertEquals(201, cluster.send("n2", "PUT", "/topics/events", "{\"partitions\":6}").statusCode());
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 60; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"key\":\"k").append(i).append("\",\"value\":").append(i).append('}');
        }
        assertEquals(200, cluster.send("n2", "POST", "/topics/events/records", batch + "]").statusCode());
        assertEquals(0, homedOn("n3"), "nothing lives on a node that has not started");

        // n3 joins: the partitions the rendezvous hash now gives it move there, with their data.
        cluster.start("n3");
        // Settled: every partition is at the node the rendezvous hash picks among the three, none moving.
        JsonNode placement = Await.until(Duration.ofSeconds(120), () -> json(cluster.send("n1", "GET", "/cluster/placement", null)),
                ClusterRebalanceTest::settled, JsonNode::toString);
        assertTrue(placement.toString().contains("\"n3\""), "n3 took some partitions: " + placement);
        assertAllThere(written, "n2");
        // Writes to a moved partition go to its new home, and stay.
        for (String key : written.keySet()) {
            assertEquals(200, cluster.send("n3", "PUT", "/kv/items/" + key, written.get(key) + "!").statusCode(), key);
            written.put(key, written.get(key) + "!");
        }

        // n3 leaves: it hands every partition over, then stops by itself.
        HttpResponse<String> leave = cluster.send("n3", "POST", "/cluster/leave", null);
        assertEquals(202, leave.statusCode(), leave.body());
        Await.until(Duration.ofSeconds(120), () -> cluster.process("n3").isAlive(), alive -> !alive, alive -> "n3 still running");
        assertEquals(0, homedOn("n3"), "every partition handed over");
        assertAllThere(written, "n1");
        assertFalse(json(cluster.send("n2", "GET", "/cluster/placement", null)).toString().contains("n3"));
    }

    private static boolean settled(JsonNode placement) {
        for (Iterator<Map.Entry<String, JsonNode>> it = placement.path("partitions").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String id = entry.getKey().substring(entry.getKey().indexOf('/') + 1);
            if (!entry.getValue().asText().equals(Placement.rendezvous(NODES, id))) {
                return false;
            }
        }
        return true;
    }

    private long homedOn(String node) throws Exception {
        JsonNode partitions = json(cluster.send("n1", "GET", "/cluster/placement", null)).path("partitions");
        long count = 0;
        for (Iterator<JsonNode> it = partitions.elements(); it.hasNext(); ) {
            if (it.next().asText().startsWith(node)) {
                count++;
            }
        }
        return count;
    }

    private void assertAllThere(Map<String, String> written, String gateway) throws Exception {
        for (Map.Entry<String, String> entry : written.entrySet()) {
            HttpResponse<String> read = cluster.send(gateway, "GET", "/kv/items/" + entry.getKey(), null);
            assertEquals(200, read.statusCode(), entry.getKey() + ": " + read.body());
            assertEquals(entry.getValue(), read.body(), entry.getKey());
        }
        long records = 0;
        for (int p = 0; p < 6; p++) {
            HttpResponse<String> read = cluster.send(gateway, "GET", "/topics/events/partitions/" + p + "/records?offset=0&max=1000", null);
            assertEquals(200, read.statusCode(), read.body());
            records += json(read).path("records").size();
        }
        assertEquals(60, records, "every record of the topic");
    }
}
