package io.strata.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.node.cluster.tls.CertificateAuthority;
import io.strata.node.cluster.tls.NodeCertificate;
import io.strata.node.launch.LoopbackPorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code strata cluster up|status|leave|down} against three real node JVMs on loopback ports: the
 * nodes form one cluster, serve KV writes, hand their partitions over when they leave (the last
 * data node refuses to), and are all gone (no PID files left) after {@code leave} or {@code down}.
 * {@code strata cluster certs} makes, keeps and renews the certificates they join each other with.
 */
class ClusterCommandTest {

    private static final int NODES = 3;
    private static final Duration POLL = Duration.ofMillis(200);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Path> pidFiles = new ArrayList<>();

    /** Whatever happens in a test, no node outlives it: SIGTERM, then SIGKILL after 30 s. */
    @AfterEach
    void killLeftovers() throws IOException {
        List<ProcessHandle> left = new ArrayList<>();
        for (Path pidFile : pidFiles) {
            if (Files.isRegularFile(pidFile)) {
                ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(left::add);
            }
        }
        left.forEach(ProcessHandle::destroy);
        for (ProcessHandle process : left) {
            try {
                process.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception stillRunning) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void upStatusAndDownThreeLocalNodes() throws Exception {
        int[] ports = LoopbackPorts.free(2 * NODES);
        Path file = threeNodes(ports);

        Result up = run("up", file.toString());
        assertEquals(0, up.exit, up::describe);
        // The nodes' certificates for the cluster transport, made first, beside the file.
        for (int i = 1; i <= NODES; i++) {
            assertTrue(up.out.contains("node n" + i + ": made its certificate in " + dir.resolve("certs/test/n" + i)), up::describe);
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("certs/test/ca.key"))));
        List<Long> pids = new ArrayList<>();
        for (int n = 1; n <= NODES; n++) {
            int i = n;
            Matcher m = Pattern.compile("^node n" + i + " up http://127\\.0\\.0\\.1:" + ports[2 * i - 1] + " pid (\\d+)$",
                    Pattern.MULTILINE).matcher(up.out);
            assertTrue(m.find(), () -> "no up line for n" + i + ": " + up.describe());
            long pid = Long.parseLong(m.group(1));
            pids.add(pid);
            assertEquals(pid, Long.parseLong(Files.readString(pidFiles.get(i - 1)).trim()));
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "node n" + i + " runs after up returns");
        }

        JsonNode cluster = new ObjectMapper().readTree(get("http://127.0.0.1:" + ports[3] + "/cluster").body());
        assertEquals(NODES, cluster.path("members").size(), cluster::toString);
        for (JsonNode member : cluster.path("members")) {
            assertEquals("Up", member.path("status").asText(), cluster::toString);
        }

        Result status = run("status", file.toString());
        assertEquals(0, status.exit, status::describe);
        for (int i = 1; i <= NODES; i++) {
            assertTrue(Pattern.compile("^\\s+n" + i + "\\s+pekko://strata@127\\.0\\.0\\.1:" + ports[2 * i - 2] + "\\s+Up\\s",
                    Pattern.MULTILINE).matcher(status.out).find(), status::describe);
        }
        assertTrue(status.out.contains("All 3 nodes are Up."), status::describe);

        // A second up finds every node running and starts nothing.
        Result again = run("up", file.toString());
        assertEquals(0, again.exit, again::describe);
        assertFalse(again.out.contains("made its certificate"), again::describe);
        assertTrue(again.out.contains("node n1 already running (pid " + pids.get(0) + ")"), again::describe);

        String node1 = "http://127.0.0.1:" + ports[1];
        HttpResponse<String> put = send("PUT", node1 + "/kv/demo/k1", "v");
        assertTrue(put.statusCode() / 100 == 2, () -> "PUT: " + put.statusCode() + " " + put.body());
        HttpResponse<String> read = get(node1 + "/kv/demo/k1");
        assertEquals(200, read.statusCode(), read::body);
        assertTrue(read.body().contains("v"), read::body);

