package io.strata.node.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.strata.node.common.KeyBytes;
import io.strata.node.common.StrataException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * JSON in and out of the gateway: one shared Jackson mapper (snake_case fields, nulls omitted
 * in records) and the error shape of DESIGN.md, {@code {"error": {"code": ..., "message": ...}}}.
 *
 * <p>A request body is read whole or refused, never read in part or changed: one JSON value
 * (anything after it, a second value or garbage, is refused), UTF-8 only (an invalid byte is
 * refused, never replaced), no number beyond the range of a 64-bit float (Jackson would read
 * {@code 1e400} as infinity and write it back as the string {@code "Infinity"}) and no unpaired
 * surrogate escape in a string (UTF-8 would store it as {@code ?}).
 */
public final class Json {

    /**
     * Thread-safe once configured. Null record fields are omitted, but null map values are kept:
     * {@code _mget} answers {@code "key": null} for an absent key.
     */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.ALWAYS));

    /** Reads one value and leaves the parser after it, so that {@link #read} can say what follows. */
    private static final PropertyNamingStrategies.NamingBase SNAKE_CASE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;
    private static final ObjectReader ONE_VALUE = MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static {
        // A request's integer is a JSON integer: Jackson would otherwise take "3", true or 2.5 for one.
        for (CoercionInputShape shape : List.of(CoercionInputShape.String, CoercionInputShape.Boolean, CoercionInputShape.Float)) {
            MAPPER.coercionConfigFor(LogicalType.Integer).setCoercion(shape, CoercionAction.Fail);
        }
        // And its string a JSON string, its boolean a JSON boolean: Jackson would otherwise take 3 for "3" and 1 for true.
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean)) {
            MAPPER.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.String)) {
            MAPPER.coercionConfigFor(LogicalType.Boolean).setCoercion(shape, CoercionAction.Fail);
        }
    }

    private Json() {}

    public static HttpResponse response(StatusCode status, Object body) {
        try {
            return HttpResponse.create().withStatus(status)
                    .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, MAPPER.writeValueAsBytes(body)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON response", e);
        }
    }

    public static HttpResponse ok(Object body) {
        return response(StatusCodes.OK, body);
    }

    /** The error shape: {@code {"error": {"code": code, "message": message}}}. */
    public static HttpResponse error(StatusCode status, String code, String message) {
        Map<String, String> error = new LinkedHashMap<>();
        error.put("code", code);
        // A message may quote a key that is not text (bytes sent over RESP).
        error.put("message", KeyBytes.printable(message));
        return response(status, Map.of("error", error));
    }

    /**
     * Parses a request body: one JSON value that can be stored as written ({@link #requireStorable}).
     *
     * @throws StrataException {@code invalid_json} (400) when it is empty, not JSON, not UTF-8 or
     *                         has more after its value; {@code invalid_number} or
     *                         {@code invalid_string} (400) as {@link #requireStorable}
     */
    public static JsonNode parse(byte[] body) {
        JsonNode node = read(body, 0, body.length, "the request body");
        requireStorable(node, "the request body");
        return node;
    }

    /**
     * Binds a request body's JSON object (from {@link #parse}) into {@code type}, a record of the
     * fields a route takes: a field absent is null, a field given as JSON null is refused, fields the
     * record does not name are ignored, and no value is coerced (an integer field takes only a JSON
     * integer that fits, a string field a JSON string, a boolean field a JSON boolean).
     *
     * @param refusal the refusal of a field's value, given the name of the first field in the record's order
     *                whose value does not bind ({@code ""} when none alone fails)
     */
    public static <T extends Record> T bind(JsonNode object, Class<T> type, Function<String, StrataException> refusal) {
        for (String field : fieldNames(type)) {
            if (object.path(field).isNull()) {
                throw refusal.apply(field);
            }
        }
        try {
            return MAPPER.readerFor(type).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).treeToValue(object, type);
        } catch (IOException e) {
            throw refusal.apply(firstRefused(object, type));
        }
    }

    /**
     * The first field, in the record's order, whose value does not bind: Jackson stops at the first in
     * the body's order, and a body with several faults is answered alike however its fields are ordered.
     */
    private static String firstRefused(JsonNode object, Class<? extends Record> type) {
        for (RecordComponent component : type.getRecordComponents()) {
            String field = SNAKE_CASE.translate(component.getName());
            JsonNode value = object.get(field);
            if (value != null) {
                try {
                    MAPPER.readerFor(MAPPER.constructType(component.getGenericType())).readValue(value);
                } catch (IOException e) {
                    return field;
                }
            }
        }
        return "";
    }

    /**
     * Refuses an object with a field {@code type} does not name, with {@code code} and a message
     * that lists the fields there are ({@code what} names them: "field", "column field").
     */
    public static void requireKnownFields(JsonNode object, Class<? extends Record> type, String code, String what) {
        List<String> known = fieldNames(type);
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw StrataException.invalid(code, "unknown " + what + " '" + name + "' (fields: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    /** The JSON names of a record's fields, as {@link #bind} reads them: snake_case, in the record's order. */
    public static List<String> fieldNames(Class<? extends Record> type) {
        List<String> names = new ArrayList<>();
        for (RecordComponent component : type.getRecordComponents()) {
            names.add(SNAKE_CASE.translate(component.getName()));
        }
        return names;
    }

    /**
     * Binds a request body of optional fields into {@code type}, as {@link #bind}: an empty body, or
     * one whose JSON value is not an object, leaves them all unset ({@code none}).
     *
     * @throws StrataException as {@link #parse(byte[])}, or {@code refusal}'s
     */
    public static <T extends Record> T bindOptions(byte[] body, Class<T> type, T none, Function<String, StrataException> refusal) {
        if (body.length == 0) {
            return none;
        }
        JsonNode json = parse(body);
        return json.isObject() ? bind(json, type, refusal) : none;
    }

    /**
     * Parses {@code body[from, to)} as one JSON value, its numbers and strings unchecked: for a
     * caller that checks the values it uses itself (a table row rejects its own) or that reads a
     * line of NDJSON.
     *
     * @param what names the text in messages ("the request body", "line 3")
     * @throws StrataException {@code invalid_json} as {@link #parse(byte[])}
     */
    public static JsonNode read(byte[] body, int from, int to, String what) {
        try (JsonParser parser = MAPPER.createParser(body, from, to - from)) {
            JsonNode node = ONE_VALUE.readTree(parser);
            if (node == null || node.isMissingNode()) {
                throw StrataException.invalid("invalid_json", what + " is empty; JSON was expected");
            }
            try {
                if (parser.nextToken() != null) {
                    throw trailing(what, "a second value starts at " + describe(parser.currentTokenLocation()));
                }
            } catch (JsonProcessingException e) {
                throw trailing(what, e.getOriginalMessage());
            }
            return node;
        } catch (JsonProcessingException e) {
            throw StrataException.invalid("invalid_json", what + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw StrataException.invalid("invalid_json", what + " is not valid JSON: " + e.getMessage());
        }
    }

    private static StrataException trailing(String what, String detail) {
        return StrataException.invalid("invalid_json", what + " has more after its JSON value, where one value is expected ("
                + detail + "); send many values as one JSON array, or as NDJSON where the route takes it");
    }

    private static String describe(JsonLocation location) {
        return "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /**
     * Refuses a value that cannot be stored as it was written: a number Jackson read as infinite
     * (it overflowed a 64-bit float; {@code invalid_number}), or a string or field name holding an
     * unpaired surrogate escape such as {@code "\\ud800"}, which is no Unicode text and which UTF-8
     * cannot store ({@code invalid_string}). Names where, as a JSON pointer ({@code /0/value}).
     *
     * @param what names the value in the message ("the request body", "the line")
     * @throws StrataException {@code invalid_number} or {@code invalid_string} (400)
     */
    public static void requireStorable(JsonNode node, String what) {
        check(node, "", what);
    }

    /** Whether {@code node} is a number that overflowed a 64-bit float. */
    public static boolean isNonFinite(JsonNode node) {
        return node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue());
    }

    /** Whether {@code text} holds a surrogate that is not half of a pair: no Unicode text, and not UTF-8-encodable. */
    public static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static void check(JsonNode node, String path, String what) {
        if (isNonFinite(node)) {
            throw StrataException.invalid("invalid_number", what + " holds a number beyond the range of a 64-bit float"
                    + " (about ±1.8e308) at " + at(path) + "; it cannot be stored unchanged");
        }
        if (node.isTextual() && hasUnpairedSurrogate(node.textValue())) {
            throw unpaired(what, "a string", path);
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                check(node.get(i), path + "/" + i, what);
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                String fieldPath = path + "/" + field.getKey().replace("~", "~0").replace("/", "~1");
                if (hasUnpairedSurrogate(field.getKey())) {
                    throw unpaired(what, "a field name", fieldPath);
                }
                check(field.getValue(), fieldPath, what);
            }
        }
    }

    private static StrataException unpaired(String what, String which, String path) {
        return StrataException.invalid("invalid_string", what + " holds " + which + " with an unpaired surrogate escape"
                + " (such as \\ud800 alone) at " + at(path) + "; that is no Unicode text, and it cannot be stored unchanged");
    }

    private static String at(String path) {
        return path.isEmpty() ? "its top level" : path;
    }

    /**
     * The lines of an NDJSON body that are not blank, as {@code [from, to)} byte ranges (without
     * the line break; a {@code \r} before it is whitespace to JSON). Split on bytes, so a line is
     * decoded by the JSON parser alone, which refuses invalid UTF-8.
     */
    public static List<int[]> lines(byte[] body) {
        List<int[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '\n') {
                if (!isBlank(body, start, i)) {
                    lines.add(new int[]{start, i});
                }
                start = i + 1;
            }
        }
        return lines;
    }

    private static boolean isBlank(byte[] body, int from, int to) {
        for (int i = from; i < to; i++) {
            if (body[i] != ' ' && body[i] != '\t' && body[i] != '\r') {
                return false;
            }
        }
        return true;
    }
}
