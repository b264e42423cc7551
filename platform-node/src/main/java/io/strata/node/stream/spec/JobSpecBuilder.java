package io.strata.node.stream.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.node.http.Json;

import java.time.Duration;

/**
 * The Java way to write a job spec: each call sets the field of the JSON spec of the same name,
 * and {@link #build} validates the whole of it exactly as {@code POST /jobs} does (the same 400
 * codes, as {@link io.strata.node.common.StrataException}s).
 *
 * <pre>{@code
 * JobSpec spend = JobSpecBuilder.named("spend")
 *         .source("purchases", "spend-job")
 *         .where("type", "=", "purchase")
 *         .set("total", "price * quantity")
 *         .key("user").eventTime("ts")
 *         .tumbling(Duration.ofMinutes(1))
 *         .outOfOrderness(Duration.ofSeconds(5)).allowedLateness(Duration.ofSeconds(30))
 *         .aggregate("count", null, "n").aggregate("sum", "total", "spend")
 *         .kvSink("features", Duration.ofDays(1)).tableSink("spend_1m")
 *         .build();
 * }</pre>
 *
 * Not thread-safe; a builder makes one spec.
 */
public final class JobSpecBuilder {

    private final ObjectNode spec = Json.MAPPER.createObjectNode();
    private final ArrayNode transforms = Json.MAPPER.createArrayNode();
    private final ArrayNode aggregates = Json.MAPPER.createArrayNode();
    private final ArrayNode sinks = Json.MAPPER.createArrayNode();

    private JobSpecBuilder(String name) {
        spec.put("name", name);
    }

    public static JobSpecBuilder named(String name) {
        return new JobSpecBuilder(name);
    }

    public JobSpecBuilder source(String topic, String group) {
        spec.putObject("source").put("topic", topic).put("group", group);
        return this;
    }

    /** A filter in the table query's {@code where} grammar, as JSON. */
    public JobSpecBuilder where(JsonNode filter) {
        spec.set("filter", filter);
        return this;
    }

    /** A single-comparison filter: {@code {"column", "op", "value"}}. */
    public JobSpecBuilder where(String column, String op, Object value) {
        ObjectNode filter = Json.MAPPER.createObjectNode().put("column", column).put("op", op);
        filter.set("value", Json.MAPPER.valueToTree(value));
        return where(filter);
    }

    public JobSpecBuilder rename(String from, String to) {
        transforms.addObject().putObject("rename").put("from", from).put("to", to);
        return this;
    }

    /** Casts a field to {@code int64}, {@code float64}, {@code string}, {@code bool} or {@code timestamp}. */
    public JobSpecBuilder cast(String field, String type) {
        transforms.addObject().putObject("cast").put("field", field).put("to", type);
        return this;
    }

    public JobSpecBuilder drop(String field) {
        transforms.addObject().put("drop", field);
        return this;
    }

    /** Sets a field to an expression of the record's fields (the spec's expression language). */
    public JobSpecBuilder set(String field, String expression) {
        transforms.addObject().putObject("set").put("field", field).put("expr", expression);
        return this;
    }

    public JobSpecBuilder key(String field) {
        spec.put("key", field);
        return this;
    }

    public JobSpecBuilder eventTime(String field) {
        spec.put("event_time", field);
        return this;
    }

    public JobSpecBuilder tumbling(Duration size) {
        spec.putObject("window").put("type", "tumbling").put("size", text(size));
        return this;
    }

    public JobSpecBuilder sliding(Duration size, Duration slide) {
        spec.putObject("window").put("type", "sliding").put("size", text(size)).put("slide", text(slide));
        return this;
    }

    public JobSpecBuilder session(Duration gap) {
        spec.putObject("window").put("type", "session").put("gap", text(gap));
        return this;
    }

    public JobSpecBuilder outOfOrderness(Duration bound) {
        spec.put("out_of_orderness", text(bound));
        return this;
    }

    public JobSpecBuilder allowedLateness(Duration lateness) {
        spec.put("allowed_lateness", text(lateness));
        return this;
    }

    public JobSpecBuilder idleTimeout(Duration timeout) {
        spec.put("idle_timeout", text(timeout));
        return this;
    }

    public JobSpecBuilder earlyEvery(Duration interval) {
        spec.put("early_every", text(interval));
        return this;
    }

    /** An aggregate: {@code fn} as in the spec ({@code count}, {@code sum}, ...), {@code column} null for a count. */
    public JobSpecBuilder aggregate(String fn, String column, String as) {
        ObjectNode a = aggregates.addObject().put("fn", fn);
        if (column != null) {
            a.put("column", column);
        }
        a.put("as", as);
        return this;
    }

    /** A KV sink; {@code ttl} null for none. */
    public JobSpecBuilder kvSink(String space, Duration ttl) {
        ObjectNode kv = sinks.addObject().putObject("kv").put("space", space);
        if (ttl != null) {
            kv.put("ttl", text(ttl));
        }
        return this;
    }

    public JobSpecBuilder tableSink(String table) {
        sinks.addObject().put("table", table);
        return this;
    }

    public JobSpecBuilder topicSink(String topic) {
        sinks.addObject().put("topic", topic);
        return this;
    }

    public JobSpecBuilder lateTopic(String topic) {
        spec.putObject("late").put("topic", topic);
        return this;
    }

    public JobSpecBuilder deadLetterTopic(String topic) {
        spec.putObject("dead_letter").put("topic", topic);
        return this;
    }

    /** The spec as JSON, as {@code POST /jobs} takes it. */
    public ObjectNode toJson() {
        ObjectNode json = spec.deepCopy();
        if (!transforms.isEmpty()) {
            json.set("transforms", transforms.deepCopy());
        }
        json.set("aggregates", aggregates.deepCopy());
        json.set("sinks", sinks.deepCopy());
        return json;
    }

    /** The validated spec. */
    public JobSpec build() {
        return JobSpec.parse(toJson());
    }

    private static String text(Duration d) {
        // A duration too long for milliseconds still reaches the spec's check, which names the field.
        return d.compareTo(JobSpec.MAX_DURATION) > 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
