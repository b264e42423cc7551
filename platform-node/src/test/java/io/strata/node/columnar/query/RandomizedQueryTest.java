package io.strata.node.columnar.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.ZoneMap;
import io.strata.node.http.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.strata.node.columnar.query.Fixtures.SCHEMA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random datasets and random queries (fixed seeds), split into blocks and partials merged in
 * random order, with and without zone-map pruning, against the naive {@link Reference}.
 */
class RandomizedQueryTest {

    private static final String[] COLUMNS = {"k", "s", "v", "d", "b", "ts"};

    @Test
    void aggregationsAndScansMatchTheReference() {
        int checked = 0;
        for (int seed = 1; seed <= 400; seed++) {
            Random r = new Random(seed);
            List<Object[]> rows = Fixtures.randomRows(r, r.nextInt(4) == 0 ? r.nextInt(5) : r.nextInt(400), r.nextDouble() * 0.3);
            if (r.nextBoolean()) {
                // Sorted data gives zone maps something to prune.
                int c = r.nextInt(COLUMNS.length);
                rows.sort((x, y) -> Reference.cmpNullsLast(x[c], y[c], false));
            }
            for (int q = 0; q < 8; q++) {
                JsonNode json = randomQuery(r);
                checkQuery(json, rows, r, seed);
                checked++;
            }
        }
        assertEquals(3200, checked);
    }

