package io.strata.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.cluster.ClusterSpec;
import io.strata.node.cluster.Placement;
import io.strata.node.cluster.tls.NodeCertificate;
import io.strata.node.common.PartitionId;
import io.strata.node.common.Partitioner;
import io.strata.node.demo.DemoChapter;
import io.strata.node.demo.DemoTour;
import io.strata.node.launch.LoopbackPorts;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's cluster chapter ({@code ./strata demo --cluster}, and last in {@code ./strata demo}):
 * three nodes of a generated cluster file on free loopback ports, started with
 * {@code ./strata cluster up} (each its own detached JVM, data under the demo's directory); keys
 * written through one node, each living on its home node; one node killed with {@code kill -9},
 * whose keys answer 503 {@code partition_unavailable} while the others' still answer; the node restarted with
 * {@code cluster up}, and every acknowledged key back; another node leaving gracefully with
 * {@code cluster leave}, its partitions moved with their data and every key still served by the
 * two that remain; then {@code cluster down}.
 *
 * <p>The chapter stops every node it started before it returns, failed or not: by
 * {@code cluster down}, then SIGKILL for any that outlived it. It is a service of this module
 * ({@code META-INF/services/io.strata.node.demo.DemoChapter}), so the demo finds it when the
 * module is on the classpath.
 */
public final class ClusterChapter implements DemoChapter {

    private static final List<String> NODES = List.of("n1", "n2", "n3");
    private static final String GATEWAY = "n1";
    private static final String VICTIM = "n3";
    /** The node that leaves gracefully: neither the gateway nor the node killed earlier. */
    private static final String LEAVER = "n2";
    private static final String SPACE = "spread";
    private static final int PARTITIONS = 12;
    private static final int KEYS = 30;
    /** Short, so a request for a partition of the dead node gives up quickly (the default is 5 s). */
    private static final String ASK_TIMEOUT = "2s";
    private static final Duration RECOVERY_DEADLINE = Duration.ofSeconds(90);
    /** How long the failure detector and the split-brain resolver may take to see the killed node gone. */
    private static final Duration NOTICE_DEADLINE = Duration.ofSeconds(30);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
    private static final long KILL_WAIT_SECONDS = 10;
    private static final long POLL_MILLIS = 200;
    private static final Pattern LEFT_LINE = Pattern.compile("^node " + LEAVER + " left \\(pid (\\d+)\\): (\\d+) partitions handed over$",
            Pattern.MULTILINE);
    private static final Pattern UP_LINE = Pattern.compile("^node (\\S+) up (\\S+) pid (\\d+)$", Pattern.MULTILINE);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Every node process this chapter saw started, so none outlives it. */
    private final Map<String, ProcessHandle> started = new LinkedHashMap<>();

    @Override
    public String title() {
        return "Cluster: three nodes, where keys live, a node that dies and one that leaves";
    }

    @Override
    public boolean startsOwnCluster() {
        return true;
    }

    @Override
    public void tour(DemoTour tour) throws Exception {
        Path file = writeClusterFile(tour.workDir().resolve("cluster"));
        ClusterSpec cluster = ClusterSpec.parse(file);
        boolean stopped = false;
        try {
            startCluster(tour, file, cluster);
            Map<String, String> written = spreadKeys(tour, cluster);
            Map<String, String> homes = homes(cluster, written.keySet());
            showHomes(tour, cluster, written, homes);
            killVictim(tour, cluster, written, homes);
            restartVictim(tour, file, cluster, written, homes);
            leave(tour, file, cluster, written, homes);
            stopCluster(tour, file, cluster);
            stopped = true;
        } finally {
            if (!stopped) {
                stopLeftovers(file);
            }
        }
    }

    /** Never called: the chapter starts a cluster of its own and runs once. */
    @Override
    public void afterCrash(DemoTour tour) {
    }

    private void startCluster(DemoTour tour, Path file, ClusterSpec cluster) throws IOException, InterruptedException {
        tour.step("Start three nodes, each in its own JVM");
        tour.say("A cluster file on free loopback ports, data under the demo's directory; every node gets a "
                + ASK_TIMEOUT + " ask timeout, so a request for an unavailable partition gives up quickly.");
        tour.shell("cat " + file);
        tour.out().print(Files.readString(file));
        tour.shell("./strata cluster up " + file);
        String up = runCluster(tour, "up", file.toString());
        Matcher lines = UP_LINE.matcher(up);
        while (lines.find()) {
            ProcessHandle.of(Long.parseLong(lines.group(3))).ifPresent(p -> started.put(lines.group(1), p));
        }
        tour.check(started.keySet().containsAll(NODES), "an 'up' line with a pid for each of " + NODES + ", got " + started.keySet());
        for (String node : NODES) {
            tour.check(cluster.node(node).httpBase().equals(upLineBase(up, node)), node + " up at " + cluster.node(node).httpBase());
            tour.check(Files.isRegularFile(cluster.tlsDir(node).resolve(NodeCertificate.KEY_FILE)), "a certificate for " + node);
        }
        tour.say("They talk over TLS, each showing a certificate of the cluster's own CA, which up made in "
                + cluster.certsDir() + ": a process without one cannot join.");

        tour.step("The members, as any node sees them");
        tour.moveTo(cluster.node(GATEWAY).httpBase());
        JsonNode members = tour.get("/cluster").expect(200).json().path("members");
        tour.check(members.size() == NODES.size(), NODES.size() + " members, got " + members);
        for (JsonNode member : members) {
            tour.check(member.path("status").asText().equals("Up"), "every member Up, got " + member);
        }
    }

    private Map<String, String> spreadKeys(DemoTour tour, ClusterSpec cluster) throws IOException, InterruptedException {
        tour.step("Spread " + KEYS + " keys over the cluster, all written through " + GATEWAY);
        tour.moveTo(cluster.node(GATEWAY).httpBase());
        tour.put("/kv/" + SPACE, "{\"partitions\":" + PARTITIONS + "}").expect(201);
        tour.say("The catalog is the cluster's (replicated to every node's disk): " + VICTIM + " knows the keyspace too.");
        tour.moveTo(cluster.node(VICTIM).httpBase());
        // A node's first look at a keyspace may outlast the chapter's short ask timeout on a busy machine.
        long seen = System.nanoTime() + NOTICE_DEADLINE.toNanos();
        while (tour.quietly("GET", "/kv/" + SPACE, null).status() == 503 && System.nanoTime() < seen) {
            Thread.sleep(POLL_MILLIS);
        }
        JsonNode keyspace = tour.get("/kv/" + SPACE).expect(200).json();
        tour.check(keyspace.path("partitions").asInt() == PARTITIONS, PARTITIONS + " partitions seen through " + VICTIM + ", got " + keyspace);
        tour.moveTo(cluster.node(GATEWAY).httpBase());
        Map<String, String> written = new LinkedHashMap<>();
        for (int i = 1; i <= KEYS; i++) {
            String key = String.format("key-%02d", i);
            String value = String.format("value-%02d", i);
            if (i == 1) {
                tour.put("/kv/" + SPACE + "/" + key, value).expect(201);
                tour.say("... and " + (KEYS - 1) + " more keys the same way.");
            } else {
                tour.quietly("PUT", "/kv/" + SPACE + "/" + key, value).expect(201);
            }
            written.put(key, value);
        }
        return written;
    }

    private void showHomes(DemoTour tour, ClusterSpec cluster, Map<String, String> written, Map<String, String> homes)
            throws IOException, InterruptedException {
        tour.step("Where each key lives: its partition's home node");
        tour.say("partition = hash(key) mod " + PARTITIONS + "; home = the node with the highest rendezvous score for"
                + " '" + SPACE + "-<partition>'. The partition runs only there, with its log on that node's disk.");
        PrintWriter out = tour.out();
        out.printf("    %-5s %-11s %s%n", "home", "partitions", "keys");
        for (String node : NODES) {
            TreeSet<Integer> partitions = new TreeSet<>();
            List<String> keys = new ArrayList<>();
            homes.forEach((key, home) -> {
                if (home.equals(node)) {
                    keys.add(key);
                    partitions.add(Partitioner.partitionFor(key, PARTITIONS));
                }
            });
            out.printf("    %-5s %-11s %s%n", node, String.join(",", partitions.stream().map(String::valueOf).toList()), String.join(" ", keys));
            tour.check(!keys.isEmpty(), "some keys homed on " + node);
        }
        out.flush();

        tour.step("Any node's gateway serves any key");
        String victimKey = firstHomedOn(homes, VICTIM);
        for (String gateway : List.of("n2", "n3")) {
            tour.moveTo(cluster.node(gateway).httpBase());
            tour.get("/kv/" + SPACE + "/" + victimKey).expect(200, written.get(victimKey));
        }
        tour.say(victimKey + " lives on " + VICTIM + ": n2 forwarded the request there, n3 answered it itself.");
    }

    private void killVictim(DemoTour tour, ClusterSpec cluster, Map<String, String> written, Map<String, String> homes)
            throws Exception {
        tour.step("Kill " + VICTIM + " with SIGKILL");
        ProcessHandle victim = started.get(VICTIM);
        tour.shell("kill -9 " + victim.pid());
        victim.destroyForcibly();
        victim.onExit().get(KILL_WAIT_SECONDS, TimeUnit.SECONDS);
        tour.check(!victim.isAlive(), VICTIM + " (pid " + victim.pid() + ") to be dead");
        tour.say(VICTIM + " is gone: no leave, no flush; its data is what it had on disk.");

        tour.step("Keys homed on " + VICTIM + " are unavailable; the others still answer");
        tour.moveTo(cluster.node(GATEWAY).httpBase());
        List<String> lost = homes.entrySet().stream().filter(e -> e.getValue().equals(VICTIM)).map(Map.Entry::getKey).toList();
        tour.say("Until the failure detector marks " + VICTIM + " unreachable (a few seconds), a request for its keys waits"
                + " out the ask timeout; from then on it is refused at once.");
        long noticed = System.nanoTime() + NOTICE_DEADLINE.toNanos();
        while (!tour.quietly("GET", "/kv/" + SPACE + "/" + lost.get(0), null).body().contains("partition_unavailable")
                && System.nanoTime() < noticed) {
            Thread.sleep(POLL_MILLIS);
        }
        tour.get("/kv/" + SPACE + "/" + lost.get(0)).expectError(503, "partition_unavailable");
        tour.say("Its partition is not recovered empty elsewhere: its log is on " + VICTIM + "'s disk. The rest of "
                + VICTIM + "'s keys, asked at once:");
        Map<String, HttpResponse<String>> answers = getAll(cluster.node(GATEWAY).httpBase(), lost.subList(1, lost.size()));
        answers.forEach((key, answer) -> tour.check(answer.statusCode() == 503 && answer.body().contains("partition_unavailable"),
                key + " (homed on " + VICTIM + ") to answer 503 partition_unavailable, got " + answer.statusCode() + " " + answer.body()));
        tour.say(lost.size() + " keys of " + VICTIM + ": 503 " + String.join(" ", lost));

        int served = 0;
        for (String node : NODES) {
            if (node.equals(VICTIM)) {
                continue;
            }
            String shown = firstHomedOn(homes, node);
            tour.get("/kv/" + SPACE + "/" + shown).expect(200, written.get(shown));
        }
        for (Map.Entry<String, String> entry : homes.entrySet()) {
            if (!entry.getValue().equals(VICTIM)) {
                tour.quietly("GET", "/kv/" + SPACE + "/" + entry.getKey(), null).expect(200, written.get(entry.getKey()));
                served++;
            }
        }
        tour.say(served + " keys homed on the other nodes: 200 with their values.");
    }

    private void restartVictim(DemoTour tour, Path file, ClusterSpec cluster, Map<String, String> written,
                               Map<String, String> homes) throws Exception {
        tour.step("Restart " + VICTIM + " on its data directory");
        tour.say("cluster up leaves running nodes alone and starts the missing one.");
        tour.shell("./strata cluster up " + file);
        long restart = System.nanoTime();
        String up = runCluster(tour, "up", file.toString());
        String restartedPid = upLinePid(up, VICTIM);
        tour.check(restartedPid != null, "an 'up' line for " + VICTIM);
        ProcessHandle.of(Long.parseLong(restartedPid)).ifPresent(p -> started.put(VICTIM, p));

        String probe = firstHomedOn(homes, VICTIM);
        tour.say("Waiting until " + VICTIM + "'s partitions answer (" + probe + " via " + GATEWAY + ")...");
        long deadline = System.nanoTime() + RECOVERY_DEADLINE.toNanos();
        while (tour.quietly("GET", "/kv/" + SPACE + "/" + probe, null).status() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(POLL_MILLIS);
        }
        tour.say(VICTIM + "'s keys answer again " + (System.nanoTime() - restart) / 1_000_000 + " ms after the restart began.");
        tour.get("/kv/" + SPACE + "/" + probe).expect(200, written.get(probe));
        for (Map.Entry<String, String> entry : written.entrySet()) {
            tour.quietly("GET", "/kv/" + SPACE + "/" + entry.getKey(), null).expect(200, entry.getValue());
        }
        tour.say("All " + written.size() + " acknowledged keys answer 200 with their values, read through " + GATEWAY + ".");
    }

    private void leave(DemoTour tour, Path file, ClusterSpec cluster, Map<String, String> written, Map<String, String> homes)
            throws IOException, InterruptedException {
        tour.step(LEAVER + " leaves gracefully: its partitions move, with their data, to the others");
        tour.moveTo(cluster.node(GATEWAY).httpBase());
        JsonNode before = tour.quietly("GET", "/cluster", null).expect(200).json().path("partitions_by_node");
        tour.say("Partitions by node before (GET /cluster, partitions_by_node): " + before);
        tour.check(before.has(LEAVER), LEAVER + " to home partitions, got " + before);
        tour.say("cluster leave asks " + LEAVER + " to leave (POST /cluster/leave): the other nodes pull its partitions'"
                + " files, then it stops; the command waits for its process to end.");
        tour.shell("./strata cluster leave " + file + " " + LEAVER);
        String leave = runCluster(tour, "leave", file.toString(), LEAVER);
        Matcher left = LEFT_LINE.matcher(leave);
        tour.check(left.find() && Integer.parseInt(left.group(2)) > 0, "a 'node " + LEAVER + " left' line with its partitions");
        ProcessHandle leaver = started.get(LEAVER);
        tour.check(!leaver.isAlive(), LEAVER + " (pid " + leaver.pid() + ") to have exited");
        tour.check(!Files.exists(LocalNodes.pidFile(cluster.node(LEAVER))), "no pid file left for " + LEAVER);

        JsonNode after = tour.quietly("GET", "/cluster", null).expect(200).json().path("partitions_by_node");
        tour.say("Partitions by node after: " + after);
        tour.check(!after.has(LEAVER), "no partition left on " + LEAVER + ", got " + after);

        String moved = firstHomedOn(homes, LEAVER);
        tour.get("/kv/" + SPACE + "/" + moved).expect(200, written.get(moved));
        for (String gateway : List.of(GATEWAY, VICTIM)) {
            tour.moveTo(cluster.node(gateway).httpBase());
            for (Map.Entry<String, String> entry : written.entrySet()) {
                tour.quietly("GET", "/kv/" + SPACE + "/" + entry.getKey(), null).expect(200, entry.getValue());
            }
        }
        tour.say("All " + written.size() + " keys, " + moved + " and the other keys " + LEAVER + " homed among them, answer 200"
                + " with their values through " + GATEWAY + " and through " + VICTIM + ".");
    }

    private void stopCluster(DemoTour tour, Path file, ClusterSpec cluster) {
        tour.step("Stop the cluster");
        tour.shell("./strata cluster down " + file);
        runCluster(tour, "down", file.toString());
        for (Map.Entry<String, ProcessHandle> node : started.entrySet()) {
            tour.check(!node.getValue().isAlive(), node.getKey() + " (pid " + node.getValue().pid() + ") to have exited");
        }
        for (String node : NODES) {
            Path pidFile = LocalNodes.pidFile(cluster.node(node));
            tour.check(!Files.exists(pidFile), "no " + pidFile + " left");
        }
        tour.say("No node process is left; the demo deletes the nodes' directory.");
    }

    /** After a failure: {@code cluster down} for what the PID files name, then SIGKILL for any node still alive. */
    private void stopLeftovers(Path file) {
        ClusterRun.of("down", file.toString());
        for (ProcessHandle process : started.values()) {
            process.destroyForcibly();
        }
        for (ProcessHandle process : started.values()) {
            try {
                process.onExit().get(KILL_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception stillRunning) {
                // Nothing more to do than SIGKILL; the caller reports the failure that brought us here.
            }
        }
    }

    /** Runs {@code ./strata cluster ARGS}, prints its output as a shell would, checks it exits 0; returns the output. */
    private static String runCluster(DemoTour tour, String... args) {
        ClusterRun run = ClusterRun.of(args);
        tour.out().print(run.out());
        tour.out().flush();
        tour.check(run.exit() == 0, "cluster " + String.join(" ", args) + " to exit 0, got " + run.exit() + ": " + run.err());
        return run.out();
    }

    /**
     * One {@code ./strata cluster} command run in this JVM; the nodes it starts run detached, as
     * from the shell.
     */
    private record ClusterRun(int exit, String out, String err) {
        static ClusterRun of(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = new CommandLine(new ClusterCommand()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                    .execute(args);
            return new ClusterRun(exit, out.toString(), err.toString());
        }
    }

    private static String upLineBase(String upOutput, String node) {
        return upLine(upOutput, node).map(m -> m.group(2)).orElse(null);
    }

    private static String upLinePid(String upOutput, String node) {
        return upLine(upOutput, node).map(m -> m.group(3)).orElse(null);
    }

    private static Optional<Matcher> upLine(String upOutput, String node) {
        Matcher m = UP_LINE.matcher(upOutput);
        while (m.find()) {
            if (m.group(1).equals(node)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** Each key's home node, as every node computes it from the cluster file's data nodes. */
    private static Map<String, String> homes(ClusterSpec cluster, Iterable<String> keys) {
        Placement placement = Placement.from(cluster.nodeLayer(GATEWAY)).orElseThrow();
        Map<String, String> homes = new TreeMap<>();
        for (String key : keys) {
            homes.put(key, placement.homeOf(new PartitionId(SPACE, Partitioner.partitionFor(key, PARTITIONS)).entityId()));
        }
        return homes;
    }

    private static String firstHomedOn(Map<String, String> homes, String node) {
        return homes.entrySet().stream().filter(e -> e.getValue().equals(node)).map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    /** GETs of every key at once, so the unavailable ones cost one ask timeout in all rather than one each. */
    private Map<String, HttpResponse<String>> getAll(String base, List<String> keys) {
        Map<String, CompletableFuture<HttpResponse<String>>> pending = new LinkedHashMap<>();
        for (String key : keys) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/kv/" + SPACE + "/" + key)).timeout(REQUEST_TIMEOUT).GET().build();
            pending.put(key, http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        Map<String, HttpResponse<String>> answers = new LinkedHashMap<>();
        pending.forEach((key, answer) -> answers.put(key, answer.join()));
        return answers;
    }

    /**
     * The chapter's cluster file: three nodes on free loopback ports, data directories under
     * {@code dir}, a short ask timeout, and the split-brain resolver quick to down a dead node.
     */
    private static Path writeClusterFile(Path dir) throws IOException {
        Files.createDirectories(dir);
        int[] ports = LoopbackPorts.free(2 * NODES.size());
        StringBuilder nodes = new StringBuilder();
        for (int i = 0; i < NODES.size(); i++) {
            nodes.append("    ").append(NODES.get(i)).append(" { host = 127.0.0.1, cluster-port = ").append(ports[2 * i])
                    .append(", http-port = ").append(ports[2 * i + 1]).append(", data-dir = \"")
                    .append(dir.resolve(NODES.get(i))).append("\" }\n");
        }
        String text = """
                # Generated by ./strata demo: three nodes on free loopback ports.
                strata-cluster {
                  name = demo-3
                  seed-nodes = [n1, n2]
                  settings {
                    strata.http.ask-timeout = %s
                    pekko.cluster.split-brain-resolver.stable-after = 5s
                  }
                  nodes {
                %s  }
                }
                """.formatted(ASK_TIMEOUT, nodes);
        return Files.writeString(dir.resolve("demo-3.conf"), text);
    }
}
