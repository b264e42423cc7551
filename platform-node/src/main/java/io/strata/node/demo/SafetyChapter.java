package io.strata.node.demo;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Bad input and hostile names: names that look like the node's own files are ordinary names;
 * input that would be stored changed (bad UTF-8, trailing JSON, a number beyond float64, a
 * parameter given twice, a request the HTTP parser refuses) is refused whole in the JSON error
 * shape and changes nothing; job specs that would make unbounded work are refused; keys are
 * listed page by page and a keyspace deleted. After the crash, the same catalogs.
 */
public final class SafetyChapter implements DemoChapter {

    private static final String TOPIC = "/topics/safety";
    private static final String TABLE = "/tables/safety_rows";
    private static final String PAGES = "/kv/pages";
    private static final String TABLE_SCHEMA = "{\"columns\":[{\"name\":\"id\",\"type\":\"int64\"}]}";

    @Override
    public String title() {
        return "Bad input and hostile names";
    }

    @Override
    public void tour(DemoTour tour) throws Exception {
        hostileNames(tour);
        badInput(tour);
        boundedJobs(tour);
        listingAndDeletion(tour);
    }

    @Override
    public void afterCrash(DemoTour tour) throws Exception {
        tour.step("Bad input and hostile names: the catalogs after the crash");
        tour.say("The keyspace named like the node's own catalog file still holds its key; the table kept beside"
                + " the deleted 'tables.json' is there, and the deleted keyspace stayed deleted.");
        tour.get("/kv/keyspaces.json/owner").expect(200, "alice");
        tour.get(TABLE).expect(200);
        tour.get("/tables/tables.json").expectError(404, "table_not_found");
        tour.get(PAGES).expectError(404, "keyspace_not_found");
    }

    private void hostileNames(DemoTour tour) throws Exception {
        tour.step("Names that look like the node's own files are ordinary names");
        tour.say("Internal files start with '_', which no name may: a keyspace called keyspaces.json, or a table called"
                + " tables.json created and dropped, cannot touch the catalogs.");
        tour.put("/kv/keyspaces.json/owner", "alice").expect(201);
        tour.put(TABLE, TABLE_SCHEMA).expect(201);
        tour.put("/tables/tables.json", TABLE_SCHEMA).expect(201);
        tour.delete("/tables/tables.json").expect(204);
        tour.get(TABLE).expect(200);
        tour.say("A name that starts with '_' or '.' is refused:");
        tour.put("/kv/_catalog/x", "v").expectError(400, "invalid_keyspace");
    }

    private void badInput(DemoTour tour) throws Exception {
        tour.step("Input that would be stored changed is refused whole, and nothing changes");
        tour.put(TOPIC, "{\"partitions\":1}").expect(201);
        tour.say("Trailing text after the JSON, and a number beyond what a 64-bit float holds:");
        tour.post(TOPIC + "/records", "[{\"value\":1}]xyz").expectError(400, "invalid_json");
        tour.post(TOPIC + "/records", "[{\"value\":1e400}]").expectError(400, "invalid_number");
        JsonNode topic = tour.get(TOPIC).expect(200).json();
        tour.check(topic.path("offsets").path(0).path("next_offset").asLong() == 0,
                "no record appended by the refused batches, got " + topic);
        tour.say("A key whose bytes are not UTF-8 (it would otherwise become U+FFFD, one key for many), and a"
                + " parameter given twice:");
        tour.put("/kv/demo/%ff%fe", "x").expectError(400, "invalid_utf8");
        tour.put("/kv/demo/twice?ttl=5&ttl=60", "x").expectError(400, "duplicate_parameter");
        tour.get("/kv/demo/twice").expectError(404, "key_not_found");
        tour.say("Even a request the HTTP parser refuses is answered in the JSON error shape:");
        String raw = "PUT /kv/demo/raw HTTP/1.1\r\nHost: demo\r\nContent-Length: ten\r\n\r\n";
        tour.shell("printf '" + raw.replace("\r\n", "\\r\\n") + "' | nc " + host(tour) + " " + port(tour));
        String answer = rawExchange(tour, raw);
        tour.out().println(answer.strip());
        tour.check(answer.startsWith("HTTP/1.1 400") && answer.contains("{\"error\":{\"code\":\"bad_request\""),
                "a 400 in the JSON error shape, got: " + answer);
    }

    private void boundedJobs(DemoTour tour) throws Exception {
        tour.step("Stream job specs are bounded");
        tour.say("A sliding window of one day that slides every millisecond would put each event in 86,400,000"
                + " windows: refused, naming the field, instead of pinning a core.");
        String spec = "{\"name\":\"burn\",\"source\":{\"topic\":\"safety\",\"group\":\"burn\"},\"key\":\"user\",\"event_time\":\"ts\","
                + "\"window\":{\"type\":\"sliding\",\"size\":\"1d\",\"slide\":\"1ms\"},"
                + "\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}],\"sinks\":[{\"kv\":{\"space\":\"burn\"}}]}";
        tour.post("/jobs", spec).expectError(400, "invalid_window");
        tour.post("/jobs", spec.replace("\"slide\":\"1ms\"", "\"slide\":\"999999999999d\""))
                .expectError(400, "invalid_duration");
        tour.get("/jobs/burn").expectError(404, "job_not_found");
    }

    private void listingAndDeletion(DemoTour tour) throws Exception {
        tour.step("Keys listed page by page, then the keyspace deleted");
        for (String key : List.of("apple", "banana", "cherry", "damson", "elder")) {
            tour.quietly("PUT", PAGES + "/" + key, key).expect(201);
        }
        tour.say("Five keys written. A page of two, in byte order, with the cursor for the next:");
        List<String> listed = new ArrayList<>();
        JsonNode page = tour.get(PAGES + "?list=keys&limit=2").expect(200).json();
        page.path("keys").forEach(k -> listed.add(k.asText()));
        while (!page.path("next_cursor").isNull() && !page.path("next_cursor").isMissingNode()) {
            page = tour.quietly("GET", PAGES + "?list=keys&limit=2&cursor=" + page.path("next_cursor").asText(), null)
                    .expect(200).json();
            page.path("keys").forEach(k -> listed.add(k.asText()));
        }
        tour.say("Following the cursors: " + listed);
        tour.check(listed.equals(List.of("apple", "banana", "cherry", "damson", "elder")), "every key once, in order");
        tour.delete(PAGES).expect(204);
        tour.get(PAGES + "/apple").expectError(404, "keyspace_not_found");
    }

    /** Sends raw bytes to the node's HTTP port and returns what it answers until it closes or is quiet. */
    private static String rawExchange(DemoTour tour, String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getByName(host(tour)), port(tour))) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            StringBuilder answer = new StringBuilder();
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    answer.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    if (answer.indexOf("}}") >= 0) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException quiet) {
                // What came before the silence is the answer.
            }
            return answer.toString();
        }
    }

    private static String host(DemoTour tour) {
        return URI.create(tour.base()).getHost();
    }

    private static int port(DemoTour tour) {
        return URI.create(tour.base()).getPort();
    }
}
