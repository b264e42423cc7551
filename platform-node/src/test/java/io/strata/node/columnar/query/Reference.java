package io.strata.node.columnar.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.Schema;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** A naive query evaluator over rows as Java objects, straight from the query JSON: the oracle. */
final class Reference {

    private Reference() {
    }

    static List<List<Object>> run(JsonNode q, Schema schema, List<Object[]> rows) {
        List<Object[]> matching = new ArrayList<>();
        for (Object[] row : rows) {
            if (!q.hasNonNull("where") || matches(q.get("where"), schema, row)) {
                matching.add(row);
            }
        }
        List<String> select = new ArrayList<>();
        q.path("select").forEach(n -> select.add(n.asText()));
        List<String> groupBy = new ArrayList<>();
        q.path("group_by").forEach(n -> groupBy.add(n.asText()));
        List<JsonNode> aggs = new ArrayList<>();
        q.path("aggregates").forEach(aggs::add);
        List<String> outputs = new ArrayList<>(select);
        List<ColumnType> types = new ArrayList<>();
        select.forEach(s -> types.add(schema.column(s).type()));
        List<Object[]> out = new ArrayList<>();
        if (aggs.isEmpty() && groupBy.isEmpty()) {
            for (Object[] row : matching) {
                Object[] o = new Object[select.size()];
                for (int i = 0; i < o.length; i++) {
                    o[i] = row[schema.indexOf(select.get(i)).orElseThrow()];
                }
                out.add(o);
            }
        } else {
            for (JsonNode a : aggs) {
                outputs.add(a.get("as").asText());
                String fn = a.get("fn").asText();
                types.add(switch (fn) {
                    case "count", "count_distinct" -> ColumnType.INT64;
                    case "avg" -> ColumnType.FLOAT64;
                    default -> schema.column(a.get("column").asText()).type();
                });
            }
            Map<List<Object>, List<Object[]>> groups = new LinkedHashMap<>();
            if (groupBy.isEmpty()) {
                groups.put(List.of(), new ArrayList<>());
            }
            for (Object[] row : matching) {
                List<Object> key = new ArrayList<>();
                for (String g : groupBy) {
                    key.add(norm(row[schema.indexOf(g).orElseThrow()]));
                }
                groups.computeIfAbsent(key, x -> new ArrayList<>()).add(row);
            }
            for (Map.Entry<List<Object>, List<Object[]>> e : groups.entrySet()) {
                Object[] o = new Object[outputs.size()];
                for (int i = 0; i < select.size(); i++) {
                    o[i] = e.getKey().get(groupBy.indexOf(select.get(i)));
                }
                for (int a = 0; a < aggs.size(); a++) {
                    o[select.size() + a] = aggregate(aggs.get(a), schema, e.getValue());
                }
                out.add(o);
            }
        }
        List<int[]> order = new ArrayList<>();
        q.path("order_by").forEach(k -> order.add(new int[] {outputs.indexOf(k.isTextual() ? k.asText() : k.get("column").asText()),
                k.path("desc").asBoolean() ? 1 : 0}));
        boolean sorted = !order.isEmpty() || !aggs.isEmpty() || !groupBy.isEmpty();
        if (sorted) {
            Comparator<Object[]> cmp = (x, y) -> {
                for (int[] k : order) {
                    int c = cmpNullsLast(x[k[0]], y[k[0]], k[1] == 1);
                    if (c != 0) {
                        return c;
                    }
                }
                for (int i = 0; i < x.length; i++) {
                    int c = cmpNullsLast(x[i], y[i], false);
                    if (c != 0) {
                        return c;
                    }
                }
                return 0;
            };
            out.sort(cmp);
        }
        if (q.has("limit") && out.size() > q.get("limit").asLong()) {
            out = out.subList(0, q.get("limit").asInt());
        }
        List<List<Object>> rendered = new ArrayList<>();
        for (Object[] o : out) {
            List<Object> r = new ArrayList<>();
            for (int i = 0; i < o.length; i++) {
                r.add(types.get(i) == ColumnType.TIMESTAMP && o[i] != null ? Instant.ofEpochMilli((Long) o[i]).toString() : o[i]);
            }
            rendered.add(r);
        }
        return rendered;
    }

