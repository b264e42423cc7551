package io.strata.node.stream.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.node.stream.window.AggregateSpec;
import io.strata.node.stream.window.AggregateSpec.AggregateFn;
import io.strata.node.stream.window.WindowSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.strata.node.stream.spec.TestJson.json;
import static io.strata.node.stream.spec.TestJson.object;
import static io.strata.node.stream.spec.TestJson.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Parsing, validating and rendering job specs: the issue's example, defaults, round trips and every refusal. */
class JobSpecTest {

    static final String FULL = "{'name': 'spend',"
            + " 'source': {'topic': 'purchases', 'group': 'spend-job'},"
            + " 'filter': {'column': 'type', 'op': '=', 'value': 'purchase'},"
            + " 'transforms': [{'cast': {'field': 'amount', 'to': 'float64'}}, {'rename': {'from': 'uid', 'to': 'user'}},"
            + "   {'drop': 'debug'}, {'set': {'field': 'total', 'expr': 'amount * 2'}}],"
            + " 'key': 'user', 'event_time': 'ts',"
            + " 'window': {'type': 'tumbling', 'size': '1m'},"
            + " 'out_of_orderness': '5s', 'allowed_lateness': '30s', 'idle_timeout': '10s', 'early_every': '5s',"
            + " 'aggregates': [{'fn': 'count', 'as': 'n'}, {'fn': 'sum', 'column': 'amount', 'as': 'spend'}],"
            + " 'sinks': [{'kv': {'space': 'features', 'ttl': '1d'}}, {'table': 'spend_1m'}, {'topic': 'spend-out'}],"
            + " 'late': {'topic': 'purchases.late'},"
            + " 'dead_letter': {'topic': 'purchases.dlq'}}";

    static final String MINIMAL = "{'name': 'spend', 'source': {'topic': 'purchases', 'group': 'g'},"
            + " 'key': 'user', 'event_time': 'ts', 'window': {'type': 'tumbling', 'size': '1m'},"
            + " 'aggregates': [{'fn': 'count', 'as': 'n'}], 'sinks': [{'topic': 'out'}]}";

    @Test
    void parsesTheIssueExample() {
        JobSpec spec = JobSpec.parse(json(FULL));
        assertEquals("spend", spec.name());
        assertEquals(new JobSpec.Source("purchases", "spend-job"), spec.source());
        assertTrue(spec.filter().isPresent());
        assertEquals(4, spec.transforms().size());
        assertEquals(new Transform.Cast(FieldPath.of("amount"), Transform.CastType.FLOAT64), spec.transforms().get(0));
        assertEquals("user", spec.key());
        assertEquals("ts", spec.eventTime());
        assertEquals(new WindowSpec.Tumbling(Duration.ofMinutes(1)), spec.window());
        assertEquals(Duration.ofSeconds(5), spec.outOfOrderness());
        assertEquals(Duration.ofSeconds(30), spec.allowedLateness());
        assertEquals(Duration.ofSeconds(10), spec.idleTimeout());
        assertEquals(Optional.of(Duration.ofSeconds(5)), spec.earlyEvery());
        assertEquals(List.of(new AggregateSpec(AggregateFn.COUNT, null, "n"), new AggregateSpec(AggregateFn.SUM, "amount", "spend")),
                spec.aggregates());
        assertEquals(List.of(new Sink.Kv("features", Optional.of(Duration.ofDays(1))), new Sink.Table("spend_1m"),
                new Sink.Topic("spend-out")), spec.sinks());
        assertEquals("purchases.late", spec.lateTopic());
        assertEquals("purchases.dlq", spec.deadLetterTopic());
    }

    @Test
    void defaults() {
        JobSpec spec = JobSpec.parse(json(MINIMAL));
        assertEquals(Optional.empty(), spec.filter());
        assertEquals(List.of(), spec.transforms());
        assertEquals(Duration.ZERO, spec.outOfOrderness());
        assertEquals(Duration.ZERO, spec.allowedLateness());
        assertEquals(Duration.ofSeconds(30), spec.idleTimeout());
        assertEquals(Optional.empty(), spec.earlyEvery());
        assertEquals("purchases.late", spec.lateTopic());
        assertEquals("purchases.dlq", spec.deadLetterTopic());
    }

