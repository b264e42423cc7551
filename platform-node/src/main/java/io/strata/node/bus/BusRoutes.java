package io.strata.node.bus;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.bus.proto.ProduceRequest;
import io.strata.node.bus.proto.ProduceResponse;
import io.strata.node.bus.proto.ReadResponse;
import io.strata.node.bus.proto.RecordPosition;
import io.strata.node.bus.proto.ValueFormat;
import io.strata.node.common.StrataException;
import io.strata.node.common.Utf8;
import io.strata.node.http.Json;
import io.strata.node.http.StrataRoutes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The bus HTTP API:
 * <pre>
 * GET    /topics                                   topics
 * PUT    /topics/{t}                               {"partitions": N, "retention": "7d", "retention_bytes": "10g"}
 * GET    /topics/{t}                               partitions with first/next offsets and bytes
 * DELETE /topics/{t}
 * POST   /topics/{t}/records                       JSON array or object | NDJSON | Protobuf → positions
 * GET    /topics/{t}/partitions/{p}/records?offset=N|earliest|latest&amp;max=M&amp;wait_ms=W  (W: a long poll at the end)
 * DELETE /topics/{t}/partitions/{p}/records?before=N|latest   the records before N (Kafka's DeleteRecords) → the new log start
 * </pre>
 * A JSON record is {@code {"key", "value" | "value_base64", "timestamp", "headers", "partition"}}; a
 * JSON string value is stored as text, any other JSON value as JSON, {@code value_base64} as bytes,
 * and each reads back the way it was written.
 */
public final class BusRoutes extends StrataRoutes {

    private static final Set<String> RECORD_FIELDS = Set.of("key", "value", "value_base64", "timestamp", "headers", "partition");

    private final BusStore store;

    public BusRoutes(BusStore store) {
        this.store = store;
    }

    @Override
    public Route routes() {
        return pathPrefix("topics", () -> concat(
                pathEndOrSingleSlash(() -> get(() -> complete(Json.ok(Map.of("topics", store.topics()))))),
                pathPrefix(PathMatchers.segment(), topic -> concat(
                        pathEnd(() -> concat(
                                put(() -> createTopic(topic)),
                                get(() -> respond(store.describe(topic), Json::ok)),
                                delete(() -> respond(store.deleteTopic(topic),
                                        done -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT))))),
                        path("records", () -> post(() -> produce(topic))),
                        path(PathMatchers.segment("partitions").slash(PathMatchers.integerSegment()).slash("records"),
                                partition -> concat(
                                        get(() -> read(topic, partition)),
                                        delete(() -> deleteRecords(topic, partition))))))));
    }

    private Route createTopic(String topic) {
        return entity(Unmarshaller.entityToByteArray(), body -> {
            TopicOptions options = TopicOptions.of(body);
            int partitions = options.partitionsOr(store.settings().defaultPartitions());
            Retention retention = options.retentionOr(store.settings().defaultRetention());
            boolean existed = store.topics().stream().anyMatch(t -> t.name().equals(topic));
            return respondCreated(existed, store.createTopic(topic, partitions, retention));
        });
    }

    /**
     * The body of {@code PUT /topics/{topic}}, every field optional; a body that is not a JSON
     * object leaves them all unset.
     *
     * @param retention      how long records are kept: a duration such as {@code "7d"}, or {@code "forever"};
     *                       a JSON number or boolean is read as its text ({@code 0} is forever), as it always was
     * @param retentionBytes how many bytes a partition keeps: a JSON integer of bytes or a size such as
     *                       {@code "10g"}, so a number or a string, whichever was sent
     */
    record TopicOptions(Integer partitions, Object retention, Object retentionBytes) {

        private static final TopicOptions NONE = new TopicOptions(null, null, null);

        static TopicOptions of(byte[] body) {
            return Json.bindOptions(body, TopicOptions.class, NONE, field -> switch (field) {
                case "retention" -> StrataException.invalid("invalid_retention",
                        "retention must be a duration such as 7d, 12h or 30m, or 'forever'");
                case "retention_bytes" -> StrataException.invalid("invalid_retention",
                        "retention_bytes must be a whole number of bytes or a size such as 10g or 500m");
                default -> StrataException.invalid("invalid_partitions", "partitions must be an integer");
            });
        }

        int partitionsOr(int byDefault) {
            return partitions == null ? byDefault : partitions;
        }

        Retention retentionOr(Retention byDefault) {
            return new Retention(retention == null ? byDefault.time() : Retention.parseTime(time(retention), "retention"),
                    retentionBytes == null ? byDefault.bytes() : bytes(retentionBytes));
        }

        private static String time(Object value) {
            if (value instanceof String || value instanceof Number || value instanceof Boolean) {
                return value.toString();
            }
            throw StrataException.invalid("invalid_retention", "retention must be a duration such as 7d, 12h or 30m, or 'forever'");
        }

        private static long bytes(Object value) {
            if (value instanceof String size) {
                return Retention.parseBytes(size, "retention_bytes");
            }
            // Jackson binds a JSON integer within a long as an Integer or a Long; a larger one, or a fraction, is refused.
            if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= 0) {
                return ((Number) value).longValue();
            }
            if (value instanceof Number) {
                throw StrataException.invalid("invalid_retention", "retention_bytes must be a whole number of bytes from 0 to "
                        + Long.MAX_VALUE + " (or a size such as \"10g\"), got " + value);
            }
            throw StrataException.invalid("invalid_retention", "retention_bytes must be a size such as 10g or 500m, got '"
                    + value + "'");
        }
    }

    // ---- Produce ------------------------------------------------------------------------------

    private Route produce(String topic) {
        return extractRequest(request -> entity(Unmarshaller.entityToByteArray(), body -> {
            String mediaType = request.entity().getContentType().mediaType().toString();
            List<BusRecord> records = switch (mediaType) {
                case "application/x-protobuf" -> parseProtobuf(body);
                case "application/x-ndjson", "application/jsonl", "application/x-jsonlines" -> parseNdjson(body);
                default -> parseJson(body);
            };
            boolean protobufOut = wantsProtobuf(request, mediaType.equals("application/x-protobuf"));
            return respond(store.produce(topic, records), positions -> protobufOut
                    ? HttpResponse.create().withEntity(HttpEntities.create(PROTOBUF, toProtobuf(positions).toByteArray()))
                    : Json.ok(Map.of("offsets", positions)));
        }));
    }

    static List<BusRecord> parseJson(byte[] body) {
        JsonNode json = Json.parse(body);
        List<BusRecord> records = new ArrayList<>();
        if (json.isArray()) {
            for (int i = 0; i < json.size(); i++) {
                records.add(parseRecord(json.get(i), i));
            }
        } else {
            records.add(parseRecord(json, 0));
        }
        return records;
    }

    static List<BusRecord> parseNdjson(byte[] body) {
        List<BusRecord> records = new ArrayList<>();
        for (int[] line : Json.lines(body)) {
            int index = records.size();
            JsonNode json;
            try {
                json = Json.read(body, line[0], line[1], "the line");
                Json.requireStorable(json, "the line");
            } catch (StrataException e) {
                throw invalidRecord(index, e.getMessage());
            }
            records.add(parseRecord(json, index));
        }
        return records;
    }

    /**
     * A {@code ProduceRequest}; a record whose value is marked TEXT must be UTF-8 and one marked
     * JSON must be one JSON value as a JSON body's would be, since reads give them back as text and
     * JSON (a record that cannot be would make every read of it fail).
     */
    private static List<BusRecord> parseProtobuf(byte[] body) {
        List<BusRecord> records;
        try {
            records = ProduceRequest.parseFrom(body).getRecordsList();
        } catch (InvalidProtocolBufferException e) {
            throw StrataException.invalid("invalid_protobuf", "the body is not a ProduceRequest: " + e.getMessage());
        }
        for (int i = 0; i < records.size(); i++) {
            byte[] value = records.get(i).getValue().toByteArray();
            switch (records.get(i).getFormat()) {
                case TEXT -> {
                    if (Utf8.decode(value).isEmpty()) {
                        throw invalidRecord(i, "its value is marked TEXT but is not UTF-8");
                    }
                }
                case JSON -> {
                    try {
                        Json.requireStorable(Json.read(value, 0, value.length, "its value, marked JSON,"), "its value");
                    } catch (StrataException e) {
                        throw invalidRecord(i, e.getMessage());
                    }
                }
                default -> { }
            }
        }
        return records;
    }

    private static BusRecord parseRecord(JsonNode json, int index) {
        if (json == null || !json.isObject()) {
            throw invalidRecord(index, "must be a JSON object");
        }
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!RECORD_FIELDS.contains(name)) {
                throw invalidRecord(index, "unknown field '" + name + "' (fields: " + String.join(", ", RECORD_FIELDS.stream().sorted().toList()) + ")");
            }
        }
        BusRecord.Builder record = BusRecord.newBuilder();
        JsonNode key = json.get("key");
        if (key != null && !key.isNull()) {
            if (!key.isTextual()) {
                throw invalidRecord(index, "key must be a string");
            }
            record.setKey(key.textValue());
        }
        JsonNode value = json.get("value");
        JsonNode base64 = json.get("value_base64");
        if (value != null && base64 != null) {
            throw invalidRecord(index, "give value or value_base64, not both");
        }
        if (base64 != null) {
            try {
                record.setValue(ByteString.copyFrom(Base64.getDecoder().decode(base64.asText()))).setFormat(ValueFormat.BINARY);
            } catch (IllegalArgumentException e) {
                throw invalidRecord(index, "value_base64 is not valid base64");
            }
        } else if (value == null) {
            throw invalidRecord(index, "value is missing");
        } else if (value.isTextual()) {
            record.setValue(ByteString.copyFromUtf8(value.textValue())).setFormat(ValueFormat.TEXT);
        } else {
            try {
                record.setValue(ByteString.copyFrom(Json.MAPPER.writeValueAsBytes(value))).setFormat(ValueFormat.JSON);
            } catch (IOException e) {
                throw invalidRecord(index, "value cannot be written as JSON");
            }
        }
        JsonNode timestamp = json.get("timestamp");
        if (timestamp != null && !timestamp.isNull()) {
            record.setTimestampMs(parseTimestamp(timestamp, index));
        }
        JsonNode headers = json.get("headers");
        if (headers != null && !headers.isNull()) {
            if (!headers.isObject()) {
                throw invalidRecord(index, "headers must be an object of strings");
            }
            for (var it = headers.fields(); it.hasNext(); ) {
                var h = it.next();
                if (!h.getValue().isTextual()) {
                    throw invalidRecord(index, "header '" + h.getKey() + "' must be a string");
                }
                record.putHeaders(h.getKey(), h.getValue().textValue());
            }
        }
        JsonNode partition = json.get("partition");
        if (partition != null && !partition.isNull()) {
            if (!partition.isIntegralNumber() || !partition.canConvertToInt()) {
                throw invalidRecord(index, "partition must be an integer");
            }
            record.setPartition(partition.intValue());
        }
        return record.build();
    }

    private static long parseTimestamp(JsonNode timestamp, int index) {
        if (timestamp.isIntegralNumber() && timestamp.longValue() > 0) {
            return timestamp.longValue();
        }
        if (timestamp.isTextual()) {
            try {
                return Instant.parse(timestamp.textValue()).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw invalidRecord(index, "timestamp '" + timestamp.textValue() + "' is not an ISO-8601 instant");
            }
        }
        throw invalidRecord(index, "timestamp must be epoch milliseconds (positive) or an ISO-8601 instant");
    }

    private static StrataException invalidRecord(int index, String why) {
        return StrataException.invalid("invalid_record", "record " + index + ": " + why);
    }

    private static ProduceResponse toProtobuf(List<BusStore.Position> positions) {
        ProduceResponse.Builder b = ProduceResponse.newBuilder();
        positions.forEach(p -> b.addPositions(RecordPosition.newBuilder().setPartition(p.partition()).setOffset(p.offset())));
        return b.build();
    }

    // ---- Read ---------------------------------------------------------------------------------

    private Route read(String topic, int partition) {
        return extractRequest(request -> parameterOptional("offset", offset -> parameterOptional("max", max ->
                parameterOptional("wait_ms", waitMs -> {
            long from = parseOffset(offset.orElse("earliest"));
            int maxRecords = parseMax(max);
            Duration maxWait = parseWait(waitMs);
            boolean protobuf = wantsProtobuf(request, false);
            return respond(store.read(topic, partition, from, maxRecords, maxWait), records -> protobuf
                    ? HttpResponse.create().withEntity(HttpEntities.create(PROTOBUF, ReadResponse.newBuilder()
                            .addAllRecords(records.records()).setNextOffset(records.nextOffset())
                            .setLogStartOffset(records.logStartOffset()).setLogEndOffset(records.logEndOffset())
                            .build().toByteArray()))
                    : Json.ok(toJson(topic, partition, records)));
        }))));
    }

    // ---- Delete records ---------------------------------------------------------------------------

    private Route deleteRecords(String topic, int partition) {
        return parameter("before", before -> {
            long offset = before.equals("latest") ? TopicPartition.LATEST : parseOffset(before);
            if (offset == TopicPartition.EARLIEST) {
                throw StrataException.invalid("invalid_offset", "before must be an offset or 'latest'; got 'earliest'");
            }
            return respond(store.deleteRecords(topic, partition, offset), info -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("topic", topic);
                body.put("partition", partition);
                body.put("log_start_offset", info.logStartOffset());
                body.put("log_end_offset", info.logEndOffset());
                return Json.ok(body);
            });
        });
    }

    static long parseOffset(String offset) {
        switch (offset) {
            case "earliest":
                return TopicPartition.EARLIEST;
            case "latest":
                return TopicPartition.LATEST;
            default:
                try {
                    long value = Long.parseLong(offset);
                    if (value < 0) {
                        throw StrataException.invalid("invalid_offset", "offset must be 0 or more, 'earliest' or 'latest'; got " + offset);
                    }
                    return value;
                } catch (NumberFormatException e) {
                    throw StrataException.invalid("invalid_offset", "offset must be a number, 'earliest' or 'latest'; got '" + offset + "'");
                }
        }
    }

    /** Longest long poll a read may ask for; the node answers within half its ask timeout anyway. */
    private static final long MAX_WAIT_MS = 30_000;

    private static Duration parseWait(Optional<String> waitMs) {
        if (waitMs.isEmpty()) {
            return Duration.ZERO;
        }
        try {
            long value = Long.parseLong(waitMs.get());
            if (value < 0 || value > MAX_WAIT_MS) {
                throw StrataException.invalid("invalid_wait", "wait_ms must be 0.." + MAX_WAIT_MS + ", got " + value);
            }
            return Duration.ofMillis(value);
        } catch (NumberFormatException e) {
            throw StrataException.invalid("invalid_wait", "wait_ms must be a whole number of milliseconds, got '" + waitMs.get() + "'");
        }
    }

    private static int parseMax(Optional<String> max) {
        if (max.isEmpty()) {
            return 100;
        }
        try {
            int value = Integer.parseInt(max.get());
            if (value < 1) {
                throw StrataException.invalid("invalid_max", "max must be at least 1, got " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw StrataException.invalid("invalid_max", "max must be a whole number, got '" + max.get() + "'");
        }
    }

    /** A read's JSON: the records, and where the next read starts. */
    public static Map<String, Object> toJson(String topic, int partition, TopicPartition.Records records) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("topic", topic);
        body.put("partition", partition);
        body.put("records", records.records().stream().map(BusRoutes::toJson).toList());
        body.put("next_offset", records.nextOffset());
        body.put("log_start_offset", records.logStartOffset());
        body.put("log_end_offset", records.logEndOffset());
        return body;
    }

    /** One record as JSON, its value the way it was written. */
    public static Map<String, Object> toJson(BusRecord record) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("offset", record.getOffset());
        json.put("timestamp", record.getTimestampMs());
        if (record.hasKey()) {
            json.put("key", record.getKey());
        }
        switch (record.getFormat()) {
            case TEXT -> json.put("value", record.getValue().toStringUtf8());
            case JSON -> json.put("value", parseStoredJson(record));
            default -> json.put("value_base64", Base64.getEncoder().encodeToString(record.getValue().toByteArray()));
        }
        if (record.getHeadersCount() > 0) {
            json.put("headers", record.getHeadersMap());
        }
        return json;
    }

    private static JsonNode parseStoredJson(BusRecord record) {
        try {
            return Json.MAPPER.readTree(record.getValue().toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException("record " + record.getOffset() + " holds invalid JSON", e);
        }
    }
}
