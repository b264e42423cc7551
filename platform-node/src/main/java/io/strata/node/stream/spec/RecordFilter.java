package io.strata.node.stream.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

import static io.strata.node.stream.spec.SpecJson.at;
import static io.strata.node.stream.spec.SpecJson.fail;

/**
 * A job's filter over one JSON record, in the grammar of a table query's {@code where}:
 * {@code {"column": "type", "op": "=", "value": "purchase"}} with ops {@code =, !=, <, <=, >, >=,
 * between} (inclusive, {@code [low, high]}), {@code in} (an array), {@code is_null},
 * {@code is_not_null}; and {@code {"and": [...]}}, {@code {"or": [...]}}, {@code {"not": f}}.
 * A column is a {@link FieldPath}, so {@code "user.country"} reaches into nested objects.
 *
 * <p>Records have no schema, so values are compared by what they are: numbers numerically (5
 * equals 5.0), strings by UTF-16 code units, false before true. Like SQL with two-valued logic,
 * every comparison with a missing or null field is false ({@code !=} too), {@code is_null}
 * matches missing and null alike, and {@code not} is plain negation. Values of different kinds
 * are never equal ({@code "5" = 5} is false, {@code "5" != 5} is true) and never ordered
 * ({@code <} and friends are false). When a constant is an ISO-8601 instant
 * ({@code "2026-01-01T00:00:00Z"}), a field holding a number (epoch milliseconds) or an ISO-8601
 * string is compared with it as an instant; other strings are compared as strings.
 *
 * <p>Bad filters fail to parse with code {@code invalid_filter}. Immutable and thread-safe.
 */
public sealed interface RecordFilter permits RecordFilter.And, RecordFilter.Or, RecordFilter.Not, RecordFilter.Compare {

    /** Whether {@code record} passes. */
    default boolean test(JsonNode record) {
        return test(column -> column.get(record));
    }

    /** Whether the record whose fields {@code fields} gives passes. */
    boolean test(Fields fields);

    /** The fields a filter reads, in the order of its conditions (repeats included). */
    List<FieldPath> columns();

    /** A record's fields as a filter reads them. */
    @FunctionalInterface
    interface Fields {
        /** The value at {@code column}, as {@link FieldPath#get} finds it in the record (null when missing). */
        JsonNode get(FieldPath column);
    }

    /** The filter in the JSON grammar it was parsed from. */
    JsonNode toJson();

    /** Filter operators as written in a spec. */
    enum Op {
        EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">="), BETWEEN("between"), IN("in"),
        IS_NULL("is_null"), IS_NOT_NULL("is_not_null");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    /** Every child passes. */
    record And(List<RecordFilter> children) implements RecordFilter {
        public And {
            children = List.copyOf(children);
        }

        public boolean test(Fields fields) {
            for (RecordFilter c : children) {
                if (!c.test(fields)) {
                    return false;
                }
            }
            return true;
        }

        public List<FieldPath> columns() {
            return columnsOf(children);
        }

        public JsonNode toJson() {
            return combined("and", children);
        }
    }

    /** At least one child passes. */
    record Or(List<RecordFilter> children) implements RecordFilter {
        public Or {
            children = List.copyOf(children);
        }

        public boolean test(Fields fields) {
            for (RecordFilter c : children) {
                if (c.test(fields)) {
                    return true;
                }
            }
            return false;
        }

        public List<FieldPath> columns() {
            return columnsOf(children);
        }

        public JsonNode toJson() {
            return combined("or", children);
        }
    }

    /** The child does not pass. */
    record Not(RecordFilter child) implements RecordFilter {
        public boolean test(Fields fields) {
            return !child.test(fields);
        }

        public List<FieldPath> columns() {
            return child.columns();
        }

