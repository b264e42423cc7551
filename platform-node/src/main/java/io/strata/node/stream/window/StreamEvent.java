package io.strata.node.stream.window;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * An event as a window operator takes it: where it came from (source partition and offset), its
 * key, its event time in epoch milliseconds, and its fields (a JSON object, after the job's
 * filter and transforms).
 *
 * <p>An event is built either around its fields as a JSON tree, or {@linkplain #decoded decoded}
 * from its record's bytes into the {@link EventValues} its aggregates read; the latter parses its
 * fields only if {@link #fields} is asked for (a late event written out). Equal when partition,
 * offset, key, event time and fields are. Not thread-safe until {@link #fields} has been called once.
 */
public final class StreamEvent {

    private final int partition;
    private final long offset;
    private final String key;
    private final long eventTime;
    private final EventValues values;
    private JsonNode fields;

    /** An event whose aggregates read their fields from the JSON object {@code fields}. */
    public StreamEvent(int partition, long offset, String key, long eventTime, JsonNode fields) {
        this(partition, offset, key, eventTime, fields, null);
    }

    private StreamEvent(int partition, long offset, String key, long eventTime, JsonNode fields, EventValues values) {
        this.partition = partition;
        this.offset = offset;
        this.key = key;
        this.eventTime = eventTime;
        this.fields = fields;
        this.values = values;
    }

    /** An event decoded from its record: its aggregates read {@code values}. */
    public static StreamEvent decoded(int partition, long offset, String key, long eventTime, EventValues values) {
        return new StreamEvent(partition, offset, key, eventTime, null, Objects.requireNonNull(values, "values"));
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }

    public String key() {
        return key;
    }

    public long eventTime() {
        return eventTime;
    }

    /** The event's fields; of a decoded event, parsed from its record's bytes on the first call. */
    public JsonNode fields() {
        if (fields == null && values != null) {
            fields = values.record();
        }
        return fields;
    }

    /** The decoded values the aggregates read, or null for an event built around its fields. */
    EventValues values() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamEvent e && partition == e.partition && offset == e.offset && eventTime == e.eventTime
                && Objects.equals(key, e.key) && Objects.equals(fields(), e.fields());
    }

    @Override
    public int hashCode() {
        return Objects.hash(partition, offset, key, eventTime, fields());
    }

    @Override
    public String toString() {
        return "StreamEvent[partition=" + partition + ", offset=" + offset + ", key=" + key + ", eventTime=" + eventTime
                + ", fields=" + fields() + "]";
    }
}
