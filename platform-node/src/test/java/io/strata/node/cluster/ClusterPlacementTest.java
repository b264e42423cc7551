package io.strata.node.cluster;

import io.strata.node.common.Partitioner;
import io.strata.node.testing.Await;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three nodes of a cluster file, each a child JVM: every KV partition runs on its home node,
 * requests through any gateway reach it, and when a node is killed with {@code kill -9} the
 * others keep serving their partitions while its own are unavailable (never recovered empty
 * elsewhere, and refused at once with {@code partition_unavailable} once the cluster sees the
 * node gone); restarted on its data directory, it serves every acknowledged write again.
 */
class ClusterPlacementTest extends ClusterTest {

    private static final int PARTITIONS = 12;

    @Test
    void partitionsLiveOnTheirHomeAndComeBackWithIt() throws Exception {
        createCluster("placement-test");
        NODES.forEach(cluster::start);
        // The keyspace is created through n1 only: the catalog is the cluster's.
        assertEquals(201, cluster.send("n1", "PUT", "/kv/demo", "{\"partitions\":" + PARTITIONS + "}").statusCode());
        Map<String, String> written = new LinkedHashMap<>();
        for (int i = 0; i < 60; i++) {
            String key = "key-" + i;
            HttpResponse<String> put = cluster.send("n1", "PUT", "/kv/demo/" + key, "v" + i);
            assertEquals(201, put.statusCode(), key + ": " + put.body());
            written.put(key, "v" + i);
        }
        // A value of 1 MiB crosses from n1's gateway to its partition's home in one remote message.
        String big = "x".repeat(1 << 20);
        String bigKey = elsewhereThan("n1");
        assertEquals(201, cluster.send("n1", "PUT", "/kv/demo/" + bigKey, big).statusCode(), "a 1 MiB value to another node");
        assertEquals(big, cluster.send("n1", "GET", "/kv/demo/" + bigKey, null).body());
        written.put(bigKey, big);
        String members = cluster.send("n1", "GET", "/cluster", null).body();
        for (String node : NODES) {
            assertTrue(members.contains("node:" + node), members);
        }
        for (Map.Entry<String, String> entry : written.entrySet()) {
            HttpResponse<String> read = cluster.send("n2", "GET", "/kv/demo/" + entry.getKey(), null);
            assertEquals(200, read.statusCode(), "read through n2: " + read.body());
            assertEquals(entry.getValue(), read.body());
        }

        Placement placement = cluster.placement();
        List<String> onN3 = new ArrayList<>();
        List<String> elsewhere = new ArrayList<>();
        for (String key : written.keySet()) {
            String home = placement.homeOf("demo-" + Partitioner.partitionFor(key, PARTITIONS));
            (home.equals("n3") ? onN3 : elsewhere).add(key);
        }
        assertTrue(!onN3.isEmpty() && !elsewhere.isEmpty(), "keys on n3: " + onN3);

        assertEquals(137, cluster.process("n3").kill9());
        for (String key : elsewhere) {
            HttpResponse<String> read = cluster.send("n1", "GET", "/kv/demo/" + key, null);
            assertEquals(200, read.statusCode(), key + " lives on a node still up: " + read.body());
            assertEquals(written.get(key), read.body());
        }
        // Once the failure detector marks n3 unreachable, its partitions are refused without waiting.
        HttpResponse<String> unavailable = Await.until(Duration.ofSeconds(30),
                () -> cluster.send("n1", "GET", "/kv/demo/" + onN3.get(0), null),
                r -> r.body().contains("partition_unavailable"), r -> "not refused as unavailable: " + r.statusCode() + " " + r.body());
        assertEquals(503, unavailable.statusCode(), unavailable.body());
        assertTrue(unavailable.body().contains("node n3"), unavailable.body());
        // Writes to the dead node's partitions are refused too, and never land elsewhere.
        assertEquals(503, cluster.send("n2", "PUT", "/kv/demo/" + onN3.get(0), "lost?").statusCode());

        cluster.start("n3");
        for (Map.Entry<String, String> entry : written.entrySet()) {
            HttpResponse<String> read = Await.until(Duration.ofSeconds(60),
                    () -> cluster.send("n1", "GET", "/kv/demo/" + entry.getKey(), null),
                    r -> r.statusCode() != 503, r -> "still unavailable: " + r.body());
            assertEquals(200, read.statusCode(), entry.getKey() + " after n3 came back: " + read.body());
            assertEquals(entry.getValue(), read.body());
        }
    }

    /** A key whose partition lives on another node than {@code node}. */
    private String elsewhereThan(String node) {
        Placement placement = cluster.placement();
        for (int i = 0; ; i++) {
            String key = "big-" + i;
            if (!placement.homeOf("demo-" + Partitioner.partitionFor(key, PARTITIONS)).equals(node)) {
                return key;
            }
        }
    }
}
