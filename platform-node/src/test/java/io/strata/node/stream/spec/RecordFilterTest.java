package io.strata.node.stream.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.strata.node.stream.spec.TestJson.json;
import static io.strata.node.stream.spec.TestJson.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Filters over schemaless records: the where grammar, SQL-like nulls, kinds of values, nested paths and instants. */
class RecordFilterTest {

    private static final String JAN_1 = "'2026-01-01T00:00:00Z'";
    private static final long JAN_1_MS = 1767225600000L;

    @ParameterizedTest(name = "{0} on {1} is {2}")
    @MethodSource("cases")
    void filters(String filter, String record, boolean expected) {
        assertEquals(expected, RecordFilter.parse(json(filter), "filter").test(json(record)));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // equality and the missing-field rules
                arguments("{'column': 'type', 'op': '=', 'value': 'purchase'}", "{'type': 'purchase'}", true),
                arguments("{'column': 'type', 'op': '=', 'value': 'purchase'}", "{'type': 'view'}", false),
                arguments("{'column': 'type', 'op': '=', 'value': 'purchase'}", "{}", false),
                arguments("{'column': 'type', 'op': '!=', 'value': 'purchase'}", "{}", false),
                arguments("{'column': 'type', 'op': '!=', 'value': 'purchase'}", "{'type': null}", false),
                arguments("{'column': 'type', 'op': '<', 'value': 'z'}", "{'type': null}", false),
                arguments("{'column': 'type', 'op': 'is_null'}", "{}", true),
                arguments("{'column': 'type', 'op': 'is_null'}", "{'type': null}", true),
                arguments("{'column': 'type', 'op': 'is_null'}", "{'type': ''}", false),
                arguments("{'column': 'type', 'op': 'is_not_null'}", "{'type': 0}", true),
                arguments("{'column': 'type', 'op': 'is_not_null'}", "{'type': null}", false),
                // numbers compare numerically, whatever their JSON form
                arguments("{'column': 'amount', 'op': '>', 'value': 4.5}", "{'amount': 5}", true),
                arguments("{'column': 'amount', 'op': '=', 'value': 5}", "{'amount': 5.0}", true),
                arguments("{'column': 'amount', 'op': '<=', 'value': 5}", "{'amount': 5}", true),
                arguments("{'column': 'amount', 'op': '<', 'value': 5}", "{'amount': 5}", false),
                arguments("{'column': 'amount', 'op': '>=', 'value': -1}", "{'amount': -1.000000001}", false),
                arguments("{'column': 'amount', 'op': '>', 'value': 9007199254740992}", "{'amount': 9007199254740993}", true),
                arguments("{'column': 'amount', 'op': '<', 'value': 1e30}", "{'amount': 123456789012345678901234567890}", true),
                // kinds never mix
                arguments("{'column': 'amount', 'op': '=', 'value': 5}", "{'amount': '5'}", false),
                arguments("{'column': 'amount', 'op': '!=', 'value': 5}", "{'amount': '5'}", true),
                arguments("{'column': 'amount', 'op': '<', 'value': 'a'}", "{'amount': 5}", false),
                arguments("{'column': 'amount', 'op': '>', 'value': 'a'}", "{'amount': 5}", false),
                arguments("{'column': 'amount', 'op': '=', 'value': 5}", "{'amount': {'v': 5}}", false),
                arguments("{'column': 'flag', 'op': '=', 'value': 1}", "{'flag': true}", false),
                // strings by code units, booleans false < true
                arguments("{'column': 's', 'op': '<', 'value': 'banana'}", "{'s': 'apple'}", true),
                arguments("{'column': 's', 'op': '<', 'value': 'apple'}", "{'s': 'Zebra'}", true),
                arguments("{'column': 'flag', 'op': '=', 'value': true}", "{'flag': true}", true),
                arguments("{'column': 'flag', 'op': '<', 'value': true}", "{'flag': false}", true),
                // between is inclusive; in is any-equal
                arguments("{'column': 'n', 'op': 'between', 'value': [1, 10]}", "{'n': 10}", true),
                arguments("{'column': 'n', 'op': 'between', 'value': [1, 10]}", "{'n': 1}", true),
                arguments("{'column': 'n', 'op': 'between', 'value': [1, 10]}", "{'n': 11}", false),
                arguments("{'column': 'n', 'op': 'between', 'value': [1, 10]}", "{}", false),
                arguments("{'column': 's', 'op': 'in', 'value': ['a', 'b']}", "{'s': 'b'}", true),
                arguments("{'column': 'n', 'op': 'in', 'value': [1, 2]}", "{'n': 3}", false),
                arguments("{'column': 'n', 'op': 'in', 'value': [1, '3']}", "{'n': 3}", false),
                arguments("{'column': 'n', 'op': 'in', 'value': []}", "{'n': 3}", false),
                arguments("{'column': 'n', 'op': 'in', 'value': [1]}", "{}", false),
                // nested paths
                arguments("{'column': 'user.country', 'op': '=', 'value': 'NL'}", "{'user': {'country': 'NL'}}", true),
                arguments("{'column': 'user.country', 'op': '=', 'value': 'NL'}", "{'user': 'NL'}", false),
                arguments("{'column': 'user.country', 'op': 'is_null'}", "{'user': 'NL'}", true),
                arguments("{'column': 'a.b.c', 'op': '>', 'value': 1}", "{'a': {'b': {'c': 2}}}", true),
                arguments("{'column': 'a.b', 'op': '=', 'value': 1}", "{'a.b': 1}", false),
                // instants: epoch milliseconds or ISO-8601 against an ISO-8601 constant
                arguments("{'column': 'ts', 'op': '>=', 'value': " + JAN_1 + "}", "{'ts': " + JAN_1_MS + "}", true),
                arguments("{'column': 'ts', 'op': '<', 'value': " + JAN_1 + "}", "{'ts': " + (JAN_1_MS - 1) + "}", true),
                arguments("{'column': 'ts', 'op': '=', 'value': " + JAN_1 + "}", "{'ts': '2026-01-01T01:00:00+01:00'}", true),
                arguments("{'column': 'ts', 'op': '>', 'value': " + JAN_1 + "}", "{'ts': '2025-12-31T23:59:59.999Z'}", false),
                arguments("{'column': 'ts', 'op': 'between', 'value': [" + JAN_1 + ", '2026-01-02T00:00:00Z']}",
                        "{'ts': " + (JAN_1_MS + 3_600_000) + "}", true),
                arguments("{'column': 'ts', 'op': 'in', 'value': [" + JAN_1 + "]}", "{'ts': " + JAN_1_MS + "}", true),
                arguments("{'column': 'ts', 'op': '>', 'value': " + JAN_1 + "}", "{'ts': 'not a time'}", true),
                arguments("{'column': 'ts', 'op': '=', 'value': " + JAN_1 + "}", "{'ts': true}", false),
                arguments("{'column': 'ts', 'op': '>', 'value': 100}", "{'ts': '2026-01-01T00:00:00Z'}", false),
                // and / or / not, with not as plain negation
                arguments("{'and': [{'column': 'a', 'op': '=', 'value': 1}, {'column': 'b', 'op': '=', 'value': 2}]}",
                        "{'a': 1, 'b': 2}", true),
                arguments("{'and': [{'column': 'a', 'op': '=', 'value': 1}, {'column': 'b', 'op': '=', 'value': 2}]}",
                        "{'a': 1, 'b': 3}", false),
                arguments("{'or': [{'column': 'a', 'op': '=', 'value': 1}, {'column': 'b', 'op': '=', 'value': 2}]}",
                        "{'a': 0, 'b': 2}", true),
                arguments("{'or': [{'column': 'a', 'op': '=', 'value': 1}, {'column': 'b', 'op': '=', 'value': 2}]}", "{}", false),
                arguments("{'not': {'column': 'x', 'op': '<', 'value': 5}}", "{'x': 7}", true),
                arguments("{'not': {'column': 'x', 'op': '<', 'value': 5}}", "{}", true),
                arguments("{'not': {'not': {'column': 'x', 'op': '<', 'value': 5}}}", "{'x': 1}", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFilters")
    void refusesBadFiltersNamingThePart(String filter, String part) {
        refused(() -> RecordFilter.parse(json(filter), "filter"), "invalid_filter", "'" + part + "'");
    }

    static Stream<Arguments> badFilters() {
        return Stream.of(
                arguments("'type = 1'", "filter"),
                arguments("{'column': 'a', 'op': '=', 'value': 1, 'limit': 3}", "filter.limit"),
                arguments("{'op': '=', 'value': 1}", "filter.column"),
                arguments("{'column': 'a..b', 'op': '=', 'value': 1}", "filter.column"),
                arguments("{'column': 'a', 'value': 1}", "filter.op"),
                arguments("{'column': 'a', 'op': 'like', 'value': 'x%'}", "filter.op"),
                arguments("{'column': 'a', 'op': '='}", "filter.value"),
                arguments("{'column': 'a', 'op': '=', 'value': null}", "filter.value"),
                arguments("{'column': 'a', 'op': '=', 'value': [1]}", "filter.value"),
                arguments("{'column': 'a', 'op': '=', 'value': {'x': 1}}", "filter.value"),
                arguments("{'column': 'a', 'op': 'between', 'value': [1]}", "filter.value"),
                arguments("{'column': 'a', 'op': 'between', 'value': [1, null]}", "filter.value"),
                arguments("{'column': 'a', 'op': 'in', 'value': 1}", "filter.value"),
                arguments("{'column': 'a', 'op': 'is_null', 'value': true}", "filter.value"),
                arguments("{'and': []}", "filter.and"),
                arguments("{'and': {'column': 'a', 'op': 'is_null'}}", "filter.and"),
                arguments("{'and': [{'column': 'a', 'op': 'is_null'}], 'column': 'b'}", "filter"),
                arguments("{'not': {'column': 'a', 'op': 'is_null'}, 'or': []}", "filter"),
                arguments("{'or': [{'column': 'a', 'op': 'is_null'}, {'not': {'column': 'b', 'op': '?'}}]}", "filter.or[1].not.op"));
    }

    @Test
    void listsTheOps() {
        refused(() -> RecordFilter.parse(json("{'column': 'a', 'op': 'like', 'value': 'x'}"), "filter"), "invalid_filter",
                "=, !=, <, <=, >, >=, between, in, is_null, is_not_null");
        refused(() -> RecordFilter.parse(json("{'column': 'a', 'op': '=', 'value': null}"), "filter"), "invalid_filter",
                "is_null");
    }

    @Test
    void rendersBackToAnEqualFilter() {
        RecordFilter f = RecordFilter.parse(json("{'and': [{'or': [{'column': 'a.b', 'op': 'in', 'value': [1, 'x', 2.5, false]},"
                + " {'not': {'column': 'c', 'op': 'is_not_null'}}]}, {'column': 'ts', 'op': 'between', 'value': [" + JAN_1 + ", 5]},"
                + " {'column': 'd', 'op': '!=', 'value': 'q'}]}"), "filter");
        assertEquals(f, RecordFilter.parse(f.toJson(), "filter"));
    }
}
