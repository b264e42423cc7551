package io.strata.node.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.http.Json;
import io.strata.node.testing.TestNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Records a Kafka producer writes feed the rest of Strata exactly: a live SSE stream shows them
 * byte for byte, and a stream job aggregates them into the KV store and a result topic that a
 * Kafka consumer reads.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaDoorJobsTest {

    @TempDir
    static Path dir;
    private static TestNode node;
    private static String bootstrap;

    @BeforeAll
    static void start() {
        node = KafkaCompat.start(dir);
        bootstrap = KafkaCompat.bootstrap(node);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static final List<String> PURCHASES = List.of(
            "{\"user\":\"u1\",\"price\":2,\"ts\":\"2026-01-01T00:00:10Z\"}",
            "{\"user\":\"u1\",\"price\":3,\"ts\":\"2026-01-01T00:00:20Z\"}",
            "{\"user\":\"u2\",\"price\":5,\"ts\":\"2026-01-01T00:00:30Z\"}",
            // Past the first minute: its watermark closes the first window.
            "{\"user\":\"u9\",\"price\":1,\"ts\":\"2026-01-01T00:05:00Z\"}");

    @Test
    void aStreamJobAggregatesKafkaRecordsAndAKafkaConsumerReadsItsResults() throws Exception {
        assertEquals(201, node.put("/topics/kpurchases", "{\"partitions\": 1}").statusCode());
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (String purchase : PURCHASES) {
                producer.send(new ProducerRecord<>("kpurchases", 0, null, purchase)).get();
            }
        }

        // The live stream shows each record's bytes as the producer sent them.
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(node.base() + "/topics/kpurchases/partitions/0/stream?offset=earliest")).GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
            try (Stream<String> body = response.body()) {
                Iterator<String> lines = body.iterator();
                List<String> values = new ArrayList<>();
                while (values.size() < PURCHASES.size() && lines.hasNext()) {
                    String line = lines.next();
                    if (line.startsWith("data:")) {
                        values.add(valueOf(Json.parse(line.substring("data:".length()).trim().getBytes(StandardCharsets.UTF_8))));
                    }
                }
                assertEquals(PURCHASES, values);
            }
        });

        assertEquals(201, node.put("/topics/kspend", "{\"partitions\": 1}").statusCode());
        var submitted = node.post("/jobs", """
                {"name": "kspend", "source": {"topic": "kpurchases", "group": "kspend-job"},
                 "key": "user", "event_time": "ts", "window": {"type": "tumbling", "size": "1m"},
                 "out_of_orderness": "0s", "idle_timeout": "1h",
                 "aggregates": [{"fn": "count", "as": "n"}, {"fn": "sum", "column": "price", "as": "spend"}],
                 "sinks": [{"topic": "kspend"}]}""");
        assertTrue(submitted.statusCode() / 100 == 2, submitted.body());

        Map<String, JsonNode> results = new TreeMap<>();
        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition("kspend", 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (results.size() < 2 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    results.put(r.key(), Json.parse(r.value().getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
        assertEquals(List.of("u1", "u2"), List.copyOf(results.keySet()), results.toString());
        assertEquals(2, results.get("u1").get("n").asLong(), results.toString());
        assertEquals(5.0, results.get("u1").get("spend").asDouble(), results.toString());
        assertEquals(1, results.get("u2").get("n").asLong(), results.toString());
    }

    /** A record's value as text, whichever way HTTP rendered it (JSON, text or base64 bytes). */
    private static String valueOf(JsonNode record) {
        if (record.has("value_base64")) {
            return new String(Base64.getDecoder().decode(record.get("value_base64").asText()), StandardCharsets.UTF_8);
        }
        JsonNode value = record.get("value");
        return value.isTextual() ? value.asText() : value.toString();
    }
}
