package io.strata.node.stream.window;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

import static io.strata.node.stream.window.WindowTestKit.COUNT;
import static io.strata.node.stream.window.WindowTestKit.SUM_V;
import static io.strata.node.stream.window.WindowTestKit.assertOutputs;
import static io.strata.node.stream.window.WindowTestKit.event;
import static io.strata.node.stream.window.WindowTestKit.ms;
import static io.strata.node.stream.window.WindowTestKit.result;
import static io.strata.node.stream.window.WindowTestKit.settings;
import static io.strata.node.stream.window.WindowResult.Kind.EARLY;
import static io.strata.node.stream.window.WindowResult.Kind.FINAL;
import static io.strata.node.stream.window.WindowResult.Kind.LATE_UPDATE;
import static io.strata.node.stream.window.WindowResult.Kind.ON_TIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The window operator against explicit event sequences, out of order, with processing time given
 * step by step: each call's outputs are asserted exactly and in order.
 */
class WindowOperatorTest {

    private static final WindowSpec TUMBLING_10 = new WindowSpec.Tumbling(ms(10));

    @Test
    void tumblingWindowsFireWhenTheWatermarkReachesTheirEnd() {
        var op = new WindowOperator(settings(TUMBLING_10, 2, 0, 1000, List.of(COUNT, SUM_V)), Set.of(0), 0);

        assertOutputs(op.onEvent(event(0, 0, "a", 1, "{\"v\":1}"), 1));
        assertOutputs(op.onEvent(event(0, 1, "b", 5, "{\"v\":2}"), 2));
        assertOutputs(op.onEvent(event(0, 2, "a", 11, "{\"v\":3}"), 3));
        assertEquals(9, op.watermark());
        // Out of order but within the bound: [0, 10) has not fired yet.
        assertOutputs(op.onEvent(event(0, 3, "a", 8, "{\"v\":4}"), 4));
        assertEquals(9, op.watermark());
        assertOutputs(op.onEvent(event(0, 4, "b", 13, "{}"), 5),
                result(ON_TIME, "a", 0, 10, "n", 2L, "sum", 5L),
                result(ON_TIME, "b", 0, 10, "n", 1L, "sum", 2L),
                result(FINAL, "a", 0, 10, "n", 2L, "sum", 5L),
                result(FINAL, "b", 0, 10, "n", 1L, "sum", 2L));
        var tooLate = event(0, 5, "a", 9, "{\"v\":1}");
        assertOutputs(op.onEvent(tooLate, 6), tooLate);
        assertEquals(2, op.openWindows());
        assertOutputs(op.onEvent(event(0, 6, "c", 30, "{}"), 7),
                result(ON_TIME, "a", 10, 20, "n", 1L, "sum", 3L),
                result(ON_TIME, "b", 10, 20, "n", 1L, "sum", null),
                result(FINAL, "a", 10, 20, "n", 1L, "sum", 3L),
                result(FINAL, "b", 10, 20, "n", 1L, "sum", null));
        assertEquals(1, op.openWindows());
    }

    @Test
    void resultValuesFollowTheAggregateOrder() {
        var op = new WindowOperator(settings(TUMBLING_10, 0, 0, 1000, List.of(SUM_V, COUNT)), Set.of(0), 0);
        op.onEvent(event(0, 0, "a", 1, "{\"v\":1}"), 0);
        var fired = (WindowResult) op.onEvent(event(0, 1, "a", 10, "{}"), 0).get(0);
        assertEquals(List.of("sum", "n"), List.copyOf(fired.values().keySet()));
    }

