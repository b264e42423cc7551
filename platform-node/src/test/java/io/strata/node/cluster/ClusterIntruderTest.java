package io.strata.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.cli.UpCommand;
import io.strata.node.http.Json;
import io.strata.node.launch.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strangers pointed at a node's cluster port with {@code -Dpekko.cluster.seed-nodes.0=...}, each a
 * real {@code ./strata up} JVM, as anyone on the machine could start one: without certificates
 * (a node on its own, with a certificate only it trusts), with the certificate of another CA (of a
 * cluster with the same name), and speaking plain TCP. None becomes a member: each gives up
 * joining and exits without ever serving, and the cluster it knocked at is unchanged: the same
 * members, every partition on the same home, every key written before reads back the same. The
 * same holds for a node started on its own.
 */
class ClusterIntruderTest {

    /** How long an intruder keeps trying to join before it gives up and exits. */
    private static final String GIVE_UP_AFTER = "15s";
    private static final Duration EXIT_DEADLINE = Duration.ofSeconds(240);
    private static final String JOIN_FAILED = "was unsuccessful after configured shutdown-after-unsuccessful-join-seed-nodes";
    private static final String TLS_REFUSAL = "cluster transport: refused a connection";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void strangersCannotJoinAClusterOfAFile() throws Exception {
        // Another cluster of the same name, with a CA of its own: its certificate is well-formed, but not this cluster's.
        TestCluster.create(Files.createDirectories(dir.resolve("other")), "guarded", List.of("n1"));
        Path otherCertificate = dir.resolve("other/certs/guarded/n1");
        try (TestCluster cluster = TestCluster.create(Files.createDirectories(dir.resolve("cluster")), "guarded", List.of("n1", "n2"))) {
            cluster.start("n1");
            cluster.start("n2");
            String n1 = cluster.process("n1").httpBase();
            String n2 = cluster.process("n2").httpBase();
            Map<String, String> written = writeKeys(n1);
            Snapshot before = snapshot(n1);
            assertEquals(2, before.members().size(), before.members().toString());

            String seed = ClusterSpec.parse(cluster.file()).node("n1").clusterAddress();
            List<Intruder> intruders = new ArrayList<>();
            try {
                // Each added as it starts, so one that fails to start leaves none of the others running.
                intruders.add(Intruder.start(dir.resolve("no-certificate"), seed));
                intruders.add(Intruder.start(dir.resolve("other-ca"), seed, "-Dstrata.cluster.tls.dir=" + otherCertificate));
                intruders.add(Intruder.start(dir.resolve("plain-tcp"), seed, "-Dpekko.remote.artery.transport=tcp"));
                for (Intruder intruder : intruders) {
                    intruder.awaitGivingUp();
                }
            } finally {
                intruders.forEach(Intruder::close);
            }
            assertTrue(intruders.get(0).output().contains(TLS_REFUSAL), intruders.get(0).output());
            assertTrue(intruders.get(1).output().contains(TLS_REFUSAL), intruders.get(1).output());

            for (String node : List.of(n1, n2)) {
                Snapshot after = snapshot(node);
                assertEquals(before.members(), after.members(), "the members " + node + " sees");
                assertEquals(before.placement(), after.placement(), "every partition's home, as " + node + " sees it");
                assertKeys(node, written);
            }
            // The cluster still takes writes.
            assertEquals(201, send("PUT", n2 + "/kv/guarded/after", "still here").statusCode());
            assertEquals("still here", send("GET", n1 + "/kv/guarded/after", null).body());
        }
    }

