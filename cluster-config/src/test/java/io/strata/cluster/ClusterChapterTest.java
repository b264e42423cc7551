package io.strata.cluster;

import io.strata.node.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@code ./strata demo --cluster} in-process: three real node JVMs started by
 * {@code cluster up}, a real {@code kill -9}, a restart, a graceful {@code cluster leave} and
 * {@code cluster down}; every check of
 * the chapter must pass, and no process or directory may be left behind.
 */
class ClusterChapterTest {

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void clusterDemoPassesEveryCheckAndLeavesNothingBehind() throws Exception {
        Set<Long> childrenBefore = children();
        Set<Path> demoDirsBefore = demoDirs();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int exit = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute("demo", "--cluster");

        String output = out.toString();
        System.out.println(output);
        assertEquals(0, exit, "demo --cluster failed:\n" + err + "\noutput:\n" + output);
        assertTrue(output.contains("=== 1. Cluster: three nodes, where keys live, a node that dies and one that leaves ==="), output);
        for (String node : List.of("n1", "n2", "n3")) {
            assertTrue(Pattern.compile("^node " + node + " up http://127\\.0\\.0\\.1:\\d+ pid \\d+$", Pattern.MULTILINE)
                    .matcher(output).find(), "up line of " + node + ":\n" + output);
        }
        assertTrue(output.contains("{\"error\":{\"code\":\"partition_unavailable\","), "a 503 in the error shape:\n" + output);
        assertTrue(output.contains("node n1 already running (pid "), "the restart leaves running nodes alone:\n" + output);
        assertTrue(output.contains("All 30 acknowledged keys answer 200 with their values"), output);
        Matcher stopped = Pattern.compile("^node (n\\d) stopped \\(pid (\\d+)\\)$", Pattern.MULTILINE).matcher(output);
        int stops = 0;
        while (stopped.find()) {
            stops++;
            long pid = Long.parseLong(stopped.group(2));
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), stopped.group(1) + " (pid " + pid + ") is gone");
        }
        assertEquals(2, stops, "cluster down stopped the two nodes left:\n" + output);
        Matcher leaveLine = Pattern.compile("^node n2 left \\(pid (\\d+)\\): \\d+ partitions handed over$", Pattern.MULTILINE).matcher(output);
        assertTrue(leaveLine.find(), "n2 left gracefully:\n" + output);
        assertFalse(ProcessHandle.of(Long.parseLong(leaveLine.group(1))).map(ProcessHandle::isAlive).orElse(false), "n2 is gone");
        assertTrue(output.contains("Demo complete: "), output);

        assertEquals(childrenBefore, children(), "the demo left a node process running");
        // Other demos (another build on the machine) may come and go meanwhile: only a new directory is a leak.
        Set<Path> left = new HashSet<>(demoDirs());
        left.removeAll(demoDirsBefore);
        assertEquals(Set.of(), left, "the demo left its directory behind");
    }

    private static Set<Long> children() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private static Set<Path> demoDirs() throws Exception {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("strata-demo-")).collect(Collectors.toSet());
        }
    }
}
