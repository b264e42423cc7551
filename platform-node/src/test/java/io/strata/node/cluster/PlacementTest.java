package io.strata.node.cluster;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Homes of partitions: the same on every node (a function of the node names and the partition
 * id only), spread evenly, and with a node removed from the file only that node's partitions
 * get new homes (rendezvous hashing), so a change to the file moves as little as it can.
 */
class PlacementTest {

    private static Placement of(List<String> nodes) {
        return Placement.from(ConfigFactory.parseMap(Map.of("strata.cluster.nodes", nodes))).orElseThrow();
    }

    @Test
    void aNodeOnItsOwnHasNoPlacement() {
        assertTrue(Placement.from(ConfigFactory.parseMap(Map.of("strata.cluster.nodes", List.of()))).isEmpty());
    }

    @Test
    void homesAreDeterministicAndSpreadEvenly() {
        Placement a = of(List.of("n1", "n2", "n3"));
        Placement b = of(List.of("n3", "n1", "n2"));
        Map<String, Integer> counts = new HashMap<>();
        for (int p = 0; p < 3000; p++) {
            String id = "space-" + p;
            assertEquals(a.homeOf(id), b.homeOf(id), "the order of the nodes does not matter");
            counts.merge(a.homeOf(id), 1, Integer::sum);
        }
        counts.values().forEach(n -> assertTrue(n > 850 && n < 1150, "about a third each: " + counts));
    }

    @Test
    void removingANodeMovesOnlyItsOwnPartitions() {
        Placement three = of(List.of("n1", "n2", "n3"));
        Placement two = of(List.of("n1", "n2"));
        for (int p = 0; p < 1000; p++) {
            String id = "t-" + p;
            if (!three.homeOf(id).equals("n3")) {
                assertEquals(three.homeOf(id), two.homeOf(id), id);
            }
        }
    }
}