    @Test
    void pruningSkipsBlocksOnSortedDataWithoutChangingResults() {
        Random r = new Random(7);
        List<Object[]> rows = Fixtures.randomRows(r, 2000, 0.05);
        rows.sort((x, y) -> Reference.cmpNullsLast(x[5], y[5], false));
        JsonNode json = parse("{\"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"}, {\"fn\": \"sum\", \"column\": \"v\", \"as\": \"s\"}],"
                + "\"where\": {\"column\": \"ts\", \"op\": \">=\", \"value\": \"" + Instant.ofEpochMilli(Fixtures.T0 + 40 * 3_600_000L) + "\"}}");
        Query query = Query.parse(json, SCHEMA);
        List<List<Object[]>> blocks = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += 100) {
            blocks.add(rows.subList(i, i + 100));
        }
        Partial pruned = Partial.of(query);
        Partial full = Partial.of(query);
        for (List<Object[]> b : blocks) {
            pruned.offer(Fixtures.zones(b), () -> Fixtures.block(b, r));
            full.add(Fixtures.block(b, r));
        }
        QueryResult a = pruned.finish();
        QueryResult b = full.finish();
        assertEquals(b.rows(), a.rows());
        assertEquals(Reference.run(json, SCHEMA, rows), a.rows());
        assertTrue(a.stats().blocksSkipped >= 14, "skipped " + a.stats().blocksSkipped + " of 20");
        assertEquals(20, a.stats().blocksSkipped + a.stats().blocksScanned);
        assertEquals(0, b.stats().blocksSkipped);
        assertTrue(a.stats().rowsScanned < b.stats().rowsScanned);
    }

    private static void checkQuery(JsonNode json, List<Object[]> rows, Random r, int seed) {
        Query query = Query.parse(json, SCHEMA);
        List<List<Object>> expected;
        try {
            expected = Reference.run(json, SCHEMA, rows);
        } catch (ArithmeticException e) {
            return;
        }
        List<List<Object[]>> blocks = split(rows, 1 + r.nextInt(60));
        for (boolean prune : new boolean[] {false, true}) {
            int partials = 1 + r.nextInt(4);
            List<Partial> parts = new ArrayList<>();
            for (int p = 0; p < partials; p++) {
                parts.add(Partial.of(query));
            }
            for (List<Object[]> b : blocks) {
                Partial p = parts.get(r.nextInt(partials));
                ColumnVector[] vectors = Fixtures.block(b, r);
                if (prune) {
                    ZoneMap[] zones = Fixtures.zones(b);
                    boolean scanned = p.offer(zones, () -> vectors);
                    if (!scanned && !p.complete()) {
                        assertEquals(0, Reference.run(filterOnly(json), SCHEMA, b).size(),
                                "pruned a block holding matches, seed " + seed + " query " + json);
                    }
                } else {
                    p.add(vectors);
                }
            }
            Collections.shuffle(parts, r);
            Partial total = parts.get(0);
            for (int p = 1; p < partials; p++) {
                total.merge(parts.get(p));
            }
            QueryResult result = total.finish();
            assertEquals(query.outputNames(), result.columns());
            compare(json, expected, result.rows(), rows, seed);
            Json.MAPPER.valueToTree(result.toMap());
        }
    }

    /** Scans without ORDER BY come in block order: compare as multisets (or containment under LIMIT). */
    static void compare(JsonNode json, List<List<Object>> expected, List<List<Object>> actual, List<Object[]> rows, int seed) {
        boolean unordered = !json.has("aggregates") && !json.has("group_by") && !json.has("order_by");
        String where = "seed " + seed + " query " + json;
        if (!unordered) {
            if (!Reference.sameRows(expected, actual)) {
                fail(where + "\nexpected:\n" + Reference.show(expected) + "actual:\n" + Reference.show(actual));
            }
            return;
        }
        List<List<Object>> all = Reference.run(withoutLimit(json), SCHEMA, rows);
        assertEquals(expected.size(), actual.size(), where);
        Map<String, Integer> counts = new HashMap<>();
        for (List<Object> row : all) {
            counts.merge(row.toString(), 1, Integer::sum);
        }
        for (List<Object> row : actual) {
            Integer left = counts.merge(row.toString(), -1, Integer::sum);
            assertTrue(left != null && left >= 0, where + " returned a row the reference does not have: " + row);
        }
    }

    private static JsonNode withoutLimit(JsonNode json) {
        ObjectNode copy = json.deepCopy();
        copy.remove("limit");
        return copy;
    }

    private static JsonNode filterOnly(JsonNode json) {
        ObjectNode q = Json.MAPPER.createObjectNode();
        q.putArray("select").add("k");
        if (json.has("where")) {
            q.set("where", json.get("where"));
        }
        return q;
    }

    static List<List<Object[]>> split(List<Object[]> rows, int maxBlock) {
        List<List<Object[]>> blocks = new ArrayList<>();
        Random r = new Random(rows.size() * 31L + maxBlock);
        int i = 0;
        while (i < rows.size()) {
            int n = 1 + r.nextInt(maxBlock);
            blocks.add(rows.subList(i, Math.min(rows.size(), i + n)));
            i += n;
        }
        return blocks;
    }

    static JsonNode parse(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    // ---- random queries ----

    static JsonNode randomQuery(Random r) {
        ObjectNode q = Json.MAPPER.createObjectNode();
        List<String> outputs = new ArrayList<>();
        if (r.nextInt(10) < 7) {
            List<String> cols = new ArrayList<>(List.of(COLUMNS));
            Collections.shuffle(cols, r);
            List<String> groupBy = cols.subList(0, r.nextInt(4));
            if (!groupBy.isEmpty()) {
                ArrayNode g = q.putArray("group_by");
                groupBy.forEach(g::add);
                ArrayNode s = q.putArray("select");
                for (String c : groupBy) {
                    if (r.nextInt(4) != 0) {
                        s.add(c);
                        outputs.add(c);
                    }
                }
            }
            int n = groupBy.isEmpty() ? 1 + r.nextInt(4) : r.nextInt(4);
            if (n > 0) {
                ArrayNode aggs = q.putArray("aggregates");
                for (int i = 0; i < n; i++) {
                    ObjectNode a = aggs.addObject();
                    String fn = new String[] {"count", "count", "count_distinct", "sum", "avg", "min", "max"}[r.nextInt(7)];
                    a.put("fn", fn);
                    if (fn.equals("sum") || fn.equals("avg")) {
                        a.put("column", r.nextBoolean() ? "v" : r.nextBoolean() ? "d" : "k");
                    } else if (!fn.equals("count") || r.nextBoolean()) {
                        a.put("column", COLUMNS[r.nextInt(COLUMNS.length)]);
                    }
                    a.put("as", "a" + i);
                    outputs.add("a" + i);
                }
            }
            if (outputs.isEmpty()) {
                q.putArray("select").add(groupBy.get(0));
                outputs.add(groupBy.get(0));
            }
        } else {
            List<String> cols = new ArrayList<>(List.of(COLUMNS));
            Collections.shuffle(cols, r);
            ArrayNode s = q.putArray("select");
            for (String c : cols.subList(0, 1 + r.nextInt(4))) {
                s.add(c);
                outputs.add(c);
            }
        }
        if (r.nextInt(5) != 0) {
            q.set("where", randomFilter(r, 2));
        }
        if (r.nextBoolean()) {
            ArrayNode o = q.putArray("order_by");
            List<String> shuffled = new ArrayList<>(outputs);
            Collections.shuffle(shuffled, r);
            for (String c : shuffled.subList(0, 1 + r.nextInt(shuffled.size()))) {
                ObjectNode k = o.addObject();
                k.put("column", c);
                if (r.nextBoolean()) {
                    k.put("desc", r.nextBoolean());
                }
            }
        }
        if (r.nextInt(3) == 0) {
            q.put("limit", r.nextInt(12));
        }
        return q;
    }

    private static JsonNode randomFilter(Random r, int depth) {
        int kind = depth == 0 ? 0 : r.nextInt(8);
        if (kind == 5 || kind == 6) {
            ObjectNode f = Json.MAPPER.createObjectNode();
            ArrayNode list = f.putArray(kind == 5 ? "and" : "or");
            int n = 1 + r.nextInt(3);
            for (int i = 0; i < n; i++) {
                list.add(randomFilter(r, depth - 1));
            }
            return f;
        }
        if (kind == 7) {
            ObjectNode f = Json.MAPPER.createObjectNode();
            f.set("not", randomFilter(r, depth - 1));
            return f;
        }
        int c = r.nextInt(COLUMNS.length);
        ColumnType type = SCHEMA.columns().get(c).type();
        ObjectNode f = Json.MAPPER.createObjectNode();
        f.put("column", COLUMNS[c]);
        String op = new String[] {"=", "!=", "<", "<=", ">", ">=", "between", "in", "is_null", "is_not_null"}[r.nextInt(10)];
        f.put("op", op);
        switch (op) {
            case "is_null", "is_not_null" -> { }
            case "between" -> {
                ArrayNode v = f.putArray("value");
                v.add(randomConstant(r, type));
                v.add(randomConstant(r, type));
            }
            case "in" -> {
                ArrayNode v = f.putArray("value");
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    v.add(randomConstant(r, type));
                }
            }
            default -> f.set("value", randomConstant(r, type));
        }
        return f;
    }

    private static JsonNode randomConstant(Random r, ColumnType type) {
        Object[] row = Fixtures.randomRow(r, 0);
        return switch (type) {
            case INT64 -> Json.MAPPER.getNodeFactory().numberNode(r.nextBoolean() ? (Long) row[0] : (Long) row[2]);
            case FLOAT64 -> {
                double d = (Double) row[3];
                yield Json.MAPPER.getNodeFactory().numberNode(Double.isNaN(d) ? 0.5 : r.nextInt(8) == 0 ? d + 0.1 : d);
            }
            case STRING -> Json.MAPPER.getNodeFactory().textNode(r.nextInt(8) == 0 ? "blueberry" : (String) row[1]);
            case BOOL -> Json.MAPPER.getNodeFactory().booleanNode((Boolean) row[4]);
            case TIMESTAMP -> r.nextBoolean() ? Json.MAPPER.getNodeFactory().numberNode((Long) row[5] + r.nextInt(3) - 1)
                    : Json.MAPPER.getNodeFactory().textNode(Instant.ofEpochMilli((Long) row[5]).toString());
        };
    }
}
