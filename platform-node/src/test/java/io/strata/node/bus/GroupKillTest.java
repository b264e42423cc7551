package io.strata.node.bus;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.http.Json;
import io.strata.node.launch.NodeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** An acknowledged commit survives SIGKILL of the node process. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GroupKillTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<NodeProcess> started = new ArrayList<>();

    @AfterEach
    void killWhatWasStarted() {
        for (NodeProcess node : started) {
            if (node.isAlive()) {
                node.kill9();
            }
            assertFalse(ProcessHandle.of(node.pid()).map(ProcessHandle::isAlive).orElse(false),
                    "node process " + node.pid() + " is still running");
        }
    }

    private NodeProcess start() {
        NodeProcess node = NodeProcess.builder(dir.resolve("data")).logFile(dir.resolve("node-" + started.size() + ".log")).start();
        started.add(node);
        return node;
    }

    private JsonNode send(NodeProcess node, String method, String path, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(node.httpBase() + path))
                        .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(method.equals("PUT") ? 201 : 200, response.statusCode(), response.body());
        return Json.parse(response.body().getBytes());
    }

    @Test
    void anAcknowledgedCommitSurvivesKill9() throws Exception {
        NodeProcess first = start();
        send(first, "PUT", "/topics/jobs", "{\"partitions\": 1}");
        send(first, "POST", "/topics/jobs/records", "[{\"value\": \"a\"}, {\"value\": \"b\"}, {\"value\": \"c\"}]");
        send(first, "POST", "/groups/workers/poll", "{\"topic\": \"jobs\", \"member\": \"w1\", \"auto_offset_reset\": \"earliest\"}");
        send(first, "POST", "/groups/workers/commit", "{\"topic\": \"jobs\", \"member\": \"w1\", \"offsets\": {\"0\": 2}}");
        first.kill9();

        NodeProcess second = start();
        JsonNode lag = send(second, "GET", "/groups/workers/lag", "");
        assertEquals(2, lag.get("topics").get(0).get("partitions").get(0).get("committed").asLong());
        JsonNode polled = send(second, "POST", "/groups/workers/poll", "{\"topic\": \"jobs\", \"member\": \"w2\"}");
        assertEquals("c", polled.get("records").get(0).get("value").asText(), "the new member resumes at the commit");
        second.stop();
    }
}
