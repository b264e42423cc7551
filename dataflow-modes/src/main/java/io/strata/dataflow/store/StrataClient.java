package io.strata.dataflow.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The services' way to a Strata node: its KV store and bus over the node's HTTP API, the same
 * API any other client uses, so a chain works the same against an embedded node, a node in
 * another process or one on another host. Every call is asynchronous; a refusal completes the
 * future with a {@link StoreException} carrying the node's status and error code.
 */
public final class StrataClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Calls in flight to the node at once, as the connection pool of a database driver would allow. */
    private static final int MAX_IN_FLIGHT = 64;

    private final String base;
    private final HttpClient http;
    private final AsyncLimiter limiter = new AsyncLimiter(MAX_IN_FLIGHT);

    /** A client of the node at {@code base}, such as {@code http://127.0.0.1:8080}. */
    public StrataClient(String base, HttpClient http) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.http = http;
    }

    public String base() {
        return base;
    }

    /** A client of the same node with a pool of its own, so its calls never wait behind this one's. */
    public StrataClient separatePool() {
        return new StrataClient(base, http);
    }

    /** A record read from the bus. */
    public record BusRecord(int partition, long offset, long timestamp, String key, JsonNode value) {}

    /** What a consumer-group poll returned. */
    public record Poll(List<BusRecord> records) {}

    /** What a partition read returned: its records and the offset to read next. */
    public record Read(List<BusRecord> records, long nextOffset) {}

    // --- KV

    /** Creates the keyspace if absent. */
    public CompletableFuture<Void> ensureKeyspace(String space, int partitions) {
        return send("PUT", "/kv/" + space, "{\"partitions\":" + partitions + "}").thenApply(body -> null);
    }

    /** Stores {@code value} under {@code key}, expiring after {@code ttlSeconds}. */
    public CompletableFuture<Void> put(String space, String key, String value, int ttlSeconds) {
        return send("PUT", "/kv/" + space + "/" + encode(key) + "?ttl=" + ttlSeconds, value).thenApply(body -> null);
    }

    /** Adds {@code by} to the counter {@code key} and returns its new value ({@code by} 0 reads it). */
    public CompletableFuture<Long> incr(String space, String key, long by) {
        return send("POST", "/kv/" + space + "/" + encode(key) + "/incr?by=" + by, "").thenApply(body -> body.get("value").asLong());
    }

    /** The values of {@code keys}, null for absent ones, in a map in the keys' order. */
    public CompletableFuture<Map<String, String>> mget(String space, List<String> keys) {
        ArrayNode names = JsonNodeFactory.instance.arrayNode();
        keys.forEach(names::add);
        return send("POST", "/kv/" + space + "/_mget", names.toString()).thenApply(body -> {
            Map<String, String> values = new LinkedHashMap<>();
            for (String key : keys) {
                JsonNode value = body.get(key);
                values.put(key, value == null || value.isNull() ? null : value.asText());
            }
            return values;
        });
    }

    // --- bus

    /** Creates the topic if absent. */
    public CompletableFuture<Void> ensureTopic(String topic, int partitions, String retention) {
        return send("PUT", "/topics/" + topic, "{\"partitions\":" + partitions + ",\"retention\":\"" + retention + "\"}")
                .thenApply(body -> null);
    }

    /** Appends records, each a key and a JSON value, and returns their offsets' count once all are durably on the bus. */
    public CompletableFuture<Integer> produce(String topic, List<Map.Entry<String, JsonNode>> records) {
        ArrayNode batch = JsonNodeFactory.instance.arrayNode();
        for (Map.Entry<String, JsonNode> record : records) {
            batch.addObject().put("key", record.getKey()).set("value", record.getValue());
        }
        return send("POST", "/topics/" + topic + "/records", batch.toString()).thenApply(body -> body.get("offsets").size());
    }

    /** Polls up to {@code max} records for {@code member} of {@code group}; a new group starts at the earliest offset. */
    public CompletableFuture<Poll> poll(String group, String topic, String member, int max) {
        ObjectNode request = JsonNodeFactory.instance.objectNode()
                .put("topic", topic).put("member", member).put("max", max).put("auto_offset_reset", "earliest");
        return send("POST", "/groups/" + group + "/poll", request.toString())
                .thenApply(body -> new Poll(records(body.get("records"), -1)));
    }

    /** Commits, per partition, the next offset to consume. */
    public CompletableFuture<Void> commit(String group, String topic, String member, Map<Integer, Long> offsets) {
        ObjectNode request = JsonNodeFactory.instance.objectNode().put("topic", topic).put("member", member);
        ObjectNode next = request.putObject("offsets");
        offsets.forEach((partition, offset) -> next.put(String.valueOf(partition), offset));
        return send("POST", "/groups/" + group + "/commit", request.toString()).thenApply(body -> null);
    }

    /** The group's lag over all its topics: records produced but not yet committed. */
    public CompletableFuture<Long> lag(String group) {
        return send("GET", "/groups/" + group + "/lag", null).thenApply(body -> body.get("lag").asLong());
    }

    /** Reads up to {@code max} records of one partition from {@code offset}. */
    public CompletableFuture<Read> read(String topic, int partition, long offset, int max) {
        return send("GET", "/topics/" + topic + "/partitions/" + partition + "/records?offset=" + offset + "&max=" + max, null)
                .thenApply(body -> new Read(records(body.get("records"), partition), body.get("next_offset").asLong()));
    }

    private static List<BusRecord> records(JsonNode array, int partition) {
        List<BusRecord> records = new ArrayList<>();
        if (array != null) {
            for (JsonNode r : array) {
                records.add(new BusRecord(r.has("partition") ? r.get("partition").asInt() : partition, r.get("offset").asLong(),
                        r.path("timestamp").asLong(), r.path("key").asText(null), r.get("value")));
            }
        }
        return records;
    }

    // --- plumbing

    private CompletableFuture<JsonNode> send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpRequest built = request.build();
        return limiter.submit(() -> http.sendAsync(built, HttpResponse.BodyHandlers.ofString())).thenApply(response -> {
            JsonNode json = parse(response.body());
            if (response.statusCode() / 100 != 2) {
                throw new StoreException(method + " " + path, response.statusCode(), json);
            }
            return json;
        });
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isEmpty()) {
            return JsonNodeFactory.instance.objectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("the node answered with something other than JSON: " + body, e);
        }
    }

    private static String encode(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
