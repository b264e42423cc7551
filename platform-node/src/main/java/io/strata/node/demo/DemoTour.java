package io.strata.node.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.http.Json;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * What a {@link DemoChapter} works with: numbered headings, explanations, HTTP calls to the node
 * that print their {@code curl} equivalent and the real answer, and checks that count towards the
 * demo's result and stop it with a {@link DemoFailure} when they fail.
 *
 * <p>Not thread-safe: one demo drives it from one thread.
 */
public final class DemoTour {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_/:.,=@%+-]+");
    private static final List<String> SHOWN_HEADERS = List.of("ETag", "X-Expires-At");

    private final PrintWriter out;
    private final Path workDir;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    private String base;
    private OptionalInt respPort = OptionalInt.empty();
    private OptionalInt kafkaPort = OptionalInt.empty();
    private int chapter;
    private int step;
    private int checks;

    /**
     * A tour printing to {@code out} and talking to the node at {@code base}, such as
     * {@code http://127.0.0.1:41235} (null until a chapter that starts its own nodes points it at
     * one); {@code workDir} is the demo's directory, deleted when the demo ends.
     */
    public DemoTour(PrintWriter out, String base, Path workDir) {
        this.out = out;
        this.base = base;
        this.workDir = workDir;
    }

    /** The node's HTTP base address. */
    public String base() {
        return base;
    }

    /** The demo's directory, deleted when the demo ends: where a chapter keeps files of its own. */
    public Path workDir() {
        return workDir;
    }

    /** Points the tour at a restarted node, or at another node of a cluster. */
    public void moveTo(String newBase) {
        this.base = newBase;
    }

    /** The Redis-protocol port of the node the tour talks to, when it listens for RESP. */
    public OptionalInt respPort() {
        return respPort;
    }

    /** Points the tour at the Redis-protocol port of the node it talks to (empty: it has none). */
    public void moveRespTo(OptionalInt port) {
        this.respPort = port;
    }

    /** The Kafka-protocol port of the node the tour talks to, when it listens for Kafka clients. */
    public OptionalInt kafkaPort() {
        return kafkaPort;
    }

    /** Points the tour at the Kafka-protocol port of the node it talks to (empty: it has none). */
    public void moveKafkaTo(OptionalInt port) {
        this.kafkaPort = port;
    }

    /** Where the tour prints, for chapters that show a table of their own. */
    public PrintWriter out() {
        return out;
    }

    /** The number of checks that passed so far. */
    public int checks() {
        return checks;
    }

    /** Starts a chapter: a numbered heading. */
    public void chapter(String title) {
        chapter++;
        step = 0;
        out.printf("%n=== %d. %s ===%n", chapter, title);
        out.flush();
    }

    /** Starts a step of the current chapter: a numbered heading. */
    public void step(String heading) {
        step++;
        out.printf("%n--- %d.%d %s%n", chapter, step, heading);
        out.flush();
    }

    /** Prints an explanation. */
    public void say(String text) {
        out.println("    " + text);
        out.flush();
    }

    /** Prints a shell command the demo runs by other means (kill -9, a restart...). */
    public void shell(String command) {
        out.println("$ " + command);
        out.flush();
    }

    /** Passes when {@code condition} holds, else stops the demo with {@code expectation} as the reason. */
    public void check(boolean condition, String expectation) {
        if (!condition) {
            throw new DemoFailure("step " + chapter + "." + step + ": expected " + expectation);
        }
        checks++;
    }

    /** {@code GET path}; headers as name, value pairs. */
    public Exchange get(String path, String... headers) throws IOException, InterruptedException {
        return send("GET", path, null, headers);
    }

    /** {@code PUT path} with a text body; headers as name, value pairs. */
    public Exchange put(String path, String body, String... headers) throws IOException, InterruptedException {
        return send("PUT", path, body, headers);
    }

    /** {@code POST path} with a text body (null for none); headers as name, value pairs. */
    public Exchange post(String path, String body, String... headers) throws IOException, InterruptedException {
        return send("POST", path, body, headers);
    }

    /** {@code DELETE path}; headers as name, value pairs. */
    public Exchange delete(String path, String... headers) throws IOException, InterruptedException {
        return send("DELETE", path, null, headers);
    }

    /**
     * {@code POST path} with a body too long to print: the command shows it as {@code --data-binary @file},
     * then the answer as usual; headers as name, value pairs.
     */
    public Exchange postFile(String path, String file, String body, String... headers) throws IOException, InterruptedException {
        shell(curl("POST", base + path, "@" + file, headers));
        return quietly("POST", path, body, headers).print();
    }

    /**
     * A request that prints neither its command nor its answer, for bulk loads and timed calls
     * whose first call was shown; {@link Exchange}'s checks still count.
     */
    public Exchange quietly(String method, String path, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Exchange(this, method + " " + path, response);
    }

    private Exchange send(String method, String path, String body, String... headers) throws IOException, InterruptedException {
        shell(curl(method, base + path, body, headers));
        return quietly(method, path, body, headers).print();
    }

    static String curl(String method, String url, String body, String... headers) {
        List<String> words = new ArrayList<>(List.of("curl", "-i"));
        boolean postImpliedByData = method.equals("POST") && body != null;
        if (!method.equals("GET") && !postImpliedByData) {
            words.addAll(List.of("-X", method));
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            words.addAll(List.of("-H", quote(headers[i] + ": " + headers[i + 1])));
        }
        if (body != null) {
            words.addAll(List.of("--data-binary", quote(body)));
        }
        words.add(quote(url));
        return String.join(" ", words);
    }

    private static String quote(String word) {
        return SHELL_SAFE.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    /** One request and its answer, with checks that count towards the tour's result. */
    public static final class Exchange {
        private final DemoTour tour;
        private final String request;
        private final HttpResponse<String> response;

        private Exchange(DemoTour tour, String request, HttpResponse<String> response) {
            this.tour = tour;
            this.request = request;
            this.response = response;
        }

        public int status() {
            return response.statusCode();
        }

        public String body() {
            return response.body();
        }

        public Optional<String> header(String name) {
            return response.headers().firstValue(name);
        }

        /** The version in the ETag header; checks that there is one. */
        public long version() {
            Optional<String> etag = header("ETag");
            tour.check(etag.isPresent() && etag.get().matches("\"[0-9]+\""), request + " to answer with an ETag version");
            return Long.parseLong(etag.get().replace("\"", ""));
        }

        /** The body as JSON; checks that it is JSON. */
        public JsonNode json() {
            JsonNode json;
            try {
                json = Json.MAPPER.readTree(body());
            } catch (IOException e) {
                json = null;
            }
            tour.check(json != null && !json.isMissingNode(), request + " to answer JSON, got '" + body() + "'");
            return json;
        }

        /** Checks the status code. */
        public Exchange expect(int status) {
            tour.check(status() == status, request + " to answer " + status + ", got " + status() + " " + body());
            return this;
        }

        /** Checks the status code and the exact body. */
        public Exchange expect(int status, String body) {
            expect(status);
            tour.check(body().equals(body), request + " to answer '" + body + "', got '" + body() + "'");
            return this;
        }

        /** Checks the status code and the {@code error.code} of the error shape. */
        public Exchange expectError(int status, String code) {
            expect(status);
            tour.check(json().path("error").path("code").asText().equals(code),
                    request + " to fail with " + code + ", got " + body());
            return this;
        }

        Exchange print() {
            PrintWriter out = tour.out;
            out.println("HTTP/1.1 " + status() + reason(status()));
            for (String name : SHOWN_HEADERS) {
                header(name).ifPresent(value -> out.println(name + ": " + value));
            }
            if (!body().isEmpty()) {
                out.println(body());
            }
            out.flush();
            return this;
        }

        private static String reason(int status) {
            return switch (status) {
                case 200 -> " OK";
                case 201 -> " Created";
                case 204 -> " No Content";
                case 400 -> " Bad Request";
                case 401 -> " Unauthorized";
                case 404 -> " Not Found";
                case 409 -> " Conflict";
                case 412 -> " Precondition Failed";
                case 413 -> " Payload Too Large";
                case 422 -> " Unprocessable Entity";
                case 503 -> " Service Unavailable";
                case 507 -> " Insufficient Storage";
                default -> "";
            };
        }
    }
}
