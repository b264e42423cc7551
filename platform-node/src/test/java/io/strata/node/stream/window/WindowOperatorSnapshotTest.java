package io.strata.node.stream.window;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.node.stream.proto.WindowOperatorState;
import io.strata.node.stream.window.AggregateSpec.AggregateFn;
import io.strata.node.stream.window.WindowResult.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static io.strata.node.stream.window.WindowTestKit.ms;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshot and restore on random streams with fixed seeds: a restored operator emits exactly what
 * the original does, and the final results equal a naive recomputation over the events each
 * window took.
 */
class WindowOperatorSnapshotTest {

    private static final Set<Integer> PARTITIONS = Set.of(0, 1, 2);
    private static final long LATENESS = 30;
    private static final String FLUSH_KEY = "~flush";
    private static final List<AggregateSpec> AGGREGATES = List.of(
            new AggregateSpec(AggregateFn.COUNT, null, "n"),
            new AggregateSpec(AggregateFn.SUM, "v", "sum"),
            new AggregateSpec(AggregateFn.AVG, "v", "avg"),
            new AggregateSpec(AggregateFn.MIN, "v", "min"),
            new AggregateSpec(AggregateFn.MAX, "v", "max"),
            new AggregateSpec(AggregateFn.COUNT_DISTINCT, "u", "distinct"),
            new AggregateSpec(AggregateFn.APPROX_COUNT_DISTINCT, "u", "approx"),
            new AggregateSpec(AggregateFn.LAST, "v", "last"));
    private static final Map<String, WindowSpec> WINDOWS = Map.of(
            "tumbling", new WindowSpec.Tumbling(ms(50)),
            "sliding", new WindowSpec.Sliding(ms(60), ms(20)),
            "session", new WindowSpec.Session(ms(25)));

    /** One call on the operator: an event, or processing time passing. */
    private record Step(StreamEvent event, long processingTime) {}

    private static WindowOperator.Settings settings(String window) {
        return new WindowOperator.Settings(WINDOWS.get(window), AGGREGATES, ms(20), ms(LATENESS), ms(150),
                Optional.of(ms(200)), 100_000);
    }

