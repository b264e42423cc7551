package io.strata.node.bus;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.bus.proto.ProduceRequest;
import io.strata.node.bus.proto.ProduceResponse;
import io.strata.node.bus.proto.ReadResponse;
import io.strata.node.bus.proto.ValueFormat;
import io.strata.node.http.Json;
import io.strata.node.testing.TestNode;

import static io.strata.node.testing.TestNode.assertError;
import static io.strata.node.testing.TestNode.json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bus HTTP API on a real node: topics, produce in every format, reads, retention, bad input. */
class BusHttpTest {

    @TempDir
    static Path dir;

    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of(
                "strata.bus.max-record-bytes", "1000",
                "strata.bus.max-batch-records", "50",
                "strata.bus.roll-cycle", "TEST_SECONDLY",
                "strata.bus.retention-check-interval", "200ms"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static void createTopic(String topic, String body) {
        var created = node.put("/topics/" + topic, body);
        assertEquals(201, created.statusCode(), created.body());
    }

    @Test
    void producesAndReadsWithDenseOffsetsPerPartition() {
        createTopic("orders", "{\"partitions\": 3}");
        String batch = IntStream.range(0, 30).mapToObj(i -> "{\"key\":\"user-" + (i % 5) + "\",\"value\":{\"n\":" + i + "}}")
                .collect(Collectors.joining(",", "[", "]"));
        var produced = node.post("/topics/orders/records", batch);
        assertEquals(200, produced.statusCode(), produced.body());
        JsonNode offsets = json(produced).get("offsets");
        assertEquals(30, offsets.size());

        int total = 0;
        for (int p = 0; p < 3; p++) {
            JsonNode read = json(node.get("/topics/orders/partitions/" + p + "/records?offset=earliest&max=1000"));
            JsonNode records = read.get("records");
            for (int i = 0; i < records.size(); i++) {
                assertEquals(i, records.get(i).get("offset").asLong(), "dense offsets from 0");
            }
            assertEquals(records.size(), read.get("next_offset").asLong());
            total += records.size();
        }
        assertEquals(30, total);

        // The same key always lands in the same partition, in produce order.
        int partitionOfUser0 = offsets.get(0).get("partition").asInt();
        for (int i = 0; i < 30; i += 5) {
            assertEquals(partitionOfUser0, offsets.get(i).get("partition").asInt());
        }
        JsonNode page = json(node.get("/topics/orders/partitions/" + partitionOfUser0 + "/records?offset=0&max=2"));
        assertEquals(2, page.get("records").size(), "max bounds a read");
        assertEquals(2, page.get("next_offset").asLong());
        JsonNode latest = json(node.get("/topics/orders/partitions/0/records?offset=latest"));
        assertEquals(0, latest.get("records").size(), "latest is the end of the partition");
    }

    @Test
    void valuesReadBackAsTheyWereWritten() {
        createTopic("formats", "{\"partitions\": 1}");
        var produced = node.post("/topics/formats/records", "["
                + "{\"value\":\"text\"},"
                + "{\"value\":{\"a\":[1,2]},\"key\":\"k\",\"headers\":{\"source\":\"test\"}},"
                + "{\"value_base64\":\"AP8=\"},"
                + "{\"value\":7,\"timestamp\":\"2026-01-02T03:04:05Z\"}]");
        assertEquals(200, produced.statusCode(), produced.body());
        JsonNode records = json(node.get("/topics/formats/partitions/0/records")).get("records");
        assertEquals("text", records.get(0).get("value").asText());
        assertTrue(records.get(0).get("timestamp").asLong() > 0, "a record without a timestamp gets the append time");
        assertEquals("{\"a\":[1,2]}", records.get(1).get("value").toString());
        assertEquals("k", records.get(1).get("key").asText());
        assertEquals("test", records.get(1).get("headers").get("source").asText());
        assertEquals("AP8=", records.get(2).get("value_base64").asText());
        assertEquals(7, records.get(3).get("value").asInt());
        assertEquals(java.time.Instant.parse("2026-01-02T03:04:05Z").toEpochMilli(), records.get(3).get("timestamp").asLong());
    }

    @Test
    void ndjsonAndProtobufProduceAndRead() throws Exception {
        createTopic("wire", "{\"partitions\": 2}");
        var ndjson = node.send(node.request("/topics/wire/records").header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString("{\"value\":\"a\",\"partition\":1}\n\n{\"value\":\"b\",\"partition\":1}\n")));
        assertEquals(200, ndjson.statusCode(), ndjson.body());
        assertEquals(2, json(ndjson).get("offsets").size());

        ProduceRequest request = ProduceRequest.newBuilder()
                .addRecords(BusRecord.newBuilder().setPartition(1).setValue(com.google.protobuf.ByteString.copyFromUtf8("c")))
                .addRecords(BusRecord.newBuilder().setKey("k").setValue(com.google.protobuf.ByteString.copyFrom(new byte[]{1, 2})))
                .build();
        var proto = node.sendForBytes(node.request("/topics/wire/records").header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray())));
        assertEquals(200, proto.statusCode());
        ProduceResponse positions = ProduceResponse.parseFrom(proto.body());
        assertEquals(1, positions.getPositions(0).getPartition());
        assertEquals(2, positions.getPositions(0).getOffset(), "continues after the NDJSON records");

        var read = node.sendForBytes(node.request("/topics/wire/partitions/1/records?offset=0").header("Accept", "application/x-protobuf").GET());
        ReadResponse response = ReadResponse.parseFrom(read.body());
        assertEquals(response.getRecordsCount(), response.getNextOffset());
        assertEquals("b", response.getRecords(1).getValue().toStringUtf8());
        assertEquals("c", response.getRecords(2).getValue().toStringUtf8());
    }

    @Test
    void describeListAndDeleteTopics() throws Exception {
        createTopic("described", "{\"partitions\": 2, \"retention\": \"12h\", \"retention_bytes\": \"1g\"}");
        assertEquals(200, node.put("/topics/described", "{\"partitions\": 2, \"retention\": \"12h\", \"retention_bytes\": \"1g\"}").statusCode());
        assertError(409, "topic_exists", node.put("/topics/described", "{\"partitions\": 3}"));
        node.post("/topics/described/records", "[{\"value\":\"x\",\"partition\":0},{\"value\":\"y\",\"partition\":0}]");
        JsonNode described = json(node.get("/topics/described"));
        assertEquals(2, described.get("partitions").asInt());
        assertEquals(12 * 3600 * 1000, described.get("retention_ms").asLong());
        assertEquals(1L << 30, described.get("retention_bytes").asLong());
        JsonNode p0 = described.get("offsets").get(0);
        assertEquals(0, p0.get("first_offset").asLong());
        assertEquals(2, p0.get("next_offset").asLong());
        assertTrue(p0.get("bytes").asLong() > 0 && p0.get("bytes").asLong() < 1_000_000, "bytes counts what records use");
        assertTrue(node.get("/topics").body().contains("\"described\""));

        assertEquals(204, node.delete("/topics/described").statusCode());
        assertError(404, "topic_not_found", node.get("/topics/described"));
        assertFalse(node.get("/topics").body().contains("\"described\""));
        assertFalse(Files.exists(dir.resolve("bus/described/0")), "a deleted topic's logs are removed");
        createTopic("described", "{\"partitions\": 1}");
        node.post("/topics/described/records", "[{\"value\":\"fresh\"}]");
        assertEquals(0, json(node.get("/topics/described/partitions/0/records")).get("records").get(0).get("offset").asLong(),
                "a re-created topic starts again at offset 0");
    }

    @Test
    void retentionDeletesOldFilesAndReadsBelowTheStartNameTheEarliestOffset() throws Exception {
        createTopic("short", "{\"partitions\": 1, \"retention\": \"1s\"}");
        long deadline = System.currentTimeMillis() + 20_000;
        int produced = 0;
        long earliest = 0;
        // Roll cycles are one second here; records keep arriving until retention has removed the oldest files.
        while (earliest == 0) {
            assertTrue(System.currentTimeMillis() < deadline, "retention never advanced the start offset");
            node.post("/topics/short/records", "[{\"value\":\"r" + produced + "\"}]");
            produced++;
            Thread.sleep(100);
            earliest = json(node.get("/topics/short")).get("offsets").get(0).get("first_offset").asLong();
        }
        var below = node.get("/topics/short/partitions/0/records?offset=0");
        assertError(416, "offset_out_of_range", below);
        assertTrue(json(below).get("error").get("message").asText().contains("earliest retained offset " + earliest),
                below.body());
        JsonNode fromEarliest = json(node.get("/topics/short/partitions/0/records?offset=earliest&max=1"));
        assertEquals(earliest, fromEarliest.get("records").get(0).get("offset").asLong());
    }

    @Test
    void aReadAtTheEndWaitsForTheNextRecordAndAnswersAsSoonAsItIsThere() throws Exception {
        createTopic("polled", "{\"partitions\": 1}");
        long started = System.nanoTime();
        var waiting = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> node.get("/topics/polled/partitions/0/records?offset=0&wait_ms=20000"));
        org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.TimeoutException.class,
                () -> waiting.get(300, java.util.concurrent.TimeUnit.MILLISECONDS), "the read waits at the end of the partition");
        node.post("/topics/polled/records", "[{\"value\":\"late\"}]");
        HttpResponse<String> read = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS);
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(200, read.statusCode(), read.body());
        assertEquals("late", json(read).get("records").get(0).get("value").asText());
        assertTrue(millis < 10_000, "answered when the record came, not at the end of the wait: " + millis + " ms");
        long before = System.nanoTime();
        HttpResponse<String> empty = node.get("/topics/polled/partitions/0/records?offset=1&wait_ms=200");
        assertEquals(0, json(empty).get("records").size());
        assertTrue(System.nanoTime() - before >= 190_000_000L, "nothing came: the whole wait");
        assertError(400, "invalid_wait", node.get("/topics/polled/partitions/0/records?wait_ms=-1"));
        assertError(400, "invalid_wait", node.get("/topics/polled/partitions/0/records?wait_ms=99999999"));
        assertError(400, "invalid_wait", node.get("/topics/polled/partitions/0/records?wait_ms=soon"));
    }

    @Test
    void badInputIsRefusedWithNothingAppended() {
        createTopic("strict", "{\"partitions\": 2}");
        node.post("/topics/strict/records", "[{\"value\":\"first\",\"partition\":0}]");

        assertError(404, "topic_not_found", node.post("/topics/missing/records", "[{\"value\":\"x\"}]"));
        assertError(404, "topic_not_found", node.get("/topics/missing/partitions/0/records"));
        assertError(400, "invalid_topic", node.put("/topics/bad%20name", "{}"));
        assertError(400, "invalid_partitions", node.put("/topics/other", "{\"partitions\": 0}"));
        assertError(400, "invalid_retention", node.put("/topics/other", "{\"retention\": \"soon\"}"));
        assertError(400, "invalid_retention", node.put("/topics/other", "{\"retention_bytes\": -5}"));
        assertError(400, "invalid_json", node.put("/topics/other", "{partitions"));

        // A bad record anywhere refuses the whole batch, naming it.
        var badIndex = node.post("/topics/strict/records", "[{\"value\":\"ok\",\"partition\":0},{\"key\":5,\"value\":\"x\"}]");
        assertError(400, "invalid_record", badIndex);
        assertTrue(json(badIndex).get("error").get("message").asText().startsWith("record 1:"));
        assertError(400, "invalid_record", node.post("/topics/strict/records", "[{\"value\":\"ok\"},{\"vaule\":\"typo\"}]"));
        assertError(400, "invalid_record", node.post("/topics/strict/records", "[{\"key\":\"no value\"}]"));
        assertError(400, "invalid_record", node.post("/topics/strict/records", "[{\"value\":\"x\",\"timestamp\":\"yesterday\"}]"));
        assertError(400, "invalid_record", node.post("/topics/strict/records", "[{\"value_base64\":\"***\"}]"));
        assertError(400, "invalid_record", node.post("/topics/strict/records", "[1, 2]"));
        assertError(400, "invalid_partition", node.post("/topics/strict/records", "[{\"value\":\"x\",\"partition\":2}]"));
        assertError(413, "record_too_large", node.post("/topics/strict/records", "[{\"value\":\"" + "x".repeat(1001) + "\"}]"));
        assertError(400, "invalid_batch", node.post("/topics/strict/records", "[]"));
        String tooMany = IntStream.range(0, 51).mapToObj(i -> "{\"value\":\"v\"}").collect(Collectors.joining(",", "[", "]"));
        assertError(400, "invalid_batch", node.post("/topics/strict/records", tooMany));
        assertError(400, "invalid_json", node.post("/topics/strict/records", "[{\"value\": }"));
        assertError(400, "invalid_record", node.send(node.request("/topics/strict/records").header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString("{\"value\":\"ok\"}\nnot json\n"))));
        assertError(400, "invalid_protobuf", node.send(node.request("/topics/strict/records").header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[]{(byte) 0xff, (byte) 0xff, 0x01}))));

        // Bodies that would be taken in part or changed: more after the JSON value, a number beyond
        // float64 (it would be stored as the string "Infinity"), a lone surrogate, bytes not UTF-8.
        assertError(400, "invalid_json", node.post("/topics/strict/records", "[{\"value\":1}]xyz"));
        assertError(400, "invalid_json", node.post("/topics/strict/records", "[{\"value\":1}]\n[{\"value\":2}]"));
        assertError(400, "invalid_json", node.post("/topics/strict/records", "{\"value\":1} {\"value\":2}"));
        assertError(400, "invalid_number", node.post("/topics/strict/records", "[{\"value\":1e400}]"));
        assertError(400, "invalid_number", node.post("/topics/strict/records", "[{\"value\":{\"deep\":[-1e400]}}]"));
        assertError(400, "invalid_string", node.post("/topics/strict/records", "[{\"value\":\"\\ud800\"}]"));
        assertError(400, "invalid_string", node.post("/topics/strict/records", "[{\"key\":\"\\udc00x\",\"value\":1}]"));
        assertError(400, "invalid_string", node.post("/topics/strict/records", "[{\"value\":1,\"headers\":{\"h\":\"\\ud800\"}}]"));
        assertError(400, "invalid_json", node.send(node.request("/topics/strict/records")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[]{'[', '{', '"', 'v', 'a', 'l', 'u', 'e', '"', ':', '"', (byte) 0xff, '"', '}', ']'}))));
        for (String lines : List.of("{\"value\":1} junk\n", "{\"value\":1}{\"value\":2}\n", "{\"value\":1e400}\n", "{\"value\":\"\\ud800\"}\n")) {
            assertError(400, "invalid_record", node.send(node.request("/topics/strict/records").header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"value\":\"ok\"}\n" + lines))));
        }
        assertError(400, "invalid_record", node.send(node.request("/topics/strict/records").header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[]{'{', '"', 'v', 'a', 'l', 'u', 'e', '"', ':', '"', (byte) 0xfe, '"', '}', '\n'}))));
        for (BusRecord poison : List.of(
                BusRecord.newBuilder().setFormat(ValueFormat.JSON).setValue(ByteString.copyFromUtf8("{not json")).build(),
                BusRecord.newBuilder().setFormat(ValueFormat.JSON).setValue(ByteString.copyFromUtf8("[1e400]")).build(),
                BusRecord.newBuilder().setFormat(ValueFormat.JSON).setValue(ByteString.copyFromUtf8("1 2")).build(),
                BusRecord.newBuilder().setFormat(ValueFormat.TEXT).setValue(ByteString.copyFrom(new byte[]{(byte) 0xff})).build())) {
            // Reads give TEXT and JSON values back as text and JSON: one that is not would fail every read of it.
            assertError(400, "invalid_record", node.send(node.request("/topics/strict/records").header("Content-Type", "application/x-protobuf")
                    .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(ProduceRequest.newBuilder()
                            .addRecords(BusRecord.newBuilder().setValue(ByteString.copyFromUtf8("fine"))).addRecords(poison).build().toByteArray()))));
        }
        assertError(400, "invalid_json", node.put("/topics/other", "{\"partitions\": 1} {\"partitions\": 2}"));
        assertError(400, "invalid_retention", node.put("/topics/other", "{\"retention\": \"999999999999d\"}"));
        assertError(400, "invalid_retention", node.put("/topics/other", "{\"retention_bytes\": 99999999999999999999}"));
        assertError(400, "invalid_retention", node.put("/topics/other", "{\"retention_bytes\": 1.5}"));
        assertError(400, "invalid_number", node.put("/topics/other", "{\"retention_bytes\": 1e400}"));
        assertError(400, "invalid_utf8", node.put("/topics/t%ff", "{}"));
        assertError(400, "invalid_utf8", node.post("/topics/strict%fe/records", "[{\"value\":\"x\"}]"));
        assertError(400, "invalid_utf8", node.get("/topics/strict/partitions/0/records?max=%ff"));
        assertError(400, "duplicate_parameter", node.get("/topics/strict/partitions/0/records?offset=0&offset=1"));
        assertError(400, "duplicate_parameter", node.get("/topics/strict/partitions/0/stream?offset=0&offset=latest"));
        assertError(404, "topic_not_found", node.get("/topics/other"));

        assertError(404, "invalid_partition", node.get("/topics/strict/partitions/2/records"));
        assertError(400, "invalid_offset", node.get("/topics/strict/partitions/0/records?offset=-1"));
        assertError(400, "invalid_offset", node.get("/topics/strict/partitions/0/records?offset=abc"));
        assertError(416, "offset_out_of_range", node.get("/topics/strict/partitions/0/records?offset=5"));
        assertError(400, "invalid_max", node.get("/topics/strict/partitions/0/records?max=0"));

        JsonNode described = json(node.get("/topics/strict")).get("offsets");
        assertEquals(1, described.get(0).get("next_offset").asLong(), "no refused batch appended anything");
        assertEquals(0, described.get(1).get("next_offset").asLong());
    }
}