    @Test
    void everyWindowTypeAndAggregateFunction() {
        ObjectNode spec = object(MINIMAL);
        spec.set("aggregates", json("[{'fn': 'count', 'as': 'n'}, {'fn': 'count_distinct', 'column': 'item', 'as': 'items'},"
                + " {'fn': 'approx_count_distinct', 'column': 'item', 'as': 'approx'}, {'fn': 'sum', 'column': 'x', 'as': 's'},"
                + " {'fn': 'avg', 'column': 'x', 'as': 'a'}, {'fn': 'min', 'column': 'x', 'as': 'lo'},"
                + " {'fn': 'max', 'column': 'x', 'as': 'hi'}, {'fn': 'last', 'column': 'x', 'as': 'l'}]"));
        assertEquals(Set.of(AggregateFn.values()), JobSpec.parse(spec).aggregates().stream().map(AggregateSpec::fn).collect(Collectors.toSet()));
        spec.set("window", json("{'type': 'sliding', 'size': '5m', 'slide': '30s'}"));
        assertEquals(new WindowSpec.Sliding(Duration.ofMinutes(5), Duration.ofSeconds(30)), JobSpec.parse(spec).window());
        spec.set("window", json("{'type': 'session', 'gap': '500ms'}"));
        assertEquals(new WindowSpec.Session(Duration.ofMillis(500)), JobSpec.parse(spec).window());
        spec.set("window", json("{'type': 'tumbling', 'size': '2h'}"));
        assertEquals(new WindowSpec.Tumbling(Duration.ofHours(2)), JobSpec.parse(spec).window());
    }

    @ParameterizedTest
    @MethodSource("roundTrips")
    void toJsonParsesBackToAnEqualSpec(String text) {
        JobSpec spec = JobSpec.parse(json(text));
        JsonNode rendered = spec.toJson();
        assertEquals(spec, JobSpec.parse(rendered));
        assertEquals(rendered, JobSpec.parse(rendered).toJson());
    }

    static Stream<String> roundTrips() {
        return Stream.of(FULL, MINIMAL,
                MINIMAL.replace("{'type': 'tumbling', 'size': '1m'}", "{'type': 'sliding', 'size': '90s', 'slide': '1500ms'}"),
                MINIMAL.replace("{'type': 'tumbling', 'size': '1m'}", "{'type': 'session', 'gap': '60m'}")
                        .replace("'sinks'", "'filter': {'or': [{'not': {'column': 'a.b', 'op': 'in', 'value': [1, 'x', true]}},"
                                + " {'column': 'ts', 'op': 'between', 'value': ['2026-01-01T00:00:00Z', 2]},"
                                + " {'column': 'c', 'op': 'is_null'}]}, 'sinks'"));
    }

