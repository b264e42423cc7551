package io.strata.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** The few HTTP calls the cluster commands make to a node: {@code GET /health} and {@code GET /cluster}. */
final class ClusterHttp {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

    /** The status code of {@code GET /health}, or empty when the node does not answer. */
    Optional<Integer> health(String httpBase) {
        return get(httpBase + "/health").map(HttpResponse::statusCode);
    }

    /** The body of {@code GET /cluster}, or empty when the node does not answer it with 200. */
    Optional<JsonNode> cluster(String httpBase) {
        return get(httpBase + "/cluster").filter(r -> r.statusCode() == 200).flatMap(r -> {
            try {
                return Optional.of(JSON.readTree(r.body()));
            } catch (IOException e) {
                return Optional.empty();
            }
        });
    }

    private Optional<HttpResponse<String>> get(String uri) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(uri)).timeout(REQUEST_TIMEOUT).GET().build();
        try {
            return Optional.of(client.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
