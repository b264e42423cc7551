package io.strata.node.stream.spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import io.strata.node.stream.window.AggregateSpec;
import io.strata.node.stream.window.EventValues;
import io.strata.node.stream.window.StreamEvent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The way a {@link RecordPipeline} without transforms reads a record: once, from its bytes, with a
 * streaming parser that keeps only the fields the job reads (the key, the event time, the filter's
 * columns and the aggregates' fields) in the slots of an {@link EventValues}, and builds no JSON
 * tree. It answers only for a record it can take as the tree would: a JSON object with nothing
 * after it, no number beyond a 64-bit float, no surrogate escape or encoded surrogate anywhere, no
 * object or array in a field the job reads, and a usable key and event time. For any other it
 * answers null and the pipeline reads the record as a tree, so every bad record's reason is the
 * tree's own.
 *
 * <p>Immutable and thread-safe.
 */
final class RecordDecoder {

    /** One step of the field paths read: a leaf holds a slot, an inner step the steps under it. */
    private static final class Step {
        final Map<String, Step> children = new HashMap<>();
        int slot = -1;
        int[] slotsBelow = new int[0];
    }

    private final JsonFactory factory;
    private final Step root = new Step();
    private final List<String> names;
    private final int keySlot;
    private final int timeSlot;
    private final RecordFilter filter;
    private final Map<FieldPath, Integer> filterSlots = new IdentityHashMap<>();

    private RecordDecoder(JsonFactory factory, JobSpec spec, Map<List<String>, Integer> slots) {
        this.factory = factory;
        List<String> slotNames = new ArrayList<>();
        slots.forEach((steps, slot) -> slotNames.add(steps.size() == 1 ? steps.get(0) : null));
        this.names = Collections.unmodifiableList(slotNames);
        this.keySlot = slots.get(FieldPath.of(spec.key()).steps());
        this.timeSlot = slots.get(FieldPath.of(spec.eventTime()).steps());
        this.filter = spec.filter().orElse(null);
        if (filter != null) {
            filter.columns().forEach(c -> filterSlots.put(c, slots.get(c.steps())));
        }
    }

    /**
     * The decoder of a spec's records, or null when its records must be read as trees: it has
     * transforms, or one field it reads lies inside another.
     */
    static RecordDecoder create(JsonFactory factory, JobSpec spec) {
        if (!spec.transforms().isEmpty()) {
            return null;
        }
        Map<List<String>, Integer> slots = new LinkedHashMap<>();
        List<FieldPath> paths = new ArrayList<>();
        paths.add(FieldPath.of(spec.key()));
        paths.add(FieldPath.of(spec.eventTime()));
        spec.filter().ifPresent(f -> paths.addAll(f.columns()));
        for (AggregateSpec a : spec.aggregates()) {
            if (a.field() != null) {
                // An aggregate reads a top-level field by its name, dots and all.
                paths.add(new FieldPath(List.of(a.field())));
            }
        }
        for (FieldPath path : paths) {
            slots.putIfAbsent(path.steps(), slots.size());
        }
        RecordDecoder decoder = new RecordDecoder(factory, spec, slots);
        for (Map.Entry<List<String>, Integer> s : slots.entrySet()) {
            if (!decoder.add(s.getKey(), s.getValue())) {
                return null;
            }
        }
        return decoder;
    }

    private boolean add(List<String> steps, int slot) {
        Step step = root;
        for (String name : steps) {
            if (step.slot >= 0) {
                return false;
            }
            step.slotsBelow = append(step.slotsBelow, slot);
            step = step.children.computeIfAbsent(name, n -> new Step());
        }
        if (!step.children.isEmpty()) {
            return false;
        }
        step.slot = slot;
        return true;
    }

    private static int[] append(int[] slots, int slot) {
        int[] more = Arrays.copyOf(slots, slots.length + 1);
        more[slots.length] = slot;
        return more;
    }

    /**
     * The record {@code value[from, from + length)} at {@code offset} of {@code partition} as an
     * event or a skip, or null when the pipeline must read it as a tree.
     */
    RecordPipeline.Outcome decode(int partition, long offset, byte[] value, int from, int length) {
        if (mayHoldSurrogate(value, from, from + length)) {
            return null;
        }
        EventValues values = new EventValues(names, value, from, length);
        try (JsonParser parser = factory.createParser(value, from, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT || !readObject(parser, root, values) || parser.nextToken() != null) {
                return null;
            }
        } catch (IOException e) {
            return null;
        }
        if (filter != null && !filter.test(column -> values.node(filterSlots.get(column)))) {
            return RecordPipeline.Skipped.INSTANCE;
        }
        String key = switch (values.kind(keySlot)) {
            case TEXT -> values.text(keySlot);
            case LONG, DOUBLE, BOOLEAN -> values.node(keySlot).asText();
            default -> null;
        };
        if (key == null || key.isEmpty()) {
            return null;
        }
        long time;
        switch (values.kind(timeSlot)) {
            case LONG -> time = values.longValue(timeSlot);
            case DOUBLE -> {
                double t = values.doubleValue(timeSlot);
                if (Math.abs(t) >= 9.2e18) {
                    return null;
                }
                time = (long) Math.floor(t);
            }
            case TEXT -> {
                Long t = JsonValues.instant(values.text(timeSlot));
                if (t == null) {
                    return null;
                }
                time = t;
            }
            default -> {
                return null;
            }
        }
        if (time < RecordPipeline.MIN_EVENT_TIME || time > RecordPipeline.MAX_EVENT_TIME) {
            return null;
        }
        return new RecordPipeline.Event(StreamEvent.decoded(partition, offset, key, time, values));
    }

    /** Reads the fields of an object whose start the parser has just read; false when the tree must decide. */
    private static boolean readObject(JsonParser parser, Step step, EventValues values) throws IOException {
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            Step child = step.children.get(parser.currentName());
            token = parser.nextToken();
            if (child == null) {
                if (!skip(parser, token)) {
                    return false;
                }
            } else if (child.slot >= 0) {
                if (!take(parser, token, child.slot, values)) {
                    return false;
                }
            } else {
                // A field named twice: the last value counts, as in a tree.
                for (int slot : child.slotsBelow) {
                    values.clear(slot);
                }
                boolean read = token == JsonToken.START_OBJECT ? readObject(parser, child, values) : skip(parser, token);
                if (!read) {
                    return false;
                }
            }
        }
        return token == JsonToken.END_OBJECT;
    }

    /** Puts a scalar in its slot; false for an object or array, or a number beyond a 64-bit float. */
    private static boolean take(JsonParser parser, JsonToken token, int slot, EventValues values) throws IOException {
        switch (token) {
            case VALUE_NULL -> values.clear(slot);
            case VALUE_TRUE -> values.setBoolean(slot, true);
            case VALUE_FALSE -> values.setBoolean(slot, false);
            case VALUE_STRING -> values.setText(slot, parser.getText());
            case VALUE_NUMBER_INT -> {
                if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    JsonNode big = BigIntegerNode.valueOf(parser.getBigIntegerValue());
                    values.setNode(slot, big);
                } else {
                    values.setLong(slot, parser.getLongValue());
                }
            }
            case VALUE_NUMBER_FLOAT -> {
                double d = parser.getDoubleValue();
                if (!Double.isFinite(d)) {
                    return false;
                }
                values.setDouble(slot, d);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Skips a value the job does not read; false when it holds a number beyond a 64-bit float. */
    private static boolean skip(JsonParser parser, JsonToken token) throws IOException {
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            int depth = 1;
            while (depth > 0) {
                JsonToken next = parser.nextToken();
                if (next == null) {
                    return false;
                }
                if (next == JsonToken.START_OBJECT || next == JsonToken.START_ARRAY) {
                    depth++;
                } else if (next == JsonToken.END_OBJECT || next == JsonToken.END_ARRAY) {
                    depth--;
                } else if (next == JsonToken.VALUE_NUMBER_FLOAT && !Double.isFinite(parser.getDoubleValue())) {
                    return false;
                }
            }
            return true;
        }
        return token != JsonToken.VALUE_NUMBER_FLOAT || Double.isFinite(parser.getDoubleValue());
    }

    /**
     * Whether the bytes may hold an unpaired surrogate, which the tree refuses: a {@code \\u}
     * escape (of any character; a surrogate pair is checked there too) or a UTF-8 lead byte 0xED
     * followed by 0xA0 or more (a surrogate encoded as if it were a character).
     */
    static boolean mayHoldSurrogate(byte[] bytes, int from, int to) {
        for (int i = from; i < to - 1; i++) {
            byte b = bytes[i];
            if ((b == '\\' && bytes[i + 1] == 'u') || (b == (byte) 0xED && (bytes[i + 1] & 0xFF) >= 0xA0)) {
                return true;
            }
        }
        return false;
    }
}
