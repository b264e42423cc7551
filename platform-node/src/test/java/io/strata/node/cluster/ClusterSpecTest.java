package io.strata.node.cluster;

import com.typesafe.config.Config;
import io.strata.node.cli.UpCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cluster files: the shipped ones parse, a node's layer carries what the file fixes, and every
 * kind of bad file is refused with a message that names the problem (and {@code ./strata up
 * --node} exits 2 with it, not a stack trace).
 */
class ClusterSpecTest {

    private static final Path SHIPPED = Path.of("..", "cluster-config");

    @TempDir
    Path dir;

    @Test
    void theShippedFilesParse() {
        ClusterSpec local3 = ClusterSpec.parse(SHIPPED.resolve("local-3.conf"));
        assertEquals("local-3", local3.name());
        assertEquals(List.of("n1", "n2", "n3"), local3.nodes().stream().map(ClusterSpec.Node::name).toList());
        assertEquals(List.of("n1", "n2"), local3.seedNodes());
        assertEquals("http://127.0.0.1:8082", local3.node("n2").httpBase());
        assertEquals(1, ClusterSpec.parse(SHIPPED.resolve("local-1.conf")).nodes().size());
        ClusterSpec hosts = ClusterSpec.parse(SHIPPED.resolve("example-3-hosts.conf"));
        assertEquals("pekko://strata@10.0.0.12:25520", hosts.node("b").clusterAddress());
    }

    @Test
    void aNodesLayerCarriesWhatTheFileFixes() {
        ClusterSpec spec = ClusterSpec.parse(SHIPPED.resolve("local-3.conf"));
        Config n3 = spec.nodeLayer("n3");
        assertEquals(25523, n3.getInt("strata.cluster.port"));
        assertEquals(8083, n3.getInt("strata.http.port"));
        assertEquals("data/local-3/n3", n3.getString("strata.data-dir"));
        assertEquals(List.of("data", "node:n3"), n3.getStringList("strata.cluster.roles"));
        assertEquals(List.of("pekko://strata@127.0.0.1:25521", "pekko://strata@127.0.0.1:25522"), n3.getStringList("pekko.cluster.seed-nodes"));
        assertEquals("keep-majority", n3.getString("pekko.cluster.split-brain-resolver.active-strategy"));
        assertEquals(12, n3.getInt("strata.kv.default-partitions"), "the cluster's settings");
        assertEquals("2m", n3.getString("strata.http.max-body-bytes"), "the node's own settings");
        assertEquals("n3", n3.getString("strata.cluster.node"));
        assertEquals(List.of("n1", "n2", "n3"), n3.getStringList("strata.cluster.nodes"), "the data nodes partitions live on");
        assertTrue(n3.getBoolean("strata.kafka.enabled"), "a kafka-port turns the Kafka door on");
        assertEquals(9094, n3.getInt("strata.kafka.port"));
        assertEquals("127.0.0.1", n3.getString("strata.kafka.host"));
        assertEquals(2, n3.getInt("strata.kafka.node-id"), "the broker id: the node's place in the file");
    }

    @Test
    void aNodesKafkaDoorIsItsOwn() throws IOException {
        ClusterSpec spec = ClusterSpec.parse(file("nodes { n1 { host = 10.0.0.1, cluster-port = 25521, http-port = 8081, data-dir = d1,"
                + " kafka-host = \"0.0.0.0\", kafka-port = 9092 }\n"
                + " n2 { host = 10.0.0.2, cluster-port = 25521, http-port = 8081, data-dir = d2, kafka-port = 9092,"
                + " settings { strata.kafka.node-id = 7 } }\n"
                + " n3 { host = 10.0.0.3, cluster-port = 25521, http-port = 8081, data-dir = d3 } }"));
        Config n1 = spec.nodeLayer("n1");
        assertEquals("0.0.0.0", n1.getString("strata.kafka.host"));
        assertEquals("10.0.0.1", n1.getString("strata.kafka.advertised-host"), "a wildcard door is advertised at the node's host");
        assertEquals(0, n1.getInt("strata.kafka.node-id"));
        assertEquals(7, spec.nodeLayer("n2").getInt("strata.kafka.node-id"), "the node's settings choose its broker id");
        assertEquals(java.util.Optional.of("10.0.0.1:9092"), spec.node("n1").kafkaAddress());
        assertEquals(java.util.Optional.empty(), spec.node("n3").kafkaAddress());
        assertTrue(!spec.nodeLayer("n3").hasPath("strata.kafka.enabled"), "no kafka-port, no door from the file");
        refused(file(nodes(25521, 8081, 25522, 8082).replace("data-dir = d2", "data-dir = d2, kafka-port = 8081")),
                "both use 8081 on 127.0.0.1");
        refused(file("settings { strata.kafka.node-id = 1 }\n" + nodes(25521, 8081, 25522, 8082).replace("data-dir = d1", "data-dir = d1,"
                + " kafka-port = 9092").replace("data-dir = d2", "data-dir = d2, kafka-port = 9093")), "both have Kafka broker id 1");
    }

