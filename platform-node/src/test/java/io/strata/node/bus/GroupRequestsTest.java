package io.strata.node.bus;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.common.StrataException;
import io.strata.node.http.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The bodies of the consumer group routes bound into their records answer as the trees walked before did. */
class GroupRequestsTest {

    private static final String[] COMMON = {"", "{not json", "[]", "5", "null", "{}", "{\"x\": 1}", "{\"topic\": 5}",
            "{\"topic\": \"t\"}", "{\"topic\": null}", "{\"topic\": true}", "{\"topic\": [\"t\"]}", "{\"topic\": {}}",
            "{\"topic\": \"t\", \"member\": 1.5}", "{\"topic\": \"t\", \"member\": \"m\"}", "{\"topic\": \"t\", \"member\": null}",
            "{\"topic\": \"\\ud800\"}", "{\"topic\": \"t\"} []"};

    @ParameterizedTest
    @ValueSource(strings = {"{\"topic\": \"t\", \"member\": \"m\", \"max\": 5}", "{\"topic\": \"t\", \"member\": \"m\", \"max\": 0}",
            "{\"topic\": \"t\", \"member\": \"m\", \"max\": -3}", "{\"topic\": \"t\", \"member\": \"m\", \"max\": 2147483648}",
            "{\"topic\": \"t\", \"member\": \"m\", \"max\": 99999999999999999999}", "{\"topic\": \"t\", \"member\": \"m\", \"max\": 1.0}",
            "{\"topic\": \"t\", \"member\": \"m\", \"max\": \"5\"}", "{\"topic\": \"t\", \"member\": \"m\", \"max\": null}",
            "{\"topic\": \"t\", \"member\": \"m\", \"max\": true}", "{\"topic\": \"t\", \"member\": \"m\", \"max\": 1e400}",
            "{\"topic\": \"t\", \"member\": \"m\", \"auto_offset_reset\": \"earliest\"}",
            "{\"topic\": \"t\", \"member\": \"m\", \"auto_offset_reset\": \"soon\"}",
            "{\"topic\": \"t\", \"member\": \"m\", \"auto_offset_reset\": 1}",
            "{\"topic\": \"t\", \"member\": \"m\", \"auto_offset_reset\": null}",
            "{\"topic\": \"t\", \"member\": \"m\", \"offsets\": {}}", "{\"member\": \"m\", \"max\": 0}"})
    void pollAnswersAsBefore(String text) {
        answersAsBefore(text, GroupRequestsTest::walkedPoll, bytes -> {
            GroupRoutes.Poll poll = GroupRoutes.read(bytes, GroupRoutes.Poll.class).checked();
            return poll.topic() + " " + poll.member() + " " + poll.max() + " " + poll.autoOffsetReset();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"topic\": \"t\", \"member\": \"m\", \"offsets\": {\"0\": 1, \"2\": 5}}",
            "{\"topic\": \"t\", \"member\": \"m\", \"offsets\": {\"1\": 1, \"0\": 5, \"1\": 7}}",
            "{\"topic\": \"t\", \"member\": \"m\", \"offsets\": {\"0\": -1}}", "{\"topic\": \"t\", \"member\": \"m\", \"offsets\": {\"x\": 1}}",
            "{\"topic\": \"t\", \"member\": \"m\", \"offsets\": {\"0\": 1.5}}", "{\"topic\": \"t\", \"member\": \"m\", \"offsets\": {\"0\": \"1\"}}",
            "{\"topic\": \"t\", \"member\": \"m\", \"offsets\": {\"0\": null}}", "{\"topic\": \"t\", \"member\": \"m\", \"offsets\": {\"0\": [1]}}",
            "{\"topic\": \"t\", \"member\": \"m\", \"offsets\": {\"0\": 99999999999999999999}}",
            "{\"topic\": \"t\", \"member\": \"m\", \"offsets\": {\"0\": 1.5, \"x\": 1}}",
            "{\"topic\": \"t\", \"member\": \"m\", \"offsets\": {\"0\": 1e400}}",
            "{\"topic\": \"t\", \"member\": \"m\", \"offsets\": [1]}", "{\"topic\": \"t\", \"member\": \"m\", \"offsets\": \"\"}",
            "{\"topic\": \"t\", \"member\": \"m\", \"offsets\": 5}", "{\"topic\": \"t\", \"member\": \"m\", \"offsets\": null}",
            "{\"topic\": \"t\", \"member\": \"m\"}", "{\"topic\": \"t\", \"member\": \"m\", \"offsets\": {}, \"max\": 1}"})
    void commitAnswersAsBefore(String text) {
        answersAsBefore(text, GroupRequestsTest::walkedCommit, bytes -> {
            GroupRoutes.Commit commit = GroupRoutes.read(bytes, GroupRoutes.Commit.class);
            String topic = required(commit.topic(), "topic");
            String member = required(commit.member(), "member");
            return topic + " " + member + " " + commit.partitionOffsets();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"topic\": \"t\", \"member\": \"m\", \"max\": 1}"})
    void leaveAnswersAsBefore(String text) {
        answersAsBefore(text, GroupRequestsTest::walkedLeave, bytes -> {
            GroupRoutes.Leave leave = GroupRoutes.read(bytes, GroupRoutes.Leave.class);
            return required(leave.topic(), "topic") + " " + required(leave.member(), "member");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"topic\": \"t\", \"partition\": 0, \"offset\": 0}", "{\"topic\": \"t\", \"partition\": 3, \"offset\": 9, \"reason\": \"bad\"}",
            "{\"topic\": \"t\", \"partition\": -1, \"offset\": 0}", "{\"topic\": \"t\", \"partition\": 0, \"offset\": -1}",
            "{\"topic\": \"t\", \"partition\": 4294967296, \"offset\": 0}", "{\"topic\": \"t\", \"partition\": 0}",
            "{\"topic\": \"t\", \"offset\": 0}", "{\"topic\": \"t\", \"partition\": \"0\", \"offset\": 0}",
            "{\"topic\": \"t\", \"partition\": 0, \"offset\": 1.5}", "{\"topic\": \"t\", \"partition\": 0, \"offset\": 0, \"reason\": 5}",
            "{\"topic\": \"t\", \"partition\": 0, \"offset\": 0, \"reason\": null}", "{\"topic\": \"t\", \"partition\": null, \"offset\": 0}",
            "{\"topic\": \"t\", \"partition\": 0, \"offset\": 0, \"member\": \"m\"}", "{\"partition\": 0, \"offset\": 0}"})
    void deadLetterAnswersAsBefore(String text) {
        answersAsBefore(text, GroupRequestsTest::walkedDeadLetter, bytes -> {
            GroupRoutes.DeadLetter dlq = GroupRoutes.read(bytes, GroupRoutes.DeadLetter.class).checked();
            return dlq.topic() + " " + dlq.partition() + " " + dlq.offset() + " " + dlq.reason();
        });
    }

    /** Checks {@code text}, and every body common to the routes, reads alike walked and bound. */
    private static void answersAsBefore(String text, Function<byte[], String> walked, Function<byte[], String> bound) {
        List<String> bodies = new ArrayList<>(List.of(COMMON));
        bodies.add(text);
        for (String body : bodies) {
            assertEquals(outcome(() -> walked.apply(bytes(body))), outcome(() -> bound.apply(bytes(body))), body);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String required(String value, String field) {
        if (value == null) {
            throw StrataException.invalid("invalid_" + field, field + " must be given as a string");
        }
        return value;
    }

    // How the routes read their bodies before they were bound into records.

    private static JsonNode body(byte[] bytes, Set<String> allowed) {
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
        return json;
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

    private static String walkedPoll(byte[] bytes) {
        JsonNode json = body(bytes, Set.of("topic", "member", "max", "auto_offset_reset"));
        String topic = text(json, "topic");
        String member = text(json, "member");
        JsonNode maxNode = json.get("max");
        int max = maxNode == null ? 100 : (int) Math.min(Integer.MAX_VALUE, integer(maxNode, "max", 1));
        String reset = json.has("auto_offset_reset") ? text(json, "auto_offset_reset") : "latest";
        if (!reset.equals("latest") && !reset.equals("earliest")) {
            throw StrataException.invalid("invalid_auto_offset_reset", "auto_offset_reset must be 'earliest' or 'latest', got '" + reset + "'");
        }
        return topic + " " + member + " " + max + " " + reset;
    }

    private static String walkedCommit(byte[] bytes) {
        JsonNode json = body(bytes, Set.of("topic", "member", "offsets"));
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
        return topic + " " + member + " " + parsed;
    }

    private static String walkedLeave(byte[] bytes) {
        JsonNode json = body(bytes, Set.of("topic", "member"));
        return text(json, "topic") + " " + text(json, "member");
    }

    private static String walkedDeadLetter(byte[] bytes) {
        JsonNode json = body(bytes, Set.of("topic", "partition", "offset", "reason"));
        String topic = text(json, "topic");
        int partition = (int) Math.min(Integer.MAX_VALUE, integer(json.get("partition"), "partition", 0));
        long offset = integer(json.get("offset"), "offset", 0);
        String reason = json.has("reason") ? text(json, "reason") : "";
        return topic + " " + partition + " " + offset + " " + reason;
    }

    private static String outcome(Supplier<String> read) {
        try {
            return read.get();
        } catch (StrataException e) {
            return e.code() + ": " + e.getMessage();
        }
    }
}
