package io.strata.node.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs {@code ./strata demo} in-process: a real child node, real HTTP, a real kill -9. */
class DemoCommandTest {

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void demoPassesEveryCheckAndLeavesNothingBehind() throws Exception {
        Set<Long> childrenBefore = children();
        Set<Path> demoDirsBefore = demoDirs();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int exit = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute("demo");

        System.out.println(out);
        assertEquals(0, exit, "demo failed:\n" + err + "\noutput:\n" + out);
        assertTrue(out.toString().contains("=== 1. Key-value store ==="), out.toString());
        assertTrue(out.toString().contains("$ curl -i -X PUT --data-binary 'hello, strata' http://127.0.0.1:"), out.toString());
        assertTrue(out.toString().contains("=== 2. Redis protocol ==="), out.toString());
        assertTrue(out.toString().contains(" SET demo:greeting \"hello from redis\"\n    OK"), out.toString());
        assertTrue(out.toString().contains("--- 8.4 Redis protocol: the keys written through RESP came back"), out.toString());
        assertTrue(out.toString().contains("=== 4. Kafka protocol ==="), out.toString());
        assertTrue(out.toString().contains("... 100 records, each once."), out.toString());
        assertTrue(out.toString().contains("--- 8.8 Kafka protocol: every acknowledged record came back, and offsets go on"),
                out.toString());
        assertTrue(out.toString().contains("A Kafka consumer group: two members share the partitions and commit"), out.toString());
        assertTrue(out.toString().contains("committed offsets add up to 100"), out.toString());
        assertTrue(out.toString().contains("resumed from its committed offsets: it read only the record produced after the crash"),
                out.toString());
        assertTrue(out.toString().contains("=== 5. Columnar tables ==="), out.toString());
        assertTrue(out.toString().contains("--data-binary @events-001.csv http://127.0.0.1:"), out.toString());
        assertTrue(out.toString().contains("=== 6. Stream jobs ==="), out.toString());
        assertTrue(out.toString().contains("$ curl -i --data-binary @clickstream.json http://127.0.0.1:"), out.toString());
        assertTrue(out.toString().contains("\"window\":{\"type\":\"sliding\",\"size\":\"5m\",\"slide\":\"1m\"}"), out.toString());
        assertTrue(out.toString().contains("late.reason: event time "), out.toString());
        assertTrue(out.toString().contains("dlq.job: spend_1m  dlq.reason: missing event time field 'ts'"), out.toString());
        assertTrue(out.toString().contains("--- 8.9 The table came back"), out.toString());
        assertTrue(out.toString().contains("--- 8.10 The jobs came back"), out.toString());
        assertTrue(out.toString().contains("=== 7. Bad input and hostile names ==="), out.toString());
        assertTrue(out.toString().contains("{\"error\":{\"code\":\"bad_request\""), out.toString());
        assertTrue(out.toString().contains("--- 8.11 Bad input and hostile names: the catalogs after the crash"), out.toString());
        assertTrue(out.toString().contains(". Limits: strangers, slow clients, floods, a full disk, a memory ceiling ==="),
                out.toString());
        assertTrue(out.toString().contains("(error) ERR max number of clients reached"), out.toString());
        assertTrue(out.toString().contains("{\"error\":{\"code\":\"storage_full\""), out.toString());
        assertTrue(out.toString().contains("(error) OOM command not allowed when used memory > 'maxmemory'"), out.toString());
        assertTrue(out.toString().contains("$ kill -9 "), out.toString());
        assertTrue(out.toString().contains("Demo complete: "), out.toString());
        assertEquals(childrenBefore, children(), "the demo left a child process running");
        // Other demos (another build on the machine) may come and go meanwhile: only a new directory is a leak.
        Set<Path> left = new java.util.HashSet<>(demoDirs());
        left.removeAll(demoDirsBefore);
        assertEquals(Set.of(), left, "the demo left its temporary directory behind");
    }

    @Test
    void clusterOnlyNeedsTheClusterChapter() {
        // platform-node alone has no chapter that starts a cluster: cluster-config adds it.
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int exit = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute("demo", "--cluster");

        assertEquals(1, exit, out.toString());
        assertTrue(err.toString().contains("no cluster chapter on the classpath"), err.toString());
        assertEquals("", out.toString(), "no node started");
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
