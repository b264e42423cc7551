package io.strata.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.http.Json;
import io.strata.node.launch.NodeProcess;
import io.strata.node.testing.Await;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node of a cluster file started while no seed node runs: it waits, saying every few seconds
 * which seeds it is trying and what to start, and joins as soon as a seed comes up.
 */
class ClusterJoinTest extends ClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void aNodeWaitingForItsSeedSaysWhichAndJoinsWhenItComes() throws Exception {
        cluster = TestCluster.create(dir, "join", List.of("n1", "n2"));
        String seed = ClusterSpec.parse(cluster.file()).node("n1").clusterAddress();
        NodeProcess n2 = cluster.launch("n2");

        String waiting = "waiting to join cluster join as node n2";
        List<String> lines = Await.until(WAIT, () -> linesOf(cluster.log("n2"), waiting), found -> found.size() >= 2,
                found -> "lines so far " + found + "; last output:\n" + n2.logTail());
        String line = lines.get(0);
        assertTrue(line.contains("no seed node has let it in yet; trying n1 at " + seed), line);
        assertTrue(line.contains("./strata up --config " + cluster.file() + " --node n1"), line);
        assertTrue(line.contains("./strata cluster up " + cluster.file()), line);
        assertTrue(n2.isAlive(), "it keeps waiting: " + n2.logTail());

        cluster.start("n1");
        n2.awaitReady();
        JsonNode members = Json.parse(cluster.send("n2", "GET", "/cluster", null).body().getBytes()).path("members");
        assertEquals(2, members.size(), members::toString);
        for (JsonNode member : members) {
            assertEquals("Up", member.path("status").asText(), members::toString);
            assertTrue(member.path("reachable").asBoolean(), members::toString);
        }
    }

    private static List<String> linesOf(Path log, String containing) throws Exception {
        return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.contains(containing)).toList() : List.of();
    }
}
