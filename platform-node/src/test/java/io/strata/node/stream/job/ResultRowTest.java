package io.strata.node.stream.job;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A result row written straight to bytes is the text of its JSON object. */
class ResultRowTest {

    @Test
    void theBytesAreTheJsonObjectsText() {
        LinkedHashMap<String, Object> values = new LinkedHashMap<>();
        values.put("n", 3L);
        values.put("avg", 2.5);
        values.put("big", 1.0e300);
        values.put("none", null);
        values.put("last", "caf\u00e9 \"q\" \n");
        values.put("flag", true);
        values.put("obj", JsonNodeFactory.instance.objectNode().put("a", 1).set("b", JsonNodeFactory.instance.arrayNode().add(2.5)));
        ResultRow row = new ResultRow("u\u00e91", 1_767_225_600_000L, 1_767_225_660_000L, values);
        assertEquals(row.toJson("user").toString(),
                new String(row.toJsonBytes("user", ms -> Instant.ofEpochMilli(ms).toString()), StandardCharsets.UTF_8));
    }

    @Test
    void aKvSinkWritesEachRowAsItsJsonObject() {
        KvSink sink = new KvSink(null, "s", "user", null, null) {
            @Override
            java.util.concurrent.CompletionStage<Void> write(java.util.List<ResultRow> rows) {
                return null;
            }
        };
        LinkedHashMap<String, Object> a = new LinkedHashMap<>();
        a.put("n", 1L);
        LinkedHashMap<String, Object> b = new LinkedHashMap<>();
        b.put("n", 2.5);
        for (ResultRow row : java.util.List.of(new ResultRow("a", 0, 1000, a), new ResultRow("b", 1000, 2000, b),
                new ResultRow("c", 0, 1000, a))) {
            assertEquals(row.toJson("user").toString(), new String(sink.json(row), StandardCharsets.UTF_8));
        }
    }
}
