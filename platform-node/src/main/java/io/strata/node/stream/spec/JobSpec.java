package io.strata.node.stream.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.node.common.StrataException;
import io.strata.node.stream.window.AggregateSpec;
import io.strata.node.stream.window.WindowSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.strata.node.stream.spec.SpecJson.at;
import static io.strata.node.stream.spec.SpecJson.fail;

/**
 * A parsed, validated stream job spec:
 * <pre>{@code
 * {"name": "spend",
 *  "source": {"topic": "purchases", "group": "spend-job"},
 *  "filter": {"column": "type", "op": "=", "value": "purchase"},
 *  "transforms": [{"set": {"field": "amount", "expr": "price * quantity"}}],
 *  "key": "user", "event_time": "ts",
 *  "window": {"type": "tumbling", "size": "1m"},
 *  "out_of_orderness": "5s", "allowed_lateness": "30s", "idle_timeout": "10s", "early_every": "5s",
 *  "aggregates": [{"fn": "count", "as": "n"}, {"fn": "sum", "column": "amount", "as": "spend"}],
 *  "sinks": [{"kv": {"space": "features", "ttl": "1d"}}, {"table": "spend_1m"}, {"topic": "spend-out"}],
 *  "late": {"topic": "purchases.late"},
 *  "dead_letter": {"topic": "purchases.dlq"}}
 * }</pre>
 * Required: name, source (topic and group), key, event_time, window, aggregates (at least one),
 * sinks (at least one). Optional, with defaults: filter (none: every record), transforms (none),
 * out_of_orderness ({@value #DEFAULT_OUT_OF_ORDERNESS}), allowed_lateness
 * ({@value #DEFAULT_ALLOWED_LATENESS}), idle_timeout ({@value #DEFAULT_IDLE_TIMEOUT}: a partition
 * silent that long stops holding back the watermark), early_every (none: results only when a
 * window fires), late ({@code <source topic>.late}) and dead_letter ({@code <source topic>.dlq}).
 *
 * <p>Windows: {@code {"type": "tumbling", "size"}}, {@code {"type": "sliding", "size", "slide"}}
 * with size a multiple of slide, {@code {"type": "session", "gap"}}. An event falls in
 * {@link #windowsPerEvent()} windows (size / slide for a sliding window), which the node bounds
 * ({@link #requireWindowsPerEvent}). Durations are a whole number and a unit: {@code 500ms},
 * {@code 5s}, {@code 1m}, {@code 1h}, {@code 1d}, at most {@link #MAX_DURATION} (365d). Aggregates:
 * {@code {"fn", "column", "as"}} with fn one of {@link AggregateSpec.AggregateFn}'s names;
 * {@code column} is required except for count, which takes none; {@code as} is required, a column
 * name, unique, and neither the key nor {@code window_start}/{@code window_end}. Key, event_time,
 * filter columns and transform fields are {@link FieldPath}s; aggregate columns name top-level
 * fields of the transformed record.
 *
 * <p>Unknown fields are refused, naming the allowed ones; every refusal is a 400
 * {@link StrataException} whose message starts with the field at fault ({@code 'window.size'}) and
 * whose code says which part: {@code invalid_job} (shape, name, source, key, event_time, late,
 * dead_letter), {@code invalid_window}, {@code invalid_duration}, {@code invalid_aggregate},
 * {@code invalid_sink}, {@code invalid_filter}, {@code invalid_transform}. {@link #toJson()} renders
 * a spec canonically, every default spelled out, so that {@code parse(spec.toJson())} equals
 * {@code spec}. A spec built with the constructor (the Java API) is not checked; passing it through
 * {@code parse(spec.toJson())} checks it. Immutable and thread-safe.
 */
