package io.strata.node.bus;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.strata.node.testing.TestNode.assertError;
import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code DELETE /topics/{t}/partitions/{p}/records?before=N} (Kafka's DeleteRecords, which the
 * Kafka door's DeleteRecords takes too) in each durability mode: the log start moves for every
 * reader and stays moved across a restart; bad input changes nothing.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BusDeleteRecordsTest {

    @TempDir
    Path dir;

    private TestNode start(String durability) {
        return TestNode.start(dir, Map.of("strata.bus.durability", durability));
    }

    private static long firstOffset(TestNode node) {
        return json(node.get("/topics/trimmed")).get("offsets").get(0).get("first_offset").asLong();
    }

    @ParameterizedTest(name = "durability {0}")
    @ValueSource(strings = {"mmap", "fsync"})
    void deletedRecordsMoveTheLogStartDurably(String durability) {
        try (TestNode node = start(durability)) {
            assertEquals(201, node.put("/topics/trimmed", "{\"partitions\": 2}").statusCode());
            StringBuilder records = new StringBuilder("[");
            for (int i = 0; i < 10; i++) {
                records.append(i == 0 ? "" : ",").append("{\"value\":\"r").append(i).append("\",\"partition\":0}");
            }
            assertEquals(200, node.post("/topics/trimmed/records", records.append("]").toString()).statusCode());

            JsonNode deleted = json(node.delete("/topics/trimmed/partitions/0/records?before=4"));
            assertEquals(4, deleted.get("log_start_offset").asLong(), deleted.toString());
            assertEquals(10, deleted.get("log_end_offset").asLong(), deleted.toString());
            assertEquals(4, firstOffset(node));
            JsonNode read = json(node.get("/topics/trimmed/partitions/0/records?offset=earliest&max=1"));
            assertEquals(4, read.get("records").get(0).get("offset").asLong(), read.toString());
            assertError(416, "offset_out_of_range", node.get("/topics/trimmed/partitions/0/records?offset=3"));

            assertEquals(4, json(node.delete("/topics/trimmed/partitions/0/records?before=2")).get("log_start_offset").asLong(),
                    "an offset below the start changes nothing");
            assertError(416, "offset_out_of_range", node.delete("/topics/trimmed/partitions/0/records?before=11"));
            assertError(400, "invalid_offset", node.delete("/topics/trimmed/partitions/0/records?before=earliest"));
            assertError(400, "invalid_offset", node.delete("/topics/trimmed/partitions/0/records?before=x"));
            assertError(404, "invalid_partition", node.delete("/topics/trimmed/partitions/2/records?before=0"));
            assertError(404, "topic_not_found", node.delete("/topics/missing/partitions/0/records?before=0"));
            assertEquals(4, firstOffset(node));
            assertEquals(0, json(node.delete("/topics/trimmed/partitions/1/records?before=latest")).get("log_start_offset").asLong(),
                    "an empty partition's high watermark is 0");
        }
        try (TestNode node = start(durability)) {
            assertEquals(4, firstOffset(node), "the new start holds across a restart");
        }
    }
}
