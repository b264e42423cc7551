package io.strata.node.columnar.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.columnar.query.proto.PartialMsg;
import io.strata.node.common.StrataException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static io.strata.node.columnar.query.Fixtures.SCHEMA;
import static io.strata.node.columnar.query.RandomizedQueryTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Partials through their Protobuf form: every partial is encoded to bytes and decoded before the
 * gateway merges, and the answer must be exactly the in-memory one (same merge order) and agree
 * with the naive {@link Reference}.
 */
class PartialProtoTest {

    @Test
    void roundTrippedPartialsGiveTheInMemoryAnswer() {
        int checked = 0;
        for (int seed = 1; seed <= 250; seed++) {
            Random r = new Random(seed * 7919L);
            List<Object[]> rows = Fixtures.randomRows(r, r.nextInt(4) == 0 ? r.nextInt(5) : r.nextInt(300), r.nextDouble() * 0.3);
            for (int q = 0; q < 6; q++) {
                JsonNode json = RandomizedQueryTest.randomQuery(r);
                check(json, rows, r, "seed " + seed + " query " + json);
                checked++;
            }
        }
        assertEquals(1500, checked);
    }

    @Test
    void int64SumsNearTheLimitsRoundTripExactlyAndOverflowAlike() {
        for (int seed = 1; seed <= 60; seed++) {
            Random r = new Random(seed);
            List<Object[]> rows = Fixtures.randomRows(r, 1 + r.nextInt(40), 0.1);
            for (Object[] row : rows) {
                if (row[2] != null && r.nextBoolean()) {
                    row[2] = r.nextBoolean() ? Long.MAX_VALUE - r.nextInt(3) : Long.MIN_VALUE + r.nextInt(3);
                }
            }
            for (String fn : new String[] {"sum", "avg"}) {
                JsonNode json = parse("{\"select\": [\"b\"], \"group_by\": [\"b\"], \"aggregates\": [{\"fn\": \"" + fn
                        + "\", \"column\": \"v\", \"as\": \"x\"}, {\"fn\": \"count_distinct\", \"column\": \"v\", \"as\": \"n\"}]}");
                check(json, rows, r, "seed " + seed + " query " + json);
            }
        }
    }