        public JsonNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.set("not", child.toJson());
            return o;
        }
    }

    /**
     * A constant of a comparison; {@code instant} is its epoch milliseconds when it is an
     * ISO-8601 string, else null.
     */
    record Constant(JsonNode value, Long instant) {
        static Constant of(JsonNode value) {
            return new Constant(value, value.isTextual() ? JsonValues.instant(value.textValue()) : null);
        }

        /** Orders a non-null field value against this constant; null when they do not compare. */
        Integer compareWith(JsonNode v) {
            if (instant != null) {
                Long t = v.isNumber() ? JsonValues.timestamp(v) : v.isTextual() ? JsonValues.instant(v.textValue()) : null;
                if (t != null) {
                    return Long.compare(t, instant);
                }
            }
            return JsonValues.compare(v, value);
        }
    }

    /** A condition on one field: a comparison with constants, or a null check. */
    record Compare(FieldPath column, Op op, List<Constant> constants) implements RecordFilter {
        public Compare {
            constants = List.copyOf(constants);
        }

        public boolean test(Fields fields) {
            JsonNode v = fields.get(column);
            if (op == Op.IS_NULL || op == Op.IS_NOT_NULL) {
                return JsonValues.isNull(v) == (op == Op.IS_NULL);
            }
            if (JsonValues.isNull(v)) {
                return false;
            }
            return switch (op) {
                case EQ -> is(v, 0, c -> c == 0);
                case NE -> !is(v, 0, c -> c == 0);
                case LT -> is(v, 0, c -> c < 0);
                case LE -> is(v, 0, c -> c <= 0);
                case GT -> is(v, 0, c -> c > 0);
                case GE -> is(v, 0, c -> c >= 0);
                case BETWEEN -> is(v, 0, c -> c >= 0) && is(v, 1, c -> c <= 0);
                case IN -> constants.stream().anyMatch(k -> Integer.valueOf(0).equals(k.compareWith(v)));
                case IS_NULL, IS_NOT_NULL -> throw new IllegalStateException("handled above");
            };
        }

        public List<FieldPath> columns() {
            return List.of(column);
        }

        private boolean is(JsonNode v, int constant, java.util.function.IntPredicate holds) {
            Integer c = constants.get(constant).compareWith(v);
            return c != null && holds.test(c);
        }

        public JsonNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("column", column.toString());
            o.put("op", op.symbol());
            switch (op) {
                case IS_NULL, IS_NOT_NULL -> { }
                case BETWEEN, IN -> {
                    ArrayNode values = o.putArray("value");
                    constants.forEach(c -> values.add(c.value()));
                }
                default -> o.set("value", constants.get(0).value());
            }
            return o;
        }
    }

    /**
     * Parses a filter; {@code where} names it in messages (such as {@code "filter"}).
     *
     * @throws io.strata.node.common.StrataException {@code invalid_filter}, naming the bad part
     */
    static RecordFilter parse(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw fail("invalid_filter", where, "must be a filter object, got " + node);
        }
        for (String combinator : List.of("and", "or")) {
            if (node.has(combinator)) {
                if (node.size() != 1) {
                    throw fail("invalid_filter", where, "\"" + combinator + "\" must be the only field of its filter object");
                }
                JsonNode list = node.get(combinator);
                if (!list.isArray() || list.isEmpty()) {
                    throw fail("invalid_filter", at(where, combinator), "needs a non-empty array of filters");
                }
                List<RecordFilter> children = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    children.add(parse(list.get(i), at(at(where, combinator), i)));
                }
                return combinator.equals("and") ? new And(children) : new Or(children);
            }
        }
        if (node.has("not")) {
            if (node.size() != 1) {
                throw fail("invalid_filter", where, "\"not\" must be the only field of its filter object");
            }
            return new Not(parse(node.get("not"), at(where, "not")));
        }
        SpecJson.object(node, where, "invalid_filter", List.of("column", "op", "value"));
        FieldPath column = SpecJson.path(SpecJson.text(node, "column", where, "invalid_filter", true),
                at(where, "column"), "invalid_filter");
        String symbol = SpecJson.text(node, "op", where, "invalid_filter", true);
        Op op = null;
        for (Op o : Op.values()) {
            if (o.symbol().equals(symbol)) {
                op = o;
            }
        }
        if (op == null) {
            throw fail("invalid_filter", at(where, "op"), "is '" + symbol
                    + "', not a filter op (ops: =, !=, <, <=, >, >=, between, in, is_null, is_not_null)");
        }
        return new Compare(column, op, constants(op, node.get("value"), at(where, "value")));
    }

    private static List<Constant> constants(Op op, JsonNode value, String where) {
        List<JsonNode> values = new ArrayList<>();
        switch (op) {
            case IS_NULL, IS_NOT_NULL -> {
                if (value != null) {
                    throw fail("invalid_filter", where, "is not taken by " + op.symbol());
                }
            }
            case BETWEEN -> {
                if (value == null || !value.isArray() || value.size() != 2) {
                    throw fail("invalid_filter", where, "must be [low, high] for between, got " + value);
                }
                value.forEach(values::add);
            }
            case IN -> {
                if (value == null || !value.isArray()) {
                    throw fail("invalid_filter", where, "must be an array for in, got " + value);
                }
                value.forEach(values::add);
            }
            default -> {
                if (value == null) {
                    throw fail("invalid_filter", where, "is required for " + op.symbol());
                }
                values.add(value);
            }
        }
        List<Constant> out = new ArrayList<>();
        for (JsonNode v : values) {
            if (!v.isValueNode() || v.isNull()) {
                throw fail("invalid_filter", where, "must hold strings, numbers or booleans, got " + v
                        + (v.isNull() ? "; use is_null / is_not_null for nulls" : ""));
            }
            out.add(Constant.of(v));
        }
        return out;
    }

    private static List<FieldPath> columnsOf(List<RecordFilter> children) {
        List<FieldPath> columns = new ArrayList<>();
        children.forEach(c -> columns.addAll(c.columns()));
        return columns;
    }

    private static JsonNode combined(String combinator, List<RecordFilter> children) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ArrayNode list = o.putArray(combinator);
        children.forEach(c -> list.add(c.toJson()));
        return o;
    }
}