    @Test
    void strangersCannotJoinANodeOnItsOwn() throws Exception {
        try (NodeProcess node = NodeProcess.builder(dir.resolve("alone")).logFile(dir.resolve("alone.log"))
                .args("-Dpekko.loglevel=WARNING").start()) {
            Map<String, String> written = writeKeys(node.httpBase());
            Snapshot before = snapshot(node.httpBase());
            assertEquals(1, before.members().size(), before.members().toString());
            String self = Json.parse(send("GET", node.httpBase() + "/cluster", null).body().getBytes(StandardCharsets.UTF_8))
                    .get("self").asText();
            try (Intruder intruder = Intruder.start(dir.resolve("stranger"), self)) {
                intruder.awaitGivingUp();
                assertTrue(intruder.output().contains(TLS_REFUSAL), intruder.output());
            }
            assertEquals(before, snapshot(node.httpBase()));
            assertKeys(node.httpBase(), written);
        }
    }

    /**
     * Keys over every partition of keyspace "guarded" (so over both nodes of a cluster), written
     * and acknowledged: each key's value and version (ETag) as acknowledged.
     */
    private Map<String, String> writeKeys(String base) throws Exception {
        assertEquals(201, send("PUT", base + "/kv/guarded", "{\"partitions\":8}").statusCode());
        Map<String, String> written = new LinkedHashMap<>();
        for (int i = 0; i < 40; i++) {
            HttpResponse<String> put = send("PUT", base + "/kv/guarded/key-" + i, "value-" + i);
            assertEquals(201, put.statusCode(), put.body());
            written.put("key-" + i, "value-" + i + " " + put.headers().firstValue("ETag").orElseThrow());
        }
        return written;
    }

    /** Every key reads back with the value and version it was acknowledged with: nothing rewrote it. */
    private void assertKeys(String base, Map<String, String> written) throws Exception {
        for (Map.Entry<String, String> entry : written.entrySet()) {
            HttpResponse<String> read = send("GET", base + "/kv/guarded/" + entry.getKey(), null);
            assertEquals(200, read.statusCode(), read.body());
            assertEquals(entry.getValue(), read.body() + " " + read.headers().firstValue("ETag").orElse(""), entry.getKey());
        }
    }

    /** What a node says of its cluster: the members (address and status) and each partition's home. */
    private record Snapshot(TreeSet<String> members, String placement) {}

    private Snapshot snapshot(String base) throws Exception {
        JsonNode cluster = Json.parse(send("GET", base + "/cluster", null).body().getBytes(StandardCharsets.UTF_8));
        TreeSet<String> members = new TreeSet<>();
        cluster.get("members").forEach(m -> members.add(m.get("address").asText() + " " + m.get("status").asText()));
        return new Snapshot(members, send("GET", base + "/cluster/placement", null).body());
    }

    private HttpResponse<String> send(String method, String url, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A {@code ./strata up} child JVM on free ports, told to join {@code seed}, and to give up after
     * {@link #GIVE_UP_AFTER} (it then stops, as Pekko does). Its output goes to a file. Closing it
     * kills it if it still runs.
     */
    private record Intruder(Process process, Path log) implements AutoCloseable {

        static Intruder start(Path dataDir, String seed, String... settings) throws IOException {
            List<String> args = new ArrayList<>(List.of("-Dpekko.cluster.seed-nodes.0=" + seed,
                    "-Dpekko.cluster.shutdown-after-unsuccessful-join-seed-nodes=" + GIVE_UP_AFTER));
            args.addAll(List.of(settings));
            List<String> command = NodeProcess.builder(dataDir).args(args.toArray(String[]::new)).command();
            Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new Intruder(process, log);
        }

        /** Waits (bounded) for the intruder to give up and exit; it must never have served. */
        void awaitGivingUp() throws Exception {
            assertTrue(process.waitFor(EXIT_DEADLINE.toSeconds(), TimeUnit.SECONDS),
                    "the intruder still runs after " + EXIT_DEADLINE + ": " + output());
            assertNotEquals(0, process.exitValue(), output());
            String output = output();
            assertFalse(output.contains(UpCommand.READY_LINE_PREFIX), "it never served: " + output);
            assertTrue(output.contains(JOIN_FAILED), "it tried to join and was not let in: " + output);
        }

        String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(cannot read " + log + ": " + e + ")";
            }
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