    @Test
    void emptyPartialsRoundTrip() {
        for (String q : List.of("{\"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"}, {\"fn\": \"min\", \"column\": \"s\", \"as\": \"m\"},"
                        + " {\"fn\": \"count_distinct\", \"column\": \"d\", \"as\": \"c\"}, {\"fn\": \"avg\", \"column\": \"d\", \"as\": \"a\"}]}",
                "{\"select\": [\"s\", \"k\"], \"group_by\": [\"s\", \"k\"], \"aggregates\": [{\"fn\": \"sum\", \"column\": \"v\", \"as\": \"x\"}]}",
                "{\"select\": [\"s\", \"d\"], \"order_by\": [{\"column\": \"d\"}], \"limit\": 3}",
                "{\"select\": [\"ts\"], \"limit\": 0}")) {
            Query query = Query.parse(parse(q), SCHEMA);
            Partial empty = roundTrip(Partial.of(query), query);
            assertEquals(Partial.of(query).finish().rows(), empty.finish().rows());
            PartialMsg msg = Partial.of(query).toProto();
            assertEquals(msg, roundTrip(Partial.fromProto(msg, query), query).toProto());
        }
        Query count = Query.parse(parse("{\"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"}]}"), SCHEMA);
        assertEquals(List.of(List.of(0L)), roundTrip(Partial.of(count), count).finish().rows());
    }

    @Test
    void stringKeysAndDistinctStringsTranslateAcrossStringTables() {
        Query q = Query.parse(parse("{\"select\": [\"s\", \"b\"], \"group_by\": [\"s\", \"b\"], \"aggregates\": ["
                + "{\"fn\": \"count_distinct\", \"column\": \"s\", \"as\": \"ds\"}, {\"fn\": \"max\", \"column\": \"s\", \"as\": \"ms\"}],"
                + " \"order_by\": [{\"column\": \"s\"}, {\"column\": \"b\"}]}"), SCHEMA);
        Partial a = Partial.of(q);
        Partial b = Partial.of(q);
        a.add(Fixtures.block(List.of(row("fig", true), row("apple", null), row(null, false)), new Random(1)));
        b.add(Fixtures.block(List.of(row("apple", null), row("", true), row("fig", true), row(null, false)), new Random(2)));
        Partial total = roundTrip(a, q);
        total.merge(roundTrip(b, q));
        assertEquals(List.of(
                Arrays.asList("", true, 1L, ""),
                Arrays.asList("apple", null, 1L, "apple"),
                Arrays.asList("fig", true, 1L, "fig"),
                Arrays.asList(null, false, 0L, null)), total.finish().rows());
    }

    @Test
    void aMessageOfAnotherQueryIsRefused() {
        Query agg = Query.parse(parse("{\"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"}]}"), SCHEMA);
        Query other = Query.parse(parse("{\"aggregates\": [{\"fn\": \"count\", \"as\": \"m\"}]}"), SCHEMA);
        Query scan = Query.parse(parse("{\"select\": [\"k\"]}"), SCHEMA);
        PartialMsg msg = Partial.of(agg).toProto();
        assertThrows(IllegalArgumentException.class, () -> Partial.fromProto(msg, other));
        assertThrows(IllegalArgumentException.class, () -> Partial.fromProto(msg, scan));
        PartialMsg broken = msg.toBuilder().setAggregation(msg.getAggregation().toBuilder().setGroups(2)).build();
        assertThrows(IllegalArgumentException.class, () -> Partial.fromProto(broken, agg));
        Query grouped = Query.parse(parse("{\"select\": [\"s\"], \"group_by\": [\"s\"]}"), SCHEMA);
        PartialMsg empty = Partial.of(grouped).toProto();
        PartialMsg huge = empty.toBuilder().setAggregation(empty.getAggregation().toBuilder().setGroups(Integer.MAX_VALUE)).build();
        assertThrows(IllegalArgumentException.class, () -> Partial.fromProto(huge, grouped));
    }

    private static Object[] row(String s, Boolean b) {
        return new Object[] {1L, s, 2L, 0.5, b, Fixtures.T0};
    }

    /** Through bytes and back: what a shard sends and the gateway receives. */
    private static Partial roundTrip(Partial p, Query query) {
        try {
            return Partial.fromProto(PartialMsg.parseFrom(p.toProto().toByteArray()), query);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Splits the rows into blocks fed to several partials, then merges them in one random order
     * twice: in memory, and after each went through bytes (the running total sometimes too, as a
     * gateway tree would); both must end alike, in the same rows or the same error.
     */
    private static void check(JsonNode json, List<Object[]> rows, Random r, String where) {
        Query query = Query.parse(json, SCHEMA);
        int n = 1 + r.nextInt(5);
        List<Partial> memory = new ArrayList<>();
        List<Partial> wire = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            memory.add(Partial.of(query));
            wire.add(Partial.of(query));
        }
        long blockSeed = r.nextLong();
        Random blocks = new Random(blockSeed);
        Random blocks2 = new Random(blockSeed);
        for (List<Object[]> b : RandomizedQueryTest.split(rows, 1 + r.nextInt(50))) {
            int p = r.nextInt(n);
            Object memoryFailure = outcome(() -> memory.get(p).offer(Fixtures.zones(b), () -> Fixtures.block(b, blocks)));
            Object wireFailure = outcome(() -> wire.get(p).offer(Fixtures.zones(b), () -> Fixtures.block(b, blocks2)));
            assertEquals(memoryFailure, wireFailure, where);
            if (memoryFailure != null) {
                return;
            }
        }
        List<Partial> decoded = new ArrayList<>();
        for (Partial p : wire) {
            decoded.add(roundTrip(p, query));
            assertEquals(p.toProto(), decoded.get(decoded.size() - 1).toProto(), where);
        }
        List<Integer> order = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            order.add(p);
        }
        Collections.shuffle(order, r);
        Object[] inMemory = mergeAndFinish(memory, order, null, query);
        Object[] onWire = mergeAndFinish(decoded, order, r, query);
        assertEquals(inMemory[0], onWire[0], where);
        if (inMemory[0] != null) {
            return;
        }
        QueryResult a = (QueryResult) inMemory[1];
        QueryResult b = (QueryResult) onWire[1];
        assertEquals(a.columns(), b.columns(), where);
        assertEquals(a.rows(), b.rows(), where);
        assertEquals(counts(a.stats()), counts(b.stats()), where);
        boolean unordered = !json.has("aggregates") && !json.has("group_by") && !json.has("order_by");
        if (!unordered) {
            List<List<Object>> expected = Reference.run(json, SCHEMA, rows);
            if (!Reference.sameRows(expected, b.rows())) {
                fail(where + "\nexpected:\n" + Reference.show(expected) + "actual:\n" + Reference.show(b.rows()));
            }
        } else {
            assertTrue(b.rows().size() <= rows.size(), where);
        }
    }

    /** {error code or null, result}: merges {@code parts} in {@code order}, round-tripping the total at random when {@code r} is given. */
    private static Object[] mergeAndFinish(List<Partial> parts, List<Integer> order, Random r, Query query) {
        Partial[] total = {parts.get(order.get(0))};
        Object failure = outcome(() -> {
            for (int i = 1; i < order.size(); i++) {
                if (r != null && r.nextBoolean()) {
                    total[0] = roundTrip(total[0], query);
                }
                total[0].merge(parts.get(order.get(i)));
            }
        });
        return new Object[] {failure, failure == null ? total[0].finish() : null};
    }

    private static Object outcome(Runnable action) {
        try {
            action.run();
            return null;
        } catch (StrataException e) {
            return e.code();
        }
    }

    private static List<Long> counts(QueryStats s) {
        return List.of(s.segmentsScanned, s.segmentsSkipped, s.blocksScanned, s.blocksSkipped, s.rowsScanned, s.bytesRead);
    }
}