    @Test
    void slidingWindowsTakeEachEventIntoSizeOverSlideWindows() {
        var sliding = new WindowSpec.Sliding(ms(10), ms(5));
        var op = new WindowOperator(settings(sliding, 0, 0, 1000, List.of(COUNT)), Set.of(0), 0);

        // Before the epoch too: -3 falls in [-10, 0) and [-5, 5).
        assertOutputs(op.onEvent(event(0, 0, "b", -3, "{}"), 0));
        assertOutputs(op.onEvent(event(0, 1, "a", 7, "{}"), 0),
                result(ON_TIME, "b", -10, 0, "n", 1L),
                result(FINAL, "b", -10, 0, "n", 1L),
                result(ON_TIME, "b", -5, 5, "n", 1L),
                result(FINAL, "b", -5, 5, "n", 1L));
        assertOutputs(op.onEvent(event(0, 2, "a", 12, "{}"), 0),
                result(ON_TIME, "a", 0, 10, "n", 1L),
                result(FINAL, "a", 0, 10, "n", 1L));
        var late = event(0, 3, "a", 3, "{}");
        assertOutputs(op.onEvent(late, 0), late);
        assertOutputs(op.onEvent(event(0, 4, "a", 20, "{}"), 0),
                result(ON_TIME, "a", 5, 15, "n", 2L),
                result(FINAL, "a", 5, 15, "n", 2L),
                result(ON_TIME, "a", 10, 20, "n", 1L),
                result(FINAL, "a", 10, 20, "n", 1L));
        assertEquals(2, op.openWindows());
    }

    @Test
    void slidingWindowsAlreadyClosedDoNotTakeAnEventTheirNeighboursStillDo() {
        var sliding = new WindowSpec.Sliding(ms(10), ms(5));
        var op = new WindowOperator(settings(sliding, 0, 2, 1000, List.of(COUNT)), Set.of(0), 0);
        op.onEvent(event(0, 0, "a", 6, "{}"), 0);
        assertOutputs(op.onEvent(event(0, 1, "a", 13, "{}"), 0),
                result(ON_TIME, "a", 0, 10, "n", 1L),
                result(FINAL, "a", 0, 10, "n", 1L));
        // 8 belongs to [0, 10), closed at 12, and to [5, 15), still open: not late, counted once.
        assertOutputs(op.onEvent(event(0, 2, "a", 8, "{}"), 0));
        assertOutputs(op.onEvent(event(0, 3, "a", 15, "{}"), 0),
                result(ON_TIME, "a", 5, 15, "n", 3L));
    }

    @Test
    void sessionsMergeWhenAnEventBridgesThem() {
        var session = new WindowSpec.Session(ms(10));
        var op = new WindowOperator(settings(session, 20, 0, 1000, List.of(COUNT, SUM_V)), Set.of(0), 0);

        assertOutputs(op.onEvent(event(0, 0, "a", 0, "{\"v\":1}"), 0));
        assertOutputs(op.onEvent(event(0, 1, "a", 25, "{\"v\":2}"), 0));
        assertEquals(2, op.openWindows());
        // Extends [0, 10) to [0, 18).
        assertOutputs(op.onEvent(event(0, 2, "a", 8, "{\"v\":3}"), 0));
        // [17, 27) overlaps [0, 18) and [25, 35): one session [0, 35).
        assertOutputs(op.onEvent(event(0, 3, "a", 17, "{\"v\":4}"), 0));
        assertEquals(1, op.openWindows());
        // Exactly a gap apart: two sessions.
        assertOutputs(op.onEvent(event(0, 4, "c", 40, "{}"), 0));
        assertOutputs(op.onEvent(event(0, 5, "c", 50, "{}"), 0));
        assertOutputs(op.onEvent(event(0, 6, "b", 50, "{}"), 0));
        assertOutputs(op.onEvent(event(0, 7, "b", 58, "{}"), 0),
                result(ON_TIME, "a", 0, 35, "n", 4L, "sum", 10L),
                result(FINAL, "a", 0, 35, "n", 4L, "sum", 10L));
        assertOutputs(op.onEvent(event(0, 8, "b", 95, "{}"), 0),
                result(ON_TIME, "c", 40, 50, "n", 1L, "sum", null),
                result(FINAL, "c", 40, 50, "n", 1L, "sum", null),
                result(ON_TIME, "c", 50, 60, "n", 1L, "sum", null),
                result(FINAL, "c", 50, 60, "n", 1L, "sum", null),
                result(ON_TIME, "b", 50, 68, "n", 2L, "sum", null),
                result(FINAL, "b", 50, 68, "n", 2L, "sum", null));
    }

