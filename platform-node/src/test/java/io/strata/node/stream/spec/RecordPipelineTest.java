package io.strata.node.stream.spec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.node.stream.spec.RecordPipeline.Bad;
import io.strata.node.stream.spec.RecordPipeline.Event;
import io.strata.node.stream.spec.RecordPipeline.Outcome;
import io.strata.node.stream.spec.RecordPipeline.Skipped;
import io.strata.node.stream.window.StreamEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.strata.node.stream.spec.TestJson.json;
import static io.strata.node.stream.spec.TestJson.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** From bus record bytes to an event, a skip or a bad record with its reason. */
class RecordPipelineTest {

    private static final String SPEC = "{'name': 'spend', 'source': {'topic': 'purchases', 'group': 'g'},"
            + " 'filter': {'column': 'type', 'op': '=', 'value': 'purchase'},"
            + " 'transforms': [{'rename': {'from': 'uid', 'to': 'user'}}, {'cast': {'field': 'amount', 'to': 'float64'}},"
            + "   {'set': {'field': 'total', 'expr': 'amount * qty'}}, {'drop': 'type'},"
            + "   {'set': {'field': 'meta.source', 'expr': 'upper(channel)'}}],"
            + " 'key': 'user', 'event_time': 'ts', 'window': {'type': 'tumbling', 'size': '1m'},"
            + " 'aggregates': [{'fn': 'sum', 'column': 'total', 'as': 'spend'}], 'sinks': [{'topic': 'out'}]}";

    private static final RecordPipeline PIPELINE = RecordPipeline.create(JobSpec.parse(json(SPEC)));

    private static Outcome run(String value) {
        return PIPELINE.apply(3, 42, value.getBytes(StandardCharsets.UTF_8));
    }

    private static StreamEvent event(String value) {
        return assertInstanceOf(Event.class, run(value)).event();
    }

    @Test
    void aGoodRecordBecomesAnEventAfterTheTransforms() {
        StreamEvent e = event("{\"type\": \"purchase\", \"uid\": \"u1\", \"amount\": \"2.5\", \"qty\": 4, \"channel\": \"web\","
                + " \"ts\": 1767225600000}");
        assertEquals(3, e.partition());
        assertEquals(42, e.offset());
        assertEquals("u1", e.key());
        assertEquals(1767225600000L, e.eventTime());
        assertEquals(object("{'uid': null, 'amount': 2.5, 'qty': 4, 'channel': 'web', 'ts': 1767225600000, 'user': 'u1',"
                + " 'total': 10.0, 'meta': {'source': 'WEB'}}").without("uid"), e.fields());
    }

    @Test
    void keysAndTimesTakeTheirUsualForms() {
        StreamEvent e = event("{\"type\": \"purchase\", \"uid\": 17, \"amount\": 1, \"qty\": 1, \"ts\": \"2026-01-01T01:00:00+01:00\"}");
        assertEquals("17", e.key());
        assertEquals(1767225600000L, e.eventTime());
        assertEquals("true", event("{\"type\": \"purchase\", \"uid\": true, \"ts\": 5}").key());
        assertEquals(5, event("{\"type\": \"purchase\", \"uid\": \"u\", \"ts\": 5.9}").eventTime());
        assertTrue(event("{\"type\": \"purchase\", \"uid\": \"u\", \"ts\": 5}").fields().path("meta").path("source").isNull());
    }

