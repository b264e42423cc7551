package io.strata.node.stream.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.strata.node.common.StrataException;

import java.util.List;
import java.util.Locale;

import static io.strata.node.stream.spec.SpecJson.at;
import static io.strata.node.stream.spec.SpecJson.fail;

/**
 * One step of a job's transforms, applied in order to each record that passed the filter:
 * <ul>
 *   <li>{@code {"rename": {"from": "a", "to": "b"}}} moves a field (nothing happens when it is missing);
 *   <li>{@code {"cast": {"field": "x", "to": "int64"}}} converts a field in place, see {@link CastType};
 *   <li>{@code {"drop": "x"}} removes a field;
 *   <li>{@code {"set": {"field": "total", "expr": "price * quantity"}}} sets a field to an {@link Expression}.
 * </ul>
 * Fields are {@link FieldPath}s; setting one creates the objects on its way. A step that cannot be
 * applied to a record throws {@link RecordException}. Bad steps fail to parse with code
 * {@code invalid_transform}. Immutable and thread-safe.
 */
public sealed interface Transform permits Transform.Rename, Transform.Cast, Transform.Drop, Transform.Set {

    /**
     * Applies this step to {@code record}, in place.
     *
     * @throws RecordException when the record cannot take it
     */
    void apply(ObjectNode record);

    /** The step as it is written in a spec. */
    JsonNode toJson();

    /** Moves the value of {@code from} to {@code to}. */
    record Rename(FieldPath from, FieldPath to) implements Transform {
        public void apply(ObjectNode record) {
            JsonNode v = from.remove(record);
            if (v != null) {
                to.set(record, v);
            }
        }

