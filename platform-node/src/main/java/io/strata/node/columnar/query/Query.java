package io.strata.node.columnar.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.columnar.Column;
import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.Schema;
import io.strata.node.columnar.ZoneMap;
import io.strata.node.common.StrataException;
import io.strata.node.common.Timestamps;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A validated, typed query plan over one table schema, parsed from the JSON query shape:
 * <pre>{@code
 * {"select": ["k"], "aggregates": [{"fn": "count", "as": "n"}, {"fn": "sum", "column": "v", "as": "s"}],
 *  "where": {"and": [{"column": "ts", "op": ">=", "value": "2026-01-01T00:00:00Z"},
 *                    {"column": "k", "op": "in", "value": [1, 2, 3]}]},
 *  "group_by": ["k"], "order_by": [{"column": "s", "desc": true}], "limit": 10}
 * }</pre>
 * A query aggregates when it has aggregates or a group_by (a group_by alone is SELECT DISTINCT);
 * otherwise it is a plain row scan. Output columns are the select columns, in order, then the
 * aggregates; order_by names output columns. Aggregate names default to {@code fn} or
 * {@code fn_column}. Every malformed query is refused with a 400 {@link StrataException} whose
 * code says which rule it broke: {@code invalid_query} (shape), {@code unknown_column},
 * {@code unknown_function}, {@code invalid_aggregate}, {@code invalid_filter}, {@code unknown_op},
 * {@code type_mismatch}, {@code invalid_timestamp}, {@code invalid_group_by},
 * {@code invalid_order_by}, {@code invalid_limit}, {@code duplicate_output}.
 *
 * <p>Immutable and thread-safe; parsing costs time linear in the query's size.
 */
public final class Query {

    /** Aggregate functions. */
    public enum Fn {
        COUNT, COUNT_DISTINCT, SUM, AVG, MIN, MAX;

        String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One aggregate: {@code column} is the schema index, or -1 for {@code count} of rows;
     * {@code type} is the input column's type (null for row counts).
     */
    public record Aggregate(Fn fn, int column, ColumnType type, String name) {

        /** The type of the aggregate's value: counts INT64, avg FLOAT64, others the input's. */
        public ColumnType outputType() {
            return switch (fn) {
                case COUNT, COUNT_DISTINCT -> ColumnType.INT64;
                case AVG -> ColumnType.FLOAT64;
                case SUM, MIN, MAX -> type;
            };
        }
    }

    /** An ORDER BY key: an output column position and direction. Nulls sort last either way. */
    public record OrderKey(int output, boolean desc) {}

    /** Most GROUP BY columns (composite keys carry a 64-bit null mask). */
    public static final int MAX_GROUP_BY = 32;

    private static final Set<String> FIELDS = Set.of("select", "aggregates", "where", "group_by", "order_by", "limit");

    private final Schema schema;
    private final int[] select;
    private final List<Aggregate> aggregates;
    private final Filter where;
    private final int[] groupBy;
    private final List<OrderKey> orderBy;
    private final long limit;
    private final List<String> outputNames;
    private final List<ColumnType> outputTypes;
    private final int[] neededColumns;

    private Query(Schema schema, int[] select, List<Aggregate> aggregates, Filter where, int[] groupBy,
                  List<OrderKey> orderBy, long limit, List<String> outputNames, List<ColumnType> outputTypes) {
        this.schema = schema;
        this.select = select;
        this.aggregates = List.copyOf(aggregates);
        this.where = where;
        this.groupBy = groupBy;
        this.orderBy = List.copyOf(orderBy);
        this.limit = limit;
        this.outputNames = List.copyOf(outputNames);
        this.outputTypes = List.copyOf(outputTypes);
        Set<Integer> needed = new TreeSet<>();
        for (int c : select) {
            needed.add(c);
        }
        for (int c : groupBy) {
            needed.add(c);
        }
        for (Aggregate a : aggregates) {
            if (a.column() >= 0) {
                needed.add(a.column());
            }
        }
        if (where != null) {
            where.columns(needed);
        }
        this.neededColumns = needed.stream().mapToInt(Integer::intValue).toArray();
    }

    public Schema schema() {
        return schema;
    }

    /** Schema indices of the selected columns, in output order. */
    public int[] select() {
        return select.clone();
    }

    public List<Aggregate> aggregates() {
        return aggregates;
    }

    /** The WHERE clause, or null when every row qualifies. */
    public Filter where() {
        return where;
    }

    /** Schema indices of the GROUP BY columns. */
    public int[] groupBy() {
        return groupBy.clone();
    }

