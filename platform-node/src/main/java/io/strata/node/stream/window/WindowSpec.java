package io.strata.node.stream.window;

import java.time.Duration;

/** How a stream job groups events into windows on event time. */
public sealed interface WindowSpec permits WindowSpec.Tumbling, WindowSpec.Sliding, WindowSpec.Session {

    /** Fixed, non-overlapping windows of {@code size}, aligned to the epoch: [k·size, (k+1)·size). */
    record Tumbling(Duration size) implements WindowSpec {}

    /** Windows of {@code size} starting every {@code slide} (aligned to the epoch); an event falls in size/slide of them. */
    record Sliding(Duration size, Duration slide) implements WindowSpec {}

    /** Per key, events closer than {@code gap} share a window [first, last + gap); windows merge when a gap fills. */
    record Session(Duration gap) implements WindowSpec {}
}
