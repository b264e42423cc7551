package io.strata.node.columnar.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.columnar.ZoneMap;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;

import static io.strata.node.columnar.query.Fixtures.SCHEMA;
import static io.strata.node.columnar.query.RandomizedQueryTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The direct-indexed path for a single INT64/TIMESTAMP group key ({@link PartialAggregation}'s
 * dense window): with nulls, negatives, the extremes of long, windows that grow up and down,
 * spans at and past the limit, and zone maps that are missing, exact, or wrong. Every answer is
 * checked against {@link Reference}, fed through {@link Partial#offer} (zone maps) and through
 * {@link Partial#add} (none), whole and as merged, proto-shipped partials.
 */
class DenseGroupKeyTest {

    private static final String BY_K = "{\"select\": [\"k\"], \"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"},"
            + " {\"fn\": \"sum\", \"column\": \"v\", \"as\": \"sv\"}, {\"fn\": \"min\", \"column\": \"d\", \"as\": \"lo\"},"
            + " {\"fn\": \"max\", \"column\": \"d\", \"as\": \"hi\"}, {\"fn\": \"avg\", \"column\": \"d\", \"as\": \"ad\"},"
            + " {\"fn\": \"count\", \"column\": \"d\", \"as\": \"nd\"}, {\"fn\": \"count_distinct\", \"column\": \"s\", \"as\": \"ds\"}],"
            + " \"group_by\": [\"k\"], \"order_by\": [\"k\"]}";
    private static final String BY_K_FILTERED = BY_K.replace("\"group_by\"",
            "\"where\": {\"column\": \"v\", \"op\": \">\", \"value\": 0}, \"group_by\"");
    private static final String BY_TS = "{\"select\": [\"ts\"], \"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"},"
            + " {\"fn\": \"max\", \"column\": \"v\", \"as\": \"mv\"}], \"group_by\": [\"ts\"], \"order_by\": [\"ts\"]}";

    @Test
    void smallKeysWithNullsAndNegatives() {
        Random r = new Random(1);
        List<Object[]> rows = rows(r, 3000, 0.2, () -> r.nextInt(21) - 10L);
        checkAll(rows, r);
    }

    @Test
    void extremeKeysInOneBlockAndInSeparateBlocks() {
        Random r = new Random(2);
        long[] extremes = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1, Long.MAX_VALUE - 1, Long.MAX_VALUE};
        // Mixed: every block spans the whole long range, so the window is refused.
        checkAll(rows(r, 700, 0.1, () -> extremes[r.nextInt(extremes.length)]), r);
        // Separate: a window near MIN_VALUE, then blocks near MAX_VALUE that cannot join it, then near zero.
        List<Object[]> rows = new ArrayList<>();
        rows.addAll(rows(r, 300, 0.1, () -> Long.MIN_VALUE + r.nextInt(4)));
        rows.addAll(rows(r, 300, 0.1, () -> Long.MAX_VALUE - r.nextInt(4)));
        rows.addAll(rows(r, 300, 0.1, () -> r.nextInt(5) - 2L));
        rows.addAll(rows(r, 300, 0.1, () -> Long.MIN_VALUE + r.nextInt(4)));
        checkAll(rows, r);
    }

    @Test
    void windowGrowsUpAndDownAndKeysBeyondItUseTheTable() {
        Random r = new Random(3);
        List<Object[]> rows = new ArrayList<>();
        rows.addAll(rows(r, 200, 0.05, () -> r.nextInt(10)));
        rows.addAll(rows(r, 200, 0.05, () -> 100L + r.nextInt(10)));
        rows.addAll(rows(r, 200, 0.05, () -> -50L + r.nextInt(10)));
        rows.addAll(rows(r, 200, 0.05, () -> 1_000_000L + r.nextInt(10)));
        rows.addAll(rows(r, 200, 0.05, () -> r.nextBoolean() ? r.nextInt(10) : 1_000_000L + r.nextInt(10)));
        // Ascending keys: the window widens block after block.
        long[] next = {500};
        rows.addAll(rows(r, 1000, 0.05, () -> next[0]++));
        checkAll(rows, r);
    }

    @Test
    void spansAtAndPastTheLimit() {
        Random r = new Random(4);
        long limit = PartialAggregation.DENSE_SPAN;
        checkAll(rows(r, 400, 0.1, () -> r.nextBoolean() ? -7 : -7 + limit - 1), r);
        checkAll(rows(r, 400, 0.1, () -> r.nextBoolean() ? -7 : -7 + limit), r);
        List<Object[]> rows = new ArrayList<>();
        rows.addAll(rows(r, 200, 0.1, () -> r.nextInt(3)));
        rows.addAll(rows(r, 200, 0.1, () -> limit - 1 - r.nextInt(3)));
        rows.addAll(rows(r, 200, 0.1, () -> limit + r.nextInt(3)));
        checkAll(rows, r);
    }

    @Test
    void allNullAndEmptySelections() {
        Random r = new Random(5);
        List<Object[]> rows = new ArrayList<>();
        rows.addAll(rows(r, 150, 1.0, () -> 0));
        rows.addAll(rows(r, 150, 0.0, () -> r.nextInt(4)));
        rows.addAll(rows(r, 150, 1.0, () -> 0));
        checkAll(rows, r);
    }

    @Test
    void timestampKeys() {
        Random r = new Random(6);
        List<Object[]> rows = rows(r, 2000, 0.1, () -> 0);
        for (Object[] row : rows) {
            row[5] = row[5] == null ? null : Fixtures.T0 + r.nextInt(300);
        }
        check(BY_TS, rows, r);
    }

    @Test
    void wrongZoneMapsCostSpeedNotCorrectness() {
        Random r = new Random(7);
        List<Object[]> rows = rows(r, 1000, 0.1, () -> r.nextInt(40) - 20L);
        JsonNode json = parse(BY_K);
        List<List<Object>> expected = Reference.run(json, SCHEMA, rows);
        Query query = Query.parse(json, SCHEMA);
        for (long[] bounds : new long[][] {{0, 0}, {-3, 2}, {100, 200}, {Long.MIN_VALUE, Long.MAX_VALUE}, {-20, 19}}) {
            Partial p = Partial.of(query);
            for (List<Object[]> b : blocks(rows, 97)) {
                ZoneMap[] zones = new ZoneMap[SCHEMA.size()];
                zones[0] = new ZoneMap(b.size(), 0, bounds[0], bounds[1], 0, 0, null, null);
                p.offer(zones, () -> Fixtures.block(b, r));
            }
            assertEquals(expected, p.finish().rows(), "zone map bounds " + bounds[0] + ".." + bounds[1]);
        }
    }

    private static void checkAll(List<Object[]> rows, Random r) {
        check(BY_K, rows, r);
        check(BY_K_FILTERED, rows, r);
    }

    /** The query over the rows in blocks of several sizes, offered, added, and merged in pieces, against the reference. */
    private static void check(String q, List<Object[]> rows, Random r) {
        JsonNode json = parse(q);
        Query query = Query.parse(json, SCHEMA);
        List<List<Object>> expected = Reference.run(json, SCHEMA, rows);
        for (int blockSize : new int[] {1, 7, 100, 1000}) {
            Partial offered = Partial.of(query);
            Partial added = Partial.of(query);
            Partial merged = Partial.of(query);
            int i = 0;
            for (List<Object[]> b : blocks(rows, blockSize)) {
                offered.offer(Fixtures.zones(b), () -> Fixtures.block(b, r));
                added.add(Fixtures.block(b, r));
                // Every third block in a partial of its own, shipped as a message and merged.
                if (i++ % 3 == 0) {
                    Partial piece = Partial.of(query);
                    piece.offer(Fixtures.zones(b), () -> Fixtures.block(b, r));
                    merged.merge(Partial.fromProto(piece.toProto(), query));
                } else {
                    merged.offer(Fixtures.zones(b), () -> Fixtures.block(b, r));
                }
            }
            assertEquals(expected, offered.finish().rows(), "offered in blocks of " + blockSize);
            assertEquals(expected, added.finish().rows(), "added in blocks of " + blockSize);
            assertEquals(expected, merged.finish().rows(), "merged in blocks of " + blockSize);
        }
    }

    private static List<List<Object[]>> blocks(List<Object[]> rows, int size) {
        List<List<Object[]>> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += size) {
            out.add(rows.subList(i, Math.min(rows.size(), i + size)));
        }
        return out;
    }

    /** Random rows whose key {@code k} comes from {@code key}, null at {@code keyNullRate}. */
    private static List<Object[]> rows(Random r, int n, double keyNullRate, LongSupplier key) {
        List<Object[]> rows = Fixtures.randomRows(r, n, 0.1);
        for (Object[] row : rows) {
            row[0] = r.nextDouble() < keyNullRate ? null : key.getAsLong();
        }
        return rows;
    }
}