    @Test
    void sessionsWithAllowedLatenessReopenGrowAndFireAgain() {
        var session = new WindowSpec.Session(ms(10));
        var op = new WindowOperator(settings(session, 0, 20, 1000, List.of(COUNT)), Set.of(0), 0);

        assertOutputs(op.onEvent(event(0, 0, "a", 0, "{}"), 0));
        assertOutputs(op.onEvent(event(0, 1, "b", 15, "{}"), 0),
                result(ON_TIME, "a", 0, 10, "n", 1L));
        // Grows the fired session to [0, 15), whose end the watermark has passed: a late update.
        assertOutputs(op.onEvent(event(0, 2, "a", 5, "{}"), 0),
                result(LATE_UPDATE, "a", 0, 15, "n", 2L));
        // Grows it past the watermark: it will fire again.
        assertOutputs(op.onEvent(event(0, 3, "a", 12, "{}"), 0));
        assertOutputs(op.onEvent(event(0, 4, "b", 22, "{}"), 0),
                result(ON_TIME, "a", 0, 22, "n", 3L));
        assertOutputs(op.onEvent(event(0, 5, "b", 50, "{}"), 0),
                result(ON_TIME, "b", 15, 32, "n", 2L),
                result(FINAL, "a", 0, 22, "n", 3L));
        var late = event(0, 6, "a", 1, "{}");
        assertOutputs(op.onEvent(late, 0), late);
        // A new session whose end has passed but which is within the lateness: its first result is late.
        assertOutputs(op.onEvent(event(0, 7, "a", 25, "{}"), 0),
                result(LATE_UPDATE, "a", 25, 35, "n", 1L));
        assertOutputs(op.onEvent(event(0, 8, "b", 100, "{}"), 0),
                result(FINAL, "b", 15, 32, "n", 2L),
                result(FINAL, "a", 25, 35, "n", 1L),
                result(ON_TIME, "b", 50, 60, "n", 1L),
                result(FINAL, "b", 50, 60, "n", 1L));
    }

    @Test
    void allowedLatenessReEmitsCorrectedResultsThenSendsLaterEventsToLateOutput() {
        var op = new WindowOperator(settings(TUMBLING_10, 0, 5, 1000, List.of(COUNT, SUM_V)), Set.of(0), 0);

        assertOutputs(op.onEvent(event(0, 0, "a", 1, "{\"v\":1}"), 0));
        assertOutputs(op.onEvent(event(0, 1, "a", 12, "{\"v\":10}"), 0),
                result(ON_TIME, "a", 0, 10, "n", 1L, "sum", 1L));
        assertOutputs(op.onEvent(event(0, 2, "a", 3, "{\"v\":2}"), 0),
                result(LATE_UPDATE, "a", 0, 10, "n", 2L, "sum", 3L));
        // A key with no window yet, within the lateness: its first result is a late update.
        assertOutputs(op.onEvent(event(0, 3, "b", 9, "{\"v\":7}"), 0),
                result(LATE_UPDATE, "b", 0, 10, "n", 1L, "sum", 7L));
        assertOutputs(op.onEvent(event(0, 4, "a", 14, "{}"), 0));
        assertOutputs(op.onEvent(event(0, 5, "a", 15, "{}"), 0),
                result(FINAL, "a", 0, 10, "n", 2L, "sum", 3L),
                result(FINAL, "b", 0, 10, "n", 1L, "sum", 7L));
        var late = event(0, 6, "a", 4, "{\"v\":100}");
        List<WindowOutput> outputs = op.onEvent(late, 0);
        assertOutputs(outputs, late);
        assertEquals("event time 4 is too late: the watermark (15) has passed the end of every window of the event"
                + " plus the allowed lateness (5 ms)", ((LateEvent) outputs.get(0)).reason());
    }

