package io.strata.node.launch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NodeProcessTest {

    @TempDir
    Path dir;

    private final List<NodeProcess> started = new ArrayList<>();

    @AfterEach
    void killWhatWasStarted() {
        for (NodeProcess node : started) {
            if (node.isAlive()) {
                node.kill9();
            }
        }
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(), "a child process is left");
    }

    @Test
    void startsServesAndStopsANode() throws Exception {
        NodeProcess.Builder builder = NodeProcess.builder(dir.resolve("data")).logFile(dir.resolve("node.log"));
        NodeProcess node = builder.start();
        started.add(node);

        assertTrue(node.httpBase().matches("http://127\\.0\\.0\\.1:\\d+"), node.httpBase());
        HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(node.httpBase() + "/health")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());

        NodeProcess.Builder second = NodeProcess.builder(dir.resolve("data")).logFile(dir.resolve("second.log"));
        IllegalStateException refused = assertThrows(IllegalStateException.class, second::start);
        assertTrue(refused.getMessage().contains("is in use by another Strata node"), refused.getMessage());
        assertTrue(refused.getMessage().contains("exit code 2"), refused.getMessage());
        assertTrue(node.isAlive(), "the first node must not be disturbed");

        int exit = node.stop();
        assertTrue(exit == 0 || exit == 143, "exit code " + exit);
        assertFalse(node.isAlive());
        assertTrue(Files.readString(dir.resolve("node.log")).contains("Strata node up: " + node.httpBase()));
    }

    @Test
    void killsAChildThatDoesNotBecomeReadyInTime() {
        NodeProcess.Builder builder = NodeProcess.builder(dir.resolve("data")).startTimeout(Duration.ofMillis(200));
        IllegalStateException timedOut = assertThrows(IllegalStateException.class, builder::start);
        assertTrue(timedOut.getMessage().contains("did not print its ready line"), timedOut.getMessage());
    }

    @Test
    void explainsMissingJvmFlags() {
        String flags = System.getProperty("strata.jvm.flags");
        System.clearProperty("strata.jvm.flags");
        try {
            IllegalStateException missing = assertThrows(IllegalStateException.class,
                    () -> NodeProcess.builder(dir.resolve("data")).command());
            assertTrue(missing.getMessage().contains("strata.jvm.flags is not set"), missing.getMessage());
        } finally {
            System.setProperty("strata.jvm.flags", flags);
        }
    }
}
