package io.strata.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.cli.UpCommand;
import io.strata.node.cluster.tls.ClusterCertificates;
import io.strata.node.http.Json;
import io.strata.node.launch.NodeProcess;

import java.io.IOException;
import java.net.ServerSocket;
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
        for (String node : nodes) {
            entries.append("    ").append(node).append(" { host = 127.0.0.1, cluster-port = ").append(freePort())
                    .append(", http-port = ").append(freePort()).append(kafka ? ", kafka-port = " + freePort() : "")
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
        List<String> alive = running.entrySet().stream().filter(e -> e.getValue().isAlive() && e.getValue().httpHost() != null).map(Map.Entry::getKey).toList();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        for (String viewer : alive) {
            String seen = "";
            while (true) {
                try {
                    HttpResponse<String> answer = send(viewer, "GET", "/cluster", null);
                    seen = answer.body();
                    JsonNode nodes = Json.parse(seen.getBytes(StandardCharsets.UTF_8)).path("nodes");
                    if (alive.stream().allMatch(n -> nodes.path(n).path("partitions_available").asBoolean(false))) {
                        break;
                    }
                } catch (IOException | RuntimeException notYet) {
                    seen = notYet.toString();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("node " + viewer + " does not see all of " + alive + " Up within 60 s: " + seen);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
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

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