    @Test
    void idlePartitionsStopHoldingTheWatermarkBackAndHoldItAgainWhenTheyResume() {
        var op = new WindowOperator(settings(TUMBLING_10, 0, 0, 100, List.of(COUNT)), Set.of(0, 1), 0);

        // Partition 1 has sent nothing, but is not idle yet.
        assertOutputs(op.onEvent(event(0, 0, "a", 5, "{}"), 10));
        assertEquals(Long.MIN_VALUE, op.watermark());
        assertEquals(Map.of(0, 5L, 1, Long.MIN_VALUE), op.partitionWatermarks());
        assertOutputs(op.onEvent(event(0, 1, "a", 15, "{}"), 50));
        assertOutputs(op.advance(99));
        assertEquals(Set.of(), op.idlePartitions());
        assertOutputs(op.advance(100),
                result(ON_TIME, "a", 0, 10, "n", 1L),
                result(FINAL, "a", 0, 10, "n", 1L));
        assertEquals(Set.of(1), op.idlePartitions());
        assertEquals(15, op.watermark());
        assertOutputs(op.onEvent(event(0, 2, "a", 25, "{}"), 120),
                result(ON_TIME, "a", 10, 20, "n", 1L),
                result(FINAL, "a", 10, 20, "n", 1L));
        // Partition 1 resumes behind the watermark, which does not go back...
        assertOutputs(op.onEvent(event(1, 0, "b", 22, "{}"), 130));
        assertEquals(25, op.watermark());
        assertEquals(Set.of(), op.idlePartitions());
        // ...and holds it back again.
        assertOutputs(op.onEvent(event(0, 3, "a", 45, "{}"), 140));
        assertEquals(25, op.watermark());
        assertOutputs(op.onEvent(event(1, 1, "b", 35, "{}"), 150),
                result(ON_TIME, "a", 20, 30, "n", 1L),
                result(ON_TIME, "b", 20, 30, "n", 1L),
                result(FINAL, "a", 20, 30, "n", 1L),
                result(FINAL, "b", 20, 30, "n", 1L));
        // Both idle: the watermark is the greatest of theirs.
        assertOutputs(op.advance(300),
                result(ON_TIME, "b", 30, 40, "n", 1L),
                result(FINAL, "b", 30, 40, "n", 1L));
        assertEquals(45, op.watermark());
        assertEquals(Set.of(0, 1), op.idlePartitions());
    }

    @Test
    void earlyResultsForChangedWindowsEveryInterval() {
        var settings = new WindowOperator.Settings(TUMBLING_10, List.of(COUNT), ms(0), ms(0), ms(10_000),
                Optional.of(ms(100)), 1000);
        var op = new WindowOperator(settings, Set.of(0), 0);

        assertOutputs(op.onEvent(event(0, 0, "b", 2, "{}"), 10));
        assertOutputs(op.onEvent(event(0, 1, "a", 1, "{}"), 20));
        assertOutputs(op.advance(99));
        assertOutputs(op.advance(100),
                result(EARLY, "a", 0, 10, "n", 1L),
                result(EARLY, "b", 0, 10, "n", 1L));
        assertOutputs(op.onEvent(event(0, 2, "a", 3, "{}"), 150));
        assertOutputs(op.advance(199));
        assertOutputs(op.advance(200), result(EARLY, "a", 0, 10, "n", 2L));
        assertOutputs(op.advance(300));
        assertOutputs(op.onEvent(event(0, 3, "a", 10, "{}"), 310),
                result(ON_TIME, "a", 0, 10, "n", 2L),
                result(ON_TIME, "b", 0, 10, "n", 1L),
                result(FINAL, "a", 0, 10, "n", 2L),
                result(FINAL, "b", 0, 10, "n", 1L));
        assertOutputs(op.advance(400), result(EARLY, "a", 10, 20, "n", 1L));
    }

