package io.strata.node.bus;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.common.StrataException;
import io.strata.node.http.Json;
import io.strata.node.http.StrataRoutes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The consumer group HTTP API:
 * <pre>
 * POST /groups/{g}/poll     {"topic", "member", "max": 100, "auto_offset_reset": "latest"|"earliest"}
 * POST /groups/{g}/commit   {"topic", "member", "offsets": {"0": 42}}   offset = next offset to consume
 * POST /groups/{g}/leave    {"topic", "member"}
 * POST /groups/{g}/dlq      {"topic", "partition", "offset", "reason"}  copies the record to {topic}.dlq
 * GET  /groups/{g}          generation, members and their partitions, committed offsets
 * GET  /groups/{g}/lag      committed offset, end offset and lag per topic partition
 * </pre>
 */
public final class GroupRoutes extends StrataRoutes {

    private final GroupStore store;

    public GroupRoutes(GroupStore store) {
        this.store = store;
    }

    @Override
    public Route routes() {
        return pathPrefix("groups", () -> pathPrefix(PathMatchers.segment(), group -> concat(
                pathEnd(() -> get(() -> respond(store.describe(group), d -> Json.ok(describe(group, d))))),
                path("lag", () -> get(() -> respond(store.lag(group), lags -> Json.ok(lag(group, lags))))),
                path("poll", () -> post(() -> body(Set.of("topic", "member", "max", "auto_offset_reset"), json -> poll(group, json)))),
                path("commit", () -> post(() -> body(Set.of("topic", "member", "offsets"), json -> commit(group, json)))),
                path("leave", () -> post(() -> body(Set.of("topic", "member"), json -> leave(group, json)))),
                path("dlq", () -> post(() -> body(Set.of("topic", "partition", "offset", "reason"), json -> deadLetter(group, json)))))));
    }

    /** A JSON object body with only the {@code allowed} fields, handed to {@code handle}. */
    private Route body(Set<String> allowed, Function<JsonNode, Route> handle) {
        return entity(Unmarshaller.entityToByteArray(), bytes -> {
            JsonNode json = Json.parse(bytes);
            if (!json.isObject()) {
                throw StrataException.invalid("invalid_json", "the request body must be a JSON object");
            }
            for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!allowed.contains(name)) {
                    throw StrataException.invalid("invalid_field", "unknown field '" + name + "' (fields: "
                            + String.join(", ", allowed.stream().sorted().toList()) + ")");
                }
            }
            return handle.apply(json);
        });
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || !value.isTextual()) {
            throw StrataException.invalid("invalid_" + field, field + " must be given as a string");
        }
        return value.textValue();
    }

    private static long integer(JsonNode value, String field, long min) {
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            throw StrataException.invalid("invalid_" + field, field + " must be given as a whole number");
        }
        if (value.longValue() < min) {
            throw StrataException.invalid("invalid_" + field, field + " must be at least " + min + ", got " + value.longValue());
        }
        return value.longValue();
    }

    private Route poll(String group, JsonNode json) {
        String topic = text(json, "topic");
        String member = text(json, "member");
        JsonNode maxNode = json.get("max");
        int max = maxNode == null ? 100 : (int) Math.min(Integer.MAX_VALUE, integer(maxNode, "max", 1));
        String reset = json.has("auto_offset_reset") ? text(json, "auto_offset_reset") : "latest";
        if (!reset.equals("latest") && !reset.equals("earliest")) {
            throw StrataException.invalid("invalid_auto_offset_reset", "auto_offset_reset must be 'earliest' or 'latest', got '" + reset + "'");
        }
        return respond(store.poll(group, topic, member, max, reset.equals("latest")), polled -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("group", group);
            body.put("topic", topic);
            body.put("member", member);
            body.put("generation", polled.generation());
            body.put("assignment", polled.assignment());
            body.put("records", polled.records().stream().map(GroupRoutes::recordJson).toList());
            return Json.ok(body);
        });
    }

    private static Map<String, Object> recordJson(BusRecord record) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("partition", record.getPartition());
        json.putAll(BusRoutes.toJson(record));
        return json;
    }

    private Route commit(String group, JsonNode json) {
        String topic = text(json, "topic");
        String member = text(json, "member");
        JsonNode offsets = json.get("offsets");
        if (offsets == null || !offsets.isObject()) {
            throw StrataException.invalid("invalid_offsets", "offsets must be an object of partition to next offset, e.g. {\"0\": 42}");
        }
        Map<Integer, Long> parsed = new TreeMap<>();
        for (var it = offsets.fields(); it.hasNext(); ) {
            var entry = it.next();
            int partition;
            try {
                partition = Integer.parseInt(entry.getKey());
            } catch (NumberFormatException e) {
                throw StrataException.invalid("invalid_partition", "offsets keys must be partition numbers, got '" + entry.getKey() + "'");
            }
            JsonNode offset = entry.getValue();
            if (!offset.isIntegralNumber() || !offset.canConvertToLong()) {
                throw StrataException.invalid("invalid_offset", "offset of partition " + partition + " must be a whole number");
            }
            parsed.put(partition, offset.longValue());
        }
        return respond(store.commit(group, topic, member, parsed), committed -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("group", group);
            body.put("topic", topic);
            body.put("member", member);
            body.put("generation", committed.generation());
            body.put("offsets", parsed);
            return Json.ok(body);
        });
    }

    private Route leave(String group, JsonNode json) {
        String topic = text(json, "topic");
        String member = text(json, "member");
        return respond(store.leave(group, topic, member),
                left -> Json.ok(Map.of("group", group, "topic", topic, "member", member, "generation", left.generation())));
    }

    private Route deadLetter(String group, JsonNode json) {
        String topic = text(json, "topic");
        int partition = (int) Math.min(Integer.MAX_VALUE, integer(json.get("partition"), "partition", 0));
        long offset = integer(json.get("offset"), "offset", 0);
        String reason = json.has("reason") ? text(json, "reason") : "";
        return respond(store.deadLetter(group, topic, partition, offset, reason), position -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("topic", GroupStore.deadLetterTopic(topic));
            body.put("partition", position.partition());
            body.put("offset", position.offset());
            return Json.ok(body);
        });
    }

    private static Map<String, Object> describe(String group, ConsumerGroup.Description description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("group", group);
        body.put("generation", description.generation());
        List<Map<String, Object>> topics = new ArrayList<>();
        for (ConsumerGroup.TopicState state : description.topics()) {
            Map<String, Object> topic = new LinkedHashMap<>();
            topic.put("topic", state.topic());
            List<Map<String, Object>> members = new ArrayList<>();
            state.assignment().forEach((member, partitions) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("member", member);
                m.put("assignment", partitions);
                members.add(m);
            });
            topic.put("members", members);
            topic.put("committed", state.committed());
            topics.add(topic);
        }
        body.put("topics", topics);
        return body;
    }

    private static Map<String, Object> lag(String group, List<GroupStore.TopicLag> lags) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("group", group);
        body.put("lag", lags.stream().mapToLong(GroupStore.TopicLag::lag).sum());
        body.put("topics", lags);
        return body;
    }
}
