package io.strata.node.kafka;

import io.strata.node.testing.TestNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The idempotent producer through a proxy that keeps cutting its connections, many of them after
 * a Produce reached the node and before its answer came back ({@link DroppingProxy}): the client
 * sends those batches again, and the node must store each once, in order, with nothing lost. The
 * node's Metadata advertises the proxy ({@code strata.kafka.advertised-host/-port}), so every
 * connection the client opens after bootstrap goes through it. The same run with idempotence off
 * stores duplicates, which shows the proxy does lose answers and the first test can fail.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KafkaIdempotenceUnderDropsTest {

    private static final int PARTITIONS = 3;

    @TempDir
    static Path dir;
    private static DroppingProxy proxy;
    private static TestNode node;
    private static String direct;

    @BeforeAll
    static void start() throws Exception {
        proxy = new DroppingProxy(2 << 10, 16 << 10, Duration.ofMillis(500), 42);
        node = TestNode.start(dir, Map.of("strata.kafka.enabled", "on", "strata.kafka.port", "0",
                "strata.kafka.advertised-host", "127.0.0.1", "strata.kafka.advertised-port", Integer.toString(proxy.port())));
        InetSocketAddress address = node.node().kafkaAddress().orElseThrow();
        proxy.forwardTo(address);
        direct = address.getHostString() + ":" + address.getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.close();
        } finally {
            node.close();
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("dropping-proxy")),
                "the proxy's threads are gone");
    }

    private static KafkaProducer<String, String> producer(boolean idempotent) {
        Properties props = new Properties();
        // Bootstrap through the proxy too: the node's Metadata names the proxy anyway.
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + proxy.port());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 40_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        // Small batches: many Produce requests, several in flight when a connection is cut.
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 2_048);
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10);
        props.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 100);
        props.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, 10);
        props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 100);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /**
     * Sends {@code perPartition} records to each partition, the value {@code "<partition>:<sequence>"},
     * with the proxy dropping, and returns how many sends failed.
     */
    private static int produceThroughDrops(String topic, boolean idempotent, int perPartition) throws InterruptedException {
        assertEquals(201, node.put("/topics/" + topic, "{\"partitions\": " + PARTITIONS + "}").statusCode());
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        int lostBefore = proxy.lostAnswers();
        proxy.dropping(true);
        try (KafkaProducer<String, String> producer = producer(idempotent)) {
            for (int seq = 0; seq < perPartition; seq++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    sent.add(producer.send(new ProducerRecord<>(topic, p, null, p + ":" + seq)));
                }
            }
            producer.flush();
        } finally {
            proxy.dropping(false);
        }
        int failed = 0;
        for (Future<RecordMetadata> f : sent) {
            try {
                f.get(0, TimeUnit.SECONDS);
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                failed++;
            }
        }
        assertTrue(proxy.lostAnswers() - lostBefore >= 5, "the proxy threw away answers to requests the node got: "
                + (proxy.lostAnswers() - lostBefore) + " (cuts " + proxy.cuts() + ", connections " + proxy.accepted() + ")");
        return failed;
    }

    /** Every record of each partition, read directly from the node (the proxy passing bytes through), up to its end offset. */
    private static List<List<String>> readAll(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, direct);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<List<String>> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
                values.add(new ArrayList<>());
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.get(r.partition()).add(r.value());
                }
            }
            partitions.forEach(tp -> assertEquals(ends.get(tp), consumer.position(tp), "read to the end of " + tp));
        }
        return values;
    }

    @Test
    void theIdempotentProducerStoresEveryRecordOnceInOrderThroughLostAnswers() throws Exception {
        int perPartition = 7_000;
        assertEquals(0, produceThroughDrops("exactly-once", true, perPartition), "every send succeeded");
        List<List<String>> read = readAll("exactly-once");
        for (int p = 0; p < PARTITIONS; p++) {
            List<String> values = read.get(p);
            for (int seq = 0; seq < Math.min(values.size(), perPartition); seq++) {
                // The first difference says which: a duplicate repeats an earlier sequence, a gap skips one.
                assertEquals(p + ":" + seq, values.get(seq), "partition " + p + " at offset " + seq);
            }
            assertEquals(perPartition, values.size(), "partition " + p + ": no duplicate, no gap");
        }
    }

    @Test
    void withoutIdempotenceTheSameDropsStoreDuplicates() throws Exception {
        int perPartition = 3_000;
        produceThroughDrops("at-least-once", false, perPartition);
        List<List<String>> read = readAll("at-least-once");
        int stored = read.stream().mapToInt(List::size).sum();
        long distinct = read.stream().flatMap(List::stream).distinct().count();
        assertEquals(PARTITIONS * perPartition, distinct, "every record is there");
        assertTrue(stored > distinct, "answers lost to the proxy made the producer store records twice: " + stored + " stored");
    }
}
