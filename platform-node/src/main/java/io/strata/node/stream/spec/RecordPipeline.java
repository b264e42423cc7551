package io.strata.node.stream.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.node.common.StrataException;
import io.strata.node.http.Json;
import io.strata.node.stream.window.StreamEvent;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Turns a bus record into a {@link StreamEvent} by a job's spec: parse the value as a JSON object,
 * apply the filter, then the transforms in order, then read the key and the event time.
 *
 * <p>The key is the key field's value as text (a string as it is, a number or boolean as its JSON
 * text); a missing, null or empty key, or an object or array, makes the record bad. The event time
 * is a number (epoch milliseconds; a fraction is rounded down) or an ISO-8601 string, within the
 * years 0000 to 9999 ({@link #MIN_EVENT_TIME} to {@link #MAX_EVENT_TIME}, so that window bounds
 * computed from it never overflow); anything else makes the record bad. So does a value that is
 * not a JSON object, one holding a number beyond the range of a 64-bit float or an unpaired
 * surrogate escape ({@link Json#requireStorable}), a transform that fails
 * ({@link RecordException}), and transforms that make such a value (a product beyond float64, a
 * {@code substr} that splits a surrogate pair). A bad record's reason is meant for the job's
 * dead-letter topic.
 *
 * <p>A job without transforms reads each record once from its bytes, into the fields it uses
 * ({@link RecordDecoder}), with no JSON tree; a record that decoder is not sure of (a bad one, or
 * one with a surrogate escape or an object where the job reads a field) is read as a tree, as a
 * job with transforms reads all its records, so the outcome is the same either way.
 *
 * <p>Pure and thread-safe: every call works on its own copy of the record.
 */
public final class RecordPipeline {

    // Thread-safe once configured; trailing tokens would otherwise be ignored silently.
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The earliest event time taken: 0000-01-01T00:00:00Z, in epoch milliseconds. */
    public static final long MIN_EVENT_TIME = Instant.parse("0000-01-01T00:00:00Z").toEpochMilli();
    /** The latest event time taken: 9999-12-31T23:59:59.999Z, in epoch milliseconds. */
    public static final long MAX_EVENT_TIME = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();

    /** What became of one record. */
    public sealed interface Outcome permits Event, Skipped, Bad {}

    /** The record passed the filter and became this event. */
    public record Event(StreamEvent event) implements Outcome {}

    /** The filter left the record out. */
    public enum Skipped implements Outcome { INSTANCE }

    /** The record cannot be processed, for {@code reason}. */
    public record Bad(String reason) implements Outcome {}

    private final RecordFilter filter;
    private final List<Transform> transforms;
    private final FieldPath key;
    private final FieldPath eventTime;
    private final RecordDecoder decoder;

    private RecordPipeline(JobSpec spec) {
        this.filter = spec.filter().orElse(null);
        this.transforms = spec.transforms();
        this.key = FieldPath.of(spec.key());
        this.eventTime = FieldPath.of(spec.eventTime());
        this.decoder = RecordDecoder.create(JSON.getFactory(), spec);
    }

    public static RecordPipeline create(JobSpec spec) {
        return new RecordPipeline(spec);
    }

    /**
     * Runs one record, the value at {@code offset} of source {@code partition}, through the
     * pipeline. An event may keep {@code value}: the caller must not change it afterwards.
     */
    public Outcome apply(int partition, long offset, byte[] value) {
        if (decoder != null) {
            Outcome decoded = decoder.decode(partition, offset, value, 0, value.length);
            if (decoded != null) {
                return decoded;
            }
        }
        return applyTree(partition, offset, value);
    }

    /** As {@link #apply}, reading the record as a JSON tree whatever the spec. */
    Outcome applyTree(int partition, long offset, byte[] value) {
        JsonNode json;
        try {
            json = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            return new Bad("value is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return new Bad("value cannot be read: " + e.getMessage());
        }
        if (!(json instanceof ObjectNode record)) {
            return new Bad("value is not a JSON object: " + JsonValues.show(json));
        }
        try {
            // What a job cannot aggregate or write as it came (a number beyond float64, a lone surrogate) is bad.
            Json.requireStorable(record, "value");
        } catch (StrataException e) {
            return new Bad(e.getMessage());
        }
        if (filter != null && !filter.test(record)) {
            return Skipped.INSTANCE;
        }
        try {
            for (Transform t : transforms) {
                t.apply(record);
            }
            if (!transforms.isEmpty()) {
                // What no sink could store must not reach the windows, where a last value would keep it.
                Json.requireStorable(record, "the value after its transforms");
            }
        } catch (RecordException | StrataException e) {
            return new Bad(e.getMessage());
        }
        JsonNode k = key.get(record);
        if (JsonValues.isNull(k)) {
            return new Bad("missing key field '" + key + "'");
        }
        if (k.isContainerNode()) {
            return new Bad("key field '" + key + "' is " + JsonValues.show(k) + ", not a string, number or boolean");
        }
        String keyText = k.asText();
        if (keyText.isEmpty()) {
            return new Bad("key field '" + key + "' is empty");
        }
        JsonNode t = eventTime.get(record);
        if (JsonValues.isNull(t)) {
            return new Bad("missing event time field '" + eventTime + "'");
        }
        Long time = JsonValues.timestamp(t);
        if (time == null) {
            return new Bad("event time field '" + eventTime + "' is " + JsonValues.show(t)
                    + ", not epoch milliseconds or an ISO-8601 timestamp");
        }
        if (time < MIN_EVENT_TIME || time > MAX_EVENT_TIME) {
            return new Bad("event time field '" + eventTime + "' is " + JsonValues.show(t)
                    + ", outside the years 0000 to 9999 that a job takes");
        }
        return new Event(new StreamEvent(partition, offset, keyText, time, record));
    }
}
