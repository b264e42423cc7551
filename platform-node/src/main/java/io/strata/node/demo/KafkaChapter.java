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
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Future;

/**
 * The bus through the Kafka protocol: kcat produces (its idempotent producer, lz4 batches; the Java
 * client where kcat is not installed) to the node's Kafka listener, the records read back by a
 * Kafka consumer and over HTTP, then by a consumer group of two Java consumers whose commits HTTP
 * shows; after the crash, the same records, offsets that go on, and the group resuming from its commits.
 */
public final class KafkaChapter implements DemoChapter {

    private static final String TOPIC = "demo-kafka";
    private static final String GROUP = "demo-readers";
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
        String produceCommand = "seq 0 " + (RECORDS - 1) + " | sed 's/^/user-/; s/$/:clicked/' | kcat -P -b " + bootstrap
                + " -t " + TOPIC + " -K: -z lz4 -X enable.idempotence=true";
        Optional<Path> kcat = onPath("kcat");
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        long[] perPartition = new long[2];
        if (kcat.isPresent()) {
            tour.shell(produceCommand);
            runKcat(tour, kcat.get(), bootstrap);
            JsonNode p0 = tour.get("/topics/" + TOPIC + "/partitions/0/records?offset=0&max=1").expect(200).json();
            perPartition[0] = p0.get("log_end_offset").asLong();
            perPartition[1] = RECORDS - perPartition[0];
        } else {
            tour.shell(produceCommand + "   # kcat is not installed here: the Java client instead, idempotent, lz4");
            try (KafkaProducer<String, String> producer = producer(bootstrap)) {
                for (int i = 0; i < RECORDS; i++) {
                    sent.add(producer.send(new ProducerRecord<>(TOPIC, "user-" + i, "clicked")));
                }
                producer.flush();
            }
            for (Future<RecordMetadata> f : sent) {
                perPartition[f.get().partition()]++;
            }
        }
        tour.say(RECORDS + " records acknowledged: " + perPartition[0] + " in partition 0, " + perPartition[1]
                + " in partition 1 (by the key's hash, as the client's partitioner places them).");

        tour.step("A Kafka consumer reads them back; so does HTTP");
        tour.shell("kcat -C -b " + bootstrap + " -t " + TOPIC + " -o beginning -e -f '%k=%s p%p@%o\\n'");
        List<ConsumerRecord<String, String>> read = readAll(bootstrap, RECORDS);
        tour.check(read.size() == RECORDS, RECORDS + " records read back, got " + read.size());
        read.stream().limit(3).forEach(r -> tour.say(r.key() + "=" + r.value() + " p" + r.partition() + "@" + r.offset()));
        tour.say("... " + read.size() + " records, each once.");
        JsonNode http = tour.get("/topics/" + TOPIC + "/partitions/0/records?offset=0&max=2").expect(200).json();
        tour.check(http.get("records").size() == Math.min(2, perPartition[0]), "the same records over HTTP, got " + http);

        tour.step("A Kafka consumer group: two members share the partitions and commit");
        tour.say("Two Java consumers subscribe as group " + GROUP + "; the node runs Kafka's group protocol, the"
                + " clients assign (range), and they commit what they read.");
        int consumed = consumeInGroup(bootstrap, 2, RECORDS);
        tour.check(consumed == RECORDS, "the group to read " + RECORDS + " records, got " + consumed);
        JsonNode group = tour.get("/groups/" + GROUP).expect(200).json();
        long committed = 0;
        for (JsonNode topic : group.get("topics")) {
            for (JsonNode offset : topic.get("committed")) {
                committed += offset.asLong();
            }
        }
        tour.check(committed == RECORDS, "the group's commits over HTTP to add up to " + RECORDS + ", got " + group);
        tour.say("The same group over HTTP (one coordinator, two doors): committed offsets add up to " + committed
                + ", the Kafka members are gone again (they left on close).");
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
        int resumed = consumeInGroup(bootstrap, 1, 1);
        tour.check(resumed == 1, "group " + GROUP + " to resume after its commits and read only the new record, got " + resumed);
        tour.say("Group " + GROUP + " resumed from its committed offsets: it read only the record produced after the crash.");
    }

    /**
     * {@code members} consumers of {@link #GROUP} subscribed to the topic read until {@code expected}
     * records are read (or {@link #POLL_LIMIT} passes), committing each poll, then leave; returns how many they read.
     */
    private static int consumeInGroup(String bootstrap, int members, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<KafkaConsumer<String, String>> consumers = new ArrayList<>();
        int read = 0;
        try {
            for (int i = 0; i < members; i++) {
                KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
                consumer.subscribe(List.of(TOPIC));
                consumers.add(consumer);
            }
            long deadline = System.nanoTime() + POLL_LIMIT.toNanos();
            while (read < expected && System.nanoTime() < deadline) {
                for (KafkaConsumer<String, String> consumer : consumers) {
                    read += consumer.poll(Duration.ofMillis(100)).count();
                    try {
                        consumer.commitSync();
                    } catch (RebalanceInProgressException rebalancing) {
                        // The next poll rejoins; its commit covers these records.
                    }
                }
            }
        } finally {
            consumers.forEach(KafkaConsumer::close);
        }
        return read;
    }

    /** Produces the chapter's records with kcat: "user-N:clicked" lines, keyed, lz4, idempotent. */
    private static void runKcat(DemoTour tour, Path kcat, String bootstrap) throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < RECORDS; i++) {
            lines.append("user-").append(i).append(":clicked\n");
        }
        Process process = new ProcessBuilder(kcat.toString(), "-P", "-b", bootstrap, "-t", TOPIC, "-K:", "-z", "lz4",
                "-X", "enable.idempotence=true").redirectErrorStream(true).start();
        try {
            try (var in = process.getOutputStream()) {
                in.write(lines.toString().getBytes(StandardCharsets.UTF_8));
            }
            boolean done = process.waitFor(POLL_LIMIT.toSeconds(), TimeUnit.SECONDS);
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            tour.check(done && process.exitValue() == 0, "kcat to produce and exit 0; it said: " + output);
        } finally {
            process.destroyForcibly();
        }
    }

    private static Optional<Path> onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, tool);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
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
