package io.strata.node.kv;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.common.StrataException;
import io.strata.node.http.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The body of {@code PUT /kv/{space}} bound into its record answers as the tree it was walked as before did. */
class KeyspaceOptionsTest {

    private static final int DEFAULT = 8;

    @ParameterizedTest
    @ValueSource(strings = {"", "{}", "{\"partitions\": 3}", "{\"partitions\": -1}", "{\"partitions\": 0}",
            "{\"partitions\": 2147483647}", "{\"partitions\": 2147483648}", "{\"partitions\": 99999999999999999999}",
            "{\"partitions\": \"3\"}", "{\"partitions\": \"many\"}", "{\"partitions\": true}", "{\"partitions\": 1.5}",
            "{\"partitions\": 1.0}", "{\"partitions\": 1e2}", "{\"partitions\": null}", "{\"partitions\": []}",
            "{\"partitions\": [3]}", "{\"partitions\": {}}", "{\"other\": 1}", "{\"other\": 1, \"partitions\": 4}",
            "[1]", "\"x\"", "5", "null", "{\"partitions\": 3", "{\"partitions\": 1e400}"})
    void answersAsTheWalkedTreeDid(String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(outcome(() -> walked(body)), outcome(() -> KvRoutes.KeyspaceOptions.of(body).partitionsOr(DEFAULT)), text);
    }

    /** How the route read the body before it was bound into a record. */
    private static int walked(byte[] body) {
        int partitions = DEFAULT;
        if (body.length > 0) {
            JsonNode json = Json.parse(body);
            JsonNode p = json.get("partitions");
            if (p != null) {
                if (!p.canConvertToInt() || !p.isIntegralNumber()) {
                    throw StrataException.invalid("invalid_partitions", "partitions must be an integer");
                }
                partitions = p.intValue();
            }
        }
        return partitions;
    }

    private static String outcome(java.util.function.IntSupplier read) {
        try {
            return "partitions " + read.getAsInt();
        } catch (StrataException e) {
            return e.code() + ": " + e.getMessage();
        }
    }
}
