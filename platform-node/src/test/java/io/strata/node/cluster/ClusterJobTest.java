package io.strata.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.stream.job.JobStore;
import io.strata.node.testing.Await;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.strata.node.testing.TestNode.assertError;
import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream job in a cluster of three child JVMs: it runs on its home node only, and every node's
 * gateway serves it. Submitted through another node, described through all three, fed through a
 * third, its KV results read through any; its home killed with {@code kill -9}, it is refused at
 * once ({@code partition_unavailable}); restarted, the home runs it again from its checkpoint and
 * its results continue; deleted through a node that is not its home.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterJobTest {

    private static final List<String> NODES = List.of("n1", "n2", "n3");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @AutoClose
    private TestCluster cluster;

    private static String spec(String name) {
        return "{\"name\":\"" + name + "\",\"source\":{\"topic\":\"purchases\",\"group\":\"spend-job\"},"
                + "\"key\":\"user\",\"event_time\":\"ts\",\"window\":{\"type\":\"tumbling\",\"size\":\"1m\"},"
                + "\"out_of_orderness\":\"5s\",\"allowed_lateness\":\"10s\",\"idle_timeout\":\"1s\","
                + "\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"sum\",\"column\":\"amount\",\"as\":\"spend\"}],"
                + "\"sinks\":[{\"kv\":{\"space\":\"features\",\"ttl\":\"1d\"}}]}";
    }

    private static String purchase(String user, int amount, String ts) {
        return "{\"key\":\"" + user + "\",\"value\":{\"user\":\"" + user + "\",\"amount\":" + amount
                + ",\"ts\":\"2026-01-01T" + ts + "Z\"}}";
    }

    @Test
    void aJobRunsOnItsHomeAndEveryGatewayServesIt() throws Exception {
        cluster = TestCluster.create(dir, "job-test", NODES);
        NODES.forEach(cluster::start);
        // The job lives on n2; it is submitted through n1, fed through n3.
        String name = nameHomedOn("n2");
        assertEquals(201, cluster.send("n1", "PUT", "/topics/purchases", "{\"partitions\":2}").statusCode());
        // Bad input keeps its errors, whichever node answers it.
        assertError(400, "invalid_window", cluster.send("n1", "POST", "/jobs", spec(name).replace("\"tumbling\"", "\"hopping\"")));
        assertError(400, "invalid_json", cluster.send("n1", "POST", "/jobs", "{\"name\":"));
        assertError(404, "job_not_found", cluster.send("n1", "GET", "/jobs/" + name, null));
        HttpResponse<String> submitted = cluster.send("n1", "POST", "/jobs", spec(name));
        assertEquals(201, submitted.statusCode(), submitted.body());
        assertEquals(200, cluster.send("n3", "POST", "/jobs", spec(name)).statusCode(), "the same job again, through n3");
        for (String node : NODES) {
            JsonNode status = awaitJson(node, "/jobs/" + name, j -> j.path("state").asText().equals("running"));
            assertEquals(name, status.get("id").asText());
            awaitJson(node, "/jobs", j -> j.get("jobs").size() == 1 && j.at("/jobs/0/name").asText().equals(name));
        }
        // A forwarded request is served where it lands, never forwarded again: n1 does not home the job.
        assertError(503, "not_home", forwardedTo("n1", "/jobs/" + name));

        produce("n3", purchase("u1", 10, "00:00:10"), purchase("u1", 5, "00:00:50"), purchase("u2", 7, "00:00:20"));
        // The partitions live on different nodes, so one batch reaches them at different times: had it
        // held later events, a partition read first could have moved the watermark past the other's.
        awaitJson("n1", "/jobs/" + name, j -> j.get("events_in").asLong() == 3 && j.get("lag").asLong() == 0);
        produce("n3", purchase("u1", 1, "00:05:00"), purchase("u2", 1, "00:05:00"));
        for (String node : NODES) {
            JsonNode kv = awaitJson(node, "/kv/features/u1", j -> j.path("n").asInt() == 2);
            assertEquals(15, kv.get("spend").asInt(), kv.toString());
        }
        // Everything read is in a checkpoint on n2's disk before n2 dies.
        JsonNode before = awaitJson("n3", "/jobs/" + name, ClusterJobTest::checkpointedAll);
        assertEquals(5, before.get("events_in").asLong(), before.toString());
        assertEquals(0, before.get("late_events").asLong(), before.toString());

        assertEquals(137, cluster.process("n2").kill9());
        HttpResponse<String> refused = Await.until(WAIT, () -> cluster.send("n1", "GET", "/jobs/" + name, null),
                r -> r.body().contains("partition_unavailable"), r -> "not refused as unavailable: " + r.statusCode() + " " + r.body());
        assertError(503, "partition_unavailable", refused);
        assertTrue(refused.body().contains("node n2"), refused.body());
        assertEquals(200, cluster.send("n3", "GET", "/jobs", null).statusCode(), "the catalog is still listed");

        cluster.start("n2");
        JsonNode resumed = awaitJson("n1", "/jobs/" + name, j -> j.path("state").asText().equals("running"));
        assertTrue(resumed.get("checkpoint_epoch").asLong() >= before.get("checkpoint_epoch").asLong(), resumed.toString());
        produce("n3", purchase("u1", 3, "00:10:00"), purchase("u2", 3, "00:10:00"));
        JsonNode later = awaitJson("n3", "/kv/features/u1", j -> j.path("window_start").asText().equals("2026-01-01T00:05:00Z"));
        assertEquals(1, later.get("n").asInt(), later.toString());
        JsonNode after = awaitJson("n1", "/jobs/" + name, ClusterJobTest::checkpointedAll);
        assertEquals(2, after.get("events_in").asLong(), "the restarted job read only the new events: " + after);

        assertEquals(204, cluster.send("n3", "DELETE", "/jobs/" + name, null).statusCode());
        for (String node : NODES) {
            HttpResponse<String> gone = Await.until(WAIT, () -> cluster.send(node, "GET", "/jobs/" + name, null),
                    r -> r.statusCode() == 404, r -> node + " still has the job: " + r.statusCode() + " " + r.body());
            assertError(404, "job_not_found", gone);
            awaitJson(node, "/jobs", j -> j.get("jobs").isEmpty());
        }
    }

    /** A job name whose home, as every node computes it, is {@code node}. */
    private String nameHomedOn(String node) {
        Placement placement = cluster.placement();
        for (int i = 0; ; i++) {
            if (placement.homeOf(JobStore.homeId("spend-" + i)).equals(node)) {
                return "spend-" + i;
            }
        }
    }

    private static boolean checkpointedAll(JsonNode status) {
        if (status.get("lag").asLong() != 0 || status.get("checkpoint_epoch").asLong() == 0) {
            return false;
        }
        for (JsonNode p : status.get("partitions")) {
            if (p.get("committed").asLong() != p.get("end_offset").asLong()) {
                return false;
            }
        }
        return true;
    }

    private void produce(String node, String... records) {
        String body = "[" + String.join(",", records) + "]";
        // The topic's partitions may be on a node that has just come back.
        Await.until(WAIT, () -> cluster.send(node, "POST", "/topics/purchases/records", body),
                r -> r.statusCode() / 100 == 2, r -> "produce through " + node + ": " + r.statusCode() + " " + r.body());
    }

    private JsonNode awaitJson(String node, String path, Predicate<JsonNode> done) {
        return json(Await.until(WAIT, () -> cluster.send(node, "GET", path, null),
                r -> r.statusCode() == 200 && done.test(json(r)), r -> node + " " + path + " → " + r.statusCode() + " " + r.body()
                        + "\njobs: " + describeJobs()));
    }

    /** Each job's status through its home, and the nodes' last log lines: what a failure needs explained. */
    private String describeJobs() {
        StringBuilder out = new StringBuilder();
        try {
            for (JsonNode job : json(cluster.send("n1", "GET", "/jobs", null)).get("jobs")) {
                out.append(cluster.send("n1", "GET", "/jobs/" + job.get("name").asText(), null).body()).append('\n');
            }
        } catch (Exception e) {
            out.append("jobs not readable: ").append(e).append('\n');
        }
        for (String node : NODES) {
            out.append("--- ").append(node).append(" log:\n").append(cluster.process(node).logTail()).append('\n');
        }
        return out.toString();
    }

    private HttpResponse<String> forwardedTo(String node, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.process(node).httpBase() + path))
                .header(GatewayForwarder.FORWARDED_BY, "test").timeout(Duration.ofSeconds(20)).GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
