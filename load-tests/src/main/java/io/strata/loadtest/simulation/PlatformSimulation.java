package io.strata.loadtest.simulation;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Choice;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.strata.loadtest.LoadTestParams;
import io.strata.loadtest.Recorder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.doSwitch;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.onCase;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

/**
 * The node's own HTTP API under a mixed load, for capacity planning: {@code loadtest.rate} new users
 * a second for {@code loadtest.duration} against the node at {@code loadtest.target}, each sending
 * one request whose kind follows from its id (of every 20: 6 KV puts, 6 KV gets, 3 produces, 2
 * partition reads, 2 table inserts of 10 rows, 1 grouped table query), so every run of n requests
 * sends the same number of each kind. {@link #before} creates the run's keyspace (with the keys the
 * gets read), topic (with records to read) and table; {@link #after} drops the table and topic and
 * deletes the keys (the node has no keyspace deletion). Gate: every request sent, none failed, and
 * each kind sent and answered exactly as often as the ids say.
 */
public final class PlatformSimulation extends Simulation {

    /** The request kinds, as Gatling names them, each with its share of every 20 requests. */
    public static final Map<String, Integer> MIX = Map.of("kv-put", 6, "kv-get", 6, "bus-produce", 3, "bus-read", 2,
            "table-insert", 2, "table-query", 1);
    private static final List<String> ORDER = List.of("kv-put", "kv-get", "bus-produce", "bus-read", "table-insert", "table-query");
    private static final int KEYS = 200;
    private static final int PARTITIONS = 3;
    private static final Duration GRACE = Duration.ofSeconds(40);
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(30);

    private final LoadTestParams params = LoadTestParams.fromSystemProperties();
    private final String base = params.target();
    private final String name = "lt-platform-" + Long.toString(System.currentTimeMillis(), 36)
            + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
    private final HttpClient setup = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(SETUP_TIMEOUT).build();

    public PlatformSimulation() {
        if (base == null) {
            throw new IllegalStateException("the platform scenario needs loadtest.target: the node's base URL");
        }
        HttpProtocolBuilder protocol = http.baseUrl(base).acceptHeader("application/json")
                .shareConnections()
                .disableWarmUp();
        setUp(scenario("platform").feed(ids()).exec(mix()).injectOpen(constantUsersPerSec(params.rate()).during(params.duration())))
                .protocols(protocol)
                .maxDuration(params.duration().plus(GRACE))
                .assertions(gates().toArray(Assertion[]::new));
    }

    /** How many of the first {@code requests} ids are of {@code kind}. */
    public static long expected(String kind, long requests) {
        int from = 0;
        for (String k : ORDER) {
            if (k.equals(kind)) {
                break;
            }
            from += MIX.get(k);
        }
        int share = MIX.get(kind);
        long whole = requests / 20 * share;
        long rest = requests % 20;
        return whole + Math.max(0, Math.min(share, rest - from));
    }

    private List<Assertion> gates() {
        List<Assertion> gates = new ArrayList<>(List.of(global().allRequests().count().is(params.requests()),
                global().failedRequests().count().is(0L)));
        for (String kind : ORDER) {
            long n = expected(kind, params.requests());
            if (n > 0) {
                gates.add(details(kind).successfulRequests().count().is(n));
            }
        }
        return gates;
    }

    private ChainBuilder mix() {
        List<Choice.WithKey> cases = new ArrayList<>();
        cases.add(onCase("kv-put").then(Timing.timed(http("kv-put").put(session -> kv(session.getLong("id") % KEYS))
                .header("Content-Type", "application/octet-stream")
                .body(StringBody(session -> "value-" + session.getLong("id"))), "kv-put")));
        cases.add(onCase("kv-get").then(Timing.timed(http("kv-get").get(session -> kv(session.getLong("id") % KEYS)), "kv-get")));
        cases.add(onCase("bus-produce").then(Timing.timed(http("bus-produce").post("/topics/" + name + "/records")
                .header("Content-Type", "application/json")
                .body(StringBody(session -> record(session.getLong("id")))), "bus-produce")));
        cases.add(onCase("bus-read").then(Timing.timed(http("bus-read")
                .get(session -> "/topics/" + name + "/partitions/" + session.getLong("id") % PARTITIONS + "/records?offset=0&max=50"),
                "bus-read")));
        cases.add(onCase("table-insert").then(Timing.timed(http("table-insert").post("/tables/" + name + "/rows")
                .header("Content-Type", "application/json")
                .body(StringBody(session -> rows(session.getLong("id"), 10)))
                .check(jsonPath("$.rejected").ofInt().is(0)), "table-insert")));
        cases.add(onCase("table-query").then(Timing.timed(http("table-query").post("/tables/" + name + "/query")
                .header("Content-Type", "application/json")
                .body(StringBody("{\"select\":[\"kind\"],\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},"
                        + "{\"fn\":\"sum\",\"column\":\"amount\",\"as\":\"s\"}],\"group_by\":[\"kind\"]}")), "table-query")));
        return doSwitch("#{kind}").on(cases);
    }