    @Test
    void theFilterSeesTheRecordBeforeTheTransforms() {
        assertEquals(Skipped.INSTANCE, run("{\"type\": \"view\", \"uid\": \"u1\", \"ts\": 1}"));
        assertEquals(Skipped.INSTANCE, run("{\"uid\": \"u1\", \"ts\": 1}"));
        assertEquals(Skipped.INSTANCE, run("{\"type\": \"view\"}"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badRecords")
    void badRecordsSayWhy(String value, String reason) {
        Bad bad = assertInstanceOf(Bad.class, run(value));
        assertTrue(bad.reason().contains(reason), bad.reason());
    }

    static Stream<Arguments> badRecords() {
        String ok = "\"type\": \"purchase\", ";
        return Stream.of(
                arguments("{\"type\": ", "value is not valid JSON"),
                arguments("not json", "value is not valid JSON"),
                arguments("{} {}", "value is not valid JSON"),
                arguments("", "value is not a JSON object"),
                arguments("[1, 2]", "value is not a JSON object: [1,2]"),
                arguments("\"purchase\"", "value is not a JSON object"),
                arguments("{" + ok + "\"ts\": 1}", "missing key field 'user'"),
                arguments("{" + ok + "\"uid\": null, \"ts\": 1}", "missing key field 'user'"),
                arguments("{" + ok + "\"uid\": \"\", \"ts\": 1}", "key field 'user' is empty"),
                arguments("{" + ok + "\"uid\": {\"id\": 1}, \"ts\": 1}", "key field 'user' is {\"id\":1}, not a string, number or boolean"),
                arguments("{" + ok + "\"uid\": \"u\"}", "missing event time field 'ts'"),
                arguments("{" + ok + "\"uid\": \"u\", \"ts\": null}", "missing event time field 'ts'"),
                arguments("{" + ok + "\"uid\": \"u\", \"ts\": \"yesterday\"}",
                        "event time field 'ts' is \"yesterday\", not epoch milliseconds or an ISO-8601 timestamp"),
                arguments("{" + ok + "\"uid\": \"u\", \"ts\": true}", "event time field 'ts' is true"),
                arguments("{" + ok + "\"uid\": \"u\", \"ts\": 1, \"amount\": 1e400}",
                        "value holds a number beyond the range of a 64-bit float (about ±1.8e308) at /amount"),
                arguments("{" + ok + "\"uid\": \"\\ud800\", \"ts\": 1}", "value holds a string with an unpaired surrogate escape"),
                arguments("{" + ok + "\"uid\": \"u\", \"ts\": 9223372036854775807}",
                        "event time field 'ts' is 9223372036854775807, outside the years 0000 to 9999"),
                arguments("{" + ok + "\"uid\": \"u\", \"ts\": -9223372036854775808}", "outside the years 0000 to 9999"),
                arguments("{" + ok + "\"uid\": \"u\", \"ts\": 253402300800000}", "outside the years 0000 to 9999"),
                arguments("{" + ok + "\"uid\": \"u\", \"ts\": \"+10000-01-01T00:00:00Z\"}", "outside the years 0000 to 9999"),
                arguments("{" + ok + "\"uid\": \"u\", \"ts\": 1, \"amount\": \"abc\"}", "cannot cast field 'amount' value \"abc\" to float64"),
                arguments("{" + ok + "\"uid\": \"u\", \"ts\": 1, \"amount\": 1, \"qty\": \"x\"}", "'*' needs a number, got \"x\""),
                arguments("{" + ok + "\"uid\": \"u\", \"ts\": 1, \"channel\": 5}", "'upper' needs a string, got 5"),
                arguments("{" + ok + "\"uid\": \"u\", \"ts\": 1, \"meta\": 7}", "cannot set 'meta.source': 'meta' is not an object"));
    }

    @Test
    void transformsThatMakeAValueNoSinkCouldStoreMakeTheRecordBad() {
        RecordPipeline pipeline = RecordPipeline.create(JobSpec.parse(json(SPEC.replace("upper(channel)", "substr(channel, 1, 1)"))));
        String record = "{\"type\": \"purchase\", \"uid\": \"u\", \"ts\": 1, \"channel\": \"%s\"}";
        // substr counts UTF-16 units: the first of an emoji is half of a surrogate pair.
        Bad bad = assertInstanceOf(Bad.class, pipeline.apply(0, 7,
                String.format(record, "\\ud83d\\ude00").getBytes(StandardCharsets.UTF_8)));
        assertTrue(bad.reason().startsWith("the value after its transforms holds a string with an unpaired surrogate escape"
                + " (such as \\ud800 alone) at /meta/source"), bad.reason());
        StreamEvent whole = assertInstanceOf(Event.class, pipeline.apply(0, 8,
                String.format(record, "w\\ud83d\\ude00").getBytes(StandardCharsets.UTF_8))).event();
        assertEquals("w", whole.fields().at("/meta/source").asText());
    }

    @Test
    void castsConvertOrFail() {
        ObjectNode r = object("{'i': '12', 'f': 3.9, 'b': 'TRUE', 's': {'x': 1}, 't': '2026-01-01T00:00:00Z', 'z': 0, 'n': null}");
        for (String cast : new String[] {"{'field': 'i', 'to': 'int64'}", "{'field': 'f', 'to': 'int64'}",
                "{'field': 'b', 'to': 'bool'}", "{'field': 's', 'to': 'string'}", "{'field': 't', 'to': 'timestamp'}",
                "{'field': 'z', 'to': 'bool'}", "{'field': 'n', 'to': 'int64'}", "{'field': 'missing', 'to': 'float64'}"}) {
            Transform.parse(json("{'cast': " + cast + "}"), "t").apply(r);
        }
        assertEquals(object("{'i': 12, 'f': 3, 'b': true, 's': '{\"x\":1}', 't': 1767225600000, 'z': false, 'n': null}").toString(),
                r.toString());
        for (String cast : new String[] {"{'field': 'i', 'to': 'int64'}", "{'field': 'i', 'to': 'timestamp'}", "{'field': 'i', 'to': 'float64'}"}) {
            ObjectNode bad = object("{'i': 'twelve'}");
            Transform t = Transform.parse(json("{'cast': " + cast + "}"), "t");
            assertThrows(RecordException.class, () -> t.apply(bad));
        }
    }

    @Test
    void renameOfAMissingFieldDoesNothingAndPathsReachIntoObjects() {
        ObjectNode r = object("{'a': {'b': 1}, 'c': 2}");
        Transform.parse(json("{'rename': {'from': 'nope', 'to': 'x'}}"), "t").apply(r);
        Transform.parse(json("{'rename': {'from': 'a.b', 'to': 'd.e.f'}}"), "t").apply(r);
        Transform.parse(json("{'drop': 'c'}"), "t").apply(r);
        Transform.parse(json("{'set': {'field': 'g', 'expr': 'd'}}"), "t").apply(r);
        Transform.parse(json("{'drop': 'd.e'}"), "t").apply(r);
        assertEquals(object("{'a': {}, 'd': {}, 'g': {'e': {'f': 1}}}"), r);
    }

    @Test
    void manyThreadsShareOnePipeline() {
        assertTrue(IntStream.range(0, 2000).parallel().allMatch(i -> {
            StreamEvent e = event("{\"type\": \"purchase\", \"uid\": \"u" + i + "\", \"amount\": " + i + ", \"qty\": 2, \"ts\": " + i + "}");
            return e.key().equals("u" + i) && e.eventTime() == i && e.fields().get("total").doubleValue() == 2.0 * i;
        }));
    }
}
