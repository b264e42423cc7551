package io.strata.node.columnar.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.ZoneMap;
import io.strata.node.common.StrataException;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.strata.node.columnar.query.Fixtures.SCHEMA;
import static io.strata.node.columnar.query.RandomizedQueryTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueryEdgeCaseTest {

    private static final Random RANDOM = new Random(42);

    private static QueryResult run(String json, List<Object[]> rows, int blockSize) {
        Query q = Query.parse(parse(json), SCHEMA);
        Partial p = Partial.of(q);
        for (int i = 0; i < rows.size(); i += blockSize) {
            List<Object[]> b = rows.subList(i, Math.min(rows.size(), i + blockSize));
            p.offer(Fixtures.zones(b), () -> Fixtures.block(b, RANDOM));
        }
        return p.finish();
    }

    private static Object[] row(Object k, Object s, Object v, Object d, Object b, Object ts) {
        return new Object[] {k, s, v, d, b, ts};
    }

    @Test
    void emptyInputAndAllFilteredOut() {
        String global = "{\"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"}, {\"fn\": \"count\", \"column\": \"v\", \"as\": \"nv\"},"
                + " {\"fn\": \"count_distinct\", \"column\": \"s\", \"as\": \"ds\"}, {\"fn\": \"sum\", \"column\": \"v\", \"as\": \"sv\"},"
                + " {\"fn\": \"avg\", \"column\": \"d\", \"as\": \"ad\"}, {\"fn\": \"min\", \"column\": \"s\", \"as\": \"ms\"},"
                + " {\"fn\": \"max\", \"column\": \"ts\", \"as\": \"mt\"}], \"where\": {\"column\": \"k\", \"op\": \">\", \"value\": 1000}}";
        List<Object> zero = Arrays.asList(0L, 0L, 0L, null, null, null, null);
        assertEquals(List.of(zero), run(global, List.of(), 10).rows());
        QueryResult filtered = run(global, Fixtures.randomRows(new Random(1), 100, 0.1), 10);
        assertEquals(List.of(zero), filtered.rows());
        assertEquals(10, filtered.stats().blocksSkipped, "k <= 8 everywhere, so every block is pruned");

        assertEquals(List.of(), run("{\"select\": [\"k\"], \"group_by\": [\"k\"]}", List.of(), 10).rows());
        assertEquals(List.of(), run("{\"select\": [\"k\", \"s\"], \"order_by\": [\"k\"], \"limit\": 3}", List.of(), 10).rows());
        assertEquals(List.of(), run("{\"select\": [\"k\"], \"limit\": 0}", Fixtures.randomRows(new Random(2), 50, 0), 10).rows());
    }

    @Test
    void nullsGroupTogetherAreIgnoredByAggregatesAndSortLast() {
        List<Object[]> rows = List.of(
                row(1L, null, 5L, null, true, null),
                row(null, "x", 7L, 1.5, null, Fixtures.T0),
                row(1L, "x", null, 2.5, false, Fixtures.T0 + 1000),
                row(null, null, 1L, null, null, null),
                row(2L, "y", 3L, 0.5, true, Fixtures.T0));
        QueryResult r = run("{\"select\": [\"k\"], \"group_by\": [\"k\"], \"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"},"
                + " {\"fn\": \"sum\", \"column\": \"v\", \"as\": \"s\"}, {\"fn\": \"min\", \"column\": \"s\", \"as\": \"m\"},"
                + " {\"fn\": \"max\", \"column\": \"ts\", \"as\": \"t\"}, {\"fn\": \"min\", \"column\": \"b\", \"as\": \"mb\"}],"
                + " \"order_by\": [{\"column\": \"k\", \"desc\": true}]}", rows, 2);
        assertEquals(List.of(
                Arrays.asList(2L, 1L, 3L, "y", "2026-01-01T00:00:00Z", true),
                Arrays.asList(1L, 2L, 5L, "x", "2026-01-01T00:00:01Z", false),
                Arrays.asList(null, 2L, 8L, "x", "2026-01-01T00:00:00Z", null)), r.rows());

        QueryResult composite = run("{\"select\": [\"k\", \"s\"], \"group_by\": [\"k\", \"s\"], \"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"}],"
                + " \"order_by\": [\"k\", \"s\"]}", rows, 3);
        assertEquals(List.of(
                Arrays.asList(1L, "x", 1L), Arrays.asList(1L, null, 1L), Arrays.asList(2L, "y", 1L),
                Arrays.asList(null, "x", 1L), Arrays.asList(null, null, 1L)), composite.rows());
    }

    @Test
    void nanFollowsIeeeInFiltersAndSortsAboveNumbers() {
        List<Object[]> rows = List.of(
                row(1L, "a", 1L, Double.NaN, true, Fixtures.T0),
                row(1L, "a", 1L, 2.0, true, Fixtures.T0),
                row(2L, "a", 1L, Double.NaN, true, Fixtures.T0),
                row(2L, "a", 1L, -0.0, true, Fixtures.T0),
                row(3L, "a", 1L, 0.0, true, Fixtures.T0));
        assertEquals(List.of(List.of(3L)), run("{\"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"}],"
                + " \"where\": {\"column\": \"d\", \"op\": \"!=\", \"value\": 0}}", rows, 2).rows());
        assertEquals(List.of(List.of(2L)), run("{\"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"}],"
                + " \"where\": {\"column\": \"d\", \"op\": \"=\", \"value\": 0}}", rows, 1).rows());
        // not is plain negation: the NaNs, which fail <= 0, pass its negation.
        assertEquals(List.of(List.of(3L)), run("{\"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"}],"
                + " \"where\": {\"not\": {\"column\": \"d\", \"op\": \"<=\", \"value\": 0}}}", rows, 1).rows());
        QueryResult g = run("{\"select\": [\"d\"], \"group_by\": [\"d\"], \"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"},"
                + " {\"fn\": \"count_distinct\", \"column\": \"k\", \"as\": \"dk\"}]}", rows, 2);
        assertEquals(List.of(Arrays.asList(0.0, 2L, 2L), Arrays.asList(2.0, 1L, 1L), Arrays.asList(Double.NaN, 2L, 2L)), g.rows());
        QueryResult mm = run("{\"aggregates\": [{\"fn\": \"min\", \"column\": \"d\", \"as\": \"lo\"}, {\"fn\": \"max\", \"column\": \"d\", \"as\": \"hi\"},"
                + " {\"fn\": \"sum\", \"column\": \"d\", \"as\": \"s\"}]}", rows, 2);
        assertEquals(List.of(Arrays.asList(-0.0, Double.NaN, Double.NaN)), mm.rows());
        JsonNode json = mm.toJson();
        assertEquals("NaN", json.get("rows").get(0).get(1).asText());
        assertTrue(json.get("stats").has("blocks_scanned") && json.get("stats").has("millis") && json.has("columns"));
    }

    @Test
    void int64SumOverflowFailsInsteadOfWrapping() {
        List<Object[]> rows = List.of(row(1L, "a", Long.MAX_VALUE, 0.0, true, 0L), row(1L, "a", 1L, 0.0, true, 0L));
        StrataException e = assertThrows(StrataException.class,
                () -> run("{\"aggregates\": [{\"fn\": \"sum\", \"column\": \"v\", \"as\": \"s\"}]}", rows, 5));
        assertEquals("sum_overflow", e.code());
        assertEquals(StrataException.Kind.UNPROCESSABLE, e.kind());
        // Across partials too.
        Query q = Query.parse(parse("{\"aggregates\": [{\"fn\": \"avg\", \"column\": \"v\", \"as\": \"a\"}]}"), SCHEMA);
        Partial a = Partial.of(q);
        Partial b = Partial.of(q);
        a.add(Fixtures.block(rows.subList(0, 1), RANDOM));
        b.add(Fixtures.block(rows.subList(1, 2), RANDOM));
        assertEquals("sum_overflow", assertThrows(StrataException.class, () -> a.merge(b)).code());
    }

    @Test
    void largeGroupCountsMergeAcrossPartials() {
        Random r = new Random(5);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 60_000; i++) {
            rows.add(row((long) r.nextInt(20_000), "w" + r.nextInt(3000), (long) r.nextInt(100), 0.25 * r.nextInt(8),
                    r.nextBoolean(), Fixtures.T0 + r.nextInt(1000)));
        }
        for (String json : List.of(
                "{\"select\": [\"k\"], \"group_by\": [\"k\"], \"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"},"
                        + " {\"fn\": \"sum\", \"column\": \"v\", \"as\": \"s\"}, {\"fn\": \"count_distinct\", \"column\": \"s\", \"as\": \"ds\"}]}",
                "{\"select\": [\"s\"], \"group_by\": [\"s\"], \"aggregates\": [{\"fn\": \"max\", \"column\": \"ts\", \"as\": \"t\"},"
                        + " {\"fn\": \"avg\", \"column\": \"d\", \"as\": \"a\"}], \"order_by\": [{\"column\": \"t\", \"desc\": true}], \"limit\": 50}",
                "{\"select\": [\"s\", \"b\", \"v\"], \"group_by\": [\"b\", \"s\", \"v\"], \"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"}]}")) {
            Query q = Query.parse(parse(json), SCHEMA);
            List<Partial> parts = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                parts.add(Partial.of(q));
            }
            for (int i = 0; i < rows.size(); i += 4096) {
                parts.get((i / 4096) % 3).add(Fixtures.block(rows.subList(i, Math.min(rows.size(), i + 4096)), r));
            }
            parts.get(2).merge(parts.get(0));
            parts.get(2).merge(parts.get(1));
            QueryResult result = parts.get(2).finish();
            assertEquals(Reference.run(parse(json), SCHEMA, rows), result.rows(), json);
            assertEquals(60_000, result.stats().rowsScanned);
        }
    }

    @Test
    void scansKeepATopKAndStopEarlyWithoutOrder() {
        Random r = new Random(9);
        List<Object[]> rows = Fixtures.randomRows(r, 5000, 0.1);
        String top = "{\"select\": [\"v\", \"ts\", \"s\"], \"where\": {\"column\": \"b\", \"op\": \"=\", \"value\": true},"
                + " \"order_by\": [{\"column\": \"v\", \"desc\": true}, \"ts\"], \"limit\": 7}";
        QueryResult result = run(top, rows, 256);
        assertEquals(Reference.run(parse(top), SCHEMA, rows), result.rows());
        assertEquals(7, result.rows().size());

        Query firstRows = Query.parse(parse("{\"select\": [\"k\"], \"limit\": 10}"), SCHEMA);
        Partial p = Partial.of(firstRows);
        int scanned = 0;
        for (int i = 0; i < rows.size(); i += 100) {
            List<Object[]> b = rows.subList(i, i + 100);
            scanned += p.offer(Fixtures.zones(b), () -> Fixtures.block(b, r)) ? 1 : 0;
        }
        assertTrue(p.complete());
        assertEquals(1, scanned);
        assertEquals(10, p.finish().rows().size());
    }

    @Test
    void zoneMapsAreConservative() {
        Query eq = Query.parse(parse("{\"select\": [\"k\"], \"where\": {\"column\": \"d\", \"op\": \"!=\", \"value\": 1.0}}"), SCHEMA);
        ZoneMap[] zones = new ZoneMap[SCHEMA.size()];
        // A FLOAT64 block whose non-NaN values are all 1.0 may still hold NaNs, which match !=.
        zones[3] = new ZoneMap(10, 0, 0, 0, 1.0, 1.0, null, null);
        assertTrue(eq.mayMatch(zones));
        zones[3] = new ZoneMap(10, 10, 0, 0, 0, 0, null, null);
        assertFalse(eq.mayMatch(zones), "an all-null block matches no comparison");
        Query isNull = Query.parse(parse("{\"select\": [\"k\"], \"where\": {\"not\": {\"column\": \"s\", \"op\": \"is_not_null\"}}}"), SCHEMA);
        zones[1] = new ZoneMap(10, 0, 0, 0, 0, 0, "a", "b");
        assertFalse(isNull.mayMatch(zones));
        zones[1] = new ZoneMap(10, 1, 0, 0, 0, 0, "a", "b");
        assertTrue(isNull.mayMatch(zones));
        Query in = Query.parse(parse("{\"select\": [\"k\"], \"where\": {\"or\": [{\"column\": \"k\", \"op\": \"in\", \"value\": [1, 9]},"
                + " {\"column\": \"ts\", \"op\": \"between\", \"value\": [\"2026-01-02T00:00:00Z\", \"2026-01-03T00:00:00Z\"]}]}}"), SCHEMA);
        zones[0] = new ZoneMap(10, 0, 2, 8, 0, 0, null, null);
        zones[5] = new ZoneMap(10, 0, Fixtures.T0, Fixtures.T0 + 1000, 0, 0, null, null);
        assertFalse(in.mayMatch(zones));
        zones[0] = new ZoneMap(10, 0, 2, 9, 0, 0, null, null);
        assertTrue(in.mayMatch(zones));
        zones[0] = null;
        assertTrue(in.mayMatch(zones), "no zone map means no pruning");
    }

    @Test
    void blocksMayCarryOnlyTheNeededColumns() {
        Query q = Query.parse(parse("{\"aggregates\": [{\"fn\": \"sum\", \"column\": \"v\", \"as\": \"s\"}],"
                + " \"where\": {\"column\": \"k\", \"op\": \"=\", \"value\": 3}}"), SCHEMA);
        ColumnVector[] block = new ColumnVector[SCHEMA.size()];
        RoaringBitmap nulls = RoaringBitmap.bitmapOf(1);
        block[0] = new ColumnVector.LongVector(new long[] {3, 3, 4}, null, 3);
        block[2] = new ColumnVector.LongVector(new long[] {10, -1, 20}, nulls, 3);
        Partial p = Partial.of(q);
        p.add(block);
        assertEquals(List.of(List.of(10L)), p.finish().rows());
        block[0] = null;
        assertThrows(IllegalArgumentException.class, () -> Partial.of(q).add(block));
    }
}
