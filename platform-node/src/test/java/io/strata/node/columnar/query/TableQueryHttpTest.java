package io.strata.node.columnar.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.columnar.Column;
import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.proto.IngestRow;
import io.strata.node.columnar.proto.IngestRows;
import io.strata.node.columnar.proto.IngestValue;
import io.strata.node.http.Json;
import io.strata.node.testing.Await;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.strata.node.columnar.query.Fixtures.SCHEMA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random queries over HTTP against a real node whose table has three shards, tiny blocks and
 * segments (so rows sit in sealed segments, in blocks being sealed and in the tail at once),
 * compared with the naive {@link Reference} over the same rows: the shards' partial answers,
 * merged at the gateway, must give the reference's answer, before and after a restart.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TableQueryHttpTest {

    private static final Map<String, String> SMALL_SEGMENTS = Map.of(
            "strata.columnar.block-rows", "64",
            "strata.columnar.segment-rows", "256");

    @Test
    void shardedQueriesMatchTheReferenceBeforeAndAfterARestart(@TempDir Path dir) throws Exception {
        Random r = new Random(2026);
        List<Object[]> rows = Fixtures.randomRows(r, 3000, 0.1);
        rows.replaceAll(TableQueryHttpTest::withoutNaN);
        List<JsonNode> queries = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            queries.add(RandomizedQueryTest.randomQuery(r));
        }
        try (TestNode node = TestNode.start(dir, SMALL_SEGMENTS)) {
            createTable(node, "fx", 3);
            ingest(node, "fx", rows.subList(0, rows.size() - 10), r);
            awaitSealed(node, "fx", 3);
            ingest(node, "fx", rows.subList(rows.size() - 10, rows.size()), r);
            JsonNode described = TestNode.json(node.get("/tables/fx"));
            assertEquals(rows.size(), described.get("rows").asLong(), described.toString());
            assertTrue(described.get("segments").asInt() >= 3, "the shards sealed segments: " + described);
            assertTrue(described.get("memory_rows").asLong() > 0, "some rows are still in the tails: " + described);
            checkAll(node, "fx", queries, rows);
        }
        try (TestNode node = TestNode.start(dir, SMALL_SEGMENTS)) {
            assertEquals(rows.size(), TestNode.json(node.get("/tables/fx")).get("rows").asLong());
            checkAll(node, "fx", queries.subList(0, 50), rows);
        }
    }

    @Test
    void zoneMapsSkipSegmentsAndBlocksOutsideATimeRange(@TempDir Path dir) throws Exception {
        Random r = new Random(7);
        List<Object[]> rows = Fixtures.randomRows(r, 2000, 0.05);
        rows.replaceAll(TableQueryHttpTest::withoutNaN);
        rows.removeIf(row -> row[5] == null);
        rows.sort((x, y) -> Long.compare((Long) x[5], (Long) y[5]));
        try (TestNode node = TestNode.start(dir, SMALL_SEGMENTS)) {
            createTable(node, "sorted", 1);
            ingest(node, "sorted", rows, r);
            awaitSealed(node, "sorted", 1);
            String from = Instant.ofEpochMilli(Fixtures.T0 + 10 * 3_600_000L).toString();
            String to = Instant.ofEpochMilli(Fixtures.T0 + 12 * 3_600_000L).toString();
            JsonNode query = RandomizedQueryTest.parse("{\"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"},"
                    + " {\"fn\": \"sum\", \"column\": \"v\", \"as\": \"s\"}],"
                    + " \"where\": {\"column\": \"ts\", \"op\": \"between\", \"value\": [\"" + from + "\", \"" + to + "\"]}}");
            JsonNode answer = TestNode.json(node.post("/tables/sorted/query", query.toString()));
            assertEquals(Reference.run(query, SCHEMA, rows), values(query, answer));
            JsonNode stats = answer.get("stats");
            assertTrue(stats.get("segments_scanned").asInt() >= 1, "the range lies in a sealed segment: " + stats);
            assertTrue(stats.get("segments_skipped").asInt() >= 2, "whole segments skipped: " + stats);
            assertTrue(stats.get("blocks_skipped").asInt() >= 20, "blocks skipped: " + stats);
            assertTrue(stats.get("rows_scanned").asLong() < rows.size() / 4, "rows scanned: " + stats);
            assertTrue(stats.get("bytes_read").asLong() > 0, "blocks read from a segment file: " + stats);
        }
    }

    /**
     * Waits until every shard's tail is below the segment size: seals run in the background, one
     * at a time per shard, so on a busy machine they lag behind ingest for a while.
     */
    private static void awaitSealed(TestNode node, String table, int shards) {
        JsonNode described = Await.until(Duration.ofSeconds(60), () -> TestNode.json(node.get("/tables/" + table)),
                TableQueryHttpTest::sealed, d -> "the seals did not catch up: " + d);
        assertEquals(shards, described.get("shard_sizes").size());
    }

    private static boolean sealed(JsonNode described) {
        for (JsonNode shard : described.get("shard_sizes")) {
            if (shard.get("memory_rows").asLong() >= 256) {
                return false;
            }
        }
        return true;
    }

    private static Object[] withoutNaN(Object[] row) {
        // JSON answers cannot carry NaN; the engine's NaN handling is covered by RandomizedQueryTest.
        if (row[3] instanceof Double d && d.isNaN()) {
            row[3] = 0.5;
        }
        return row;
    }

    static void createTable(TestNode node, String table, int shards) {
        StringBuilder columns = new StringBuilder();
        for (Column c : SCHEMA.columns()) {
            columns.append(columns.length() > 0 ? "," : "").append("{\"name\":\"").append(c.name())
                    .append("\",\"type\":\"").append(c.type().jsonName()).append("\",\"nullable\":true}");
        }
        HttpResponse<String> created = node.put("/tables/" + table, "{\"columns\":[" + columns + "],\"shards\":" + shards + "}");
        assertEquals(201, created.statusCode(), created.body());
    }

    /** Ingests the rows in batches of random sizes, alternately as Protobuf and NDJSON. */
    private static void ingest(TestNode node, String table, List<Object[]> rows, Random r) {
        int i = 0;
        boolean protobuf = true;
        while (i < rows.size()) {
            List<Object[]> batch = rows.subList(i, Math.min(rows.size(), i + 1 + r.nextInt(300)));
            HttpRequest.Builder request = node.request("/tables/" + table + "/rows");
            if (protobuf) {
                request.header("Content-Type", "application/x-protobuf")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(protobufRows(batch).toByteArray()));
            } else {
                request.header("Content-Type", "application/x-ndjson")
                        .POST(HttpRequest.BodyPublishers.ofString(ndjsonRows(batch)));
            }
            HttpResponse<String> reply = node.send(request);
            assertEquals(200, reply.statusCode(), reply.body());
            assertEquals(batch.size(), TestNode.json(reply).get("accepted").asInt(), reply.body());
            i += batch.size();
            protobuf = !protobuf;
        }
    }

    private static IngestRows protobufRows(List<Object[]> rows) {
        IngestRows.Builder message = IngestRows.newBuilder();
        for (Object[] row : rows) {
            IngestRow.Builder b = IngestRow.newBuilder();
            for (int c = 0; c < row.length; c++) {
                Column column = SCHEMA.columns().get(c);
                Object v = row[c];
                IngestValue.Builder value = IngestValue.newBuilder();
                if (v == null) {
                    // Leaving a column out and sending null_value both mean null.
                    if (c % 2 == 0) {
                        continue;
                    }
                    value.setNullValue(true);
                } else {
                    switch (column.type()) {
                        case INT64 -> value.setInt64Value((Long) v);
                        case FLOAT64 -> value.setFloat64Value((Double) v);
                        case STRING -> value.setStringValue((String) v);
                        case BOOL -> value.setBoolValue((Boolean) v);
                        case TIMESTAMP -> value.setTimestampMs((Long) v);
                    }
                }
                b.putValues(column.name(), value.build());
            }
            message.addRows(b);
        }
        return message.build();
    }

    private static String ndjsonRows(List<Object[]> rows) {
        StringBuilder body = new StringBuilder();
        for (Object[] row : rows) {
            var object = Json.MAPPER.createObjectNode();
            for (int c = 0; c < row.length; c++) {
                Column column = SCHEMA.columns().get(c);
                if (row[c] == null) {
                    object.putNull(column.name());
                } else if (column.type() == ColumnType.TIMESTAMP) {
                    object.put(column.name(), Instant.ofEpochMilli((Long) row[c]).toString());
                } else {
                    object.set(column.name(), Json.MAPPER.valueToTree(row[c]));
                }
            }
            body.append(object).append('\n');
        }
        return body.toString();
    }

    private static void checkAll(TestNode node, String table, List<JsonNode> queries, List<Object[]> rows) {
        int seed = 0;
        for (JsonNode query : queries) {
            List<List<Object>> expected;
            try {
                expected = Reference.run(query, SCHEMA, rows);
            } catch (ArithmeticException overflow) {
                continue;
            }
            HttpResponse<String> reply = node.post("/tables/" + table + "/query", query.toString());
            assertEquals(200, reply.statusCode(), query + " → " + reply.body());
            RandomizedQueryTest.compare(query, expected, values(query, TestNode.json(reply)), rows, seed++);
        }
    }

    /** The answer's rows as the reference gives them: Long, Double, String, Boolean, ISO timestamps. */
    private static List<List<Object>> values(JsonNode query, JsonNode answer) {
        List<ColumnType> types = Query.parse(query, SCHEMA).outputTypes();
        List<List<Object>> rows = new ArrayList<>();
        for (JsonNode row : answer.get("rows")) {
            List<Object> values = new ArrayList<>();
            for (int i = 0; i < types.size(); i++) {
                JsonNode v = row.get(i);
                values.add(v.isNull() ? null : switch (types.get(i)) {
                    case INT64 -> v.longValue();
                    case FLOAT64 -> v.doubleValue();
                    case STRING, TIMESTAMP -> v.textValue();
                    case BOOL -> v.booleanValue();
                });
            }
            rows.add(values);
        }
        return rows;
    }
}