    @Test
    void refusesAnEventThatWouldOpenMoreWindowsThanTheLimitAndKeepsItsState() {
        var sliding = new WindowSpec.Sliding(ms(10), ms(5));
        var settings = new WindowOperator.Settings(sliding, List.of(COUNT), ms(0), ms(0), ms(1000), Optional.empty(), 3);
        var op = new WindowOperator(settings, Set.of(0), 0);

        op.onEvent(event(0, 0, "a", 7, "{}"), 0);
        assertEquals(2, op.openWindows());
        var refused = assertThrows(WindowLimitExceededException.class, () -> op.onEvent(event(0, 1, "b", 7, "{}"), 0));
        assertEquals("too many open windows: 2 are open, the limit is 3, and the event for key 'b' at event time 7"
                + " would open 2 more", refused.getMessage());
        assertEquals(2, op.openWindows());
        assertEquals(7, op.watermark());
        // Windows that exist take events; one more fits.
        assertOutputs(op.onEvent(event(0, 2, "a", 8, "{}"), 0));
        assertOutputs(op.onEvent(event(0, 3, "a", 12, "{}"), 0),
                result(ON_TIME, "a", 0, 10, "n", 2L),
                result(FINAL, "a", 0, 10, "n", 2L));
        assertEquals(2, op.openWindows());
    }

    @Test
    void rejectsEventsFromPartitionsItDoesNotRead() {
        var op = new WindowOperator(settings(TUMBLING_10, 0, 0, 1000, List.of(COUNT)), Set.of(0, 1), 0);
        var e = assertThrows(IllegalArgumentException.class, () -> op.onEvent(event(2, 0, "a", 1, "{}"), 0));
        assertEquals("event from partition 2, which this operator does not read (it reads [0, 1])", e.getMessage());
    }

    @Test
    void rejectsSettingsThatCannotWork() {
        assertThrows(IllegalArgumentException.class,
                () -> settings(new WindowSpec.Tumbling(Duration.ZERO), 0, 0, 1000, List.of(COUNT)));
        assertThrows(IllegalArgumentException.class,
                () -> settings(TUMBLING_10, -1, 0, 1000, List.of(COUNT)));
        assertThrows(IllegalArgumentException.class,
                () -> settings(TUMBLING_10, 0, 0, 1000, List.of(COUNT, COUNT)));
        assertThrows(IllegalArgumentException.class, () -> settings(TUMBLING_10, 0, 0, 1000,
                List.of(new AggregateSpec(AggregateSpec.AggregateFn.SUM, null, "s"))));
        // Each event would fall in more windows than may be open: no event could ever be placed.
        assertThrows(IllegalArgumentException.class, () -> new WindowOperator.Settings(new WindowSpec.Sliding(ms(1000), ms(1)),
                List.of(COUNT), ms(0), ms(0), ms(1000), Optional.empty(), 999));
        new WindowOperator.Settings(new WindowSpec.Sliding(ms(1000), ms(1)), List.of(COUNT), ms(0), ms(0), ms(1000), Optional.empty(), 1000);
    }

    @Test
    void processingTimeNeverGoesBack() {
        var op = new WindowOperator(settings(TUMBLING_10, 0, 0, 100, List.of(COUNT)), Set.of(0, 1), 0);
        op.onEvent(event(0, 0, "a", 5, "{}"), 50);
        op.advance(100);
        assertEquals(Set.of(1), op.idlePartitions());
        // An earlier processing time is taken as the latest one: partition 1 stays idle.
        op.advance(20);
        assertEquals(Set.of(1), op.idlePartitions());
        assertEquals(5, op.watermark());
    }

    @Test
    void aPartitionMarkedActiveIsNeverIdle() {
        WindowOperator op = new WindowOperator(WindowTestKit.settings(new WindowSpec.Tumbling(WindowTestKit.ms(10)), 0, 0, 100,
                java.util.List.of(WindowTestKit.COUNT)), java.util.Set.of(0, 1), 0);
        op.onEvent(WindowTestKit.event(0, 0, "a", 50, "{}"), 0);
        for (long now = 50; now <= 500; now += 50) {
            // Partition 1 still has records to deliver: the runner keeps marking it active.
            op.markActive(1, now);
            op.advance(now);
            org.junit.jupiter.api.Assertions.assertEquals(Long.MIN_VALUE, op.watermark(), "partition 1, behind, holds the watermark");
        }
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Set.of(0), op.idlePartitions(), "only the quiet partition is idle");
        op.advance(650);
        org.junit.jupiter.api.Assertions.assertEquals(50, op.watermark(), "once it stops being marked, it goes idle");
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Set.of(0, 1), op.idlePartitions());
    }
}
