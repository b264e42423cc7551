package io.strata.node.columnar;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.common.StrataException;
import io.strata.node.http.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The body of {@code PUT /tables/{table}} bound into its records answers as the tree it was walked as before did. */
class TableSpecTest {

    private static final int SHARDS = 4;

    @ParameterizedTest
    @ValueSource(strings = {"", "{not json", "[]", "5", "null", "{}", "{\"colums\": []}", "{\"shards\": 2}",
            "{\"columns\": []}", "{\"columns\": 5}", "{\"columns\": null}", "{\"columns\": {}}", "{\"columns\": \"x\"}",
            "{\"columns\": [{\"name\": \"x\", \"type\": \"int64\"}]}",
            "{\"columns\": [{\"name\": \"x\", \"type\": \"int64\", \"nullable\": true}], \"shards\": 2}",
            "{\"columns\": [{\"name\": \"x\", \"type\": \"int64\", \"nullable\": false}, {\"name\": \"y\", \"type\": \"string\"}]}",
            "{\"columns\": [{\"name\": \"x\", \"type\": \"int64\"}], \"shards\": 0}",
            "{\"columns\": [{\"name\": \"x\", \"type\": \"int64\"}], \"shards\": \"two\"}",
            "{\"columns\": [{\"name\": \"x\", \"type\": \"int64\"}], \"shards\": 1.0}",
            "{\"columns\": [{\"name\": \"x\", \"type\": \"int64\"}], \"shards\": 2147483648}",
            "{\"columns\": [{\"name\": \"x\", \"type\": \"int64\"}], \"shards\": null}",
            "{\"columns\": 5, \"shards\": \"two\"}", "{\"shards\": \"two\", \"columns\": 5}", "{\"shards\": true}",
            "{\"columns\": [5]}", "{\"columns\": [null]}", "{\"columns\": [[]]}", "{\"columns\": [{}]}",
            "{\"columns\": [{\"name\": \"x\"}]}", "{\"columns\": [{\"type\": \"int64\"}]}",
            "{\"columns\": [{\"name\": 5, \"type\": \"int64\"}]}", "{\"columns\": [{\"name\": \"x\", \"type\": 5}]}",
            "{\"columns\": [{\"name\": null, \"type\": \"int64\"}]}", "{\"columns\": [{\"name\": \"x\", \"type\": null}]}",
            "{\"columns\": [{\"name\": \"x\", \"type\": \"decimal\"}]}",
            "{\"columns\": [{\"name\": \"x\", \"type\": \"int64\", \"nullable\": \"yes\"}]}",
            "{\"columns\": [{\"name\": \"x\", \"type\": \"int64\", \"nullable\": 1}]}",
            "{\"columns\": [{\"name\": \"x\", \"type\": \"int64\", \"nullable\": null}]}",
            "{\"columns\": [{\"nullable\": 1, \"name\": 5, \"type\": \"int64\"}]}",
            "{\"columns\": [{\"nullable\": 1, \"type\": \"int64\"}]}",
            "{\"columns\": [{\"name\": \"x\", \"type\": \"int64\", \"default\": 1}]}",
            "{\"columns\": [{\"name\": \"x\", \"type\": \"decimal\"}, 5]}",
            "{\"columns\": [{\"name\": \"x\", \"type\": \"int64\"}, {\"name\": \"x\", \"type\": \"bool\"}]}",
            "{\"columns\": [{\"name\": \"x\", \"type\": \"int64\"}], \"shards\": 2, \"x\": 1}",
            "{\"columns\": [{\"name\": \"\\ud800\", \"type\": \"int64\"}]}"})
    void answersAsTheWalkedTreeDid(String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(outcome(() -> walked(body)), outcome(() -> {
            TableRoutes.TableSpec spec = TableRoutes.TableSpec.of(body);
            return (spec.shards() == null ? SHARDS : spec.shards()) + " " + spec.schema();
        }), text);
    }

    /** How the route read the body before it was bound into records. */
    private static String walked(byte[] body) {
        JsonNode json = Json.parse(body);
        if (!json.isObject()) {
            throw StrataException.invalid("invalid_schema", "a table is a JSON object: {\"columns\": [...], \"shards\": N}");
        }
        checkFields(json, Set.of("columns", "shards"), "table", "invalid_schema");
        int shards = SHARDS;
        JsonNode s = json.get("shards");
        if (s != null) {
            if (!s.isIntegralNumber() || !s.canConvertToInt()) {
                throw StrataException.invalid("invalid_shards", "shards must be a whole number");
            }
            shards = s.intValue();
        }
        return shards + " " + parseSchema(json.get("columns"));
    }

    private static Schema parseSchema(JsonNode columns) {
        if (columns == null || !columns.isArray()) {
            throw StrataException.invalid("invalid_schema", "columns must be an array of {\"name\", \"type\", \"nullable\"}");
        }
        List<Column> parsed = new ArrayList<>();
        for (JsonNode c : columns) {
            if (!c.isObject()) {
                throw StrataException.invalid("invalid_schema", "each column is an object {\"name\", \"type\", \"nullable\"}");
            }
            checkFields(c, Set.of("name", "type", "nullable"), "column", "invalid_schema");
            JsonNode name = c.get("name");
            JsonNode type = c.get("type");
            JsonNode nullable = c.get("nullable");
            if (name == null || !name.isTextual() || type == null || !type.isTextual()) {
                throw StrataException.invalid("invalid_schema", "each column needs a \"name\" and a \"type\" (strings)");
            }
            if (nullable != null && !nullable.isBoolean()) {
                throw StrataException.invalid("invalid_schema", "column '" + name.textValue() + "': nullable must be true or false");
            }
            parsed.add(new Column(name.textValue(), ColumnType.fromJson(type.textValue()), nullable != null && nullable.booleanValue()));
        }
        return new Schema(parsed);
    }

    private static void checkFields(JsonNode json, Set<String> allowed, String what, String code) {
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw StrataException.invalid(code, "unknown " + what + " field '" + name + "' (fields: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String outcome(Supplier<String> read) {
        try {
            return read.get();
        } catch (StrataException e) {
            return e.code() + ": " + e.getMessage();
        }
    }
}