        Result down = run("down", file.toString());
        assertEquals(0, down.exit, down::describe);
        for (int i = 1; i <= NODES; i++) {
            assertTrue(down.out.contains("node n" + i + " stopped (pid " + pids.get(i - 1) + ")"), down::describe);
            assertFalse(ProcessHandle.of(pids.get(i - 1)).map(ProcessHandle::isAlive).orElse(false), "pid " + pids.get(i - 1) + " is gone");
            assertFalse(Files.exists(pidFiles.get(i - 1)), "pid file of n" + i + " removed");
        }

        Result statusDown = run("status", file.toString());
        assertEquals(1, statusDown.exit, statusDown::describe);
    }

    @Test
    void afterAKill9TheLiveNodesKeepAnsweringAndMarkTheDeadOne() throws Exception {
        int[] ports = LoopbackPorts.free(2 * NODES);
        Path file = threeNodes(ports);
        String node1 = upWithKeys(file, ports, 24);
        // The victim: n2 or n3, whichever homes partitions (the rendezvous hash gives some to each, but not surely).
        JsonNode before = cluster(node1);
        String victim = before.path("nodes").path("n3").path("partitions").asInt() > 0 ? "n3" : "n2";
        int victimIndex = Integer.parseInt(victim.substring(1)) - 1;
        assertTrue(before.path("nodes").path(victim).path("partitions").asInt() > 0, before::toString);
        List<String> live = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            if (i - 1 != victimIndex) {
                live.add("http://127.0.0.1:" + ports[2 * i - 1]);
            }
        }
        ProcessHandle process = ProcessHandle.of(Long.parseLong(Files.readString(pidFiles.get(victimIndex)).trim())).orElseThrow();
        process.destroyForcibly();
        process.onExit().get(30, TimeUnit.SECONDS);

        // Every answer of every live node is a 200 at once, from the moment of the kill until the
        // failure detector has marked the victim and the split-brain resolver has downed it.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        boolean marked = false;
        boolean downed = false;
        boolean statusWhileUnreachable = false;
        while (!downed) {
            Thread.sleep(POLL.toMillis());
            assertTrue(System.nanoTime() < deadline, "the live nodes never marked " + victim + " down: " + cluster(live.get(0)));
            for (String gateway : live) {
                JsonNode view = cluster(gateway);
                JsonNode dead = view.path("nodes").path(victim);
                if (dead.path("reachable").asBoolean(true)) {
                    assertTrue(dead.path("partitions_available").asBoolean(), view::toString);
                    continue;
                }
                marked = true;
                assertFalse(dead.path("partitions_available").asBoolean(), "its partitions are unavailable: " + view);
                assertTrue(dead.path("partitions").asInt() > 0, view::toString);
                for (JsonNode member : view.path("members")) {
                    if (victim.equals(member.path("node").asText())) {
                        assertFalse(member.path("reachable").asBoolean(), view::toString);
                    } else {
                        assertEquals("Up", member.path("status").asText(), view::toString);
                        assertTrue(member.path("reachable").asBoolean(), view::toString);
                    }
                }
                for (String other : List.of("n1", "n2", "n3")) {
                    if (!other.equals(victim)) {
                        assertTrue(view.path("nodes").path(other).path("partitions_available").asBoolean(), view::toString);
                    }
                }
                downed |= List.of("Down", "absent").contains(dead.path("status").asText());
            }
            if (marked && !downed && !statusWhileUnreachable) {
                Result status = run("status", file.toString());
                // The node `status` asks may learn of the unreachable member a gossip round after
                // the node that marked it: until it has, status still answers 0, and it asks again.
                if (status.exit != 0) {
                    statusWhileUnreachable = true;
                    assertEquals(1, status.exit, status::describe);
                    assertTrue(Pattern.compile("^\\s+" + victim + "\\s.*not running.*\\s(Up|Down), unreachable$", Pattern.MULTILINE)
                            .matcher(status.out).find() || status.out.contains("not a member"), status::describe);
                }
            }
        }
        assertTrue(marked, "the victim was seen unreachable before it was downed");

        // One live node saw it downed; the one `status` asks may learn it a gossip round later.
        Pattern downedRow = Pattern.compile("^\\s+" + victim + "\\s.*(not a member|Down, unreachable)$", Pattern.MULTILINE);
        Result status = run("status", file.toString());
        while (!downedRow.matcher(status.out).find()) {
            assertTrue(System.nanoTime() < deadline, "status never showed " + victim + " downed: " + status.describe());
            Thread.sleep(POLL.toMillis());
            status = run("status", file.toString());
        }
        Result finalStatus = status;
        assertEquals(1, finalStatus.exit, finalStatus::describe);
        for (int i = 1; i <= NODES; i++) {
            String name = "n" + i;
            String row = name.equals(victim) ? "not running \\(stale pid file\\)\\s+unreachable\\s+(not a member|Down, unreachable)"
                    : "alive\\s+reachable \\(200\\)\\s+Up";
            assertTrue(Pattern.compile("^\\s+" + name + "\\s.*" + row + "$", Pattern.MULTILINE).matcher(finalStatus.out).find(),
                    () -> name + ": " + finalStatus.describe());
        }
        assertTrue(finalStatus.out.contains("2 of 3 nodes are Up; not Up: " + victim + " ("), finalStatus::describe);
        assertFalse(finalStatus.out.contains("No node answers"), finalStatus::describe);

        Result down = run("down", file.toString());
        assertEquals(0, down.exit, down::describe);
    }

    /** {@code GET /cluster} of a node, which must answer 200. */
    private JsonNode cluster(String gateway) throws IOException, InterruptedException {
        HttpResponse<String> response = get(gateway + "/cluster");
        assertEquals(200, response.statusCode(), () -> gateway + "/cluster: " + response.body());
        return new ObjectMapper().readTree(response.body());
    }

    @Test
    void upRefusesABadFile() throws Exception {
        Path duplicatePort = write("dup.conf", """
                    n1 { host = 127.0.0.1, cluster-port = 25521, http-port = 8081, data-dir = "%s" }
                    n2 { host = 127.0.0.1, cluster-port = 25521, http-port = 8082, data-dir = "%s" }
                """.formatted(dir.resolve("a"), dir.resolve("b")), "[n1]");
        Result dup = run("up", duplicatePort.toString());
        assertEquals(2, dup.exit, dup::describe);
        assertTrue(dup.err.startsWith("strata cluster: ") && dup.err.contains("both use 25521"), dup::describe);
        assertFalse(dup.err.contains("\tat "), "no stack trace: " + dup.err);

        Path unknownSeed = write("seed.conf", """
                    n1 { host = 127.0.0.1, cluster-port = 25521, http-port = 8081, data-dir = "%s" }
                """.formatted(dir.resolve("c")), "[n9]");
        Result seed = run("up", unknownSeed.toString());
        assertEquals(2, seed.exit, seed::describe);
        assertTrue(seed.err.contains("seed node 'n9' is not a node of the file"), seed::describe);
        assertFalse(Files.exists(dir.resolve("a")) || Files.exists(dir.resolve("c")), "nothing started");
    }

    @Test
    void upStopsWhatItStartedWhenANodeDies() throws Exception {
        int[] ports = LoopbackPorts.free(4);
        Path n1 = dir.resolve("n1");
        Path n2 = dir.resolve("n2");
        pidFiles.add(n1.resolve(LocalNodes.PID_FILE));
        pidFiles.add(n2.resolve(LocalNodes.PID_FILE));
        // n2 asks for a setting the node refuses, so it exits while n1 starts.
        Path file = write("dies.conf", """
                    n1 { host = 127.0.0.1, cluster-port = %d, http-port = %d, data-dir = "%s" }
                    n2 { host = 127.0.0.1, cluster-port = %d, http-port = %d, data-dir = "%s"
                         settings { strata.http.max-body-bytes = 4m } }
                """.formatted(ports[0], ports[1], n1, ports[2], ports[3], n2), "[n1]");
        Result up = run("up", file.toString());
        assertEquals(1, up.exit, up::describe);
        assertTrue(up.err.contains("node n2 exited with code 2 while starting"), up::describe);
        assertTrue(up.err.contains("max-body-bytes"), () -> "the log tail says why: " + up.describe());
        Matcher started = Pattern.compile("^node n1 starting \\(pid (\\d+),", Pattern.MULTILINE).matcher(up.out);
        assertTrue(started.find(), up::describe);
        assertFalse(ProcessHandle.of(Long.parseLong(started.group(1))).map(ProcessHandle::isAlive).orElse(false), "n1 was stopped");
        assertTrue(up.out.contains("node n1 stopped"), up::describe);
        assertFalse(Files.exists(pidFiles.get(0)) || Files.exists(pidFiles.get(1)), "no pid file left");
    }

    @Test
    void downOnlyRemovesAPidFileThatNamesAnotherProcess() throws Exception {
        Path n1 = dir.resolve("n1");
        Files.createDirectories(n1);
        // This test's own JVM: alive, but not node n1, so down must not signal it.
        Files.writeString(n1.resolve(LocalNodes.PID_FILE), ProcessHandle.current().pid() + "\n");
        Path file = write("stale.conf", """
                    n1 { host = 127.0.0.1, cluster-port = 25521, http-port = 8081, data-dir = "%s" }
                """.formatted(n1), "[n1]");
        Result down = run("down", file.toString());
        assertEquals(0, down.exit, down::describe);
        assertTrue(down.out.contains("removed stale"), down::describe);
        assertFalse(Files.exists(n1.resolve(LocalNodes.PID_FILE)));
    }

    @Test
    void leaveHandsEveryPartitionOverThenTheNodeIsGone() throws Exception {
        int[] ports = LoopbackPorts.free(2 * NODES);
        Path file = threeNodes(ports);
        String node1 = upWithKeys(file, ports, 30);
        long n3 = Long.parseLong(Files.readString(pidFiles.get(2)).trim());

        Result leave = run("leave", file.toString(), "n3");
        assertEquals(0, leave.exit, leave::describe);
        Matcher left = Pattern.compile("^node n3 left \\(pid " + n3 + "\\): (\\d+) partitions handed over$", Pattern.MULTILINE)
                .matcher(leave.out);
        assertTrue(left.find(), leave::describe);
        assertTrue(Integer.parseInt(left.group(1)) > 0, leave::describe);
        assertTrue(leave.out.contains("Partitions by node:") && leave.out.contains("Moves in progress: none"), leave::describe);
        assertFalse(Pattern.compile("^\\s+n3\\s", Pattern.MULTILINE).matcher(leave.out).find(), "nothing left on n3: " + leave.describe());
        assertFalse(ProcessHandle.of(n3).map(ProcessHandle::isAlive).orElse(false), "n3 (pid " + n3 + ") is gone");
        assertFalse(Files.exists(pidFiles.get(2)), "pid file of n3 removed");
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> read = get(node1 + "/kv/items/k" + i);
            assertEquals(200, read.statusCode(), () -> read.body());
            assertEquals("v" + i, read.body());
        }

        Result status = run("status", file.toString());
        assertEquals(1, status.exit, status::describe);
        assertTrue(Pattern.compile("^\\s+NODE\\s+KV-PARTITION\\s+TOTAL$", Pattern.MULTILINE).matcher(status.out).find(), status::describe);
        assertTrue(Pattern.compile("^\\s+n1\\s+\\d+\\s+\\d+$", Pattern.MULTILINE).matcher(status.out).find(), status::describe);

        Result again = run("leave", file.toString(), "n3");
        assertEquals(1, again.exit, again::describe);
        assertTrue(again.err.contains("node n3 is not running (no " + pidFiles.get(2)), again::describe);
        Result unknown = run("leave", file.toString(), "n9");
        assertEquals(2, unknown.exit, unknown::describe);
        assertTrue(unknown.err.contains("has no node 'n9'; its nodes are [n1, n2, n3]"), unknown::describe);

        // n2 leaves too, so n1 homes everything and is the last data node: it refuses to leave.
        assertEquals(0, run("leave", file.toString(), "n2").exit);
        Result last = run("leave", file.toString(), "n1");
        assertEquals(1, last.exit, last::describe);
        assertTrue(last.err.contains("node n1 refuses to leave: no other data node is Up"), last::describe);
        assertTrue(last.err.contains("(409 last_data_node)"), last::describe);
        assertEquals(200, get(node1 + "/kv/items/k7").statusCode(), "n1 still serves");

        Result down = run("down", file.toString());
        assertEquals(0, down.exit, down::describe);
    }

    /** Starts the nodes of {@code file}, then writes keys k0.. (= v0..) into a keyspace of 12 partitions through n1, whose gateway it returns. */
    private String upWithKeys(Path file, int[] ports, int keys) throws IOException, InterruptedException {
        Result up = run("up", file.toString());
        assertEquals(0, up.exit, up::describe);
        String node1 = "http://127.0.0.1:" + ports[1];
        assertEquals(201, send("PUT", node1 + "/kv/items", "{\"partitions\":12}").statusCode());
        for (int i = 0; i < keys; i++) {
            HttpResponse<String> put = send("PUT", node1 + "/kv/items/k" + i, "v" + i);
            assertEquals(201, put.statusCode(), put::body);
        }
        return node1;
    }

    @Test
    void certsMakesACaAndACertificatePerNodeAndKeepsThem() throws Exception {
        Path file = threeHosts();
        Path certs = dir.resolve("certs/test");
        Result made = run("certs", file.toString());
        assertEquals(0, made.exit, made::describe);
        for (String node : List.of("a", "b", "c")) {
            Path nodeDir = certs.resolve(node);
            assertTrue(made.out.contains("node " + node + ": made " + nodeDir + " (valid until "), made::describe);
            assertTrue(made.out.contains("copy that directory to 10.0.0.1" + (node.charAt(0) - 'a' + 1) + ", at the same path"), made::describe);
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(nodeDir)));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(nodeDir.resolve("tls.key"))));
            NodeCertificate certificate = NodeCertificate.load(nodeDir);
            assertEquals(Optional.empty(), certificate.problem("test", node, Instant.now()));
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(certs.resolve("ca.key"))));
        String a = Files.readString(certs.resolve("a/tls.crt"));
        String b = Files.readString(certs.resolve("b/tls.crt"));

        Result kept = run("certs", file.toString());
        assertEquals(0, kept.exit, kept::describe);
        assertTrue(kept.out.contains("node a: kept " + certs.resolve("a")), kept::describe);
        assertEquals(a, Files.readString(certs.resolve("a/tls.crt")));

        Result renewed = run("certs", file.toString(), "--node", "b", "--renew");
        assertEquals(0, renewed.exit, renewed::describe);
        assertTrue(renewed.out.contains("node b: made ") && !renewed.out.contains("node a"), renewed::describe);
        assertNotEquals(b, Files.readString(certs.resolve("b/tls.crt")));
        assertEquals(a, Files.readString(certs.resolve("a/tls.crt")));
        assertEquals(Optional.empty(), NodeCertificate.load(certs.resolve("b")).problem("test", "b", Instant.now()));

        Result unknown = run("certs", file.toString(), "--node", "zz");
        assertEquals(2, unknown.exit, unknown::describe);
        assertTrue(unknown.err.contains("has no node 'zz'"), unknown::describe);
        Result days = run("certs", file.toString(), "--days", "0");
        assertEquals(2, days.exit, days::describe);
    }

    @Test
    void certsRefusesUnusableFilesAndSaysWhatToRun() throws Exception {
        Path file = threeHosts();
        Path certs = dir.resolve("certs/test");
        assertEquals(0, run("certs", file.toString()).exit);
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.load(certs);
        ca.issue("a", "10.0.0.11", now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1))).write(certs.resolve("a"));

        Result expired = run("certs", file.toString());
        assertEquals(1, expired.exit, expired::describe);
        assertTrue(expired.err.contains("node a's certificate in " + certs.resolve("a") + " cannot be used: tls.crt expired on ")
                && expired.err.contains("make new ones with ./strata cluster certs " + file + " --node a --renew"), expired::describe);
        assertTrue(expired.out.contains("node b: kept"), "the other nodes are still checked: " + expired.describe());
        assertEquals(0, run("certs", file.toString(), "--node", "a", "--renew").exit);
        assertEquals(0, run("certs", file.toString()).exit);

        // Files of another cluster's CA in a node's directory.
        CertificateAuthority.create("test", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(10)))
                .issue("c", "10.0.0.13", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(9))).write(certs.resolve("c"));
        Result foreign = run("certs", file.toString(), "--node", "c");
        assertEquals(1, foreign.exit, foreign::describe);
        assertTrue(foreign.err.contains("ca.crt in " + certs.resolve("c") + " is not the cluster's CA"), foreign::describe);

        // The CA is gone but nodes hold certificates it signed: a new CA would not be trusted by them.
        Files.delete(certs.resolve("ca.key"));
        Files.delete(certs.resolve("ca.crt"));
        Files.walk(certs.resolve("b")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        Result orphaned = run("certs", file.toString(), "--node", "b");
        assertEquals(1, orphaned.exit, orphaned::describe);
        assertTrue(orphaned.err.contains("were signed by a CA that is not in " + certs), orphaned::describe);
        assertFalse(Files.exists(certs.resolve("ca.key")), "no new CA was made");
    }

    /** The shape of cluster-config/example-3-hosts.conf: three nodes on other hosts. */
    private Path threeHosts() throws IOException {
        StringBuilder nodes = new StringBuilder();
        for (String node : List.of("a", "b", "c")) {
            nodes.append("    ").append(node).append(" { host = 10.0.0.1").append(node.charAt(0) - 'a' + 1)
                    .append(", cluster-port = 25520, http-port = 8080, data-dir = /var/lib/strata }\n");
        }
        return write("hosts-3.conf", nodes.toString(), "[a, b]");
    }

    private Path threeNodes(int[] ports) throws IOException {
        StringBuilder nodes = new StringBuilder();
        for (int i = 1; i <= NODES; i++) {
            Path dataDir = dir.resolve("n" + i);
            pidFiles.add(dataDir.resolve(LocalNodes.PID_FILE));
            nodes.append("    n").append(i).append(" { host = 127.0.0.1, cluster-port = ").append(ports[2 * i - 2])
                    .append(", http-port = ").append(ports[2 * i - 1]).append(", data-dir = \"").append(dataDir).append("\" }\n");
        }
        return write("test-3.conf", nodes.toString(), "[n1, n2]");
    }

    private Path write(String name, String nodes, String seeds) throws IOException {
        return Files.writeString(dir.resolve(name), """
                strata-cluster {
                  name = test
                  seed-nodes = %s
                  nodes {
                %s  }
                }
                """.formatted(seeds, nodes));
    }

    private record Result(int exit, String out, String err) {
        String describe() {
            return "exit " + exit + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new ClusterCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private HttpResponse<String> get(String uri) throws IOException, InterruptedException {
        return send("GET", uri, null);
    }

    private HttpResponse<String> send(String method, String uri, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