public record JobSpec(
        String name,
        Source source,
        Optional<RecordFilter> filter,
        List<Transform> transforms,
        String key,
        String eventTime,
        WindowSpec window,
        Duration outOfOrderness,
        Duration allowedLateness,
        Duration idleTimeout,
        Optional<Duration> earlyEvery,
        List<AggregateSpec> aggregates,
        List<Sink> sinks,
        String lateTopic,
        String deadLetterTopic) {

    public static final String DEFAULT_OUT_OF_ORDERNESS = "0s";
    public static final String DEFAULT_ALLOWED_LATENESS = "0s";
    public static final String DEFAULT_IDLE_TIMEOUT = "30s";
    /** The longest duration a spec takes, in any field (window, lateness, idle timeout, TTL...). */
    public static final Duration MAX_DURATION = Duration.ofDays(365);
    /** The result columns every job has besides the key and its aggregates. */
    public static final List<String> WINDOW_COLUMNS = List.of("window_start", "window_end");

    private static final List<String> FIELDS = List.of("name", "source", "filter", "transforms", "key", "event_time",
            "window", "out_of_orderness", "allowed_lateness", "idle_timeout", "early_every", "aggregates", "sinks",
            "late", "dead_letter");
    private static final int MAX_JOB_NAME = 64;
    private static final int MAX_TOPIC_NAME = 120;
    private static final int MAX_GROUP_NAME = 120;
    private static final int MAX_TABLE_NAME = 64;
    private static final int MAX_COLUMN_NAME = 64;

    /** The topic a job reads and the consumer group whose committed offsets it resumes from. */
    public record Source(String topic, String group) {}

    public JobSpec {
        transforms = List.copyOf(transforms);
        aggregates = List.copyOf(aggregates);
        sinks = List.copyOf(sinks);
    }

    /**
     * Parses and validates a job spec.
     *
     * @throws StrataException a 400 naming the field at fault, see the class comment for codes
     */
    public static JobSpec parse(JsonNode json) {
        String job = "invalid_job";
        if (json == null || !json.isObject()) {
            throw StrataException.invalid(job, "a job spec must be a JSON object, got " + json);
        }
        SpecJson.object(json, "", job, FIELDS);
        String name = SpecJson.name("job", SpecJson.text(json, "name", "", job, true), MAX_JOB_NAME, "name", job);
        JsonNode sourceJson = json.get("source");
        SpecJson.object(sourceJson, "source", job, List.of("topic", "group"));
        String topic = SpecJson.name("topic", SpecJson.text(sourceJson, "topic", "source", job, true),
                MAX_TOPIC_NAME, "source.topic", job);
        String group = SpecJson.name("group", SpecJson.text(sourceJson, "group", "source", job, true),
                MAX_GROUP_NAME, "source.group", job);
        Optional<RecordFilter> filter = json.hasNonNull("filter")
                ? Optional.of(RecordFilter.parse(json.get("filter"), "filter")) : Optional.empty();
        List<Transform> transforms = new ArrayList<>();
        JsonNode transformsJson = SpecJson.array(json.get("transforms"), "transforms", "invalid_transform");
        for (int i = 0; i < transformsJson.size(); i++) {
            transforms.add(Transform.parse(transformsJson.get(i), at("transforms", i)));
        }
        String key = SpecJson.text(json, "key", "", job, true);
        SpecJson.path(key, "key", job);
        String eventTime = SpecJson.text(json, "event_time", "", job, true);
        SpecJson.path(eventTime, "event_time", job);
        WindowSpec window = parseWindow(json.get("window"));
        Duration outOfOrderness = optionalDuration(json, "out_of_orderness").orElse(SpecJson.duration(
                JsonNodeFactory.instance.textNode(DEFAULT_OUT_OF_ORDERNESS), "out_of_orderness"));
        Duration allowedLateness = optionalDuration(json, "allowed_lateness").orElse(SpecJson.duration(
                JsonNodeFactory.instance.textNode(DEFAULT_ALLOWED_LATENESS), "allowed_lateness"));
        Duration idleTimeout = positive(optionalDuration(json, "idle_timeout").orElse(SpecJson.duration(
                JsonNodeFactory.instance.textNode(DEFAULT_IDLE_TIMEOUT), "idle_timeout")), "idle_timeout", "invalid_duration");
        Optional<Duration> earlyEvery = optionalDuration(json, "early_every");
        earlyEvery.ifPresent(d -> positive(d, "early_every", "invalid_duration"));
        List<Sink> sinks = parseSinks(json.get("sinks"));
        List<AggregateSpec> aggregates = parseAggregates(json.get("aggregates"), key);
        if (sinks.stream().anyMatch(s -> s instanceof Sink.Table)) {
            SpecJson.name("column", key, MAX_COLUMN_NAME, "key", job);
        }
        String late = sideTopic(json, "late", topic + ".late");
        String deadLetter = sideTopic(json, "dead_letter", topic + ".dlq");
        return new JobSpec(name, new Source(topic, group), filter, transforms, key, eventTime, window, outOfOrderness,
                allowedLateness, idleTimeout, earlyEvery, aggregates, sinks, late, deadLetter);
    }

    /** The spec as canonical JSON, defaults included; {@link #parse} reads it back to an equal spec. */
    public JsonNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", name);
        o.putObject("source").put("topic", source.topic()).put("group", source.group());
        filter.ifPresent(f -> o.set("filter", f.toJson()));
        ArrayNode ts = o.putArray("transforms");
        transforms.forEach(t -> ts.add(t.toJson()));
        o.put("key", key);
        o.put("event_time", eventTime);
        ObjectNode w = o.putObject("window");
        if (window instanceof WindowSpec.Tumbling t) {
            w.put("type", "tumbling").put("size", SpecJson.duration(t.size()));
        } else if (window instanceof WindowSpec.Sliding s) {
            w.put("type", "sliding").put("size", SpecJson.duration(s.size())).put("slide", SpecJson.duration(s.slide()));
        } else if (window instanceof WindowSpec.Session s) {
            w.put("type", "session").put("gap", SpecJson.duration(s.gap()));
        }
        o.put("out_of_orderness", SpecJson.duration(outOfOrderness));
        o.put("allowed_lateness", SpecJson.duration(allowedLateness));
        o.put("idle_timeout", SpecJson.duration(idleTimeout));
        earlyEvery.ifPresent(d -> o.put("early_every", SpecJson.duration(d)));
        ArrayNode as = o.putArray("aggregates");
        for (AggregateSpec a : aggregates) {
            ObjectNode agg = as.addObject().put("fn", a.fn().jsonName());
            if (a.field() != null) {
                agg.put("column", a.field());
            }
            agg.put("as", a.as());
        }
        ArrayNode ss = o.putArray("sinks");
        sinks.forEach(s -> ss.add(s.toJson()));
        o.putObject("late").put("topic", lateTopic);
        o.putObject("dead_letter").put("topic", deadLetterTopic);
        return o;
    }

    /** How many windows one event falls in: size / slide for a sliding window, 1 for the others. */
    public long windowsPerEvent() {
        return window instanceof WindowSpec.Sliding s ? s.size().toMillis() / s.slide().toMillis() : 1;
    }

    /**
     * Refuses a spec whose events would each fall in more than {@code max} windows: each such
     * window is updated for every event, so the ratio bounds the work one record makes.
     *
     * @throws StrataException {@code invalid_window} (400) naming {@code window.slide}
     */
    public void requireWindowsPerEvent(long max) {
        if (windowsPerEvent() > max) {
            WindowSpec.Sliding s = (WindowSpec.Sliding) window;
            throw fail("invalid_window", "window.slide", "is " + SpecJson.duration(s.slide()) + ", which puts each event in "
                    + windowsPerEvent() + " windows of " + SpecJson.duration(s.size()) + "; at most " + max
                    + " are allowed (strata.stream.max-windows-per-event): make the slide at least "
                    + SpecJson.duration(Duration.ofMillis(ceilDiv(s.size().toMillis(), max))) + " or the window shorter");
        }
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private static WindowSpec parseWindow(JsonNode json) {
        String code = "invalid_window";
        if (json == null || !json.isObject()) {
            throw fail(code, "window", "is required: an object like {\"type\": \"tumbling\", \"size\": \"1m\"}, got " + json);
        }
        String type = SpecJson.text(json, "type", "window", code, true);
        switch (type) {
            case "tumbling" -> {
                SpecJson.object(json, "window", code, List.of("type", "size"));
                return new WindowSpec.Tumbling(windowDuration(json, "size"));
            }
            case "sliding" -> {
                SpecJson.object(json, "window", code, List.of("type", "size", "slide"));
                Duration size = windowDuration(json, "size");
                Duration slide = windowDuration(json, "slide");
                if (size.toMillis() % slide.toMillis() != 0) {
                    throw fail(code, "window.size", "must be a multiple of window.slide (" + SpecJson.duration(slide)
                            + "), got " + SpecJson.duration(size));
                }
                return new WindowSpec.Sliding(size, slide);
            }
            case "session" -> {
                SpecJson.object(json, "window", code, List.of("type", "gap"));
                return new WindowSpec.Session(windowDuration(json, "gap"));
            }
            default -> throw fail(code, "window.type", "is '" + type + "', not a window type (types: tumbling, sliding, session)");
        }
    }

    private static Duration windowDuration(JsonNode window, String field) {
        String where = at("window", field);
        if (!window.hasNonNull(field)) {
            throw fail("invalid_window", where, "is required for a " + window.get("type").textValue() + " window");
        }
        return positive(SpecJson.duration(window.get(field), where), where, "invalid_window");
    }

    private static Duration positive(Duration d, String where, String code) {
        if (d.isZero()) {
            throw fail(code, where, "must be more than 0");
        }
        return d;
    }

    private static Optional<Duration> optionalDuration(JsonNode json, String field) {
        return json.hasNonNull(field) ? Optional.of(SpecJson.duration(json.get(field), field)) : Optional.empty();
    }

    private static List<AggregateSpec> parseAggregates(JsonNode json, String key) {
        String code = "invalid_aggregate";
        if (json == null || !json.isArray() || json.isEmpty()) {
            throw fail(code, "aggregates", "must be a non-empty array of {\"fn\", \"column\", \"as\"} objects, got " + json);
        }
        List<AggregateSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < json.size(); i++) {
            String where = at("aggregates", i);
            JsonNode a = json.get(i);
            SpecJson.object(a, where, code, List.of("fn", "column", "as"));
            String fnName = SpecJson.text(a, "fn", where, code, true);
            AggregateSpec.AggregateFn fn = null;
            List<String> fnNames = new ArrayList<>();
            for (AggregateSpec.AggregateFn f : AggregateSpec.AggregateFn.values()) {
                fnNames.add(f.jsonName());
                if (f.jsonName().equals(fnName)) {
                    fn = f;
                }
            }
            if (fn == null) {
                throw fail(code, at(where, "fn"), "is '" + fnName + "', not an aggregate function (functions: "
                        + String.join(", ", fnNames) + ")");
            }
            String column = SpecJson.text(a, "column", where, code, fn != AggregateSpec.AggregateFn.COUNT);
            if (fn == AggregateSpec.AggregateFn.COUNT && column != null) {
                throw fail(code, at(where, "column"), "is not taken by count, which counts events");
            }
            String as = SpecJson.name("column", SpecJson.text(a, "as", where, code, true), MAX_COLUMN_NAME, at(where, "as"), code);
            if (as.equals(key) || WINDOW_COLUMNS.contains(as)) {
                throw fail(code, at(where, "as"), "is '" + as + "', which is taken by the key or the window columns (window_start, window_end)");
            }
            if (!names.add(as)) {
                throw fail(code, at(where, "as"), "is '" + as + "', which names an earlier aggregate too");
            }
            out.add(new AggregateSpec(fn, column, as));
        }
        return out;
    }

    private static List<Sink> parseSinks(JsonNode json) {
        String code = "invalid_sink";
        if (json == null || !json.isArray() || json.isEmpty()) {
            throw fail(code, "sinks", "must be a non-empty array of sinks (kv, table, topic), got " + json);
        }
        List<Sink> out = new ArrayList<>();
        for (int i = 0; i < json.size(); i++) {
            String where = at("sinks", i);
            JsonNode s = json.get(i);
            if (s == null || !s.isObject() || s.size() != 1) {
                throw fail(code, where, "must be an object with one of kv, table, topic; got " + s);
            }
            String kind = s.fieldNames().next();
            String here = at(where, kind);
            Sink sink = switch (kind) {
                case "kv" -> {
                    JsonNode kv = s.get(kind);
                    SpecJson.object(kv, here, code, List.of("space", "ttl"));
                    String space = SpecJson.name("keyspace", SpecJson.text(kv, "space", here, code, true),
                            MAX_TABLE_NAME, at(here, "space"), code);
                    Optional<Duration> ttl = kv.hasNonNull("ttl")
                            ? Optional.of(positive(SpecJson.duration(kv.get("ttl"), at(here, "ttl")), at(here, "ttl"), "invalid_duration"))
                            : Optional.empty();
                    yield new Sink.Kv(space, ttl);
                }
                case "table" -> new Sink.Table(SpecJson.name("table", SpecJson.text(s, kind, where, code, true), MAX_TABLE_NAME, here, code));
                case "topic" -> new Sink.Topic(SpecJson.name("topic", SpecJson.text(s, kind, where, code, true), MAX_TOPIC_NAME, here, code));
                default -> throw fail(code, here, "is not a sink (sinks: kv, table, topic)");
            };
            if (out.contains(sink)) {
                throw fail(code, where, "repeats an earlier sink");
            }
            out.add(sink);
        }
        return out;
    }

    private static String sideTopic(JsonNode json, String field, String fallback) {
        if (!json.hasNonNull(field)) {
            return SpecJson.name("topic", fallback, MAX_TOPIC_NAME, field + ".topic", "invalid_job");
        }
        SpecJson.object(json.get(field), field, "invalid_job", List.of("topic"));
        return SpecJson.name("topic", SpecJson.text(json.get(field), "topic", field, "invalid_job", true),
                MAX_TOPIC_NAME, at(field, "topic"), "invalid_job");
    }
}
