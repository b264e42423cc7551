package io.strata.node.columnar;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.testing.Await;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.strata.node.testing.TestNode.assertError;
import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The table HTTP API on a real node: creating, describing and dropping tables, ingest in every
 * format with its rejections, atomic batches and dead letters, queries and their errors, limits,
 * and streamed exports. Bad input gets its status and error code, and changes nothing.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TableHttpTest {

    private static final String EVENTS = "{\"columns\":[{\"name\":\"user\",\"type\":\"int64\"},{\"name\":\"kind\",\"type\":\"string\"},"
            + "{\"name\":\"amount\",\"type\":\"float64\",\"nullable\":true},{\"name\":\"ts\",\"type\":\"timestamp\"}],\"shards\":2}";

    @TempDir
    static Path dir;
    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir.resolve("data"), Map.of(
                "strata.columnar.block-rows", "32",
                "strata.columnar.segment-rows", "64",
                "strata.columnar.max-result-rows", "50"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static void create(String table) {
        HttpResponse<String> created = node.put("/tables/" + table, EVENTS);
        assertEquals(201, created.statusCode(), created.body());
    }

    private static long count(String table) {
        HttpResponse<String> reply = node.post("/tables/" + table + "/query", "{\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}]}");
        assertEquals(200, reply.statusCode(), reply.body());
        return json(reply).at("/rows/0/0").asLong();
    }

    private static HttpResponse<String> post(String path, String contentType, String body) {
        return node.send(node.request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void tablesAreCreatedDescribedListedAndDropped() {
        create("lifecycle");
        assertEquals(200, node.put("/tables/lifecycle", EVENTS).statusCode(), "the same table again is fine");
        assertError(409, "table_exists", node.put("/tables/lifecycle", EVENTS.replace("\"shards\":2", "\"shards\":3")));
        assertTrue(node.get("/tables").body().contains("\"lifecycle\""));
        JsonNode described = json(node.get("/tables/lifecycle"));
        assertEquals(2, described.get("shards").asInt());
        assertEquals("float64", described.at("/columns/2/type").asText());
        assertTrue(described.at("/columns/2/nullable").asBoolean());
        assertFalse(described.at("/columns/0/nullable").asBoolean(), "columns are not nullable unless they say so");

        assertEquals(200, node.post("/tables/lifecycle/rows", "{\"user\":1,\"kind\":\"a\",\"ts\":0}").statusCode());
        assertEquals(204, node.delete("/tables/lifecycle").statusCode());
        assertError(404, "table_not_found", node.get("/tables/lifecycle"));
        assertError(404, "table_not_found", node.post("/tables/lifecycle/rows", "{\"user\":1}"));
        assertError(404, "table_not_found", node.delete("/tables/lifecycle"));
        assertFalse(Files.exists(dir.resolve("data/tables/lifecycle")), "a dropped table's files are gone");

        HttpResponse<String> again = node.put("/tables/lifecycle", "{\"columns\":[{\"name\":\"x\",\"type\":\"bool\"}],\"shards\":1}");
        assertEquals(201, again.statusCode(), again.body());
        assertEquals(0, count("lifecycle"), "a table made again under a dropped one's name starts empty");
    }

    /**
     * Inserts race drops of their table: each gets a definite answer (200, 404 table_not_found, or
     * 503 with a code saying why), never an ask that nobody answers; rows acknowledged before a
     * drop never come back, and a table made again under the name keeps what is written to it.
     */
    @Test
    void insertsRacingADropAllGetAnAnswerAndTheNameStartsAfresh() throws Exception {
        String schema = "{\"columns\":[{\"name\":\"writer\",\"type\":\"int64\"},{\"name\":\"seq\",\"type\":\"int64\"}],\"shards\":3}";
        assertEquals(201, node.put("/tables/racing", schema).statusCode());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger incarnation = new AtomicInteger();
        Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
        Set<String> answers = ConcurrentHashMap.newKeySet();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            writers.add(new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    int sentIn = incarnation.get();
                    HttpResponse<String> r = node.post("/tables/racing/rows", "{\"writer\":" + writer + ",\"seq\":" + i + "}");
                    if (r.statusCode() == 200) {
                        acknowledged.put(writer + "-" + i, sentIn);
                    } else {
                        answers.add(r.statusCode() + " " + json(r).at("/error/code").asText());
                    }
                }
            }));
        }
        writers.forEach(Thread::start);
        try {
            for (int round = 1; round <= 5; round++) {
                int before = acknowledged.size();
                Await.until(Duration.ofSeconds(30), acknowledged::size, n -> n > before + 20, n -> n + " rows acknowledged");
                HttpResponse<String> dropped = node.delete("/tables/racing");
                assertEquals(204, dropped.statusCode(), dropped.body());
                assertEquals(201, node.put("/tables/racing", schema).statusCode());
                incarnation.set(round);
            }
            int before = acknowledged.size();
            Await.until(Duration.ofSeconds(30), acknowledged::size, n -> n > before + 20, n -> n + " rows acknowledged");
        } finally {
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
        }
        assertTrue(Set.of("404 table_not_found", "503 storage_unavailable").containsAll(answers),
                "every insert is answered, as written or refused with a reason: " + answers);

        // Exported, as a query's answer holds at most max-result-rows (50 here).
        HttpResponse<String> export = node.get("/tables/racing/export?format=ndjson&columns=writer,seq");
        assertEquals(200, export.statusCode(), export.body());
        Set<String> kept = new HashSet<>();
        export.body().lines().map(line -> io.strata.node.http.Json.parse(line.getBytes(StandardCharsets.UTF_8)))
                .forEach(row -> kept.add(row.get("writer").asInt() + "-" + row.get("seq").asLong()));
        for (String row : kept) {
            assertTrue(acknowledged.containsKey(row), "only acknowledged rows are stored: " + row);
            assertTrue(acknowledged.get(row) >= 4, "a row acknowledged before the last drop came back: " + row);
        }
        acknowledged.forEach((row, sentIn) -> assertTrue(sentIn < 5 || kept.contains(row),
                "a row written to the table made again is there: " + row));
    }

    @Test
    void badSchemasAreRefused() {
        assertError(400, "invalid_schema", node.put("/tables/bad", "{\"columns\":[{\"name\":\"x\",\"type\":\"decimal\"}]}"));
        assertError(400, "invalid_schema", node.put("/tables/bad", "{\"columns\":[{\"name\":\"x\",\"type\":\"int64\"},{\"name\":\"x\",\"type\":\"bool\"}]}"));
        assertError(400, "invalid_schema", node.put("/tables/bad", "{\"columns\":[{\"name\":\"x\",\"type\":\"int64\",\"nullable\":\"yes\"}]}"));
        assertError(400, "invalid_schema", node.put("/tables/bad", "{\"columns\":[{\"name\":\"x\",\"type\":\"int64\",\"default\":1}]}"));
        assertError(400, "invalid_schema", node.put("/tables/bad", "{\"columns\":[]}"));
        assertError(400, "invalid_schema", node.put("/tables/bad", "{\"shards\":2}"));
        assertError(400, "invalid_schema", node.put("/tables/bad", "{\"colums\":[]}"));
        assertError(400, "invalid_shards", node.put("/tables/bad", EVENTS.replace("\"shards\":2", "\"shards\":0")));
        assertError(400, "invalid_shards", node.put("/tables/bad", EVENTS.replace("\"shards\":2", "\"shards\":\"two\"")));
        assertError(400, "invalid_json", node.put("/tables/bad", "{\"columns\":"));
        assertEquals(400, node.put("/tables/bad%20name", EVENTS).statusCode());
        assertError(404, "table_not_found", node.get("/tables/bad"));
    }

    @Test
    void rowsAreValidatedOneByOneInEveryFormat() {
        create("ingest");
        HttpResponse<String> json = node.post("/tables/ingest/rows", "[{\"user\":1,\"kind\":\"buy\",\"amount\":2.5,\"ts\":\"2026-01-01T00:00:00Z\"},"
                + "{\"user\":\"x\",\"kind\":\"buy\",\"ts\":0},{\"kind\":\"buy\",\"ts\":0},{\"user\":2,\"kind\":\"buy\",\"ts\":\"yesterday\"},"
                + "{\"user\":3,\"kind\":\"view\",\"ts\":1767225600000,\"extra\":1},{\"user\":4,\"kind\":\"view\",\"amount\":null,\"ts\":1}]");
        assertEquals(200, json.statusCode(), json.body());
        JsonNode reply = json(json);
        assertEquals(2, reply.get("accepted").asInt());
        assertEquals(4, reply.get("rejected").asInt());
        assertEquals(1, reply.at("/rejections/0/row").asInt());
        assertTrue(reply.at("/rejections/0/reason").asText().contains("'user' must be an int64"), reply.toString());
        assertTrue(reply.at("/rejections/1/reason").asText().contains("missing non-null column 'user'"), reply.toString());
        assertTrue(reply.at("/rejections/2/reason").asText().contains("not an ISO-8601 timestamp"), reply.toString());
        assertTrue(reply.at("/rejections/3/reason").asText().contains("unknown column 'extra'"), reply.toString());

        HttpResponse<String> ndjson = post("/tables/ingest/rows", "application/x-ndjson",
                "{\"user\":5,\"kind\":\"a\",\"ts\":5}\nnot json\n\n{\"user\":6,\"kind\":\"b\",\"ts\":6}\n");
        assertEquals(2, json(ndjson).get("accepted").asInt(), ndjson.body());
        assertEquals(1, json(ndjson).at("/rejections/0/row").asInt(), ndjson.body());

        HttpResponse<String> csv = post("/tables/ingest/rows", "text/csv",
                "ts,user,kind,amount\n2026-01-01T00:00:00Z,7,\"with, comma\",\n1,8,b,not-a-number\n2,9,c,1e3\n");
        assertEquals(2, json(csv).get("accepted").asInt(), csv.body());
        assertTrue(json(csv).at("/rejections/0/reason").asText().contains("'amount' must be a float64"), csv.body());
        assertEquals(6, count("ingest"));

        assertError(400, "invalid_csv", post("/tables/ingest/rows", "text/csv", "user,nope\n1,2\n"));
        assertError(400, "invalid_protobuf", node.send(node.request("/tables/ingest/rows").header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, 0x01, 0x02}))));
        assertError(400, "invalid_json", node.post("/tables/ingest/rows", "[{\"user\":"));
        assertEquals(6, count("ingest"), "bad batches store nothing");

        // Values that would be stored changed reject their row (a float64 beyond its range would be
        // infinity; a lone surrogate would be "?"); a body with more after its JSON, or a parameter
        // given twice, refuses the request.
        JsonNode overflow = json(node.post("/tables/ingest/rows", "[{\"user\":10,\"kind\":\"a\",\"amount\":1e400,\"ts\":1},"
                + "{\"user\":11,\"kind\":\"a\",\"amount\":-1e400,\"ts\":1},{\"user\":12,\"kind\":\"\\ud800\",\"ts\":1}]"));
        assertEquals(0, overflow.get("accepted").asInt(), overflow.toString());
        assertTrue(overflow.at("/rejections/0/reason").asText().contains("beyond the range of a 64-bit float"), overflow.toString());
        assertTrue(overflow.at("/rejections/2/reason").asText().contains("unpaired surrogate"), overflow.toString());
        assertError(422, "rows_rejected", node.post("/tables/ingest/rows?atomic=true", "[{\"user\":10,\"kind\":\"a\",\"ts\":1},"
                + "{\"user\":11,\"kind\":\"a\",\"amount\":1e400,\"ts\":1}]"));
        JsonNode lines = json(node.send(node.request("/tables/ingest/rows").header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(("{\"user\":13,\"kind\":\"a\",\"ts\":1} junk\n"
                        + "{\"user\":14,\"kind\":\"a\",\"ts\":1}{\"user\":15,\"kind\":\"a\",\"ts\":1}\n"
                        + "{\"user\":16,\"kind\":\"a\",\"amount\":1e400,\"ts\":1}\n"
                        + "{\"user\":17,\"kind\":\"\u00ff\",\"ts\":1}\n").getBytes(StandardCharsets.ISO_8859_1)))));
        assertEquals(0, lines.get("accepted").asInt(), lines.toString());
        assertEquals(4, lines.get("rejected").asInt(), lines.toString());
        JsonNode csvOverflow = json(post("/tables/ingest/rows", "text/csv", "user,kind,ts,amount\n18,a,1,1e400\n19,a,1,NaN\n20,a,1,Infinity\n"));
        assertEquals(0, csvOverflow.get("accepted").asInt(), csvOverflow.toString());
        assertError(400, "invalid_json", node.post("/tables/ingest/rows", "[{\"user\":21,\"kind\":\"a\",\"ts\":1}]xyz"));
        assertError(400, "invalid_json", node.post("/tables/ingest/rows", "[{\"user\":21,\"kind\":\"a\",\"ts\":1}]\n[{\"user\":22,\"kind\":\"a\",\"ts\":1}]"));
        assertError(400, "duplicate_parameter", node.post("/tables/ingest/rows?atomic=true&atomic=false", "[{\"user\":23,\"kind\":\"a\",\"ts\":1}]"));
        assertError(400, "invalid_utf8", node.post("/tables/ingest%ff/rows", "[{\"user\":24,\"kind\":\"a\",\"ts\":1}]"));
        assertError(400, "invalid_utf8", node.post("/tables/ingest/rows?dead_letter=%ff", "[{\"user\":25,\"kind\":\"a\",\"ts\":1}]"));
        assertEquals(6, count("ingest"), "nothing of these was stored");
    }

    @Test
    void anAtomicBatchIsAllOrNothingAndDeadLettersKeepRejectedRows() {
        create("atomic");
        String batch = "[{\"user\":1,\"kind\":\"a\",\"ts\":1},{\"user\":\"bad\",\"kind\":\"a\",\"ts\":1}]";
        assertError(422, "rows_rejected", node.post("/tables/atomic/rows?atomic=true", batch));
        assertEquals(0, count("atomic"));
        assertError(400, "invalid_parameter", node.post("/tables/atomic/rows?atomic=maybe", batch));
        HttpResponse<String> whole = node.post("/tables/atomic/rows?atomic=true", "[{\"user\":1,\"kind\":\"a\",\"ts\":1},{\"user\":2,\"kind\":\"a\",\"ts\":1}]");
        assertEquals(2, json(whole).get("accepted").asInt(), whole.body());

        HttpResponse<String> dead = node.post("/tables/atomic/rows?dead_letter=atomic.rejects", batch);
        assertEquals(200, dead.statusCode(), dead.body());
        assertEquals("atomic.rejects", json(dead).get("dead_letter_topic").asText());
        assertEquals(3, count("atomic"));
        JsonNode records = json(node.get("/topics/atomic.rejects/partitions/0/records?offset=0"));
        assertEquals(1, records.get("records").size(), records.toString());
        JsonNode value = records.at("/records/0/value");
        assertEquals("atomic", value.get("table").asText());
        assertEquals(1, value.get("row").asInt());
        assertTrue(value.get("reason").asText().contains("must be an int64"), value.toString());
    }

    @Test
    void anIdempotentProducerInsertIsAppliedOnce() {
        create("idempotent");
        String batch = "[{\"user\":1,\"kind\":\"a\",\"ts\":1},{\"user\":2,\"kind\":\"a\",\"ts\":1}]";
        JsonNode first = json(node.post("/tables/idempotent/rows?producer=loader-1&sequence=7", batch));
        assertEquals(2, first.get("accepted").asInt(), first.toString());
        assertFalse(first.get("duplicate").asBoolean());
        JsonNode retried = json(node.post("/tables/idempotent/rows?producer=loader-1&sequence=7", batch));
        assertEquals(0, retried.get("accepted").asInt(), retried.toString());
        assertTrue(retried.get("duplicate").asBoolean(), retried.toString());
        assertEquals(2, count("idempotent"));
        assertEquals(2, json(node.post("/tables/idempotent/rows?producer=loader-1&sequence=8", batch)).get("accepted").asInt());
        assertEquals(4, count("idempotent"));
        assertError(400, "invalid_producer", node.post("/tables/idempotent/rows?producer=loader-1", batch));
        assertError(400, "invalid_producer", node.post("/tables/idempotent/rows?producer=loader-1&sequence=x", batch));
        assertError(400, "invalid_producer", node.post("/tables/idempotent/rows?producer=loader-1&sequence=-1", batch));
    }

    @Test
    void badQueriesGetA400ThatNamesTheProblem() {
        create("queries");
        node.post("/tables/queries/rows", "[{\"user\":1,\"kind\":\"a\",\"ts\":1}]");
        assertError(400, "unknown_column", node.post("/tables/queries/query", "{\"select\":[\"nope\"]}"));
        assertError(400, "invalid_aggregate", node.post("/tables/queries/query", "{\"aggregates\":[{\"fn\":\"sum\",\"column\":\"kind\",\"as\":\"s\"}]}"));
        assertEquals(400, node.post("/tables/queries/query", "{\"select\":[\"user\"],\"where\":{\"column\":\"user\",\"op\":\"=\",\"value\":\"one\"}}").statusCode());
        assertEquals(400, node.post("/tables/queries/query", "{\"select\":[\"ts\"],\"where\":{\"column\":\"ts\",\"op\":\">\",\"value\":\"not a time\"}}").statusCode());
        assertError(400, "invalid_json", node.post("/tables/queries/query", "{\"select\":"));
        assertError(400, "invalid_query", node.post("/tables/queries/query", "{\"selekt\":[\"user\"]}"));
        assertError(400, "invalid_timeout", node.post("/tables/queries/query", "{\"select\":[\"user\"],\"timeout_ms\":-1}"));
        assertError(400, "invalid_format", node.post("/tables/queries/query?format=xml", "{\"select\":[\"user\"]}"));
        assertError(400, "invalid_json", node.post("/tables/queries/query", "{\"select\":[\"user\"]} {\"select\":[\"kind\"]}"));
        assertError(400, "invalid_number", node.post("/tables/queries/query",
                "{\"select\":[\"user\"],\"where\":{\"column\":\"amount\",\"op\":\">\",\"value\":1e400}}"));
        assertError(400, "duplicate_parameter", node.post("/tables/queries/query?format=csv&format=json", "{\"select\":[\"user\"]}"));
        assertError(400, "duplicate_parameter", node.get("/tables/queries/export?columns=user&columns=kind"));
        assertError(404, "table_not_found", node.post("/tables/none/query", "{\"select\":[\"user\"]}"));
    }

    @Test
    void anAnswerOverTheLimitIsRefusedButCanBeExported() {
        create("big");
        StringBuilder rows = new StringBuilder("user,kind,amount,ts\n");
        for (int i = 0; i < 200; i++) {
            rows.append(i).append(",k").append(i % 7).append(',').append(i % 3 == 0 ? "" : String.valueOf(i / 4.0)).append(',').append(i).append('\n');
        }
        assertEquals(200, json(post("/tables/big/rows", "text/csv", rows.toString())).get("accepted").asInt());
        assertError(422, "result_too_large", node.post("/tables/big/query", "{\"select\":[\"user\"]}"));
        assertError(422, "result_too_large", node.post("/tables/big/query", "{\"select\":[\"user\"],\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}],\"group_by\":[\"user\"]}"));
        assertEquals(10, json(node.post("/tables/big/query", "{\"select\":[\"user\"],\"limit\":10}")).get("rows").size());

        HttpResponse<String> csv = node.post("/tables/big/query?format=csv", "{\"select\":[\"user\",\"amount\"],\"where\":{\"column\":\"user\",\"op\":\">=\",\"value\":100}}");
        assertEquals(200, csv.statusCode(), csv.body());
        assertTrue(csv.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
        String[] lines = csv.body().split("\n");
        assertEquals("user,amount", lines[0]);
        assertEquals(101, lines.length, "a header and the 100 matching rows");

        HttpResponse<String> limited = node.send(node.request("/tables/big/query").header("Accept", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString("{\"select\":[\"user\",\"kind\"],\"limit\":70}")));
        assertEquals(70, limited.body().lines().count(), limited.body());
        assertTrue(limited.body().lines().allMatch(l -> l.startsWith("{\"user\":")), limited.body());
    }

    @Test
    void anExportedTableLoadsBackIntoAnotherTableUnchanged() {
        create("source");
        create("copy");
        StringBuilder rows = new StringBuilder("[");
        String[] kinds = {"plain", "with, comma", "with \"quotes\"", "line\nbreak", " padded ", ""};
        for (int i = 0; i < 300; i++) {
            JsonNode kind = io.strata.node.http.Json.MAPPER.valueToTree(kinds[i % kinds.length]);
            rows.append(i > 0 ? "," : "").append("{\"user\":").append(i - 150).append(",\"kind\":").append(kind)
                    .append(",\"amount\":").append(i % 5 == 0 ? "null" : String.valueOf(i * 1.5)).append(",\"ts\":").append(1767225600000L + i).append('}');
        }
        assertEquals(300, json(node.post("/tables/source/rows", rows.append(']').toString())).get("accepted").asInt());

        HttpResponse<String> csv = node.get("/tables/source/export?format=csv");
        assertEquals(200, csv.statusCode(), csv.body());
        HttpResponse<String> loaded = post("/tables/copy/rows", "text/csv", csv.body());
        assertEquals(300, json(loaded).get("accepted").asInt(), loaded.body());

        String query = "{\"select\":[\"user\",\"kind\",\"amount\",\"ts\"],\"order_by\":[{\"column\":\"user\"}],\"limit\":1000}";
        JsonNode original = json(node.post("/tables/source/query", query.replace("1000", "50"))).get("rows");
        JsonNode copied = json(node.post("/tables/copy/query", query.replace("1000", "50"))).get("rows");
        assertEquals(original, copied);

        HttpResponse<String> ndjson = node.get("/tables/source/export?format=ndjson&columns=user,kind");
        assertEquals(300, ndjson.body().lines().count());
        assertTrue(ndjson.body().lines().allMatch(l -> l.startsWith("{\"user\":") && l.contains("\"kind\":")));
        assertError(400, "unknown_column", node.get("/tables/source/export?columns=user,nope"));

        // Seals run in the background and may lag behind ingest on a busy machine.
        JsonNode described = Await.until(java.time.Duration.ofSeconds(60), () -> json(node.get("/tables/source")),
                d -> d.get("memory_rows").asLong() < 2 * 64, d -> "the seals did not catch up: " + d);
        assertEquals(300, described.get("rows").asLong());
        assertTrue(described.get("segments").asInt() >= 2, described.toString());
        assertTrue(described.at("/columns/3/compression_ratio").asDouble() > 2, "timestamps compress: " + described);
    }
}