    @Test
    void durationsRenderInTheLargestWholeUnit() {
        JsonNode rendered = JobSpec.parse(json(MINIMAL.replace("'1m'", "'60000ms'")
                .replace("'sinks'", "'allowed_lateness': '86400s', 'out_of_orderness': '0ms', 'sinks'"))).toJson();
        assertEquals("1m", rendered.path("window").path("size").asText());
        assertEquals("1d", rendered.path("allowed_lateness").asText());
        assertEquals("0s", rendered.path("out_of_orderness").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSpecs")
    void refusesBadSpecsNamingTheField(String change, String code, String field) {
        ObjectNode spec = object(MINIMAL);
        JsonNode changes = json(change);
        for (Iterator<Map.Entry<String, JsonNode>> it = changes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                spec.remove(e.getKey());
            } else {
                spec.set(e.getKey(), e.getValue());
            }
        }
        refused(() -> JobSpec.parse(spec), code, "'" + field + "'");
    }

    static Stream<Arguments> badSpecs() {
        return Stream.of(
                arguments("{'nme': 'x'}", "invalid_job", "nme"),
                arguments("{'name': null}", "invalid_job", "name"),
                arguments("{'name': 'sp ace'}", "invalid_job", "name"),
                arguments("{'name': 7}", "invalid_job", "name"),
                arguments("{'source': null}", "invalid_job", "source"),
                arguments("{'source': {'group': 'g'}}", "invalid_job", "source.topic"),
                arguments("{'source': {'topic': 't', 'group': ''}}", "invalid_job", "source.group"),
                arguments("{'source': {'topic': 't/u', 'group': 'g'}}", "invalid_job", "source.topic"),
                arguments("{'source': {'topic': 't', 'group': 'g', 'from': 'start'}}", "invalid_job", "source.from"),
                arguments("{'key': null}", "invalid_job", "key"),
                arguments("{'key': 'a..b'}", "invalid_job", "key"),
                arguments("{'event_time': null}", "invalid_job", "event_time"),
                arguments("{'event_time': ['ts']}", "invalid_job", "event_time"),
                arguments("{'window': null}", "invalid_window", "window"),
                arguments("{'window': {'type': 'hopping', 'size': '1m'}}", "invalid_window", "window.type"),
                arguments("{'window': {'size': '1m'}}", "invalid_window", "window.type"),
                arguments("{'window': {'type': 'tumbling'}}", "invalid_window", "window.size"),
                arguments("{'window': {'type': 'tumbling', 'size': '0s'}}", "invalid_window", "window.size"),
                arguments("{'window': {'type': 'tumbling', 'size': '1m', 'slide': '1s'}}", "invalid_window", "window.slide"),
                arguments("{'window': {'type': 'sliding', 'size': '1m'}}", "invalid_window", "window.slide"),
                arguments("{'window': {'type': 'sliding', 'size': '1m', 'slide': '7s'}}", "invalid_window", "window.size"),
                arguments("{'window': {'type': 'sliding', 'size': '1m', 'slide': '2m'}}", "invalid_window", "window.size"),
                arguments("{'window': {'type': 'session'}}", "invalid_window", "window.gap"),
                arguments("{'window': {'type': 'session', 'gap': '1m', 'size': '1m'}}", "invalid_window", "window.size"),
                arguments("{'window': {'type': 'tumbling', 'size': '5x'}}", "invalid_duration", "window.size"),
                arguments("{'window': {'type': 'tumbling', 'size': '1.5m'}}", "invalid_duration", "window.size"),
                arguments("{'out_of_orderness': '-5s'}", "invalid_duration", "out_of_orderness"),
                arguments("{'allowed_lateness': 5}", "invalid_duration", "allowed_lateness"),
                arguments("{'idle_timeout': '0s'}", "invalid_duration", "idle_timeout"),
                arguments("{'early_every': '0ms'}", "invalid_duration", "early_every"),
                arguments("{'early_every': '5 s'}", "invalid_duration", "early_every"),
                // Past the longest duration, or too long for a long of milliseconds: 400, never an overflow.
                arguments("{'window': {'type': 'tumbling', 'size': '999999999999d'}}", "invalid_duration", "window.size"),
                arguments("{'window': {'type': 'tumbling', 'size': '366d'}}", "invalid_duration", "window.size"),
                arguments("{'window': {'type': 'sliding', 'size': '1h', 'slide': '999999999999h'}}", "invalid_duration", "window.slide"),
                arguments("{'window': {'type': 'session', 'gap': '999999999999s'}}", "invalid_duration", "window.gap"),
                arguments("{'out_of_orderness': '999999999999d'}", "invalid_duration", "out_of_orderness"),
                arguments("{'allowed_lateness': '999999999999d'}", "invalid_duration", "allowed_lateness"),
                arguments("{'idle_timeout': '999999999999m'}", "invalid_duration", "idle_timeout"),
                arguments("{'early_every': '8761h'}", "invalid_duration", "early_every"),
                arguments("{'sinks': [{'kv': {'space': 'f', 'ttl': '999999999999d'}}]}", "invalid_duration", "sinks[0].kv.ttl"),
                arguments("{'allowed_lateness': '9999999999999d'}", "invalid_duration", "allowed_lateness"),
                arguments("{'aggregates': null}", "invalid_aggregate", "aggregates"),
                arguments("{'aggregates': []}", "invalid_aggregate", "aggregates"),
                arguments("{'aggregates': [{'fn': 'median', 'column': 'x', 'as': 'm'}]}", "invalid_aggregate", "aggregates[0].fn"),
                arguments("{'aggregates': [{'column': 'x', 'as': 'm'}]}", "invalid_aggregate", "aggregates[0].fn"),
                arguments("{'aggregates': [{'fn': 'sum', 'as': 's'}]}", "invalid_aggregate", "aggregates[0].column"),
                arguments("{'aggregates': [{'fn': 'count', 'column': 'x', 'as': 'n'}]}", "invalid_aggregate", "aggregates[0].column"),
                arguments("{'aggregates': [{'fn': 'count'}]}", "invalid_aggregate", "aggregates[0].as"),
                arguments("{'aggregates': [{'fn': 'count', 'as': 'a b'}]}", "invalid_aggregate", "aggregates[0].as"),
                arguments("{'aggregates': [{'fn': 'count', 'as': 'n'}, {'fn': 'max', 'column': 'x', 'as': 'n'}]}",
                        "invalid_aggregate", "aggregates[1].as"),
                arguments("{'aggregates': [{'fn': 'count', 'as': 'user'}]}", "invalid_aggregate", "aggregates[0].as"),
                arguments("{'aggregates': [{'fn': 'count', 'as': 'window_start'}]}", "invalid_aggregate", "aggregates[0].as"),
                arguments("{'aggregates': [{'fn': 'count', 'as': 'window_end'}]}", "invalid_aggregate", "aggregates[0].as"),
                arguments("{'aggregates': [{'fn': 'count', 'as': 'n', 'alias': 'm'}]}", "invalid_aggregate", "aggregates[0].alias"),
                arguments("{'aggregates': ['count']}", "invalid_aggregate", "aggregates[0]"),
                arguments("{'sinks': null}", "invalid_sink", "sinks"),
                arguments("{'sinks': []}", "invalid_sink", "sinks"),
                arguments("{'sinks': [{'s3': 'bucket'}]}", "invalid_sink", "sinks[0].s3"),
                arguments("{'sinks': [{'table': 't', 'topic': 'u'}]}", "invalid_sink", "sinks[0]"),
                arguments("{'sinks': [{'kv': {'ttl': '1d'}}]}", "invalid_sink", "sinks[0].kv.space"),
                arguments("{'sinks': [{'kv': {'space': 'f', 'ttl': 'a day'}}]}", "invalid_duration", "sinks[0].kv.ttl"),
                arguments("{'sinks': [{'kv': {'space': 'f', 'ttl': '0s'}}]}", "invalid_duration", "sinks[0].kv.ttl"),
                arguments("{'sinks': [{'kv': {'space': 'f', 'expire': '1d'}}]}", "invalid_sink", "sinks[0].kv.expire"),
                arguments("{'sinks': [{'kv': 'f'}]}", "invalid_sink", "sinks[0].kv"),
                arguments("{'sinks': [{'table': 'a/b'}]}", "invalid_sink", "sinks[0].table"),
                arguments("{'sinks': [{'topic': 5}]}", "invalid_sink", "sinks[0].topic"),
                arguments("{'sinks': [{'topic': 'o'}, {'topic': 'o'}]}", "invalid_sink", "sinks[1]"),
                arguments("{'sinks': [{'table': 't'}], 'key': 'user id'}", "invalid_job", "key"),
                arguments("{'late': {'topic': '-late'}}", "invalid_job", "late.topic"),
                arguments("{'late': 'purchases.late'}", "invalid_job", "late"),
                arguments("{'dead_letter': {'topic': 'dlq', 'partitions': 3}}", "invalid_job", "dead_letter.partitions"),
                arguments("{'source': {'topic': '" + "t".repeat(117) + "', 'group': 'g'}}", "invalid_job", "late.topic"),
                arguments("{'filter': {'column': 'type', 'op': '~', 'value': 'x'}}", "invalid_filter", "filter.op"),
                arguments("{'filter': {'and': [{'column': 'a', 'op': '=', 'value': 1}, {'column': 'b', 'op': '='}]}}",
                        "invalid_filter", "filter.and[1].value"),
                arguments("{'transforms': {'drop': 'x'}}", "invalid_transform", "transforms"),
                arguments("{'transforms': [{'explode': 'x'}]}", "invalid_transform", "transforms[0].explode"),
                arguments("{'transforms': [{'drop': 'x', 'cast': {'field': 'x', 'to': 'int64'}}]}", "invalid_transform", "transforms[0]"),
                arguments("{'transforms': [{'drop': ''}]}", "invalid_transform", "transforms[0].drop"),
                arguments("{'transforms': [{'rename': {'from': 'a'}}]}", "invalid_transform", "transforms[0].rename.to"),
                arguments("{'transforms': [{'cast': {'field': 'x', 'to': 'decimal'}}]}", "invalid_transform", "transforms[0].cast.to"),
                arguments("{'transforms': [{'cast': {'field': 'x', 'to': 'int64', 'strict': true}}]}",
                        "invalid_transform", "transforms[0].cast.strict"),
                arguments("{'transforms': [{'set': {'field': 'y', 'expr': 'x +'}}]}", "invalid_transform", "transforms[0].set.expr"),
                arguments("{'transforms': [{'set': {'expr': '1'}}]}", "invalid_transform", "transforms[0].set.field"));
    }

    @Test
    void durationsAreBoundedAndTheBoundIsAccepted() {
        JobSpec longest = JobSpec.parse(json(MINIMAL.replace("'1m'", "'365d'")
                .replace("'sinks'", "'allowed_lateness': '8760h', 'idle_timeout': '31536000s', 'sinks'")));
        assertEquals(JobSpec.MAX_DURATION, ((WindowSpec.Tumbling) longest.window()).size());
        assertEquals(JobSpec.MAX_DURATION, longest.allowedLateness());
        assertEquals(JobSpec.MAX_DURATION, longest.idleTimeout());
        refused(() -> JobSpec.parse(json(MINIMAL.replace("'1m'", "'999999999999d'"))), "invalid_duration",
                "'window.size' must be at most 365d, got 999999999999d");
        refused(() -> JobSpecBuilder.named("x").source("t", "g").key("k").eventTime("ts").tumbling(Duration.ofDays(Long.MAX_VALUE / 86400))
                .aggregate("count", null, "n").topicSink("o").build(), "invalid_duration", "'window.size'");
    }

    @Test
    void windowsPerEventAreCountedAndBounded() {
        JobSpec sliding = JobSpec.parse(json(MINIMAL.replace("{'type': 'tumbling', 'size': '1m'}",
                "{'type': 'sliding', 'size': '1d', 'slide': '1ms'}")));
        assertEquals(86_400_000, sliding.windowsPerEvent());
        refused(() -> sliding.requireWindowsPerEvent(1000), "invalid_window",
                "'window.slide' is 1ms, which puts each event in 86400000 windows of 1d; at most 1000",
                "make the slide at least 86400ms");
        JobSpec hourly = JobSpec.parse(json(MINIMAL.replace("{'type': 'tumbling', 'size': '1m'}",
                "{'type': 'sliding', 'size': '1h', 'slide': '1m'}")));
        assertEquals(60, hourly.windowsPerEvent());
        hourly.requireWindowsPerEvent(60);
        refused(() -> hourly.requireWindowsPerEvent(59), "invalid_window", "'window.slide'");
        assertEquals(1, JobSpec.parse(json(MINIMAL)).windowsPerEvent());
        assertEquals(1, JobSpec.parse(json(MINIMAL.replace("{'type': 'tumbling', 'size': '1m'}",
                "{'type': 'session', 'gap': '365d'}"))).windowsPerEvent());
    }

    @Test
    void refusesWhatIsNotAnObjectAndListsTheFields() {
        refused(() -> JobSpec.parse(json("[]")), "invalid_job", "JSON object");
        refused(() -> JobSpec.parse(null), "invalid_job", "JSON object");
        refused(() -> JobSpec.parse(object(MINIMAL).put("nme", "x")), "invalid_job", "'nme'", "fields: name, source,");
        refused(() -> JobSpec.parse(json(MINIMAL.replace("'1m'", "'5x'"))), "invalid_duration", "500ms, 5s, 1m, 1h or 1d");
        refused(() -> JobSpec.parse(json(MINIMAL.replace("'count'", "'median'"))), "invalid_aggregate",
                "count, sum, avg, min, max, count_distinct, approx_count_distinct, last");
    }
}
