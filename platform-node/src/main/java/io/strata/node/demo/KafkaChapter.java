package io.strata.node.demo;

import com.fasterxml.jackson.databind.JsonNode;
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;

/**
 * The bus through the Kafka protocol: the real Java Kafka client (its idempotent producer, lz4
 * batches) against the node's Kafka listener, the records read back by a Kafka consumer and over
 * HTTP; after the crash, the same records, and offsets that go on.
 */
public final class KafkaChapter implements DemoChapter {

    private static final String TOPIC = "demo-kafka";
    private static final int RECORDS = 100;
    private static final Duration POLL_LIMIT = Duration.ofSeconds(30);

    @Override
    public String title() {
        return "Kafka protocol";
    }

    @Override
    public void tour(DemoTour tour) throws Exception {
        if (tour.kafkaPort().isEmpty()) {
            tour.say("The node was started without --kafka-port: nothing to show.");
            return;
        }
        String bootstrap = "127.0.0.1:" + tour.kafkaPort().getAsInt();
        tour.step("Kafka clients talk to the same bus");
        tour.say("The node listens for the Kafka protocol on " + bootstrap + " (./strata up --kafka-port N).");
        tour.put("/topics/" + TOPIC, "{\"partitions\": 2}").expect(201);
        tour.shell("seq 0 " + (RECORDS - 1) + " | sed 's/^/user-/; s/$/:clicked/' | kcat -P -b " + bootstrap + " -t " + TOPIC
                + " -K: -z lz4   # here: the Java client, idempotent, lz4");
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = producer(bootstrap)) {
            for (int i = 0; i < RECORDS; i++) {
                sent.add(producer.send(new ProducerRecord<>(TOPIC, "user-" + i, "clicked")));
            }
            producer.flush();
        }
        long[] perPartition = new long[2];
        for (Future<RecordMetadata> f : sent) {
            perPartition[f.get().partition()]++;
        }
        tour.say(RECORDS + " records acknowledged: " + perPartition[0] + " in partition 0, " + perPartition[1]
                + " in partition 1 (by the key's hash, as Kafka's own partitioner places them).");

        tour.step("A Kafka consumer reads them back; so does HTTP");
        tour.shell("kcat -C -b " + bootstrap + " -t " + TOPIC + " -o beginning -e -f '%k=%s p%p@%o\\n'");
        List<ConsumerRecord<String, String>> read = readAll(bootstrap, RECORDS);
        tour.check(read.size() == RECORDS, RECORDS + " records read back, got " + read.size());
        read.stream().limit(3).forEach(r -> tour.say(r.key() + "=" + r.value() + " p" + r.partition() + "@" + r.offset()));
        tour.say("... " + read.size() + " records, each once.");
        JsonNode http = tour.get("/topics/" + TOPIC + "/partitions/0/records?offset=0&max=2").expect(200).json();
        tour.check(http.get("records").size() == Math.min(2, perPartition[0]), "the same records over HTTP, got " + http);
    }

    @Override
    public void afterCrash(DemoTour tour) throws Exception {
        if (tour.kafkaPort().isEmpty()) {
            return;
        }
        String bootstrap = "127.0.0.1:" + tour.kafkaPort().getAsInt();
        tour.step("Kafka protocol: every acknowledged record came back, and offsets go on");
        List<ConsumerRecord<String, String>> read = readAll(bootstrap, RECORDS);
        tour.check(read.size() == RECORDS, RECORDS + " records after the kill, got " + read.size());
        long end = read.stream().filter(r -> r.partition() == 0).count();
        try (KafkaProducer<String, String> producer = producer(bootstrap)) {
            RecordMetadata next = producer.send(new ProducerRecord<>(TOPIC, 0, "after", "the crash")).get();
            tour.check(next.offset() == end, "the next record of partition 0 at offset " + end + ", got " + next.offset());
            tour.say(read.size() + " records read back; the next one in partition 0 got offset " + next.offset() + ".");
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** The topic's records from the start of both partitions, until {@code expected} are read or {@link #POLL_LIMIT} passes. */
    private static List<ConsumerRecord<String, String>> readAll(String bootstrap, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + POLL_LIMIT.toNanos();
            while (read.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(read::add);
            }
        }
        return read;
    }
}
