package io.strata.node.cluster;

import io.strata.node.cli.UpCommand;
import io.strata.node.common.Partitioner;
import io.strata.node.launch.NodeProcess;
import io.strata.node.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * elsewhere); restarted on its data directory, it serves every acknowledged write again.
 *
 * <p>Catalogs are still per node, so the test creates the keyspace on every node.
 */
class ClusterPlacementTest {

    private static final int PARTITIONS = 12;
    private static final List<String> NODES = List.of("n1", "n2", "n3");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, NodeProcess> running = new LinkedHashMap<>();

    @AfterEach
    void stopAll() {
        running.values().forEach(NodeProcess::close);
    }

    @Test
    void partitionsLiveOnTheirHomeAndComeBackWithIt() throws Exception {
        Path file = clusterFile();
        for (String node : NODES) {
            running.put(node, start(file, node));
        }
        for (String node : NODES) {
            assertEquals(201, send(node, "PUT", "/kv/demo", "{\"partitions\":" + PARTITIONS + "}").statusCode());
        }
        Map<String, String> written = new LinkedHashMap<>();
        for (int i = 0; i < 60; i++) {
            String key = "key-" + i;
            assertEquals(201, send("n1", "PUT", "/kv/demo/" + key, "v" + i).statusCode(), key);
            written.put(key, "v" + i);
        }
        // A value of 1 MiB crosses from n1's gateway to its partition's home in one remote message.
        String big = "x".repeat(1 << 20);
        String bigKey = elsewhereThan("n1", file);
        assertEquals(201, send("n1", "PUT", "/kv/demo/" + bigKey, big).statusCode(), "a 1 MiB value to another node");
        assertEquals(big, send("n1", "GET", "/kv/demo/" + bigKey, null).body());
        written.put(bigKey, big);
        String cluster = send("n1", "GET", "/cluster", null).body();
        for (String node : NODES) {
            assertTrue(cluster.contains("node:" + node), cluster);
        }
        for (Map.Entry<String, String> entry : written.entrySet()) {
            HttpResponse<String> read = send("n2", "GET", "/kv/demo/" + entry.getKey(), null);
            assertEquals(200, read.statusCode(), "read through n2: " + read.body());
            assertEquals(entry.getValue(), read.body());
        }

        Placement placement = Placement.from(ClusterSpec.parse(file).nodeLayer("n1")).orElseThrow();
        List<String> onN3 = new ArrayList<>();
        List<String> elsewhere = new ArrayList<>();
        for (String key : written.keySet()) {
            String home = placement.homeOf("demo-" + Partitioner.partitionFor(key, PARTITIONS));
            (home.equals("n3") ? onN3 : elsewhere).add(key);
        }
        assertTrue(!onN3.isEmpty() && !elsewhere.isEmpty(), "keys on n3: " + onN3);

        assertEquals(137, running.get("n3").kill9());
        for (String key : elsewhere) {
            HttpResponse<String> read = send("n1", "GET", "/kv/demo/" + key, null);
            assertEquals(200, read.statusCode(), key + " lives on a node still up: " + read.body());
            assertEquals(written.get(key), read.body());
        }
        HttpResponse<String> unavailable = send("n1", "GET", "/kv/demo/" + onN3.get(0), null);
        assertEquals(503, unavailable.statusCode(), "a partition of the dead node is unavailable: " + unavailable.body());

        running.put("n3", start(file, "n3"));
        for (Map.Entry<String, String> entry : written.entrySet()) {
            HttpResponse<String> read = Await.until(Duration.ofSeconds(60), () -> send("n1", "GET", "/kv/demo/" + entry.getKey(), null),
                    r -> r.statusCode() != 503, r -> "still unavailable: " + r.body());
            assertEquals(200, read.statusCode(), entry.getKey() + " after n3 came back: " + read.body());
            assertEquals(entry.getValue(), read.body());
        }
    }

    /** A key whose partition lives on another node than {@code node}. */
    private static String elsewhereThan(String node, Path file) {
        Placement placement = Placement.from(ClusterSpec.parse(file).nodeLayer(node)).orElseThrow();
        for (int i = 0; ; i++) {
            String key = "big-" + i;
            if (!placement.homeOf("demo-" + Partitioner.partitionFor(key, PARTITIONS)).equals(node)) {
                return key;
            }
        }
    }

    private NodeProcess start(Path file, String node) {
        return NodeProcess.command(dir.resolve(node), UpCommand.READY_LINE_PREFIX, "up", "--config", file.toString(), "--node", node)
                .logFile(dir.resolve(node + ".log")).start();
    }

    private HttpResponse<String> send(String node, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(running.get(node).httpBase() + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Three nodes on free loopback ports, quick to notice a dead node and to give up on asks. */
    private Path clusterFile() throws IOException {
        StringBuilder nodes = new StringBuilder();
        for (String node : NODES) {
            nodes.append("    ").append(node).append(" { host = 127.0.0.1, cluster-port = ").append(freePort())
                    .append(", http-port = ").append(freePort()).append(", data-dir = \"").append(dir.resolve(node + "-data")).append("\" }\n");
        }
        String text = "strata-cluster {\n  name = placement-test\n  seed-nodes = [n1]\n  settings {\n"
                + "    strata.http.ask-timeout = 3s\n    pekko.loglevel = WARNING\n"
                + "    pekko.cluster.split-brain-resolver.stable-after = 5s\n  }\n  nodes {\n" + nodes + "  }\n}\n";
        return Files.writeString(dir.resolve("cluster.conf"), text);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
