package io.strata.node.stream.spec;

import io.strata.node.stream.spec.RecordPipeline.Bad;
import io.strata.node.stream.spec.RecordPipeline.Event;
import io.strata.node.stream.spec.RecordPipeline.Outcome;
import io.strata.node.stream.window.StreamEvent;
import io.strata.node.stream.window.WindowOperator;
import io.strata.node.stream.window.WindowOutput;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.strata.node.stream.spec.TestJson.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A job without transforms decodes its records from their bytes into the fields it reads: every
 * outcome (event, skip, bad record and its reason) and every aggregate it feeds are those of the
 * same record read as a JSON tree, good records and odd ones alike.
 */
class RecordDecoderTest {

    private static final String SPEC = "{'name': 'typed', 'source': {'topic': 't', 'group': 'g'},"
            + " 'filter': {'or': [{'column': 'type', 'op': '=', 'value': 'purchase'},"
            + "   {'column': 'meta.src', 'op': 'in', 'value': ['web', 'app']}]},"
            + " 'key': 'user', 'event_time': 'ts', 'window': {'type': 'tumbling', 'size': '1h'},"
            + " 'aggregates': [{'fn': 'count', 'as': 'n'},"
            + "   {'fn': 'sum', 'column': 'amount', 'as': 'sum'}, {'fn': 'avg', 'column': 'amount', 'as': 'avg'},"
            + "   {'fn': 'min', 'column': 'amount', 'as': 'min'}, {'fn': 'max', 'column': 'amount', 'as': 'max'},"
            + "   {'fn': 'count_distinct', 'column': 'amount', 'as': 'distinct'},"
            + "   {'fn': 'approx_count_distinct', 'column': 'amount', 'as': 'approx'},"
            + "   {'fn': 'last', 'column': 'amount', 'as': 'last'}, {'fn': 'max', 'column': 'user', 'as': 'max_user'}],"
            + " 'sinks': [{'kv': {'space': 's'}}]}";

    private static final JobSpec JOB = JobSpec.parse(json(SPEC));
    private static final RecordPipeline PIPELINE = RecordPipeline.create(JOB);

    /** Values of {@code amount} (and of the key and time fields) a record may hold. */
    private static final List<String> AMOUNTS = List.of("5", "-3", "2.5", "0.1", "1e2", "9223372036854775807",
            "9223372036854775808", "123456789012345678901234567890", "-2147483649", "\"7\"", "\"\"", "true", "false",
            "null", "{\"a\": 1}", "[1, 2]", "1e400", "-1e400", "1.0");

