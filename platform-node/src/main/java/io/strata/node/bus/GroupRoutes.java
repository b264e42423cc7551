package io.strata.node.bus;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.common.StrataException;
import io.strata.node.http.Json;
import io.strata.node.http.StrataRoutes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The consumer group HTTP API:
 * <pre>
 * POST /groups/{g}/poll     {"topic", "member", "max": 100, "auto_offset_reset": "latest"|"earliest"}
 * POST /groups/{g}/commit   {"topic", "member", "offsets": {"0": 42}}   offset = next offset to consume
 * POST /groups/{g}/leave    {"topic", "member"}
 * POST /groups/{g}/dlq      {"topic", "partition", "offset", "reason"}  copies the record to {topic}.dlq
 * GET  /groups/{g}          generation, members and their partitions, committed offsets; Kafka consumers under "kafka"
 * DELETE /groups/{g}        deletes the committed offsets of a group without members (204; 409 group_not_empty)
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
                pathEnd(() -> concat(
                        get(() -> respond(store.describe(group), d -> Json.ok(describe(group, d)))),
                        delete(() -> respond(store.delete(group), deleted -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT))))),
                path("lag", () -> get(() -> respond(store.lag(group), lags -> Json.ok(lag(group, lags))))),
                path("poll", () -> post(() -> body(Poll.class, poll -> poll(group, poll.checked())))),
                path("commit", () -> post(() -> body(Commit.class, commit -> commit(group, commit)))),
                path("leave", () -> post(() -> body(Leave.class, leave -> leave(group, leave)))),
                path("dlq", () -> post(() -> body(DeadLetter.class, dlq -> deadLetter(group, dlq.checked())))))));
    }

    /** A JSON object body with only the fields of {@code type}, bound into it and handed to {@code handle}. */
    private <T extends Record> Route body(Class<T> type, Function<T, Route> handle) {
        return entity(Unmarshaller.entityToByteArray(), bytes -> handle.apply(read(bytes, type)));
    }

    /** A body bound into {@code type}: a JSON object of its fields only, refused with the field at fault. */
    static <T extends Record> T read(byte[] bytes, Class<T> type) {
        JsonNode json = Json.parse(bytes);
        if (!json.isObject()) {
            throw StrataException.invalid("invalid_json", "the request body must be a JSON object");
        }
        Json.requireKnownFields(json, type, "invalid_field", "field");
        return Json.bind(json, type, GroupRoutes::refusal);
    }

    private static StrataException refusal(String field) {
        return switch (field) {
            case "max", "partition", "offset" -> StrataException.invalid("invalid_" + field, field + " must be given as a whole number");
            case "offsets" -> invalidOffsets();
            case "" -> StrataException.invalid("invalid_json", "the request body must be a JSON object");
            default -> StrataException.invalid("invalid_" + field, field + " must be given as a string");
        };
    }

    private static StrataException invalidOffsets() {
        return StrataException.invalid("invalid_offsets", "offsets must be an object of partition to next offset, e.g. {\"0\": 42}");
    }

    private static String required(String value, String field) {
        if (value == null) {
            throw refusal(field);
        }
        return value;
    }

    private static long atLeast(Long value, String field, long min) {
        if (value == null) {
            throw refusal(field);
        }
        if (value < min) {
            throw StrataException.invalid("invalid_" + field, field + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    /** The body of {@code POST /groups/{g}/poll}; {@link #checked} fills in the defaults. */
    record Poll(String topic, String member, Long max, String autoOffsetReset) {

        Poll checked() {
            String topic = required(topic(), "topic");
            String member = required(member(), "member");
            long max = max() == null ? 100 : Math.min(Integer.MAX_VALUE, atLeast(max(), "max", 1));
            String reset = autoOffsetReset() == null ? "latest" : autoOffsetReset();
            if (!reset.equals("latest") && !reset.equals("earliest")) {
                throw StrataException.invalid("invalid_auto_offset_reset", "auto_offset_reset must be 'earliest' or 'latest', got '" + reset + "'");
            }
            return new Poll(topic, member, max, reset);
        }
    }

    /**
     * The body of {@code POST /groups/{g}/commit}.
     *
     * @param offsets the next offset to consume by partition number; a JSON object whose values are read
     *                in order by {@link #partitionOffsets}
     */
    record Commit(String topic, String member, Map<String, Object> offsets) {

        /** The offsets by partition, every key a partition number and every value a whole number. */
        Map<Integer, Long> partitionOffsets() {
            if (offsets == null) {
                throw invalidOffsets();
            }
            Map<Integer, Long> parsed = new TreeMap<>();
            for (Map.Entry<String, Object> entry : offsets.entrySet()) {
                int partition;
                try {
                    partition = Integer.parseInt(entry.getKey());
                } catch (NumberFormatException e) {
                    throw StrataException.invalid("invalid_partition", "offsets keys must be partition numbers, got '" + entry.getKey() + "'");
                }
                // Jackson binds a JSON integer within a long as an Integer or a Long; a larger one, or a fraction, is refused.
                if (!(entry.getValue() instanceof Integer || entry.getValue() instanceof Long)) {
                    throw StrataException.invalid("invalid_offset", "offset of partition " + partition + " must be a whole number");
                }
                parsed.put(partition, ((Number) entry.getValue()).longValue());
            }
            return parsed;
        }
    }

    /** The body of {@code POST /groups/{g}/leave}. */
    record Leave(String topic, String member) {}

    /** The body of {@code POST /groups/{g}/dlq}; {@link #checked} fills in the defaults. */
    record DeadLetter(String topic, Long partition, Long offset, String reason) {

        DeadLetter checked() {
            String topic = required(topic(), "topic");
            long partition = Math.min(Integer.MAX_VALUE, atLeast(partition(), "partition", 0));
            long offset = atLeast(offset(), "offset", 0);
            return new DeadLetter(topic, partition, offset, reason() == null ? "" : reason());
        }
    }

    private Route poll(String group, Poll poll) {
        String topic = poll.topic();
        String member = poll.member();
        return respond(store.poll(group, topic, member, poll.max().intValue(), poll.autoOffsetReset().equals("latest")), polled -> {
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

    private Route commit(String group, Commit commit) {
        String topic = required(commit.topic(), "topic");
        String member = required(commit.member(), "member");
        Map<Integer, Long> parsed = commit.partitionOffsets();
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

    private Route leave(String group, Leave leave) {
        String topic = required(leave.topic(), "topic");
        String member = required(leave.member(), "member");
        return respond(store.leave(group, topic, member),
                left -> Json.ok(Map.of("group", group, "topic", topic, "member", member, "generation", left.generation())));
    }

    private Route deadLetter(String group, DeadLetter dlq) {
        return respond(store.deadLetter(group, dlq.topic(), dlq.partition().intValue(), dlq.offset(), dlq.reason()), position -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("topic", GroupStore.deadLetterTopic(dlq.topic()));
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
        ConsumerGroup.ClassicState kafka = description.classic();
        if (kafka != null) {
            // Kafka consumers choose their partitions themselves: the members are shown, not an assignment.
            Map<String, Object> classic = new LinkedHashMap<>();
            classic.put("state", kafka.state());
            classic.put("protocol_type", kafka.protocolType());
            classic.put("protocol", kafka.protocol());
            classic.put("generation", kafka.generation());
            classic.put("members", kafka.members().stream().map(m -> {
                Map<String, Object> member = new LinkedHashMap<>();
                member.put("member", m.memberId());
                member.put("client_id", m.clientId());
                member.put("client_host", m.clientHost());
                return member;
            }).toList());
            body.put("kafka", classic);
        }
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
