package io.strata.node.bus;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.common.StrataException;
import io.strata.node.http.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The body of {@code PUT /topics/{topic}} bound into its record answers as the tree it was walked as before did. */
class TopicOptionsTest {

    private static final int PARTITIONS = 4;
    private static final Retention RETENTION = new Retention(Duration.ofDays(7), 0);

    @ParameterizedTest
    @ValueSource(strings = {"", "{}", "[1]", "\"x\"", "5", "null", "{\"other\": 1}", "{\"partitions\": 3",
            "{\"partitions\": 3}", "{\"partitions\": 0}", "{\"partitions\": -1}", "{\"partitions\": 2147483648}",
            "{\"partitions\": 99999999999999999999}", "{\"partitions\": \"3\"}", "{\"partitions\": true}",
            "{\"partitions\": 1.5}", "{\"partitions\": 1.0}", "{\"partitions\": []}", "{\"partitions\": {}}",
            "{\"retention\": \"7d\"}", "{\"retention\": \"12h\"}", "{\"retention\": \"forever\"}", "{\"retention\": \"0\"}",
            "{\"retention\": \"soon\"}", "{\"retention\": \"-1d\"}", "{\"retention\": \"999999999999d\"}",
            "{\"retention\": 0}", "{\"retention\": 7}", "{\"retention\": 1.5}", "{\"retention\": true}",
            "{\"retention_bytes\": 0}", "{\"retention_bytes\": 1024}", "{\"retention_bytes\": 9223372036854775807}",
            "{\"retention_bytes\": 9223372036854775808}", "{\"retention_bytes\": 99999999999999999999}",
            "{\"retention_bytes\": -5}", "{\"retention_bytes\": 1.5}", "{\"retention_bytes\": 1.0}", "{\"retention_bytes\": 1e2}",
            "{\"retention_bytes\": \"1g\"}", "{\"retention_bytes\": \"500MiB\"}", "{\"retention_bytes\": \"0\"}",
            "{\"retention_bytes\": \"-5\"}", "{\"retention_bytes\": \"lots\"}", "{\"retention_bytes\": true}",
            "{\"retention_bytes\": 1e400}", "{\"partitions\": 2, \"retention\": \"12h\", \"retention_bytes\": \"1g\"}",
            "{\"partitions\": \"x\", \"retention\": \"soon\"}", "{\"retention\": \"soon\", \"retention_bytes\": -5}"})
    void answersAsTheWalkedTreeDid(String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(outcome(() -> walked(body)), outcome(() -> {
            BusRoutes.TopicOptions options = BusRoutes.TopicOptions.of(body);
            return options.partitionsOr(PARTITIONS) + " " + options.retentionOr(RETENTION);
        }), text);
    }

    /** Values the walk took for text and the record refuses with the same code; only the message says less. */
    @ParameterizedTest
    @ValueSource(strings = {"{\"retention\": null}", "{\"retention\": {}}", "{\"retention\": [\"7d\"]}",
            "{\"retention_bytes\": null}", "{\"retention_bytes\": {}}", "{\"retention_bytes\": []}", "{\"partitions\": null}"})
    void refusesWithTheSameCode(String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(code(() -> walked(body)), code(() -> BusRoutes.TopicOptions.of(body).retentionOr(RETENTION)), text);
    }

    /** How the route read the body before it was bound into a record. */
    private static String walked(byte[] body) {
        int partitions = PARTITIONS;
        Retention retention = RETENTION;
        if (body.length > 0) {
            JsonNode json = Json.parse(body);
            JsonNode p = json.get("partitions");
            if (p != null) {
                if (!p.isIntegralNumber() || !p.canConvertToInt()) {
                    throw StrataException.invalid("invalid_partitions", "partitions must be an integer");
                }
                partitions = p.intValue();
            }
            JsonNode time = json.get("retention");
            JsonNode bytes = json.get("retention_bytes");
            retention = new Retention(
                    time == null ? retention.time() : Retention.parseTime(time.asText(), "retention"),
                    bytes == null ? retention.bytes()
                            : bytes.isNumber() ? checkedBytes(bytes) : Retention.parseBytes(bytes.asText(), "retention_bytes"));
        }
        return partitions + " " + retention;
    }

    private static long checkedBytes(JsonNode bytes) {
        if (!bytes.isIntegralNumber() || !bytes.canConvertToLong() || bytes.longValue() < 0) {
            throw StrataException.invalid("invalid_retention", "retention_bytes must be a whole number of bytes from 0 to "
                    + Long.MAX_VALUE + " (or a size such as \"10g\"), got " + bytes);
        }
        return bytes.longValue();
    }

    private static String outcome(Supplier<String> read) {
        try {
            return read.get();
        } catch (StrataException e) {
            return e.code() + ": " + e.getMessage();
        }
    }

    private static String code(Supplier<Object> read) {
        try {
            return "accepted " + read.get();
        } catch (StrataException e) {
            return e.code();
        }
    }
}