    private static List<byte[]> records() {
        List<String> texts = new ArrayList<>();
        for (String amount : AMOUNTS) {
            texts.add("{\"user\": \"u1\", \"type\": \"purchase\", \"ts\": 1000, \"amount\": " + amount + "}");
            texts.add("{\"amount\": " + amount + ", \"meta\": {\"src\": \"web\", \"n\": [" + amount + "]}, \"user\": \"u2\", \"ts\": 2000}");
            texts.add("{\"user\": " + amount + ", \"type\": \"purchase\", \"ts\": 3000, \"amount\": 1}");
            texts.add("{\"user\": \"u3\", \"type\": \"purchase\", \"ts\": " + amount + ", \"amount\": 1}");
            texts.add("{\"user\": \"u4\", \"type\": " + amount + ", \"ts\": 4000, \"amount\": 1}");
            texts.add("{\"user\": \"u5\", \"meta\": " + amount + ", \"ts\": 5000, \"amount\": 2}");
            texts.add("{\"user\": \"u6\", \"type\": \"purchase\", \"ts\": 6000, \"other\": " + amount + ", \"amount\": 3}");
        }
        texts.addAll(List.of(
                "{\"user\": \"u1\", \"type\": \"purchase\", \"ts\": 1000}",
                "{\"user\": \"a\", \"user\": \"b\", \"type\": \"purchase\", \"ts\": 1000, \"amount\": 1, \"amount\": 2}",
                "{\"user\": \"a\", \"type\": \"purchase\", \"ts\": 1000, \"x\": 1e400, \"x\": 1}",
                "{\"user\": \"a\", \"type\": \"purchase\", \"ts\": 1000, \"amount\": 1e400, \"amount\": 4}",
                "{\"user\": \"m\", \"meta\": {\"src\": \"web\"}, \"meta\": {\"other\": 1}, \"ts\": 1000}",
                "{\"user\": \"m\", \"meta\": {\"src\": \"app\"}, \"meta\": {\"src\": \"app\", \"deep\": {\"a\": [1, {\"b\": 2.5}]}}, \"ts\": 7}",
                "{\"user\": \"m\", \"meta\": {\"src\": \"tv\"}, \"ts\": 1000}",
                "{\"user\": \"m\", \"meta\": [\"web\"], \"ts\": 1000}",
                "{\"user\": \"\\ud800\", \"type\": \"purchase\", \"ts\": 1000}",
                "{\"user\": \"\\ud83d\\ude00\", \"type\": \"purchase\", \"ts\": 1000, \"amount\": 3}",
                "{\"user\": \"q\\\"uote\", \"type\": \"purchase\", \"ts\": 1000, \"amount\": 3}",
                "{\"user\": \"caf\u00e9 \u6771\", \"type\": \"purchase\", \"ts\": 1000, \"amount\": 3}",
                "{\"user\": \"u\", \"type\": \"purchase\", \"ts\": \"2026-01-01T00:00:00Z\", \"amount\": 3}",
                "{\"user\": \"u\", \"type\": \"purchase\", \"ts\": \"2026-01-01T01:00:00+01:00\", \"amount\": 3}",
                "{\"user\": \"u\", \"type\": \"purchase\", \"ts\": \"yesterday\", \"amount\": 3}",
                "{\"user\": \"u\", \"type\": \"purchase\", \"ts\": 1e19, \"amount\": 3}",
                "{\"user\": \"u\", \"type\": \"purchase\", \"ts\": 253402300800000, \"amount\": 3}",
                "{\"user\": \"u\", \"type\": \"purchase\", \"ts\": -62167219200001, \"amount\": 3}",
                "{\"user\": \"u\", \"type\": \"purchase\", \"ts\": 1000.9, \"amount\": 3}",
                "{\"type\": \"purchase\", \"ts\": 1000}",
                "{\"user\": null, \"type\": \"purchase\", \"ts\": 1000}",
                "{\"user\": \"u\", \"type\": \"purchase\"}",
                "{\"user\": \"u\", \"type\": \"purchase\", \"ts\": 1000} {}",
                "{\"user\": \"u\", \"type\": \"purchase\", \"ts\": 1000",
                "{\"user\": \"u\", \"type\": \"purchase\", \"ts\": 1000,}",
                "[1, 2]", "\"text\"", "17", "", "   ", "{}", "nul"));
        List<byte[]> records = new ArrayList<>();
        texts.forEach(t -> records.add(t.getBytes(StandardCharsets.UTF_8)));
        // A surrogate encoded as UTF-8, and a broken UTF-8 sequence, in fields the job reads and in one it skips.
        for (byte[] odd : List.of(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xC3, 0x28},
                new byte[] {(byte) 0xFF})) {
            for (String field : List.of("user", "other")) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.writeBytes(("{\"type\": \"purchase\", \"ts\": 1000, \"user\": \"k\", \"" + field + "\": \"a").getBytes(StandardCharsets.UTF_8));
                out.writeBytes(odd);
                out.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
                records.add(out.toByteArray());
            }
        }
        return records;
    }

    @Test
    void everyRecordHasTheOutcomeOfItsTree() {
        RecordDecoder decoder = RecordDecoder.create(new com.fasterxml.jackson.core.JsonFactory(), JOB);
        int decoded = 0;
        int events = 0;
        long offset = 0;
        for (byte[] record : records()) {
            decoded += decoder.decode(1, offset, record, 0, record.length) == null ? 0 : 1;
            Outcome fast = PIPELINE.apply(1, offset, record);
            Outcome tree = PIPELINE.applyTree(1, offset, record);
            String what = new String(record, StandardCharsets.UTF_8);
            assertEquals(tree.getClass(), fast.getClass(), what);
            if (tree instanceof Bad bad) {
                assertEquals(bad.reason(), ((Bad) fast).reason(), what);
            } else if (tree instanceof Event e) {
                StreamEvent f = ((Event) fast).event();
                assertEquals(e.event(), f, what);
                events++;
            }
            offset++;
        }
        assertTrue(events > 60, "events: " + events);
        assertTrue(decoded > 50, "records decoded without a tree: " + decoded);
    }

    @Test
    void theAggregatesOfDecodedEventsAreThoseOfTheirTrees() {
        WindowOperator.Settings settings = new WindowOperator.Settings(JOB.window(), JOB.aggregates(), JOB.outOfOrderness(),
                JOB.allowedLateness(), JOB.idleTimeout(), JOB.earlyEvery(), 1000);
        WindowOperator fast = new WindowOperator(settings, Set.of(0), 0);
        WindowOperator tree = new WindowOperator(settings, Set.of(0), 0);
        List<WindowOutput> fastOut = new ArrayList<>();
        List<WindowOutput> treeOut = new ArrayList<>();
        long offset = 0;
        List<byte[]> records = new ArrayList<>(records());
        // The same keys again, so that every window sees several values, and then a watermark past them all.
        records.addAll(records());
        records.add("{\"user\": \"end\", \"type\": \"purchase\", \"ts\": 1767225600000}".getBytes(StandardCharsets.UTF_8));
        for (byte[] record : records) {
            if (PIPELINE.apply(0, offset, record) instanceof Event e) {
                fastOut.addAll(fast.onEvent(e.event(), 0));
                treeOut.addAll(tree.onEvent(assertInstanceOf(Event.class, PIPELINE.applyTree(0, offset, record)).event(), 0));
            }
            offset++;
        }
        assertTrue(fastOut.size() > 10, "results: " + fastOut.size());
        assertEquals(treeOut, fastOut);
        assertEquals(tree.snapshot(), fast.snapshot());
    }

    @Test
    void aSpecWithTransformsOrNestedFieldsReadsTrees() {
        assertNull(RecordDecoder.create(new com.fasterxml.jackson.core.JsonFactory(), JobSpec.parse(json(SPEC.replace(
                "'key': 'user',", "'transforms': [{'drop': 'type'}], 'key': 'user',")))));
        assertNull(RecordDecoder.create(new com.fasterxml.jackson.core.JsonFactory(),
                JobSpec.parse(json(SPEC.replace("'column': 'type'", "'column': 'meta'")))), "meta and meta.src");
        assertNotNull(RecordDecoder.create(new com.fasterxml.jackson.core.JsonFactory(), JOB));
    }

    @Test
    void onlyEscapesAndEncodedSurrogatesSendARecordToItsTree() {
        byte[] plain = "{\"a\": \"caf\u00e9 \\n \\\" \"}".getBytes(StandardCharsets.UTF_8);
        assertEquals(false, RecordDecoder.mayHoldSurrogate(plain, 0, plain.length));
        byte[] escape = "{\"a\": \"\\u00e9\"}".getBytes(StandardCharsets.UTF_8);
        assertEquals(true, RecordDecoder.mayHoldSurrogate(escape, 0, escape.length));
        byte[] hangul = "{\"a\": \"\ud7a3\"}".getBytes(StandardCharsets.UTF_8);
        assertEquals(false, RecordDecoder.mayHoldSurrogate(hangul, 0, hangul.length));
    }
}
