package io.strata.node.cluster;

import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.strata.node.testing.TestNode.assertError;
import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
