package io.strata.node.cli;

import io.strata.node.launch.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code ./strata up} refusing to start, each case in a real child JVM: exit code 2 and one line on
 * stderr that names the problem and its fix. Nothing else is printed, so no actor system started
 * and nothing was bound (the actor system logs as it binds its cluster port), and a fresh data
 * directory is left as it was: missing, or empty. Two nodes on their own on one machine, given no
 * cluster port, both run.
 */
class UpStartupTest {

    private static final Duration EXIT_TIMEOUT = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int runs;

    @Test
    void aPortInUseIsRefusedBeforeAnythingStarts() throws Exception {
        Path fresh = dir.resolve("fresh");
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(taken.getLocalPort());
            assertRefused(up("--data-dir", fresh.toString(), "--http-port", port),
                    "HTTP port " + port + " on 127.0.0.1 is in use", "--http-port");
            assertRefused(up("--data-dir", fresh.toString(), "--http-port", "0", "--resp-port", port),
                    "RESP port " + port + " on 127.0.0.1 is in use", "--resp-port");
            assertRefused(up("--data-dir", fresh.toString(), "--http-port", "0", "--cluster-port", port),
                    "cluster port " + port + " on 127.0.0.1 is in use", "--cluster-port");
        }
        assertFalse(Files.exists(fresh), "the data directory was not created");
    }

    @Test
    void portsOutOfRangeOrSharedAreRefused() throws Exception {
        Path fresh = dir.resolve("fresh");
        assertRefused(up("--data-dir", fresh.toString(), "--http-port", "99999"),
                "strata.http.port (--http-port) must be a port 1..65535, or 0 for a free one; got 99999", "set in command line");
        assertRefused(up("--data-dir", fresh.toString(), "--http-port", "-1"), "must be a port 1..65535", "got -1");
        assertRefused(up("--data-dir", fresh.toString(), "--cluster-port", "70000"), "strata.cluster.port (--cluster-port)");
        assertRefused(up("--data-dir", fresh.toString(), "--http-port", "0", "--resp-port", "65536"), "strata.resp.port");
        assertRefused(up("--data-dir", fresh.toString(), "--http-port", "abc"),
                "Invalid value for option '--http-port': 'abc' is not an int", "./strata up --help");
        int free = freePort();
        assertRefused(up("--data-dir", fresh.toString(), "--http-port", Integer.toString(free), "--resp-port", Integer.toString(free)),
                "the HTTP and RESP listeners both ask for port " + free, "--resp-port");
        assertFalse(Files.exists(fresh), "the data directory was not created");
    }

    @Test
    void badConfigurationIsOneLineNamingWhereItWasSet() throws Exception {
        Path fresh = dir.resolve("fresh");
        Path malformed = Files.writeString(dir.resolve("malformed.conf"), "strata { http.port = \n");
        assertRefused(up("--data-dir", fresh.toString(), "--config", malformed.toString()),
                "bad configuration: " + malformed + ": 2:", "fix it there");
        Path durability = Files.writeString(dir.resolve("durability.conf"), "strata.bus.durability = sometimes\n");
        assertRefused(up("--data-dir", fresh.toString(), "--config", durability.toString()),
                "strata.bus.durability must be one of [mmap, fsync], got 'sometimes'", "(set in " + durability + ": 1)");
        assertRefused(up("--data-dir", fresh.toString(), "--durability", "always"), "strata.kv.durability must be one of [mmap, fsync]");
        assertRefused(up("--data-dir", fresh.toString(), "-Dstrata.kv.log.roll-cycle=YEARLY"),
                "strata.kv.log.roll-cycle must be one of", "fast_hourly", "got 'YEARLY'");
        assertRefused(up("--data-dir", fresh.toString(), "-Dstrata.http.port=eighty"),
                "command line: strata.http.port has type STRING rather than NUMBER");
        assertRefused(up("--data-dir", fresh.toString(), "-Dstrata.http.ask-timeout=soon"),
                "'strata.http.ask-timeout'", "No number in duration value 'soon'");
        assertRefused(up("--data-dir", fresh.toString(), "-Dstrata.http.max-body-bytes=-5"), "max-body-bytes", "negative");
        assertRefused(up("--data-dir", fresh.toString(), "-Dstrata.stream.read-batch=0"), "strata.stream.read-batch must be positive");
        assertRefused(up("--data-dir", fresh.toString(), "-Dstrata.cluster.roles=data"),
                "strata.cluster.roles", "expecting: list but got: string");
        assertRefused(up("--data-dir", fresh.toString(), "--config", dir.resolve("missing.conf").toString()),
                "config file " + dir.resolve("missing.conf") + " does not exist; check the path given to --config");
        assertFalse(Files.exists(fresh), "the data directory was not created");

        // The actor system refuses a setting only as it starts, after the data directory is locked:
        // the lock and the directory it created are removed again.
        assertRefused(up("--data-dir", fresh.toString(), "--http-port", "0", "-Dpekko.actor.provider=no.such.Provider"),
                "the actor system cannot start", "no.such.Provider", "check the pekko.* settings");
        assertFalse(Files.exists(fresh), "the data directory the lock created is gone");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertRefused(up("--data-dir", empty.toString(), "--http-port", "0", "-Dpekko.actor.provider=no.such.Provider"),
                "the actor system cannot start");
        try (var left = Files.list(empty)) {
            assertEquals(List.of(), left.toList(), "an empty data directory stays empty");
        }
    }

    @Test
    void aDataDirectoryUnderAFileIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        assertRefused(up("--data-dir", file.resolve("data").toString(), "--http-port", "0"),
                "data directory " + file.resolve("data") + " cannot be created: " + file + " is a file", "--data-dir");
        assertRefused(up("--data-dir", file.toString(), "--http-port", "0"), "data directory " + file + " is a file, not a directory", "--data-dir");
        assertEquals("not a directory", Files.readString(file));
    }

    @Test
    void aReadOnlyDataDirectoryIsRefused() throws Exception {
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        // Root writes any directory whatever its mode: it gets a read-only filesystem instead.
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            assumeTrue(command("mount", "-t", "tmpfs", "-o", "ro,size=1m", "strata-test", readOnly.toString()) == 0,
                    "root writes any directory, and this machine does not let the test mount a read-only tmpfs");
        } else {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        try {
            assertRefused(up("--data-dir", readOnly.resolve("data").toString(), "--http-port", "0"),
                    "data directory " + readOnly.resolve("data") + " cannot be created: " + readOnly + " is not writable");
            assertRefused(up("--data-dir", readOnly.toString(), "--http-port", "0"),
                    "data directory " + readOnly + " is not writable by this user", "--data-dir");
        } finally {
            if (root) {
                assertEquals(0, command("umount", readOnly.toString()), "the test's mount is removed");
            }
        }
    }

    @Test
    void aDataDirectoryInUseNamesTheNodeThatHoldsIt() throws Exception {
        Path data = dir.resolve("data");
        try (NodeProcess first = NodeProcess.builder(data).logFile(dir.resolve("first.log")).start()) {
            String says = "data directory " + data + " is in use by another Strata node (pid " + first.pid() + ")";
            assertRefused(up("--data-dir", data.toString(), "--http-port", "0"), says, "give this one its own --data-dir");
            assertEquals(200, get(first.httpBase() + "/health").statusCode(), "the first node still serves");
            assertRefused(up("--data-dir", data.toString(), "--http-port", "0"), says);
        }
    }

    @Test
    void aNodeTheClusterFileDoesNotHaveIsRefused() throws Exception {
        int clusterPort = freePort();
        Path file = Files.writeString(dir.resolve("cluster.conf"), """
                strata-cluster {
                  name = startup
                  nodes {
                    n1 { host = 127.0.0.1, cluster-port = %d, http-port = %d, data-dir = "%s" }
                  }
                }
                """.formatted(clusterPort, freePort(), dir.resolve("n1")));
        assertRefused(up("--config", file.toString(), "--node", "n9"),
                "cluster file " + file + " has no node 'n9'; its nodes are [n1]");
        assertRefused(up("--node", "n1"), "--node names a node of a cluster file: give the file with --config");
        try (ServerSocket taken = new ServerSocket(clusterPort, 50, InetAddress.getLoopbackAddress())) {
            assertRefused(up("--config", file.toString(), "--node", "n1"),
                    "cluster port " + taken.getLocalPort() + " on 127.0.0.1 is in use", "change cluster-port of node n1 in the cluster file");
        }
        assertFalse(Files.exists(dir.resolve("n1")), "the node's data directory was not created");
    }

    @Test
    void twoNodesOnTheirOwnRunSideBySide() throws Exception {
        Pattern cluster = Pattern.compile("cluster pekko://strata@127\\.0\\.0\\.1:(\\d+)\\)");
        List<Integer> clusterPorts = new ArrayList<>();
        List<NodeProcess> nodes = new ArrayList<>();
        try {
            for (String name : List.of("a", "b")) {
                // No --cluster-port: a node on its own takes a free one.
                NodeProcess node = NodeProcess.command(dir.resolve(name), UpCommand.READY_LINE_PREFIX,
                        "up", "--data-dir", dir.resolve(name).toString(), "--http-port", "0")
                        .logFile(dir.resolve(name + ".log")).start();
                nodes.add(node);
                Matcher ready = cluster.matcher(node.logTail());
                assertTrue(ready.find(), node::logTail);
                clusterPorts.add(Integer.parseInt(ready.group(1)));
            }
            assertNotEquals(clusterPorts.get(0), clusterPorts.get(1));
            for (NodeProcess node : nodes) {
                assertEquals(200, get(node.httpBase() + "/health").statusCode(), node::logTail);
            }
        } finally {
            nodes.forEach(NodeProcess::close);
        }
    }

    private record Result(int exit, String out, String err) {
        String describe() {
            return "exit " + exit + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }
    }

    /** Runs {@code strata up ARGS} in a child JVM to its end. */
    private Result up(String... args) throws IOException, InterruptedException {
        List<String> mainArgs = new ArrayList<>(List.of("up"));
        mainArgs.addAll(List.of(args));
        List<String> command = NodeProcess.command(dir, UpCommand.READY_LINE_PREFIX, mainArgs.toArray(String[]::new)).command();
        int run = ++runs;
        Path out = dir.resolve("run-" + run + ".out");
        Path err = dir.resolve("run-" + run + ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("strata up " + String.join(" ", args) + " did not exit: it started?\n"
                    + Files.readString(out) + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Exit code 2, nothing on stdout, and one line on stderr that says each of {@code says}. */
    private static void assertRefused(Result result, String... says) {
        assertEquals(2, result.exit, result::describe);
        assertEquals("", result.out, result::describe);
        List<String> lines = result.err.lines().filter(line -> !line.isBlank()).toList();
        assertEquals(1, lines.size(), () -> "one line, nothing logged: " + result.describe());
        assertTrue(lines.get(0).startsWith("strata up: "), result::describe);
        for (String part : says) {
            assertTrue(lines.get(0).contains(part), () -> "says '" + part + "': " + result.describe());
        }
    }

    private static int command(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    private HttpResponse<String> get(String uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