    @Test
    void certificatesLiveBesideTheFileUnlessItSaysOtherwise() throws IOException {
        ClusterSpec shipped = ClusterSpec.parse(SHIPPED.resolve("local-3.conf"));
        Path certs = SHIPPED.toAbsolutePath().normalize().resolve("certs/local-3");
        assertEquals(certs, shipped.certsDir());
        assertEquals(certs.resolve("n2"), shipped.tlsDir("n2"));
        Config n2 = shipped.nodeLayer("n2");
        assertEquals(certs.resolve("n2").toString(), n2.getString("strata.cluster.tls.dir"));
        assertEquals(SHIPPED.resolve("local-3.conf").toString(), n2.getString("strata.cluster.file"), "named in messages");

        ClusterSpec own = ClusterSpec.parse(file("certs-dir = tls/blue\n"
                + "nodes {\n  n1 { host = 127.0.0.1, cluster-port = 25521, http-port = 8081, data-dir = d1 }\n"
                + "  n2 { host = 127.0.0.1, cluster-port = 25522, http-port = 8082, data-dir = d2,"
                + " settings { strata.cluster.tls.dir = /etc/strata/tls } }\n}\n"));
        assertEquals(dir.resolve("tls/blue"), own.certsDir(), "relative to the file's directory");
        assertEquals(dir.resolve("tls/blue/n1"), own.tlsDir("n1"));
        assertEquals(Path.of("/etc/strata/tls"), own.tlsDir("n2"), "a node's own setting wins");
        assertEquals("/etc/strata/tls", own.nodeLayer("n2").getString("strata.cluster.tls.dir"));
    }

    @Test
    void downingOffTurnsTheResolverOff() throws IOException {
        Config layer = ClusterSpec.parse(file("downing = off\n" + nodes(25521, 8081, 25522, 8082))).nodeLayer("n1");
        assertEquals("", layer.getString("pekko.cluster.downing-provider-class"));
    }

    @Test
    void badFilesAreRefusedWithAMessageThatNamesTheProblem() throws IOException {
        refused(dir.resolve("missing.conf"), "does not exist");
        refused(write("broken.conf", "strata-cluster { name = x, nodes { n1 { host = "), "is not valid HOCON");
        refused(write("noroot.conf", "cluster { name = x }"), "has no 'strata-cluster");
        refused(file("nodes {}"), "has no nodes");
        refused(file("nodes { n1 { host = 127.0.0.1, cluster-port = 25521, data-dir = d1 } }"), "http-port");
        refused(file("nodes { n1 { host = 127.0.0.1, cluster-port = 70000, http-port = 8081, data-dir = d1 } }"), "between 1 and 65535");
        refused(file(nodes(25521, 8081, 25522, 8081)), "both use 8081 on 127.0.0.1");
        refused(file(nodes(25521, 8081, 8081, 8082)), "both use 8081 on 127.0.0.1");
        refused(file("nodes { n1 { host = 127.0.0.1, cluster-port = 25521, http-port = 8081, data-dir = same }\n"
                + " n2 { host = 127.0.0.1, cluster-port = 25522, http-port = 8082, data-dir = same } }"), "data directory");
        refused(file("seed-nodes = [n7]\n" + nodes(25521, 8081, 25522, 8082)), "seed node 'n7' is not a node of the file");
        refused(file("seed-nodes = []\n" + nodes(25521, 8081, 25522, 8082)), "seed-nodes is empty");
        refused(file("downing = lucky\n" + nodes(25521, 8081, 25522, 8082)), "downing must be one of");
        refused(file("nodes { \"n 1\" { host = 127.0.0.1, cluster-port = 25521, http-port = 8081, data-dir = d1 } }"), "a node's name");
        refused(file("nodes { n1 { host = 127.0.0.1, cluster-port = 25521, http-port = 8081, data-dir = d1, roles = [\"node:x\"] } }"),
                "is reserved");
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ClusterSpec.parse(file(nodes(25521, 8081, 25522, 8082))).nodeLayer("n9"));
        assertTrue(unknown.getMessage().contains("has no node 'n9'; its nodes are [n1, n2]"), unknown.getMessage());
    }

    @Test
    void upRefusesABadClusterFileWithExitCode2() throws IOException {
        Path good = file(nodes(25521, 8081, 25522, 8082));
        assertUp(2, "has no node 'n9'", "--config", good.toString(), "--node", "n9");
        assertUp(2, "give the file with --config", "--node", "n1");
        assertUp(2, "seed node 'n7'", "--config", file("seed-nodes = [n7]\n" + nodes(25521, 8081, 25522, 8082)).toString(), "--node", "n1");
    }

    private static void assertUp(int exit, String message, String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new UpCommand()).execute(args);
        } finally {
            System.setErr(err);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        assertEquals(exit, code, output);
        assertTrue(output.contains(message), output);
        assertTrue(!output.contains("\tat "), "no stack trace: " + output);
    }

    private static String nodes(int c1, int h1, int c2, int h2) {
        return "nodes {\n"
                + "  n1 { host = 127.0.0.1, cluster-port = " + c1 + ", http-port = " + h1 + ", data-dir = d1 }\n"
                + "  n2 { host = 127.0.0.1, cluster-port = " + c2 + ", http-port = " + h2 + ", data-dir = d2 }\n"
                + "}\n";
    }

    private Path file(String body) throws IOException {
        return write("cluster-" + System.nanoTime() + ".conf", "strata-cluster {\n name = test\n" + body + "}\n");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static void refused(Path file, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClusterSpec.parse(file));
        assertTrue(e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
    }
}