        public JsonNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.putObject("rename").put("from", from.toString()).put("to", to.toString());
            return o;
        }
    }

    /** Converts the value of {@code field}; a missing field or a null stays as it is. */
    record Cast(FieldPath field, CastType to) implements Transform {
        public void apply(ObjectNode record) {
            JsonNode v = field.get(record);
            if (v != null && !v.isNull()) {
                field.set(record, to.convert(v, field));
            }
        }

        public JsonNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.putObject("cast").put("field", field.toString()).put("to", to.jsonName());
            return o;
        }
    }

    /** Removes {@code field}. */
    record Drop(FieldPath field) implements Transform {
        public void apply(ObjectNode record) {
            field.remove(record);
        }

        public JsonNode toJson() {
            return JsonNodeFactory.instance.objectNode().put("drop", field.toString());
        }
    }

    /** Sets {@code field} to the value of {@code expr} over the record as it is before this step. */
    record Set(FieldPath field, Expression expr) implements Transform {
        public void apply(ObjectNode record) {
            JsonNode v = expr.eval(record);
            // A field reference yields the record's own node; a copy keeps the two places apart.
            field.set(record, v.isContainerNode() ? v.deepCopy() : v);
        }

        public JsonNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.putObject("set").put("field", field.toString()).put("expr", expr.source());
            return o;
        }
    }

    /**
     * The types a cast converts to. int64: integers as they are, floats cut toward zero, strings
     * holding an integer, booleans as 1/0. float64: numbers, strings holding a finite number,
     * booleans as 1.0/0.0. string: strings as they are, anything else as its JSON text. bool:
     * booleans, the strings "true"/"false" (any case), numbers (zero is false). timestamp: epoch
     * milliseconds as an int64, from a number or an ISO-8601 string. Anything else fails.
     */
    enum CastType {
        INT64, FLOAT64, STRING, BOOL, TIMESTAMP;

        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }

        JsonNode convert(JsonNode v, FieldPath field) {
            JsonNode out = switch (this) {
                case INT64 -> toLong(v);
                case FLOAT64 -> toDouble(v);
                case STRING -> TextNode.valueOf(v.isTextual() ? v.textValue() : v.toString());
                case BOOL -> toBool(v);
                case TIMESTAMP -> {
                    Long t = JsonValues.timestamp(v);
                    yield t == null ? null : LongNode.valueOf(t);
                }
            };
            if (out == null) {
                throw new RecordException("cannot cast field '" + field + "' value " + JsonValues.show(v) + " to " + jsonName());
            }
            return out;
        }

        private static JsonNode toLong(JsonNode v) {
            if (v.isIntegralNumber() && v.canConvertToLong()) {
                return LongNode.valueOf(v.longValue());
            }
            if (v.isFloatingPointNumber() && Double.isFinite(v.doubleValue()) && Math.abs(v.doubleValue()) < 9.2e18) {
                return LongNode.valueOf((long) v.doubleValue());
            }
            if (v.isBoolean()) {
                return LongNode.valueOf(v.booleanValue() ? 1 : 0);
            }
            if (v.isTextual()) {
                try {
                    return LongNode.valueOf(Long.parseLong(v.textValue().trim()));
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            return null;
        }

        private static JsonNode toDouble(JsonNode v) {
            if (v.isNumber()) {
                return DoubleNode.valueOf(v.doubleValue());
            }
            if (v.isBoolean()) {
                return DoubleNode.valueOf(v.booleanValue() ? 1 : 0);
            }
            if (v.isTextual()) {
                try {
                    double d = Double.parseDouble(v.textValue().trim());
                    return Double.isFinite(d) ? DoubleNode.valueOf(d) : null;
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            return null;
        }

        private static JsonNode toBool(JsonNode v) {
            if (v.isBoolean()) {
                return v;
            }
            if (v.isNumber()) {
                return BooleanNode.valueOf(v.doubleValue() != 0);
            }
            if (v.isTextual() && (v.textValue().equalsIgnoreCase("true") || v.textValue().equalsIgnoreCase("false"))) {
                return BooleanNode.valueOf(v.textValue().equalsIgnoreCase("true"));
            }
            return null;
        }
    }

    /**
     * Parses one step; {@code where} names it in messages (such as {@code "transforms[0]"}).
     *
     * @throws StrataException {@code invalid_transform}, naming the bad part
     */
    static Transform parse(JsonNode node, String where) {
        String code = "invalid_transform";
        if (node == null || !node.isObject() || node.size() != 1) {
            throw fail(code, where, "must be an object with one of rename, cast, drop, set; got " + node);
        }
        String kind = node.fieldNames().next();
        String here = at(where, kind);
        JsonNode body = node.get(kind);
        switch (kind) {
            case "drop" -> {
                if (!body.isTextual() || body.textValue().isEmpty()) {
                    throw fail(code, here, "must be the name of the field to drop, got " + body);
                }
                return new Drop(SpecJson.path(body.textValue(), here, code));
            }
            case "rename" -> {
                SpecJson.object(body, here, code, List.of("from", "to"));
                return new Rename(path(body, "from", here), path(body, "to", here));
            }
            case "cast" -> {
                SpecJson.object(body, here, code, List.of("field", "to"));
                FieldPath field = path(body, "field", here);
                String to = SpecJson.text(body, "to", here, code, true);
                for (CastType t : CastType.values()) {
                    if (t.jsonName().equals(to)) {
                        return new Cast(field, t);
                    }
                }
                throw fail(code, at(here, "to"), "is '" + to + "', not a type (types: int64, float64, string, bool, timestamp)");
            }
            case "set" -> {
                SpecJson.object(body, here, code, List.of("field", "expr"));
                FieldPath field = path(body, "field", here);
                String expr = SpecJson.text(body, "expr", here, code, true);
                try {
                    return new Set(field, Expression.parse(expr));
                } catch (StrataException e) {
                    throw fail(code, at(here, "expr"), e.getMessage());
                }
            }
            default -> throw fail(code, here, "is not a transform (transforms: rename, cast, drop, set)");
        }
    }

    private static FieldPath path(JsonNode body, String field, String where) {
        return SpecJson.path(SpecJson.text(body, field, where, "invalid_transform", true), at(where, field), "invalid_transform");
    }
}
