package io.strata.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.node.cluster.ClusterSpec;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The few HTTP calls the cluster commands make to a node: {@code GET /health}, {@code GET /cluster}
 * and {@code POST /cluster/leave}, with {@code Authorization: Bearer <token>} when the cluster
 * file's settings set {@code strata.http.auth-token}.
 */
final class ClusterHttp {

    private static final String AUTH_TOKEN = "strata.http.auth-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    private final Optional<String> authToken;

    private ClusterHttp(Optional<String> authToken) {
        this.authToken = authToken;
    }

    /** Calls to the nodes of {@code cluster}, with the token its shared settings give every node. */
    static ClusterHttp of(ClusterSpec cluster) {
        return new ClusterHttp(cluster.settings().hasPath(AUTH_TOKEN)
                ? Optional.of(cluster.settings().getString(AUTH_TOKEN)).filter(t -> !t.isEmpty())
                : Optional.empty());
    }

    /** The status code of {@code GET /health}, or empty when the node does not answer. */
    Optional<Integer> health(String httpBase) {
        return send(httpBase + "/health", "GET").map(HttpResponse::statusCode);
    }

    /** The body of {@code GET /cluster}, or empty when the node does not answer it with 200. */
    Optional<JsonNode> cluster(String httpBase) {
        return send(httpBase + "/cluster", "GET").filter(r -> r.statusCode() == 200).flatMap(r -> parse(r.body()));
    }

    /** The node's answer to {@code POST /cluster/leave}, or empty when it does not answer. */
    Optional<HttpResponse<String>> leave(String httpBase) {
        return send(httpBase + "/cluster/leave", "POST");
    }

    /** The body as JSON, or empty when it is not JSON. */
    static Optional<JsonNode> parse(String body) {
        try {
            return Optional.of(JSON.readTree(body));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Optional<HttpResponse<String>> send(String uri, String method) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(REQUEST_TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody());
        authToken.ifPresent(token -> request.header("Authorization", "Bearer " + token));
        try {
            return Optional.of(client.send(request.build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
