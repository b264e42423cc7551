package io.strata.node.columnar.query;

import io.strata.node.columnar.ColumnType;
import io.strata.node.common.StrataException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.strata.node.columnar.query.Fixtures.SCHEMA;
import static io.strata.node.columnar.query.RandomizedQueryTest.parse;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueryParseTest {

    @Test
    void parsesTheDocumentedShape() {
        Query q = Query.parse(parse("""
                {"select": ["k"],
                 "aggregates": [{"fn": "count", "as": "n"}, {"fn": "sum", "column": "v", "as": "s"}, {"fn": "avg", "column": "d"}],
                 "where": {"and": [{"column": "ts", "op": ">=", "value": "2026-01-01T00:00:00Z"},
                                   {"column": "k", "op": "in", "value": [1, 2, 3]}]},
                 "group_by": ["k"], "order_by": [{"column": "s", "desc": true}], "limit": 10}"""), SCHEMA);
        assertTrue(q.aggregating());
        assertEquals(List.of("k", "n", "s", "avg_d"), q.outputNames());
        assertEquals(List.of(ColumnType.INT64, ColumnType.INT64, ColumnType.INT64, ColumnType.FLOAT64), q.outputTypes());
        assertEquals(List.of(new Query.OrderKey(2, true)), q.orderBy());
        assertEquals(10, q.limit());
        assertArrayEquals(new int[] {0, 2, 3, 5}, q.neededColumns());

        Query scan = Query.parse(parse("{\"select\": [\"s\", \"ts\"], \"where\": {\"not\": {\"column\": \"b\", \"op\": \"is_null\"}}}"), SCHEMA);
        assertFalse(scan.aggregating());
        assertEquals(-1, scan.limit());
        assertArrayEquals(new int[] {1, 4, 5}, scan.neededColumns());
        assertNull(Query.parse(parse("{\"select\": [\"k\"], \"where\": null}"), SCHEMA).where());
    }

    @Test
    void timestampsAcceptIsoStringsOffsetsAndEpochMillis() {
        for (String v : List.of("\"2026-01-01T00:00:00Z\"", "\"2026-01-01T01:00:00+01:00\"", "1767225600000")) {
            Query q = Query.parse(parse("{\"select\": [\"ts\"], \"where\": {\"column\": \"ts\", \"op\": \"=\", \"value\": " + v + "}}"), SCHEMA);
            assertEquals("column#5 = [1767225600000]", q.where().toString());
        }
    }

    @Test
    void everyMalformedQueryIsA400NamingTheProblem() {
        String[][] cases = {
                {"[]", "invalid_query", "must be a JSON object"},
                {"{\"selectt\": [\"k\"]}", "invalid_query", "unknown query field 'selectt'"},
                {"{\"select\": \"k\"}", "invalid_query", "'select' must be an array"},
                {"{\"select\": [1]}", "invalid_query", "'select' must be an array of column names"},
                {"{\"select\": [\"nope\"]}", "unknown_column", "column 'nope' is not in the schema"},
                {"{}", "invalid_query", "needs select columns or aggregates"},
                {"{\"select\": []}", "invalid_query", "needs select columns or aggregates"},
                {"{\"aggregates\": [{\"fn\": \"sum\", \"column\": \"s\"}]}", "invalid_aggregate", "sum needs an int64 or float64 column; 's' is string"},
                {"{\"aggregates\": [{\"fn\": \"avg\", \"column\": \"b\"}]}", "invalid_aggregate", "avg needs an int64 or float64 column; 'b' is bool"},
                {"{\"aggregates\": [{\"fn\": \"sum\", \"column\": \"ts\"}]}", "invalid_aggregate", "'ts' is timestamp"},
                {"{\"aggregates\": [{\"fn\": \"median\", \"column\": \"v\"}]}", "unknown_function", "unknown aggregate function 'median'"},
                {"{\"aggregates\": [{\"fn\": \"max\"}]}", "invalid_aggregate", "max needs a \"column\""},
                {"{\"aggregates\": [{\"fn\": \"count\", \"column\": \"zz\"}]}", "unknown_column", "column 'zz'"},
                {"{\"aggregates\": [\"count\"]}", "invalid_query", "each aggregate must be an object"},
                {"{\"aggregates\": [{\"fn\": \"count\", \"alias\": \"n\"}]}", "invalid_query", "unknown aggregate field 'alias'"},
                {"{\"aggregates\": [{\"fn\": \"count\", \"as\": \"\"}]}", "invalid_query", "\"as\" must be a non-empty string"},
                {"{\"aggregates\": {\"fn\": \"count\"}}", "invalid_query", "'aggregates' must be an array"},
                {where("{\"column\": \"k\", \"op\": \"=\", \"value\": \"abc\"}"), "type_mismatch", "filter on 'k' (int64) needs a 64-bit integer, got \"abc\""},
                {where("{\"column\": \"v\", \"op\": \">\", \"value\": 1.5}"), "type_mismatch", "'v' (int64) needs a 64-bit integer, got 1.5"},
                {where("{\"column\": \"d\", \"op\": \">\", \"value\": \"1\"}"), "type_mismatch", "'d' (float64) needs a number"},
                {where("{\"column\": \"b\", \"op\": \"=\", \"value\": 1}"), "type_mismatch", "'b' (bool) needs true or false"},
                {where("{\"column\": \"s\", \"op\": \"=\", \"value\": 5}"), "type_mismatch", "'s' (string) needs a string, got 5"},
                {where("{\"column\": \"ts\", \"op\": \">=\", \"value\": \"yesterday\"}"), "invalid_timestamp", "got 'yesterday'"},
                {where("{\"column\": \"ts\", \"op\": \">=\", \"value\": true}"), "type_mismatch", "ISO-8601 string or epoch milliseconds"},
                {where("{\"column\": \"k\", \"op\": \"in\", \"value\": [1, \"2\"]}"), "type_mismatch", "got \"2\""},
                {where("{\"column\": \"k\", \"op\": \"=\", \"value\": null}"), "type_mismatch", "use is_null"},
                {where("{\"column\": \"k\", \"op\": \"~\", \"value\": 1}"), "unknown_op", "unknown filter op '~'"},
                {where("{\"column\": \"k\", \"op\": \"between\", \"value\": 5}"), "invalid_filter", "between on 'k' needs \"value\": [low, high]"},
                {where("{\"column\": \"k\", \"op\": \"between\", \"value\": [1, 2, 3]}"), "invalid_filter", "[low, high]"},
                {where("{\"column\": \"k\", \"op\": \"in\", \"value\": 5}"), "invalid_filter", "in on 'k' needs \"value\" as an array"},
                {where("{\"column\": \"k\", \"op\": \"is_null\", \"value\": 5}"), "invalid_filter", "is_null on 'k' takes no \"value\""},
                {where("{\"column\": \"k\", \"op\": \"=\"}"), "invalid_filter", "= on 'k' needs a \"value\""},
                {where("{\"column\": \"zz\", \"op\": \"=\", \"value\": 1}"), "unknown_column", "column 'zz'"},
                {where("{\"op\": \"=\", \"value\": 1}"), "invalid_filter", "needs \"column\""},
                {where("{\"column\": \"k\", \"value\": 1}"), "invalid_filter", "needs \"op\""},
                {where("{\"column\": \"k\", \"op\": \"=\", \"value\": 1, \"x\": 2}"), "invalid_filter", "unknown filter field 'x'"},
                {where("{\"and\": []}"), "invalid_filter", "\"and\" needs a non-empty array"},
                {where("{\"or\": {}}"), "invalid_filter", "\"or\" needs a non-empty array"},
                {where("{\"and\": [{\"column\": \"k\", \"op\": \"is_null\"}], \"or\": []}"), "invalid_filter", "must be the only field"},
                {where("{\"not\": [] }"), "invalid_filter", "a filter must be an object"},
                {where("\"k > 1\""), "invalid_filter", "a filter must be an object"},
                {"{\"select\": [\"k\"], \"aggregates\": [{\"fn\": \"count\"}]}", "invalid_group_by", "select column 'k' must appear in group_by"},
                {"{\"select\": [\"v\"], \"group_by\": [\"k\"]}", "invalid_group_by", "select column 'v' must appear in group_by"},
                {"{\"select\": [\"k\"], \"group_by\": [\"k\", \"k\"]}", "invalid_query", "names column 'k' twice"},
                {"{\"select\": [\"k\"], \"order_by\": [{\"column\": \"v\"}]}", "invalid_order_by", "order_by names 'v', which is not an output column (outputs: k)"},
                {"{\"select\": [\"k\"], \"order_by\": [{\"column\": \"k\", \"desc\": \"yes\"}]}", "invalid_order_by", "\"desc\" must be true or false"},
                {"{\"select\": [\"k\"], \"order_by\": [{\"col\": \"k\"}]}", "invalid_order_by", "each order_by entry"},
                {"{\"select\": [\"k\"], \"order_by\": \"k\"}", "invalid_order_by", "'order_by' must be an array"},
                {"{\"select\": [\"k\"], \"limit\": -1}", "invalid_limit", "must not be negative, got -1"},
                {"{\"select\": [\"k\"], \"limit\": \"10\"}", "invalid_limit", "non-negative integer, got \"10\""},
                {"{\"select\": [\"k\"], \"limit\": 1.5}", "invalid_limit", "got 1.5"},
                {"{\"aggregates\": [{\"fn\": \"count\"}, {\"fn\": \"count\"}]}", "duplicate_output", "output column 'count' appears twice"},
                {"{\"select\": [\"k\"], \"group_by\": [\"k\"], \"aggregates\": [{\"fn\": \"sum\", \"column\": \"v\", \"as\": \"k\"}]}", "duplicate_output", "'k' appears twice"},
                {"{\"select\": [\"k\", \"k\"]}", "duplicate_output", "'k' appears twice"},
        };
        for (String[] c : cases) {
            StrataException e = assertThrows(StrataException.class, () -> Query.parse(parse(c[0]), SCHEMA), c[0]);
            assertEquals(StrataException.Kind.INVALID, e.kind(), c[0]);
            assertEquals(c[1], e.code(), c[0] + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(c[2]), c[0] + ": '" + e.getMessage() + "' lacks '" + c[2] + "'");
        }
    }

    private static String where(String filter) {
        return "{\"select\": [\"k\"], \"where\": " + filter + "}";
    }
}