    /**
     * Events on each partition mostly ahead in time, some up to maxDisorder behind; partition 2
     * goes silent for a stretch, so it turns idle and resumes.
     */
    private static List<Step> randomSteps(long seed, int count, int partitions, int maxDisorder) {
        Random random = new Random(seed);
        long[] clock = new long[partitions];
        long[] offsets = new long[partitions];
        long processingTime = 0;
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            processingTime += random.nextInt(20);
            int p = random.nextInt(partitions);
            boolean silent = p == 2 && i > count / 3 && i < count / 2;
            if (random.nextInt(10) == 0 || silent) {
                steps.add(new Step(null, processingTime));
                continue;
            }
            clock[p] += random.nextInt(15);
            ObjectNode fields = JsonNodeFactory.instance.objectNode().put("u", "u" + random.nextInt(20));
            if (random.nextInt(10) > 0) {
                fields.put("v", random.nextInt(101) - 50);
            }
            long time = 1000 + clock[p] - random.nextInt(maxDisorder + 1);
            steps.add(new Step(new StreamEvent(p, offsets[p]++, "k" + random.nextInt(6), time, fields), processingTime));
        }
        // Far-future events on every partition close every window of the real keys.
        for (int p = 0; p < partitions; p++) {
            steps.add(new Step(new StreamEvent(p, offsets[p], FLUSH_KEY, 1_000_000_000L, JsonNodeFactory.instance.objectNode()),
                    processingTime + 1));
        }
        return steps;
    }

    private static List<WindowOutput> run(WindowOperator op, List<Step> steps) {
        List<WindowOutput> out = new ArrayList<>();
        for (Step step : steps) {
            out.addAll(step.event() == null ? op.advance(step.processingTime()) : op.onEvent(step.event(), step.processingTime()));
        }
        return out;
    }

    private static WindowOperator restored(String window, WindowOperator original) throws InvalidProtocolBufferException {
        byte[] bytes = original.snapshot().toByteArray();
        WindowOperator copy = WindowOperator.restore(settings(window), WindowOperatorState.parseFrom(bytes));
        assertArrayEquals(bytes, copy.snapshot().toByteArray(), "a snapshot of the restored operator");
        return copy;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tumbling", "sliding", "session"})
    void aRestoredOperatorEmitsExactlyWhatTheOriginalDoes(String window) throws InvalidProtocolBufferException {
        for (long seed : new long[] {1, 2}) {
            List<Step> steps = randomSteps(seed, 2000, PARTITIONS.size(), 80);
            List<WindowOutput> expected = new ArrayList<>();
            List<Integer> outputsBefore = new ArrayList<>();
            WindowOperator reference = new WindowOperator(settings(window), PARTITIONS, 0);
            for (Step step : steps) {
                outputsBefore.add(expected.size());
                expected.addAll(run(reference, List.of(step)));
            }
            assertTrue(expected.stream().anyMatch(o -> o instanceof LateEvent), "the stream has late events");
            assertTrue(expected.stream().anyMatch(o -> o instanceof WindowResult r && r.kind() == Kind.LATE_UPDATE));
            assertTrue(expected.stream().anyMatch(o -> o instanceof WindowResult r && r.kind() == Kind.EARLY));
            for (int cut : new int[] {0, 500, 1000, 1500, steps.size() - 1}) {
                WindowOperator original = new WindowOperator(settings(window), PARTITIONS, 0);
                run(original, steps.subList(0, cut));
                WindowOperator copy = restored(window, original);
                List<Step> rest = steps.subList(cut, steps.size());
                assertEquals(expected.subList(outputsBefore.get(cut), expected.size()), run(copy, rest),
                        window + " seed " + seed + " cut " + cut);
                run(original, rest);
                assertArrayEquals(original.snapshot().toByteArray(), copy.snapshot().toByteArray());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tumbling", "sliding"})
    void finalResultsEqualARecomputationOverTheEventsEachWindowTook(String window) {
        for (long seed : new long[] {3, 4}) {
            List<Step> steps = randomSteps(seed, 3000, PARTITIONS.size(), 80);
            WindowOperator op = new WindowOperator(settings(window), PARTITIONS, 0);
            List<WindowOutput> outputs = new ArrayList<>();
            // Which events each window takes depends only on the watermark when the event comes.
            Map<List<Object>, List<StreamEvent>> taken = new TreeMap<>(WindowOperatorSnapshotTest::compareWindowIds);
            Set<StreamEvent> late = new HashSet<>();
            WindowSpec spec = WINDOWS.get(window);
            long size = spec instanceof WindowSpec.Sliding s ? s.size().toMillis() : ((WindowSpec.Tumbling) spec).size().toMillis();
            long slide = spec instanceof WindowSpec.Sliding s ? s.slide().toMillis() : size;
            for (Step step : steps) {
                StreamEvent e = step.event();
                if (e != null && !e.key().equals(FLUSH_KEY)) {
                    boolean anyWindow = false;
                    for (long start = Math.floorDiv(e.eventTime(), slide) * slide; start > e.eventTime() - size; start -= slide) {
                        if (start + size + LATENESS > op.watermark()) {
                            taken.computeIfAbsent(List.of(e.key(), start, start + size), k -> new ArrayList<>()).add(e);
                            anyWindow = true;
                        }
                    }
                    if (!anyWindow) {
                        late.add(e);
                    }
                }
                outputs.addAll(run(op, List.of(step)));
            }
            assertEquals(late, lateEvents(outputs));
            assertTrue(late.size() > 10, "the stream has late events: " + late.size());
            Map<List<Object>, Map<String, Object>> expected = new TreeMap<>(WindowOperatorSnapshotTest::compareWindowIds);
            taken.forEach((id, events) -> expected.put(id, recompute(events)));
            assertEquals(expected, finalResults(outputs), window + " seed " + seed);
        }
    }

    @Test
    void finalSessionsEqualARecomputationOverAllEvents() {
        for (long seed : new long[] {5, 6}) {
            // One partition, disorder within the out-of-orderness bound: no event is late.
            List<Step> steps = randomSteps(seed, 3000, 1, 20);
            WindowOperator op = new WindowOperator(settings("session"), Set.of(0), 0);
            List<WindowOutput> outputs = run(op, steps);
            assertEquals(Set.of(), lateEvents(outputs));
            Map<String, List<StreamEvent>> byKey = new TreeMap<>();
            steps.stream().map(Step::event)
                    .filter(e -> e != null && !e.key().equals(FLUSH_KEY))
                    .forEach(e -> byKey.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e));
            Map<List<Object>, Map<String, Object>> expected = new TreeMap<>(WindowOperatorSnapshotTest::compareWindowIds);
            long gap = 25;
            byKey.forEach((key, events) -> {
                events.sort((a, b) -> Long.compare(a.eventTime(), b.eventTime()));
                List<StreamEvent> session = new ArrayList<>();
                long start = 0;
                long end = Long.MIN_VALUE;
                for (StreamEvent e : events) {
                    if (e.eventTime() >= end && !session.isEmpty()) {
                        expected.put(List.of(key, start, end), recompute(session));
                        session = new ArrayList<>();
                    }
                    if (session.isEmpty()) {
                        start = e.eventTime();
                    }
                    session.add(e);
                    end = Math.max(session.size() == 1 ? Long.MIN_VALUE : end, e.eventTime() + gap);
                }
                expected.put(List.of(key, start, end), recompute(session));
            });
            assertTrue(expected.size() > 50, "sessions: " + expected.size());
            assertEquals(expected, finalResults(outputs), "seed " + seed);
        }
    }

    @Test
    void refusesASnapshotTakenWithOtherAggregates() {
        WindowOperator op = new WindowOperator(settings("tumbling"), PARTITIONS, 0);
        var other = new WindowOperator.Settings(WINDOWS.get("tumbling"), List.of(AGGREGATES.get(0)), ms(0), ms(0),
                ms(100), Optional.empty(), 10);
        assertThrows(IllegalArgumentException.class, () -> WindowOperator.restore(other, op.snapshot()));
    }

    private static int compareWindowIds(List<Object> a, List<Object> b) {
        int byKey = ((String) a.get(0)).compareTo((String) b.get(0));
        return byKey != 0 ? byKey : Long.compare((Long) a.get(1), (Long) b.get(1));
    }

    private static Set<StreamEvent> lateEvents(List<WindowOutput> outputs) {
        Set<StreamEvent> late = new HashSet<>();
        outputs.stream().filter(o -> o instanceof LateEvent).forEach(o -> late.add(((LateEvent) o).event()));
        return late;
    }

    /** The FINAL values by window, without the approximate count, which the recomputation does not do. */
    private static Map<List<Object>, Map<String, Object>> finalResults(List<WindowOutput> outputs) {
        Map<List<Object>, Map<String, Object>> results = new TreeMap<>(WindowOperatorSnapshotTest::compareWindowIds);
        for (WindowOutput output : outputs) {
            if (output instanceof WindowResult r && r.kind() == Kind.FINAL && !r.key().equals(FLUSH_KEY)) {
                Map<String, Object> values = new LinkedHashMap<>(r.values());
                values.remove("approx");
                Object previous = results.put(List.of(r.key(), r.windowStart(), r.windowEnd()), values);
                assertEquals(null, previous, "one FINAL per window");
            }
        }
        return results;
    }

    /** The aggregates the slow way: all events of the window at once. */
    private static Map<String, Object> recompute(List<StreamEvent> events) {
        List<Long> values = new ArrayList<>();
        Set<String> distinct = new HashSet<>();
        StreamEvent last = null;
        for (StreamEvent e : events) {
            distinct.add(e.fields().get("u").textValue());
            if (e.fields().has("v")) {
                values.add(e.fields().get("v").longValue());
                if (last == null || e.eventTime() > last.eventTime() || (e.eventTime() == last.eventTime()
                        && (e.partition() > last.partition()
                        || (e.partition() == last.partition() && e.offset() > last.offset())))) {
                    last = e;
                }
            }
        }
        Long sum = values.isEmpty() ? null : values.stream().mapToLong(Long::longValue).sum();
        Map<String, Object> result = new HashMap<>();
        result.put("n", (long) events.size());
        result.put("sum", sum);
        result.put("avg", sum == null ? null : (double) sum / values.size());
        result.put("min", values.stream().min(Long::compare).orElse(null));
        result.put("max", values.stream().max(Long::compare).orElse(null));
        result.put("distinct", (long) distinct.size());
        result.put("last", last == null ? null : last.fields().get("v").longValue());
        return result;
    }
}
