package io.strata.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.strata.node.cli.UpCommand;
import io.strata.node.cluster.tls.ClusterCertificates;
import io.strata.node.http.Json;
import io.strata.node.launch.LoopbackPorts;
import io.strata.node.launch.NodeProcess;
import io.strata.node.testing.Await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Nodes of a cluster file on free loopback ports, with their certificates, each a child JVM started with
 * {@code ./strata up --config FILE --node NAME}; quick to notice a dead node (whose partitions are
 * then refused at once, whatever the ask timeout). Closing it stops every node it started.
 */
final class TestCluster implements AutoCloseable {

    /** How long a started node may take to be seen Up by every other serving node. */
    private static final Duration UP_LIMIT = Duration.ofSeconds(60);

    private final Path dir;
    private final Path file;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, NodeProcess> running = new LinkedHashMap<>();

    private TestCluster(Path dir, Path file) {
        this.dir = dir;
        this.file = file;
    }

    /** Writes a cluster file of {@code nodes} (seeded by the first) under {@code dir}; starts none. */
    static TestCluster create(Path dir, String name, List<String> nodes) throws IOException {
        return create(dir, name, nodes, false);
    }

    /** As {@link #create(Path, String, List)}, each node with a Kafka door on a port of its own when {@code kafka}. */
    static TestCluster create(Path dir, String name, List<String> nodes, boolean kafka) throws IOException {
        StringBuilder entries = new StringBuilder();
        int perNode = kafka ? 3 : 2;
        int[] ports = LoopbackPorts.free(perNode * nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            String node = nodes.get(i);
            entries.append("    ").append(node).append(" { host = 127.0.0.1, cluster-port = ").append(ports[perNode * i])
                    .append(", http-port = ").append(ports[perNode * i + 1])
                    .append(kafka ? ", kafka-port = " + ports[perNode * i + 2] : "")
                    .append(", data-dir = \"").append(dir.resolve(node + "-data")).append("\" }\n");
        }
        String text = "strata-cluster {\n  name = " + name + "\n  seed-nodes = [" + nodes.get(0) + "]\n  settings {\n"
                + "    strata.http.ask-timeout = 10s\n    pekko.loglevel = WARNING\n"
                + "    pekko.cluster.split-brain-resolver.stable-after = 5s\n  }\n  nodes {\n" + entries + "  }\n}\n";
        Path file = Files.writeString(dir.resolve("cluster.conf"), text);
        // Each node's certificate for the cluster transport, as ./strata cluster up makes them (in dir/certs).
        ClusterSpec spec = ClusterSpec.parse(file);
        ClusterCertificates certificates = new ClusterCertificates(spec, Instant.now());
        for (ClusterSpec.Node node : spec.nodes()) {
            certificates.ensure(node, false, Duration.ofDays(1));
        }
        return new TestCluster(dir, file);
    }

    Path file() {
        return file;
    }

    /** The placement every node of the file computes. */
    Placement placement() {
        ClusterSpec spec = ClusterSpec.parse(file);
        return Placement.from(spec.nodeLayer(spec.nodes().get(0).name())).orElseThrow();
    }

    Path dataDir(String node) {
        return dir.resolve(node + "-data");
    }

    /**
     * Starts {@code node} (again, after a kill) and waits until its gateway answers and every running
     * node that has served sees every such node Up and reachable: a node prints its ready line once it is Up
     * itself, while the others may learn it by gossip a moment later, and until then they refuse
     * its partitions ({@code partition_unavailable}).
     */
    void start(String node) {
        launch(node).awaitReady();
        awaitRunningNodesSeeEachOtherUp();
    }

    private void awaitRunningNodesSeeEachOtherUp() {
        List<String> serving = running.entrySet().stream().filter(e -> e.getValue().isAlive() && e.getValue().httpHost() != null)
                .map(Map.Entry::getKey).toList();
        for (String viewer : serving) {
            Await.until(UP_LIMIT, () -> clusterAsSeenBy(viewer),
                    seen -> serving.stream().allMatch(n -> seen.path("nodes").path(n).path("partitions_available").asBoolean(false)),
                    seen -> "node " + viewer + " does not see all of " + serving + " Up: " + seen);
        }
    }

    /** {@code GET /cluster} of {@code viewer}; a missing node when it does not answer yet. */
    private JsonNode clusterAsSeenBy(String viewer) throws InterruptedException {
        try {
            return Json.parse(send(viewer, "GET", "/cluster", null).body().getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException notYet) {
            return MissingNode.getInstance();
        }
    }

    /** Starts {@code node} without waiting for it to serve; {@link NodeProcess#awaitReady()} waits. */
    NodeProcess launch(String node) {
        NodeProcess process = NodeProcess.command(dir.resolve(node), UpCommand.READY_LINE_PREFIX,
                "up", "--config", file.toString(), "--node", node).logFile(log(node)).launch();
        running.put(node, process);
        return process;
    }

    /** The file the output of {@code node} goes to, across its restarts. */
    Path log(String node) {
        return dir.resolve(node + ".log");
    }

    NodeProcess process(String node) {
        return running.get(node);
    }

    HttpResponse<String> send(String node, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(running.get(node).httpBase() + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        running.values().forEach(NodeProcess::close);
    }
}
