package io.strata.node.stream.job;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.node.http.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * A window's result as the sinks write it: the key, the window [start, end) in epoch milliseconds,
 * and the aggregates' values by their names, in the job's aggregate order (a map that keeps its
 * order, such as a {@link java.util.LinkedHashMap} or the {@link io.strata.node.stream.window.WindowResult}'s
 * own, which the row shares rather than copies: neither is changed once made).
 */
public record ResultRow(String key, long windowStart, long windowEnd, Map<String, Object> values) {

    private static final SerializableString WINDOW_START = new SerializedString("window_start");
    private static final SerializableString WINDOW_END = new SerializedString("window_end");

    /**
     * The result as a JSON object: {@code {<keyField>: key, "window_start": ISO, "window_end": ISO,
     * <as>: value, ...}} — what the KV and topic sinks store.
     */
    public ObjectNode toJson(String keyField) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put(keyField, key);
        json.put("window_start", Instant.ofEpochMilli(windowStart).toString());
        json.put("window_end", Instant.ofEpochMilli(windowEnd).toString());
        for (Map.Entry<String, Object> v : values.entrySet()) {
            json.set(v.getKey(), Json.MAPPER.valueToTree(v.getValue()));
        }
        return json;
    }

    /**
     * {@link #toJson} as UTF-8 bytes, written straight from the values; {@code instants} gives the
     * ISO-8601 text of the window bounds (a caller writing many rows of the same windows caches it).
     */
    public byte[] toJsonBytes(String keyField, LongFunction<String> instants) {
        ByteArrayBuilder out = new ByteArrayBuilder();
        try (JsonGenerator json = Json.MAPPER.createGenerator(out)) {
            writeJson(json, keyField, millis -> new SerializedString(instants.apply(millis)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a result as JSON", e);
        }
        return out.toByteArray();
    }

    /**
     * Writes {@link #toJson} to {@code json}, as {@link #toJsonBytes} does; {@code instants} gives the
     * window bounds' ISO-8601 text already quoted and encoded (a {@link SerializedString}, cached by
     * a caller writing many rows of the same windows).
     */
    public void writeJson(JsonGenerator json, String keyField, LongFunction<SerializableString> instants) throws IOException {
        json.writeStartObject();
        json.writeStringField(keyField, key);
        json.writeFieldName(WINDOW_START);
        json.writeString(instants.apply(windowStart));
        json.writeFieldName(WINDOW_END);
        json.writeString(instants.apply(windowEnd));
        for (Map.Entry<String, Object> v : values.entrySet()) {
            json.writeFieldName(v.getKey());
            if (v.getValue() instanceof Long l) {
                json.writeNumber(l);
            } else if (v.getValue() instanceof Double d) {
                json.writeNumber(d);
            } else {
                json.writeTree(Json.MAPPER.valueToTree(v.getValue()));
            }
        }
        json.writeEndObject();
    }

    /**
     * Why no sink can store this result as it is, or empty: an aggregate beyond the range of a
     * 64-bit float (a sum that overflowed), which a float64 column refuses and JSON has no number for.
     */
    public Optional<String> unstorable() {
        // The values alone, not their entries: an unmodifiable map wraps each entry it hands out.
        for (Object value : values.values()) {
            boolean nonFinite = value instanceof Double d ? !Double.isFinite(d) : value instanceof JsonNode n && Json.isNonFinite(n);
            if (nonFinite) {
                String name = values.entrySet().stream().filter(v -> v.getValue() == value).findFirst().orElseThrow().getKey();
                return Optional.of("aggregate '" + name + "' is " + value
                        + ": it overflowed the range of a 64-bit float (about ±1.8e308), so it cannot be stored");
            }
        }
        return Optional.empty();
    }
}
