package io.strata.node.stream.window;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.strata.node.stream.window.AggregateSpec.AggregateFn;
import java.util.List;
import org.junit.jupiter.api.Test;

import static io.strata.node.stream.window.WindowTestKit.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every aggregate: numeric types, missing and null values, ties, merging and its state round trip. */
class AccumulatorTest {

    /** Values 1, 2.5, null, missing, "x", 1.0, true, at event times 1 to 7. */
    private static final List<StreamEvent> MIXED = List.of(
            event(0, 0, "k", 1, "{\"v\":1}"),
            event(0, 1, "k", 2, "{\"v\":2.5}"),
            event(0, 2, "k", 3, "{\"v\":null}"),
            event(0, 3, "k", 4, "{}"),
            event(0, 4, "k", 5, "{\"v\":\"x\"}"),
            event(0, 5, "k", 6, "{\"v\":1.0}"),
            event(0, 6, "k", 7, "{\"v\":true}"));

    private static Object aggregate(AggregateFn fn, String field, List<StreamEvent> events) {
        Accumulator acc = Accumulator.create(new AggregateSpec(fn, field, "x"));
        events.forEach(acc::add);
        return acc.result();
    }

    @Test
    void everyAggregateOverMixedValues() {
        assertEquals(7L, aggregate(AggregateFn.COUNT, null, MIXED));
        // count of a field counts its non-null values.
        assertEquals(5L, aggregate(AggregateFn.COUNT, "v", MIXED));
        assertEquals(4.5, aggregate(AggregateFn.SUM, "v", MIXED));
        assertEquals(1.5, aggregate(AggregateFn.AVG, "v", MIXED));
        // 1 and 1.0 are equal: the first is kept.
        assertEquals(1L, aggregate(AggregateFn.MIN, "v", MIXED));
        // Strings order after numbers.
        assertEquals("x", aggregate(AggregateFn.MAX, "v", MIXED));
        // 1 and 1.0 are one value; "x" and true count.
        assertEquals(4L, aggregate(AggregateFn.COUNT_DISTINCT, "v", MIXED));
        assertEquals(4L, aggregate(AggregateFn.APPROX_COUNT_DISTINCT, "v", MIXED));
        assertEquals(true, aggregate(AggregateFn.LAST, "v", MIXED));
    }

    @Test
    void aggregatesOfNoValueAreNullOrZero() {
        List<StreamEvent> none = List.of(event(0, 0, "k", 1, "{\"v\":null}"), event(0, 1, "k", 2, "{}"));
        assertEquals(2L, aggregate(AggregateFn.COUNT, null, none));
        assertEquals(0L, aggregate(AggregateFn.COUNT, "v", none));
        for (AggregateFn fn : List.of(AggregateFn.SUM, AggregateFn.AVG, AggregateFn.MIN, AggregateFn.MAX, AggregateFn.LAST)) {
            assertEquals(null, aggregate(fn, "v", none), fn.jsonName());
        }
        assertEquals(0L, aggregate(AggregateFn.COUNT_DISTINCT, "v", none));
        assertEquals(0L, aggregate(AggregateFn.APPROX_COUNT_DISTINCT, "v", none));
        // A computed NaN is skipped like a null.
        var nan = new StreamEvent(0, 2, "k", 3, JsonNodeFactory.instance.objectNode().put("v", Double.NaN));
        assertEquals(1.0, aggregate(AggregateFn.SUM, "v", List.of(nan, event(0, 3, "k", 4, "{\"v\":1.0}"))));
        assertEquals(0L, aggregate(AggregateFn.COUNT_DISTINCT, "v", List.of(nan)));
        // A string is no number: sum and avg skip it.
        List<StreamEvent> text = List.of(event(0, 0, "k", 1, "{\"v\":\"7\"}"));
        assertEquals(null, aggregate(AggregateFn.SUM, "v", text));
        assertEquals(null, aggregate(AggregateFn.AVG, "v", text));
    }

    @Test
    void integralSumsStayLongUntilTheyOverflow() {
        List<StreamEvent> ints = List.of(event(0, 0, "k", 1, "{\"v\":3}"), event(0, 1, "k", 2, "{\"v\":-5}"));
        assertEquals(-2L, aggregate(AggregateFn.SUM, "v", ints));
        assertEquals(-1.0, aggregate(AggregateFn.AVG, "v", ints));
        List<StreamEvent> huge = List.of(event(0, 0, "k", 1, "{\"v\":" + Long.MAX_VALUE + "}"),
                event(0, 1, "k", 2, "{\"v\":1}"));
        assertEquals((double) Long.MAX_VALUE + 1, aggregate(AggregateFn.SUM, "v", huge));
    }

