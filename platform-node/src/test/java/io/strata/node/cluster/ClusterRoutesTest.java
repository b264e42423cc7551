package io.strata.node.cluster;

import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.strata.node.testing.TestNode.assertError;
import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cluster routes of a node on its own: nothing to place, nobody to hand partitions to, no transfers. */
class ClusterRoutesTest {

    @TempDir
    Path dir;

    @Test
    void aNodeOnItsOwnRefusesToLeaveAndServesNoTransfers() {
        try (TestNode node = TestNode.start(dir, Map.of())) {
            assertError(400, "not_in_a_cluster", node.post("/cluster/leave", ""));
            assertEquals(0, json(node.get("/cluster/placement")).path("partitions").size());
            assertError(404, "not_found", node.get("/internal/partitions/kv-partition/x-0"));
            assertEquals(201, node.put("/kv/still/k", "v").statusCode(), "the node still serves after a refused leave");
            assertEquals("v", node.get("/kv/still/k").body());
        }
    }

    @Test
    void aNodeOnItsOwnDescribesItselfFromItsOwnState() {
        try (TestNode node = TestNode.start(dir, Map.of())) {
            assertEquals(201, node.put("/kv/seen/k", "v").statusCode());
            var cluster = json(node.get("/cluster"));
            String self = cluster.path("self").asText();
            assertEquals(1, cluster.path("members").size(), cluster::toString);
            var member = cluster.path("members").get(0);
            assertEquals(self, member.path("address").asText());
            assertEquals("Up", member.path("status").asText());
            assertTrue(member.path("reachable").asBoolean(), cluster::toString);
            assertFalse(member.has("node"), "a node on its own has no name in a cluster file");
            assertEquals(0, cluster.path("unreachable").size());
            assertTrue(cluster.path("kv_shards").path("complete").asBoolean(), cluster::toString);
            assertTrue(cluster.path("kv_shards").path("by_node").has(self), cluster::toString);
            assertTrue(cluster.path("kv_shards").path("local").toString().contains("seen-"), cluster::toString);
            assertFalse(cluster.has("nodes"), "no cluster file, no nodes of one");
        }
    }
}