    @Override
    public void before() {
        try {
            call("PUT", "/kv/" + name, "{\"partitions\":8}");
            call("PUT", "/topics/" + name, "{\"partitions\":" + PARTITIONS + "}");
            call("PUT", "/tables/" + name, "{\"columns\":[{\"name\":\"user\",\"type\":\"int64\"},{\"name\":\"kind\",\"type\":\"string\"},"
                    + "{\"name\":\"amount\",\"type\":\"float64\"},{\"name\":\"ts\",\"type\":\"timestamp\"}],\"shards\":2}");
            List<CompletableFuture<?>> seeded = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                seeded.add(send("PUT", kv(i), "seed-" + i));
            }
            CompletableFuture.allOf(seeded.toArray(CompletableFuture[]::new)).join();
            StringBuilder records = new StringBuilder("[");
            for (int i = 0; i < 100; i++) {
                records.append(i == 0 ? "" : ",").append(record(-i - 1));
            }
            call("POST", "/topics/" + name + "/records", records.append("]").toString());
            call("POST", "/tables/" + name + "/rows", rows(-1, 100));
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw new IllegalStateException("the platform scenario's setup on " + base + " failed: " + e.getMessage(), e);
        }
        Recorder.INSTANCE.loadStarts();
    }

    @Override
    public void after() {
        List<CompletableFuture<?>> cleanup = new ArrayList<>();
        cleanup.add(send("DELETE", "/tables/" + name, null));
        cleanup.add(send("DELETE", "/topics/" + name, null));
        for (int i = 0; i < KEYS; i++) {
            cleanup.add(send("DELETE", kv(i), null));
        }
        // Cleanup is best effort: a leftover of a run that already has its verdict must not change it.
        CompletableFuture.allOf(cleanup.toArray(CompletableFuture[]::new)).exceptionally(failure -> null).join();
    }

    private void call(String method, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> answer = setup.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() / 100 != 2) {
            throw new IOException(method + " " + path + ": " + answer.statusCode() + " " + answer.body());
        }
    }

    private CompletableFuture<HttpResponse<Void>> send(String method, String path, String body) {
        return setup.sendAsync(request(method, path, body), HttpResponse.BodyHandlers.discarding());
    }

    private HttpRequest request(String method, String path, String body) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(SETUP_TIMEOUT)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private String kv(long key) {
        return "/kv/" + name + "/k-" + key;
    }

    private static String record(long id) {
        return String.format(Locale.ROOT, "{\"key\":\"u-%d\",\"value\":{\"id\":%d,\"page\":\"/p/%d\"}}", id % 1000, id, id % 50);
    }

    private static String rows(long id, int n) {
        StringBuilder b = new StringBuilder("[");
        long now = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "{\"user\":%d,\"kind\":\"%s\",\"amount\":%.2f,\"ts\":%d}",
                    id * n + i, (id + i) % 3 == 0 ? "buy" : "view", ((id + i) % 10_000) / 100.0, now));
        }
        return b.append("]").toString();
    }

    /** Ids 0, 1, 2, ... with the kind each one's place in its group of 20 gives. */
    private static Iterator<Map<String, Object>> ids() {
        AtomicLong next = new AtomicLong();
        return Stream.generate(() -> {
            long id = next.getAndIncrement();
            return Map.<String, Object>of("id", id, "kind", kindOf(id));
        }).iterator();
    }

    private static String kindOf(long id) {
        long slot = id % 20;
        for (String k : ORDER) {
            slot -= MIX.get(k);
            if (slot < 0) {
                return k;
            }
        }
        throw new IllegalStateException("the mix does not cover 20 slots");
    }
}