    @Test
    void minAndMaxCompareNumbersByValueAndStringsLexicographically() {
        List<StreamEvent> numbers = List.of(event(0, 0, "k", 1, "{\"v\":10}"), event(0, 1, "k", 2, "{\"v\":9.5}"),
                event(0, 2, "k", 3, "{\"v\":-3}"), event(0, 3, "k", 4, "{\"v\":[1]}"));
        assertEquals(-3L, aggregate(AggregateFn.MIN, "v", numbers));
        assertEquals(10L, aggregate(AggregateFn.MAX, "v", numbers));
        List<StreamEvent> strings = List.of(event(0, 0, "k", 1, "{\"v\":\"b\"}"), event(0, 1, "k", 2, "{\"v\":\"a\"}"),
                event(0, 2, "k", 3, "{\"v\":\"c\"}"));
        assertEquals("a", aggregate(AggregateFn.MIN, "v", strings));
        assertEquals("c", aggregate(AggregateFn.MAX, "v", strings));
    }

    @Test
    void lastTakesTheGreatestEventTimeThenTheGreatestPartitionAndOffset() {
        List<StreamEvent> ties = List.of(
                event(0, 9, "k", 9, "{\"v\":\"latest\"}"),
                event(1, 3, "k", 5, "{\"v\":\"p1 o3\"}"),
                event(0, 7, "k", 5, "{\"v\":\"p0 o7\"}"),
                event(1, 2, "k", 5, "{\"v\":\"p1 o2\"}"));
        assertEquals("latest", aggregate(AggregateFn.LAST, "v", ties));
        assertEquals("p1 o3", aggregate(AggregateFn.LAST, "v", ties.subList(1, 4)));
        assertEquals("p1 o3", aggregate(AggregateFn.LAST, "v", List.of(ties.get(3), ties.get(2), ties.get(1))));
        // Objects stay JSON.
        var object = aggregate(AggregateFn.LAST, "v", List.of(event(0, 0, "k", 1, "{\"v\":{\"a\":1}}")));
        assertEquals(JsonNodeFactory.instance.objectNode().put("a", 1), object);
    }

    @Test
    void countDistinctTakesEqualNumbersAndReorderedObjectsAsOneValue() {
        List<StreamEvent> values = List.of(
                event(0, 0, "k", 1, "{\"v\":{\"a\":1,\"b\":2}}"),
                event(0, 1, "k", 2, "{\"v\":{\"b\":2.0,\"a\":1}}"),
                event(0, 2, "k", 3, "{\"v\":\"1\"}"),
                event(0, 3, "k", 4, "{\"v\":1}"),
                event(0, 4, "k", 5, "{\"v\":100}"),
                event(0, 5, "k", 6, "{\"v\":1e2}"));
        assertEquals(4L, aggregate(AggregateFn.COUNT_DISTINCT, "v", values));
    }

    @Test
    void approxCountDistinctIsWithinThreeStandardErrorsOnAHundredThousandValues() {
        Accumulator half1 = Accumulator.create(new AggregateSpec(AggregateFn.APPROX_COUNT_DISTINCT, "u", "x"));
        Accumulator half2 = Accumulator.create(new AggregateSpec(AggregateFn.APPROX_COUNT_DISTINCT, "u", "x"));
        var node = JsonNodeFactory.instance;
        for (int i = 0; i < 100_000; i++) {
            // Every value twice, and the halves overlap by a fifth.
            var e = new StreamEvent(0, i, "k", i, node.objectNode().put("u", "user-" + i));
            (i < 60_000 ? half1 : half2).add(e);
            (i < 60_000 ? half1 : half2).add(e);
            if (i >= 40_000 && i < 60_000) {
                half2.add(e);
            }
        }
        half1.merge(half2);
        long estimate = (Long) half1.result();
        // 2^12 registers: a relative standard error of 1.04 / 64 = 1.6 %; allow three of them.
        assertTrue(Math.abs(estimate - 100_000) <= 4_900, "estimate " + estimate);
        // The sketch survives its round trip through the snapshot form.
        var spec = new AggregateSpec(AggregateFn.APPROX_COUNT_DISTINCT, "u", "x");
        assertEquals(estimate, Accumulator.fromProto(spec, half1.toProto()).result());
    }

    @Test
    void mergedAccumulatorsEqualOneOverAllEventsAndRoundTripTheirState() {
        for (AggregateFn fn : AggregateFn.values()) {
            var spec = new AggregateSpec(fn, fn == AggregateFn.COUNT ? null : "v", "x");
            Accumulator whole = Accumulator.create(spec);
            Accumulator left = Accumulator.create(spec);
            Accumulator right = Accumulator.create(spec);
            for (int i = 0; i < MIXED.size(); i++) {
                whole.add(MIXED.get(i));
                (i % 2 == 0 ? left : right).add(MIXED.get(i));
            }
            left.merge(right);
            assertEquals(whole.result(), left.result(), fn.jsonName());
            Accumulator restored = Accumulator.fromProto(spec, left.toProto());
            assertEquals(left.result(), restored.result(), fn.jsonName());
            assertEquals(left.toProto(), restored.toProto(), fn.jsonName());
        }
    }
}
