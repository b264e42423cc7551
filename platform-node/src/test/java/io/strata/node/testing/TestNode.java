package io.strata.node.testing;

import io.strata.node.NodeConfig;
import io.strata.node.StrataNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An in-process node on free ports in a test's directory, with an HTTP client pointed at it.
 * Close it to run the node's coordinated shutdown.
 */
public final class TestNode implements AutoCloseable {

    private final StrataNode node;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestNode(StrataNode node) {
        this.node = node;
    }

    /** Starts a node with data in {@code dataDir} and the given extra settings. */
    public static TestNode start(Path dataDir, Map<String, String> settings) {
        Map<String, String> overrides = new HashMap<>(settings);
        overrides.put("strata.data-dir", dataDir.toString());
        overrides.put("strata.http.port", "0");
        overrides.put("strata.cluster.port", "0");
        overrides.putIfAbsent("pekko.loglevel", "WARNING");
        // Tests write little; a small reserve keeps them running on a machine with little disk left.
        overrides.putIfAbsent("strata.storage.min-free", "16m");
        return new TestNode(StrataNode.start(NodeConfig.load(Optional.empty(), overrides)));
    }

    public StrataNode node() {
        return node;
    }

    public String base() {
        return "http://127.0.0.1:" + node.httpPort();
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(15));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException("request failed: " + e, e);
        }
    }

    public HttpResponse<byte[]> sendForBytes(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (Exception e) {
            throw new IllegalStateException("request failed: " + e, e);
        }
    }

    public HttpResponse<String> get(String path) {
        return send(request(path).GET());
    }

    public HttpResponse<String> put(String path, String body) {
        return send(request(path).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    public HttpResponse<String> post(String path, String body) {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public HttpResponse<String> delete(String path) {
        return send(request(path).DELETE());
    }

    /** The response body as JSON. */
    public static com.fasterxml.jackson.databind.JsonNode json(HttpResponse<String> response) {
        return io.strata.node.http.Json.parse(response.body().getBytes());
    }

    /** Asserts the status and the JSON error shape with its code and a message that says something. */
    public static void assertError(int status, String code, HttpResponse<String> response) {
        org.junit.jupiter.api.Assertions.assertEquals(status, response.statusCode(), response.body());
        org.junit.jupiter.api.Assertions.assertEquals("application/json",
                response.headers().firstValue("Content-Type").orElse(""), response.body());
        var error = json(response).get("error");
        org.junit.jupiter.api.Assertions.assertEquals(code, error.get("code").asText(), response.body());
        org.junit.jupiter.api.Assertions.assertTrue(error.get("message").asText().length() > 5, "the message says what and why");
    }

    @Override
    public void close() {
        node.close();
    }
}