    public List<OrderKey> orderBy() {
        return orderBy;
    }

    /** Most rows in the answer, or -1 for no limit. */
    public long limit() {
        return limit;
    }

    public List<String> outputNames() {
        return outputNames;
    }

    public List<ColumnType> outputTypes() {
        return outputTypes;
    }

    /** Whether this query aggregates (has aggregates or a group_by) rather than scanning rows. */
    public boolean aggregating() {
        return !aggregates.isEmpty() || groupBy.length > 0;
    }

    /** Schema indices, ascending, of every column the query reads: the only vectors a block must supply. */
    public int[] neededColumns() {
        return neededColumns.clone();
    }

    int[] needed() {
        return neededColumns;
    }

    int[] selectInternal() {
        return select;
    }

    int[] groupByInternal() {
        return groupBy;
    }

    /**
     * Whether a block with these zone maps (indexed by schema index; null entries mean unknown)
     * may hold a row matching the WHERE clause. Conservative: false only when no row can match.
     */
    public boolean mayMatch(ZoneMap[] zones) {
        return where == null || where.mayMatch(zones);
    }

    /** Parses and validates {@code json} against {@code schema}. */
    public static Query parse(JsonNode json, Schema schema) {
        if (json == null || !json.isObject()) {
            throw invalid("invalid_query", "a query must be a JSON object");
        }
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw invalid("invalid_query", "unknown query field '" + f + "' (fields: " + String.join(", ", new TreeSet<>(FIELDS)) + ")");
            }
        }
        int[] select = columnList(json.get("select"), "select", schema);
        int[] groupBy = columnList(json.get("group_by"), "group_by", schema);
        checkDistinct(groupBy, "group_by", schema);
        if (groupBy.length > MAX_GROUP_BY) {
            throw invalid("invalid_group_by", "group_by takes at most " + MAX_GROUP_BY + " columns, got " + groupBy.length);
        }
        List<Aggregate> aggregates = parseAggregates(json.get("aggregates"), schema);
        boolean aggregating = !aggregates.isEmpty() || groupBy.length > 0;
        if (aggregating) {
            for (int c : select) {
                if (indexOf(groupBy, c) < 0) {
                    throw invalid("invalid_group_by", "select column '" + name(schema, c)
                            + "' must appear in group_by when the query aggregates");
                }
            }
        } else if (select.length == 0) {
            throw invalid("invalid_query", "a query needs select columns or aggregates");
        }
        List<String> names = new ArrayList<>();
        List<ColumnType> types = new ArrayList<>();
        for (int c : select) {
            names.add(name(schema, c));
            types.add(schema.columns().get(c).type());
        }
        for (Aggregate a : aggregates) {
            names.add(a.name());
            types.add(a.outputType());
        }
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                throw invalid("duplicate_output", "output column '" + n + "' appears twice; name aggregates apart with \"as\"");
            }
        }
        Filter where = json.hasNonNull("where") ? parseFilter(json.get("where"), schema) : null;
        List<OrderKey> orderBy = parseOrderBy(json.get("order_by"), names);
        long limit = parseLimit(json.get("limit"));
        return new Query(schema, select, aggregates, where, groupBy, orderBy, limit, names, types);
    }

    private static int[] columnList(JsonNode node, String field, Schema schema) {
        if (node == null || node.isNull()) {
            return new int[0];
        }
        if (!node.isArray()) {
            throw invalid("invalid_query", "'" + field + "' must be an array of column names");
        }
        int[] out = new int[node.size()];
        for (int i = 0; i < node.size(); i++) {
            JsonNode e = node.get(i);
            if (!e.isTextual()) {
                throw invalid("invalid_query", "'" + field + "' must be an array of column names, got " + e);
            }
            out[i] = columnIndex(schema, e.asText());
        }
        return out;
    }

    private static void checkDistinct(int[] columns, String field, Schema schema) {
        for (int i = 0; i < columns.length; i++) {
            if (indexOf(columns, columns[i]) != i) {
                throw invalid("invalid_query", "'" + field + "' names column '" + name(schema, columns[i]) + "' twice");
            }
        }
    }

    private static List<Aggregate> parseAggregates(JsonNode node, Schema schema) {
        List<Aggregate> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw invalid("invalid_query", "'aggregates' must be an array of {\"fn\", \"column\", \"as\"} objects");
        }
        for (JsonNode a : node) {
            if (!a.isObject()) {
                throw invalid("invalid_query", "each aggregate must be an object like {\"fn\": \"sum\", \"column\": \"v\", \"as\": \"s\"}, got " + a);
            }
            for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("fn") && !f.equals("column") && !f.equals("as")) {
                    throw invalid("invalid_query", "unknown aggregate field '" + f + "' (fields: fn, column, as)");
                }
            }
            JsonNode fnNode = a.get("fn");
            if (fnNode == null || !fnNode.isTextual()) {
                throw invalid("invalid_query", "an aggregate needs \"fn\" as a string: " + a);
            }
            Fn fn = null;
            for (Fn f : Fn.values()) {
                if (f.jsonName().equals(fnNode.asText())) {
                    fn = f;
                }
            }
            if (fn == null) {
                throw invalid("unknown_function", "unknown aggregate function '" + fnNode.asText()
                        + "' (functions: count, count_distinct, sum, avg, min, max)");
            }
            JsonNode colNode = a.get("column");
            int column = -1;
            ColumnType type = null;
            if (colNode != null && !colNode.isNull()) {
                if (!colNode.isTextual()) {
                    throw invalid("invalid_query", "aggregate \"column\" must be a column name, got " + colNode);
                }
                column = columnIndex(schema, colNode.asText());
                type = schema.columns().get(column).type();
            } else if (fn != Fn.COUNT) {
                throw invalid("invalid_aggregate", fn.jsonName() + " needs a \"column\"");
            }
            if ((fn == Fn.SUM || fn == Fn.AVG) && !type.isNumeric()) {
                throw invalid("invalid_aggregate", fn.jsonName() + " needs an int64 or float64 column; '"
                        + name(schema, column) + "' is " + type.jsonName());
            }
            JsonNode asNode = a.get("as");
            String name;
            if (asNode == null || asNode.isNull()) {
                name = column < 0 ? fn.jsonName() : fn.jsonName() + "_" + name(schema, column);
            } else if (!asNode.isTextual() || asNode.asText().isEmpty()) {
                throw invalid("invalid_query", "aggregate \"as\" must be a non-empty string, got " + asNode);
            } else {
                name = asNode.asText();
            }
            out.add(new Aggregate(fn, column, type, name));
        }
        return out;
    }

    private static List<OrderKey> parseOrderBy(JsonNode node, List<String> outputs) {
        List<OrderKey> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw invalid("invalid_order_by", "'order_by' must be an array of {\"column\", \"desc\"} objects");
        }
        for (JsonNode k : node) {
            String column;
            boolean desc = false;
            if (k.isTextual()) {
                column = k.asText();
            } else if (k.isObject() && k.path("column").isTextual()) {
                column = k.get("column").asText();
                for (Iterator<String> it = k.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    if (!f.equals("column") && !f.equals("desc")) {
                        throw invalid("invalid_order_by", "unknown order_by field '" + f + "' (fields: column, desc)");
                    }
                }
                JsonNode d = k.get("desc");
                if (d != null && !d.isNull()) {
                    if (!d.isBoolean()) {
                        throw invalid("invalid_order_by", "order_by \"desc\" must be true or false, got " + d);
                    }
                    desc = d.asBoolean();
                }
            } else {
                throw invalid("invalid_order_by", "each order_by entry must be {\"column\": name, \"desc\": bool}, got " + k);
            }
            int idx = outputs.indexOf(column);
            if (idx < 0) {
                throw invalid("invalid_order_by", "order_by names '" + column + "', which is not an output column (outputs: "
                        + String.join(", ", outputs) + ")");
            }
            out.add(new OrderKey(idx, desc));
        }
        return out;
    }

    private static long parseLimit(JsonNode node) {
        if (node == null || node.isNull()) {
            return -1;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw invalid("invalid_limit", "'limit' must be a non-negative integer, got " + node);
        }
        if (node.asLong() < 0) {
            throw invalid("invalid_limit", "'limit' must not be negative, got " + node.asLong());
        }
        return node.asLong();
    }

    static Filter parseFilter(JsonNode node, Schema schema) {
        if (!node.isObject()) {
            throw invalid("invalid_filter", "a filter must be an object, got " + node);
        }
        for (String combinator : List.of("and", "or")) {
            if (node.has(combinator)) {
                if (node.size() != 1) {
                    throw invalid("invalid_filter", "\"" + combinator + "\" must be the only field of its filter object");
                }
                JsonNode list = node.get(combinator);
                if (!list.isArray() || list.isEmpty()) {
                    throw invalid("invalid_filter", "\"" + combinator + "\" needs a non-empty array of filters");
                }
                List<Filter> children = new ArrayList<>();
                for (JsonNode c : list) {
                    children.add(parseFilter(c, schema));
                }
                return combinator.equals("and") ? new Filter.And(List.copyOf(children)) : new Filter.Or(List.copyOf(children));
            }
        }
        if (node.has("not")) {
            if (node.size() != 1) {
                throw invalid("invalid_filter", "\"not\" must be the only field of its filter object");
            }
            return new Filter.Not(parseFilter(node.get("not"), schema));
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("column") && !f.equals("op") && !f.equals("value")) {
                throw invalid("invalid_filter", "unknown filter field '" + f + "' (a filter is {\"column\", \"op\", \"value\"} or and/or/not)");
            }
        }
        if (!node.path("column").isTextual()) {
            throw invalid("invalid_filter", "a filter needs \"column\" as a string: " + node);
        }
        if (!node.path("op").isTextual()) {
            throw invalid("invalid_filter", "a filter needs \"op\" as a string: " + node);
        }
        int column = columnIndex(schema, node.get("column").asText());
        Column col = schema.columns().get(column);
        Predicate.Op op = Predicate.Op.of(node.get("op").asText());
        if (op == null) {
            throw invalid("unknown_op", "unknown filter op '" + node.get("op").asText()
                    + "' (ops: =, !=, <, <=, >, >=, between, in, is_null, is_not_null)");
        }
        JsonNode value = node.get("value");
        Object[] operands;
        switch (op) {
            case IS_NULL, IS_NOT_NULL -> {
                if (value != null) {
                    throw invalid("invalid_filter", op.symbol + " on '" + col.name() + "' takes no \"value\"");
                }
                operands = new Object[0];
            }
            case BETWEEN -> {
                if (value == null || !value.isArray() || value.size() != 2) {
                    throw invalid("invalid_filter", "between on '" + col.name() + "' needs \"value\": [low, high]");
                }
                operands = new Object[] {typed(value.get(0), col), typed(value.get(1), col)};
            }
            case IN -> {
                if (value == null || !value.isArray()) {
                    throw invalid("invalid_filter", "in on '" + col.name() + "' needs \"value\" as an array");
                }
                operands = new Object[value.size()];
                for (int i = 0; i < value.size(); i++) {
                    operands[i] = typed(value.get(i), col);
                }
            }
            default -> {
                if (value == null) {
                    throw invalid("invalid_filter", op.symbol + " on '" + col.name() + "' needs a \"value\"");
                }
                operands = new Object[] {typed(value, col)};
            }
        }
        return new Predicate(column, col.type(), op, operands);
    }

    /** A filter constant as the column's Java type; nulls are refused (is_null tests for them). */
    private static Object typed(JsonNode v, Column col) {
        String what = "filter on '" + col.name() + "' (" + col.type().jsonName() + ") ";
        if (v == null || v.isNull()) {
            throw invalid("type_mismatch", what + "cannot compare with null; use is_null / is_not_null");
        }
        switch (col.type()) {
            case INT64 -> {
                if (v.isIntegralNumber() && v.canConvertToLong()) {
                    return v.asLong();
                }
                throw invalid("type_mismatch", what + "needs a 64-bit integer, got " + v);
            }
            case FLOAT64 -> {
                if (v.isNumber()) {
                    return v.asDouble();
                }
                throw invalid("type_mismatch", what + "needs a number, got " + v);
            }
            case STRING -> {
                if (v.isTextual()) {
                    return v.asText();
                }
                throw invalid("type_mismatch", what + "needs a string, got " + v);
            }
            case BOOL -> {
                if (v.isBoolean()) {
                    return v.asBoolean();
                }
                throw invalid("type_mismatch", what + "needs true or false, got " + v);
            }
            case TIMESTAMP -> {
                if (v.isIntegralNumber() && v.canConvertToLong()) {
                    return v.asLong();
                }
                if (v.isTextual()) {
                    return parseTimestamp(v.asText(), what);
                }
                throw invalid("type_mismatch", what + "needs an ISO-8601 string or epoch milliseconds, got " + v);
            }
        }
        throw new IllegalStateException("unhandled type " + col.type());
    }

    private static long parseTimestamp(String text, String what) {
        return Timestamps.parseIso(text).orElseThrow(() -> invalid("invalid_timestamp",
                what + "needs an ISO-8601 instant like 2026-01-01T00:00:00Z, got '" + text + "'"));
    }

    private static int columnIndex(Schema schema, String name) {
        schema.column(name);
        return schema.indexOf(name).orElseThrow();
    }

    private static String name(Schema schema, int column) {
        return schema.columns().get(column).name();
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static StrataException invalid(String code, String message) {
        return StrataException.invalid(code, message);
    }
}
