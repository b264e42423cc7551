package io.strata.dataflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Plain HTTP calls to a chain's services, as any client of theirs would make them. */
final class TestHttp {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** An answer: its status and its body as JSON. */
    record Answer(int status, JsonNode body) {
        /** The error code of an error answer, {@code {"error":{"code","message"}}}. */
        String errorCode() {
            return body.path("error").path("code").asText(null);
        }

        String errorMessage() {
            return body.path("error").path("message").asText(null);
        }
    }

    private TestHttp() {}

    static Answer send(String method, String url, String body, Duration timeout) throws IOException, InterruptedException {
        return answer(HTTP.send(request(method, url, body, timeout), HttpResponse.BodyHandlers.ofString()));
    }

    static Answer send(String method, String url, String body) throws IOException, InterruptedException {
        return send(method, url, body, Duration.ofSeconds(15));
    }

    static CompletableFuture<Answer> sendAsync(String method, String url, String body, Duration timeout) {
        return HTTP.sendAsync(request(method, url, body, timeout), HttpResponse.BodyHandlers.ofString()).thenApply(TestHttp::answer);
    }

    private static HttpRequest request(String method, String url, String body, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static Answer answer(HttpResponse<String> response) {
        try {
            return new Answer(response.statusCode(), response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new AssertionError("the answer is not JSON: " + response.body(), e);
        }
    }
}
