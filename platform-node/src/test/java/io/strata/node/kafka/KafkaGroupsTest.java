package io.strata.node.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.testing.TestNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.InconsistentGroupProtocolException;
import org.apache.kafka.common.errors.InvalidSessionTimeoutException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka consumer groups (the classic protocol) with the real Java client against a real node:
 * members that rebalance as they join and leave, commits that a restarted consumer resumes from,
 * and the same committed offsets over Kafka and over the HTTP groups API.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class KafkaGroupsTest {

    @TempDir
    static Path dir;
    private static TestNode node;
    private static String bootstrap;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("strata.kafka.enabled", "on", "strata.kafka.port", "0",
                "strata.bus.group.initial-rebalance-delay", "200ms"));
        var address = node.node().kafkaAddress().orElseThrow();
        bootstrap = address.getHostString() + ":" + address.getPort();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static KafkaConsumer<String, String> consumer(String group, String assignor) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignor);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    private static void produce(String topic, int partitions, int perPartition, String prefix) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int p = 0; p < partitions; p++) {
                for (int i = 0; i < perPartition; i++) {
                    producer.send(new ProducerRecord<>(topic, p, null, prefix + p + "-" + i));
                }
            }
            producer.flush();
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    /** Commits refused because a rebalance was completing (Kafka refuses them too; the next poll's commit covers them). */
    private static int refusedCommits;

    /** Polls each consumer once (each polls on this thread: the client is single-threaded), committing what it read. */
    private static void pollAll(List<KafkaConsumer<String, String>> consumers, Map<String, Set<String>> seenBy, int round) {
        for (int c = 0; c < consumers.size(); c++) {
            KafkaConsumer<String, String> consumer = consumers.get(c);
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                seenBy.computeIfAbsent(record.value(), v -> new HashSet<>()).add("c" + c + "@" + round);
            }
            try {
                consumer.commitSync();
            } catch (RebalanceInProgressException completing) {
                refusedCommits++;
            }
        }
    }

    @ParameterizedTest(name = "assignor {0}")
    @ValueSource(classes = {RangeAssignor.class, CooperativeStickyAssignor.class})
    void threeConsumersShareTheTopicAndTheOthersTakeOverWhenOneLeaves(Class<?> assignor) throws Exception {
        String topic = "shared-" + assignor.getSimpleName().toLowerCase();
        String group = "g-" + assignor.getSimpleName().toLowerCase();
        assertEquals(201, node.put("/topics/" + topic, "{\"partitions\": 6}").statusCode());
        produce(topic, 6, 50, "a");
        List<KafkaConsumer<String, String>> consumers = new ArrayList<>();
        refusedCommits = 0;
        try {
            for (int i = 0; i < 3; i++) {
                KafkaConsumer<String, String> consumer = consumer(group, assignor.getName());
                consumer.subscribe(List.of(topic));
                consumers.add(consumer);
            }
            Map<String, Set<String>> seen = new HashMap<>();
            int[] round = {0};
            await("three members with two partitions each", () -> {
                pollAll(consumers, seen, round[0]++);
                return consumers.stream().allMatch(c -> c.assignment().size() == 2);
            });
            Set<TopicPartition> all = new HashSet<>();
            consumers.forEach(c -> all.addAll(c.assignment()));
            assertEquals(6, all.size(), "the three assignments are disjoint and cover the topic");
            await("every record of the first batch", () -> {
                pollAll(consumers, seen, round[0]++);
                return seen.size() == 300;
            });

            try (Admin admin = admin()) {
                ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                assertEquals(GroupState.STABLE, description.groupState());
                assertEquals(3, description.members().size());
                Set<TopicPartition> described = new HashSet<>();
                for (MemberDescription m : description.members()) {
                    assertEquals(2, m.assignment().topicPartitions().size());
                    described.addAll(m.assignment().topicPartitions());
                }
                assertEquals(all, described);
                assertTrue(admin.listGroups().all().get().stream().map(GroupListing::groupId).anyMatch(group::equals));
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                assertEquals(6, offsets.size());
                offsets.values().forEach(o -> assertEquals(50, o.offset()));
            }
            // The same commits over HTTP: one coordinator, two doors.
            JsonNode http = json(node.get("/groups/" + group));
            assertEquals("Stable", http.get("kafka").get("state").asText(), http.toString());
            assertEquals(3, http.get("kafka").get("members").size(), http.toString());
            JsonNode committed = findTopic(http, topic).get("committed");
            for (int p = 0; p < 6; p++) {
                assertEquals(50, committed.get(Integer.toString(p)).asLong(), http.toString());
            }

            // One leaves (LeaveGroup on close): the other two take its partitions, from its commits.
            consumers.remove(2).close();
            await("two members with three partitions each", () -> {
                pollAll(consumers, seen, round[0]++);
                return consumers.stream().allMatch(c -> c.assignment().size() == 3);
            });
            produce(topic, 6, 20, "b");
            await("every record of the second batch", () -> {
                pollAll(consumers, seen, round[0]++);
                return seen.size() == 420;
            });
            long redelivered = seen.values().stream().filter(by -> by.size() > 1).count();
            if (refusedCommits == 0) {
                assertEquals(0, redelivered, "each record is read once: every poll was committed before the rebalance");
            }
        } finally {
            consumers.forEach(KafkaConsumer::close);
        }
    }

    private static JsonNode findTopic(JsonNode group, String topic) {
        for (JsonNode t : group.get("topics")) {
            if (t.get("topic").asText().equals(topic)) {
                return t;
            }
        }
        throw new AssertionError("no topic " + topic + " in " + group);
    }

    @Test
    void aNewConsumerResumesFromTheGroupsCommit() throws Exception {
        String topic = "resume";
        assertEquals(201, node.put("/topics/" + topic, "{\"partitions\": 2}").statusCode());
        produce(topic, 2, 10, "r");
        try (KafkaConsumer<String, String> consumer = consumer("resumers", RangeAssignor.class.getName())) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> read = new ArrayList<>();
            await("the first 20 records", () -> {
                consumer.poll(Duration.ofMillis(100)).forEach(read::add);
                return read.size() == 20;
            });
            // Commit only up to offset 6 of partition 0 and 4 of partition 1.
            consumer.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(6),
                    new TopicPartition(topic, 1), new OffsetAndMetadata(4)));
        }
        try (KafkaConsumer<String, String> consumer = consumer("resumers", RangeAssignor.class.getName())) {
            consumer.subscribe(List.of(topic));
            Map<Integer, Long> firstOffsets = new TreeMap<>();
            await("the records after the commit", () -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> firstOffsets.putIfAbsent(r.partition(), r.offset()));
                return firstOffsets.size() == 2;
            });
            assertEquals(Map.of(0, 6L, 1, 4L), firstOffsets);
        }
    }

    @Test
    void aKafkaConsumerStartsWhereTheHttpConsumersOfItsGroupCommitted() throws Exception {
        String topic = "handover";
        assertEquals(201, node.put("/topics/" + topic, "{\"partitions\": 1}").statusCode());
        produce(topic, 1, 10, "h");
        assertEquals(200, node.post("/groups/handover/poll", "{\"topic\": \"handover\", \"member\": \"web\", \"max\": 3}").statusCode());
        assertEquals(200, node.post("/groups/handover/commit",
                "{\"topic\": \"handover\", \"member\": \"web\", \"offsets\": {\"0\": 3}}").statusCode());

        // While the HTTP member is in the group, a Kafka consumer cannot join it.
        try (KafkaConsumer<String, String> consumer = consumer("handover", RangeAssignor.class.getName())) {
            consumer.subscribe(List.of(topic));
            assertThrows(InconsistentGroupProtocolException.class, () -> {
                for (int i = 0; i < 100; i++) {
                    consumer.poll(Duration.ofMillis(100));
                }
            });
        }
        try (Admin admin = admin()) {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of("handover")).all().get().get("handover");
            assertEquals(1, description.members().size(), "the HTTP member shows as a consumer");
            assertEquals(Set.of(new TopicPartition(topic, 0)),
                    description.members().iterator().next().assignment().topicPartitions());
        }

        assertEquals(200, node.post("/groups/handover/leave", "{\"topic\": \"handover\", \"member\": \"web\"}").statusCode());
        try (KafkaConsumer<String, String> consumer = consumer("handover", RangeAssignor.class.getName())) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> read = new ArrayList<>();
            await("the records after the HTTP commit", () -> {
                consumer.poll(Duration.ofMillis(100)).forEach(read::add);
                return read.size() >= 7;
            });
            assertEquals(3, read.get(0).offset());
            assertEquals(7, read.size());
            // And the HTTP door, in turn, is refused while the Kafka consumer is a member.
            var refused = node.post("/groups/handover/poll", "{\"topic\": \"handover\", \"member\": \"web\"}");
            TestNode.assertError(409, "inconsistent_group_protocol", refused);
        }
    }

    @Test
    void aGroupIsDeletedOnlyWithoutMembersAndThenStartsAfresh() throws Exception {
        String topic = "deleted";
        assertEquals(201, node.put("/topics/" + topic, "{\"partitions\": 1}").statusCode());
        produce(topic, 1, 4, "d");
        try (Admin admin = admin()) {
            try (KafkaConsumer<String, String> consumer = consumer("doomed", RangeAssignor.class.getName())) {
                consumer.subscribe(List.of(topic));
                List<ConsumerRecord<String, String>> read = new ArrayList<>();
                await("the records", () -> {
                    consumer.poll(Duration.ofMillis(100)).forEach(read::add);
                    return read.size() == 4;
                });
                consumer.commitSync();
                var refused = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> admin.deleteConsumerGroups(List.of("doomed")).all().get());
                assertTrue(refused.getCause() instanceof GroupNotEmptyException, refused.toString());
                TestNode.assertError(409, "group_not_empty", node.delete("/groups/doomed"));
            }
            admin.deleteConsumerGroups(List.of("doomed")).all().get();
            TestNode.assertError(404, "group_not_found", node.get("/groups/doomed"));
            TestNode.assertError(404, "group_not_found", node.delete("/groups/doomed"));
            assertTrue(admin.listGroups().all().get().stream().map(GroupListing::groupId).noneMatch("doomed"::equals));
        }
        // Its commits are gone: a new consumer of the group starts from the beginning again.
        try (KafkaConsumer<String, String> consumer = consumer("doomed", RangeAssignor.class.getName())) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> read = new ArrayList<>();
            await("the records again", () -> {
                consumer.poll(Duration.ofMillis(100)).forEach(read::add);
                return read.size() == 4;
            });
            assertEquals(0, read.get(0).offset());
        }
    }

    @Test
    void aSessionTimeoutOutsideTheCoordinatorsBoundsIsRefused() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "too-short");
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 1000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 300);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("resume"));
            assertThrows(InvalidSessionTimeoutException.class, () -> consumer.poll(Duration.ofSeconds(10)));
        }
    }
}
