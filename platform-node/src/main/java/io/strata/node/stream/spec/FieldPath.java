package io.strata.node.stream.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * A field of a JSON record named by a dotted path: {@code user.id} is field {@code id} of the
 * object in field {@code user}. Every field name in a job spec is such a path, so a field whose
 * own name holds a '.' cannot be reached. Immutable and thread-safe.
 */
public record FieldPath(List<String> steps) {

    public FieldPath {
        steps = List.copyOf(steps);
    }

    /**
     * Parses a dotted path.
     *
     * @throws IllegalArgumentException when {@code path} is empty or has an empty step
     */
    public static FieldPath of(String path) {
        List<String> steps = List.of(path.split("\\.", -1));
        if (steps.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("'" + path + "' is not a field path (names joined by '.')");
        }
        return new FieldPath(steps);
    }

    /** The value at this path, or null when a step is missing or not an object. */
    public JsonNode get(JsonNode record) {
        JsonNode node = record;
        for (String step : steps) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(step);
        }
        return node;
    }

    /**
     * Sets the value at this path, creating the objects on the way.
     *
     * @throws RecordException when a step on the way holds something other than an object
     */
    public void set(ObjectNode record, JsonNode value) {
        ObjectNode parent = record;
        for (int i = 0; i < steps.size() - 1; i++) {
            JsonNode next = parent.get(steps.get(i));
            if (next == null || next.isNull()) {
                next = parent.putObject(steps.get(i));
            } else if (!next.isObject()) {
                throw new RecordException("cannot set '" + this + "': '" + String.join(".", steps.subList(0, i + 1))
                        + "' is not an object");
            }
            parent = (ObjectNode) next;
        }
        parent.set(steps.get(steps.size() - 1), value);
    }

    /** Removes the value at this path and returns it, or null when there was none. */
    public JsonNode remove(ObjectNode record) {
        JsonNode parent = new FieldPath(steps.subList(0, steps.size() - 1)).get(record);
        return parent instanceof ObjectNode o ? o.remove(steps.get(steps.size() - 1)) : null;
    }

    @Override
    public String toString() {
        return String.join(".", steps);
    }
}
