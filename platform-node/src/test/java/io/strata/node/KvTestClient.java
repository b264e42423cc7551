package io.strata.node;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;

/** A blocking client of one node's KV API for tests. Thread-safe (one shared {@link HttpClient}). */
final class KvTestClient {

    /** One answer: status, body as text, and the version of the ETag header if any. */
    record Reply(int status, String body, OptionalLong version) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final String base;

    KvTestClient(HttpClient http, String base) {
        this.http = http;
        this.base = base;
    }

    Reply get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    Reply put(String path, String body, String... headers) throws IOException, InterruptedException {
        return send(request(path).PUT(HttpRequest.BodyPublishers.ofString(body)), headers);
    }

    Reply post(String path, String body, String... headers) throws IOException, InterruptedException {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)), headers);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT);
    }

    private Reply send(HttpRequest.Builder request, String... headers) throws IOException, InterruptedException {
        if (headers.length > 0) {
            request.headers(headers);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        OptionalLong version = response.headers().firstValue("ETag")
                .map(etag -> OptionalLong.of(Long.parseLong(etag.replace("\"", ""))))
                .orElse(OptionalLong.empty());
        return new Reply(response.statusCode(), response.body(), version);
    }
}