    private static Object norm(Object v) {
        return v instanceof Double d ? (Object) (d + 0.0) : v;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static int cmpNullsLast(Object x, Object y, boolean desc) {
        if (x == null || y == null) {
            return x == null ? (y == null ? 0 : 1) : -1;
        }
        int c = x instanceof Double a ? Double.compare(a, (Double) y) : ((Comparable) x).compareTo(y);
        return desc ? -c : c;
    }

    private static Object aggregate(JsonNode a, Schema schema, List<Object[]> rows) {
        String fn = a.get("fn").asText();
        if (!a.hasNonNull("column")) {
            return (long) rows.size();
        }
        int c = schema.indexOf(a.get("column").asText()).orElseThrow();
        List<Object> vals = new ArrayList<>();
        for (Object[] row : rows) {
            if (row[c] != null) {
                vals.add(row[c]);
            }
        }
        switch (fn) {
            case "count":
                return (long) vals.size();
            case "count_distinct": {
                Set<Object> s = new HashSet<>();
                vals.forEach(v -> s.add(norm(v)));
                return (long) s.size();
            }
            case "min":
            case "max": {
                Object best = null;
                for (Object v : vals) {
                    if (best == null || (fn.equals("min") ? cmpNullsLast(v, best, false) < 0 : cmpNullsLast(v, best, false) > 0)) {
                        best = v;
                    }
                }
                return best;
            }
            default: {
                if (vals.isEmpty()) {
                    return null;
                }
                if (vals.get(0) instanceof Long) {
                    BigInteger sum = BigInteger.ZERO;
                    for (Object v : vals) {
                        sum = sum.add(BigInteger.valueOf((Long) v));
                    }
                    return fn.equals("sum") ? (Object) sum.longValueExact() : (Object) (sum.doubleValue() / vals.size());
                }
                double sum = 0;
                for (Object v : vals) {
                    sum += (Double) v;
                }
                return fn.equals("sum") ? sum : sum / vals.size();
            }
        }
    }

    static boolean matches(JsonNode f, Schema schema, Object[] row) {
        if (f.has("and")) {
            for (JsonNode c : f.get("and")) {
                if (!matches(c, schema, row)) {
                    return false;
                }
            }
            return true;
        }
        if (f.has("or")) {
            for (JsonNode c : f.get("or")) {
                if (matches(c, schema, row)) {
                    return true;
                }
            }
            return false;
        }
        if (f.has("not")) {
            return !matches(f.get("not"), schema, row);
        }
        int c = schema.indexOf(f.get("column").asText()).orElseThrow();
        ColumnType type = schema.columns().get(c).type();
        Object v = row[c];
        String op = f.get("op").asText();
        if (op.equals("is_null")) {
            return v == null;
        }
        if (op.equals("is_not_null")) {
            return v != null;
        }
        if (v == null) {
            return false;
        }
        JsonNode value = f.get("value");
        switch (op) {
            case "in": {
                for (JsonNode x : value) {
                    if (Objects.equals(cmp(v, constant(x, type)), 0)) {
                        return true;
                    }
                }
                return false;
            }
            case "between": {
                Integer lo = cmp(v, constant(value.get(0), type));
                Integer hi = cmp(v, constant(value.get(1), type));
                return lo != null && hi != null && lo >= 0 && hi <= 0;
            }
            default: {
                Integer r = cmp(v, constant(value, type));
                if (r == null) {
                    return op.equals("!=");
                }
                return switch (op) {
                    case "=" -> r == 0;
                    case "!=" -> r != 0;
                    case "<" -> r < 0;
                    case "<=" -> r <= 0;
                    case ">" -> r > 0;
                    case ">=" -> r >= 0;
                    default -> throw new IllegalArgumentException(op);
                };
            }
        }
    }

    /** IEEE comparison for doubles (null when unordered, i.e. NaN), natural otherwise. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Integer cmp(Object v, Object c) {
        if (v instanceof Double a) {
            double x = a;
            double y = (Double) c;
            if (Double.isNaN(x) || Double.isNaN(y)) {
                return null;
            }
            return x < y ? -1 : x > y ? 1 : 0;
        }
        return ((Comparable) v).compareTo(c);
    }

    private static Object constant(JsonNode x, ColumnType type) {
        return switch (type) {
            case INT64 -> x.asLong();
            case FLOAT64 -> x.asDouble();
            case STRING -> x.asText();
            case BOOL -> x.asBoolean();
            case TIMESTAMP -> x.isTextual() ? Instant.parse(x.asText()).toEpochMilli() : x.asLong();
        };
    }

    static boolean sameRows(List<List<Object>> a, List<List<Object>> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Objects.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    static String show(List<List<Object>> rows) {
        StringBuilder sb = new StringBuilder();
        for (List<Object> r : rows) {
            sb.append(Arrays.toString(r.toArray())).append('\n');
        }
        return sb.toString();
    }
}
