package io.strata.dataflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.dataflow.EmbeddedNode;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Experiments over HTTP ({@code ./strata lab}): the request's fields are the command line's
 * options, bad ones get 400 {@code invalid_experiment} with the same message, one experiment runs
 * at a time (409), and a finished one shows what it measured.
 */
class LabRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dataDir;

    static EmbeddedNode node;
    static ActorSystem<Void> system;
    static String lab;

    @BeforeAll
    static void start() {
        node = EmbeddedNode.start(dataDir);
        system = ActorSystem.create(Behaviors.empty(), "lab-test", LabRoutes.CONFIG);
        lab = "http://127.0.0.1:" + new LabRoutes(node.base()).bind(system, 0).toCompletableFuture().join().localAddress().getPort();
    }

    @AfterAll
    static void stop() {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
        node.close();
    }

    @Test
    void badExperimentsAreRefusedWithTheCommandLinesMessages() throws Exception {
        assertRefused("{\"mode\":\"grpc\"}", "unknown mode 'grpc'");
        assertRefused("{\"hops\":9}", "hops must be between 1 and 8");
        assertRefused("{\"error_rate\":1.5}", "an error rate is a fraction in [0, 1]");
        assertRefused("{\"fault\":[\"B:latency=-5ms\"]}", "must not be negative");
        assertRefused("{\"fault\":[\"E:down=1s\"]}", "names service E");
        assertRefused("{\"colour\":\"blue\"}", "--colour");
        assertRefused("[1,2]", "a JSON object");
        assertRefused("{\"hops\":{\"n\":4}}", "must be a number, a string, a boolean or a list");
        Answer missing = send("GET", "/experiments/999", null);
        assertEquals(404, missing.status());
        assertEquals("experiment_not_found", missing.errorCode(), missing.json().toString());
    }

    @Test
    void anExperimentRunsInTheBackgroundAndShowsItsResults() throws Exception {
        Answer accepted = send("POST", "/experiments",
                "{\"mode\":\"rpc\",\"hops\":2,\"requests\":200,\"rate\":100,\"warmup\":\"1s\",\"error_rate\":0.5,\"seed\":7}");
        assertEquals(202, accepted.status(), accepted.json().toString());
        JsonNode started = accepted.json();
        assertEquals("running", started.path("status").asText(), started.toString());
        Answer busy = send("POST", "/experiments", "{\"mode\":\"bus\"}");
        assertEquals(409, busy.status());
        assertEquals("experiment_running", busy.errorCode(), busy.json().toString());

        JsonNode run = started;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (run.path("status").asText().equals("running") && System.nanoTime() < deadline) {
            Thread.sleep(200);
            run = send("GET", "/experiments/" + started.path("id").asInt(), null).json();
        }
        assertEquals("done", run.path("status").asText(), run.toString());
        JsonNode result = run.path("experiments").get(0);
        assertEquals(200, result.path("requests").asInt());
        assertEquals(0.75, result.path("predicted_failure_rate").asDouble(), 1e-9);
        // 1 - 0.5^2 = 75% of 200 requests: a binomial with sd 3.1%; 5 sd either side.
        double measured = result.path("failure_rate").asDouble();
        assertTrue(measured > 0.59 && measured < 0.91, "measured " + measured);
        assertEquals(result.path("failed").asLong(), result.path("failures_by_kind").path("injected_fault").asLong(), result.toString());
    }

    private static void assertRefused(String body, String messagePart) throws Exception {
        Answer answer = send("POST", "/experiments", body);
        assertEquals(400, answer.status(), body + " -> " + answer.json());
        assertEquals("invalid_experiment", answer.errorCode(), body + " -> " + answer.json());
        assertTrue(answer.json().path("error").path("message").asText().contains(messagePart), body + " -> " + answer.json());
    }

    private record Answer(int status, JsonNode json) {
        String errorCode() {
            return json.path("error").path("code").asText();
        }
    }

    private static Answer send(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(lab + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), JSON.readTree(response.body()));
    }
}
