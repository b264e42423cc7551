package io.strata.node.stream.window;

import java.util.Map;

/**
 * The aggregates of one key over one window [{@code windowStart}, {@code windowEnd}) (epoch
 * milliseconds, end exclusive).
 *
 * <p>{@code values} maps each aggregate's {@code as} name to its value, in the order of the job's
 * aggregates. Values are JSON-friendly: {@code Long} for count, count_distinct and
 * approx_count_distinct; for sum a {@code Long} while every value summed was integral and the sum
 * fits in a long, else a {@code Double}; {@code Double} for avg; for min, max and last the value as
 * it was in the event ({@code Long}, {@code Double}, {@code String}, {@code Boolean}, or a
 * {@code JsonNode} for an array or object). A value is {@code null} when no event of the window had
 * a usable value for the aggregate's field.
 *
 * <p>A window's results come in this order: any number of {@link Kind#EARLY}, then at most one
 * {@link Kind#ON_TIME}, then any number of {@link Kind#LATE_UPDATE}, then exactly one
 * {@link Kind#FINAL}. Each carries the full values as of then, so a sink that upserts by key and
 * window always holds the latest; a sink that wants one row per key and window writes the FINAL.
 * (A session window that merges into a larger one ends there, without a FINAL: the merged window's
 * results replace it.)
 */
public record WindowResult(String key, long windowStart, long windowEnd, Kind kind, Map<String, Object> values)
        implements WindowOutput {

    /** Why a result was emitted. */
    public enum Kind {
        /** Before the window closed, on the job's early-results interval; the window may still change. */
        EARLY,
        /** The watermark passed the window's end. */
        ON_TIME,
        /** An event within the allowed lateness changed a window whose end the watermark had passed. */
        LATE_UPDATE,
        /** The watermark passed the window's end plus the allowed lateness: these values are final and the window's state is dropped. */
        FINAL
    }
}
