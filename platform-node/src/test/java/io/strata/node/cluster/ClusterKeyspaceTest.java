package io.strata.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.common.PartitionId;
import io.strata.node.storage.DataLayout;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Key listings and keyspace deletion across the three nodes of a cluster file: a listing through
 * any gateway merges the pages of partitions on every node, a deletion through any gateway deletes
 * every node's files, and the node-to-node partition routes reach no file outside a partition.
 */
class ClusterKeyspaceTest extends ClusterTest {

    private List<String> listAll(String node, String space, int limit) throws Exception {
        List<String> keys = new ArrayList<>();
        String cursor = null;
        do {
            HttpResponse<String> page = cluster.send(node, "GET", "/kv/" + space + "?list=keys&limit=" + limit
                    + (cursor == null ? "" : "&cursor=" + cursor), null);
            assertEquals(200, page.statusCode(), page.body());
            json(page).get("keys").forEach(k -> keys.add(k.asText()));
            JsonNode next = json(page).get("next_cursor");
            cursor = next.isNull() ? null : next.asText();
        } while (cursor != null);
        return keys;
    }

    @Test
    void listingAndDeletionReachEveryNodeAndTransferRoutesStayInsidePartitions() throws Exception {
        createCluster("keyspace-test");
        NODES.forEach(cluster::start);

        assertEquals(201, cluster.send("n1", "PUT", "/kv/profiles", "{\"partitions\":9}").statusCode());
        Set<String> homes = new HashSet<>();
        for (int p = 0; p < 9; p++) {
            homes.add(cluster.placement().homeOf(new PartitionId("profiles", p).entityId()));
        }
        assertEquals(Set.copyOf(NODES), homes, "the keyspace's partitions live on every node");
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            written.add("user-" + i);
            assertEquals(201, cluster.send("n1", "PUT", "/kv/profiles/user-" + i, "v").statusCode());
        }
        written.sort((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        assertEquals(written, listAll("n2", "profiles", 7), "pages of partitions on three nodes, merged");

        assertEquals(204, cluster.send("n3", "DELETE", "/kv/profiles", null).statusCode());
        for (String node : NODES) {
            assertEquals(404, cluster.send(node, "GET", "/kv/profiles", null).statusCode(), node);
            assertEquals(404, cluster.send(node, "GET", "/kv/profiles/user-1", null).statusCode(), node);
            assertFalse(Files.exists(DataLayout.of(cluster.dataDir(node)).keyspaceDir("profiles")), node + " keeps files");
        }
        assertEquals(201, cluster.send("n2", "PUT", "/kv/profiles/fresh", "v").statusCode());
        assertEquals(List.of("fresh"), listAll("n1", "profiles", 7), "the name starts empty");

        // A partition id that climbs out of its store's directory reaches nothing: here, partition 0 of keyspace "victim".
        assertEquals(201, cluster.send("n1", "PUT", "/kv/victim", "{\"partitions\":1}").statusCode());
        assertEquals(201, cluster.send("n1", "PUT", "/kv/victim/k", "kept").statusCode());
        String home = cluster.placement().homeOf(new PartitionId("victim", 0).entityId());
        String climbing = "/internal/partitions/bus-partition/..%2Fkv%2Fvictim-0";
        for (String method : List.of("GET", "DELETE")) {
            HttpResponse<String> refused = cluster.send(home, method, climbing, null);
            assertEquals(400, refused.statusCode(), method + " " + refused.body());
            assertEquals("invalid_name", json(refused).at("/error/code").asText());
        }
        HttpResponse<String> file = cluster.send(home, "GET", climbing + "/file?path=kv%2F_keyspaces.json", null);
        assertEquals(400, file.statusCode(), file.body());
        assertTrue(Files.isDirectory(DataLayout.of(cluster.dataDir(home)).kvPartitionDir(new PartitionId("victim", 0))));
        assertEquals("kept", cluster.send("n2", "GET", "/kv/victim/k", null).body());
    }
}
