package io.strata.node.stream.window;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.node.stream.window.AggregateSpec.AggregateFn;
import io.strata.node.stream.window.WindowResult.Kind;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Shorthands for window operator tests: events, settings and expected results in a line each. */
final class WindowTestKit {

    private static final ObjectMapper JSON = new ObjectMapper();

    static final AggregateSpec COUNT = new AggregateSpec(AggregateFn.COUNT, null, "n");
    static final AggregateSpec SUM_V = new AggregateSpec(AggregateFn.SUM, "v", "sum");

    private WindowTestKit() {}

    static StreamEvent event(int partition, long offset, String key, long eventTime, String json) {
        try {
            return new StreamEvent(partition, offset, key, eventTime, JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    static WindowOperator.Settings settings(WindowSpec window, long outOfOrderness, long lateness, long idleTimeout,
                                            List<AggregateSpec> aggregates) {
        return new WindowOperator.Settings(window, aggregates, ms(outOfOrderness), ms(lateness), ms(idleTimeout),
                Optional.empty(), 100_000);
    }

    /** An expected result; {@code values} alternates aggregate names and values. */
    static WindowResult result(Kind kind, String key, long start, long end, Object... values) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i += 2) {
            map.put((String) values[i], values[i + 1]);
        }
        return new WindowResult(key, start, end, kind, map);
    }

    /**
     * Asserts the outputs, in order: a {@link WindowResult} stands for itself, a {@link StreamEvent}
     * for a {@link LateEvent} of that event (whatever its reason).
     */
    static void assertOutputs(List<WindowOutput> actual, Object... expected) {
        List<Object> seen = actual.stream().map(o -> o instanceof LateEvent late ? late.event() : o).toList();
        assertEquals(List.of(expected), seen);
    }
}
