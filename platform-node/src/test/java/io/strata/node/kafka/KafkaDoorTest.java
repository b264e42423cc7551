package io.strata.node.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.testing.TestNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.DescribeAclsRequest;
import org.apache.kafka.common.requests.DescribeAclsResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.DeletedRecords;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kafka door with the real Java client (kafka-clients 4.4): its producer (idempotent, as it is
 * by default) and consumer against a real node, records read back through Kafka and through HTTP.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaDoorTest {

    @TempDir
    static Path dir;
    private static TestNode node;
    private static String bootstrap;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("strata.kafka.enabled", "on", "strata.kafka.port", "0"));
        var address = node.node().kafkaAddress().orElseThrow();
        bootstrap = address.getHostString() + ":" + address.getPort();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static KafkaProducer<String, String> producer(String compression) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    /** Every record of the topic's partitions from the start, by assignment, until {@code expected} are read. */
    private static List<ConsumerRecord<String, String>> readAll(String topic, int partitions, int expected) {
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer()) {
            List<TopicPartition> assigned = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                assigned.add(new TopicPartition(topic, p));
            }
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (read.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(read::add);
            }
        }
        return read;
    }

    @ParameterizedTest(name = "compression {0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void recordsProducedWithEachCompressionAreConsumedExactly(String compression) throws Exception {
        String topic = "events-" + compression;
        assertEquals(201, node.put("/topics/" + topic, "{\"partitions\": 3}").statusCode());
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = producer(compression)) {
            for (int i = 0; i < 300; i++) {
                ProducerRecord<String, String> record = new ProducerRecord<>(topic, null, 1_700_000_000_000L + i,
                        "user-" + (i % 7), "value-" + i);
                record.headers().add(new RecordHeader("n", Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
                sent.add(producer.send(record));
            }
            producer.flush();
        }
        for (Future<RecordMetadata> f : sent) {
            assertTrue(f.get().offset() >= 0);
        }
        List<ConsumerRecord<String, String>> read = readAll(topic, 3, 300);
        assertEquals(300, read.size());
        boolean[] seen = new boolean[300];
        for (ConsumerRecord<String, String> r : read) {
            int n = Integer.parseInt(r.value().substring("value-".length()));
            assertEquals("user-" + (n % 7), r.key());
            assertEquals(1_700_000_000_000L + n, r.timestamp());
            assertEquals(Integer.toString(n), new String(r.headers().lastHeader("n").value(), StandardCharsets.UTF_8));
            assertTrue(!seen[n], "record " + n + " read once");
            seen[n] = true;
        }
    }

    @Test
    void recordsProducedThroughKafkaReadBackOverHttpAndTheReverse() throws Exception {
        assertEquals(201, node.put("/topics/both-doors", "{\"partitions\": 1}").statusCode());
        try (KafkaProducer<String, String> producer = producer("lz4")) {
            producer.send(new ProducerRecord<>("both-doors", 0, "k", "from kafka")).get();
        }
        JsonNode read = json(node.get("/topics/both-doors/partitions/0/records?offset=0&max=10"));
        JsonNode first = read.get("records").get(0);
        assertEquals("k", first.get("key").asText());
        String value = first.has("value_base64")
                ? new String(Base64.getDecoder().decode(first.get("value_base64").asText()), StandardCharsets.UTF_8)
                : first.get("value").asText();
        assertEquals("from kafka", value, read.toString());

        assertEquals(200, node.post("/topics/both-doors/records", "[{\"key\":\"h\",\"value\":\"from http\"}]").statusCode());
        List<ConsumerRecord<String, String>> consumed = readAll("both-doors", 1, 2);
        assertEquals(2, consumed.size());
        assertEquals("from kafka", consumed.get(0).value());
        assertEquals("h", consumed.get(1).key());
        assertEquals(1, consumed.get(1).offset());
        assertTrue(consumed.get(1).value().contains("from http"), consumed.get(1).value());
    }

    /** One raw request (size prefix added) on a fresh socket; the response without its size, or null when the door closed the connection. */
    private static ByteBuffer exchange(ByteBuffer request) throws IOException {
        var address = node.node().kafkaAddress().orElseThrow();
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(request.remaining());
            out.write(request.array(), request.arrayOffset() + request.position(), request.remaining());
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int size;
            try {
                size = in.readInt();
            } catch (EOFException | SocketException closed) {
                // Closed by the door: a FIN, or a reset when the request was not read to its end.
                return null;
            }
            byte[] body = new byte[size];
            in.readFully(body);
            return ByteBuffer.wrap(body);
        }
    }

    @Test
    void aFrameThatIsNotAKafkaRequestClosesItsConnectionAndTheDoorServesOn() throws Exception {
        assertNull(exchange(ByteBuffer.wrap(new byte[] {0x03, (byte) 0xe7, 0, 0, 0, 0, 0, 1})), "API key 999: closed");
        assertNull(exchange(ByteBuffer.wrap(new byte[] {0, 1})), "shorter than a header: closed");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            assertEquals(201, node.put("/topics/after-garbage", "{\"partitions\": 2}").statusCode());
            assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("after-garbage"));
            var described = admin.describeTopics(List.of("after-garbage")).allTopicNames().get(30, TimeUnit.SECONDS);
            assertEquals(2, described.get("after-garbage").partitions().size());
        }
    }

    @ParameterizedTest(name = "ListOffsets v{0}")
    @ValueSource(shorts = {1, 2, 3, 4, 6})
    void listOffsetsAnswersEachVersionServed(short version) throws Exception {
        // librdkafka 2.0 (kcat, confluent-kafka) asks in v2, below the leader epoch (v4+) the Java client reads.
        String topic = "offsets-v" + version;
        assertEquals(201, node.put("/topics/" + topic, "{\"partitions\": 1}").statusCode());
        assertEquals(200, node.post("/topics/" + topic + "/records", "[{\"value\":\"a\"},{\"value\":\"b\"}]").statusCode());
        ListOffsetsRequest request = ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED)
                .setTargetTimes(List.of(new ListOffsetsRequestData.ListOffsetsTopic().setName(topic).setPartitions(List.of(
                        new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                                .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP)))))
                .build(version);
        ByteBuffer response = exchange(request.serializeWithHeader(new RequestHeader(ApiKeys.LIST_OFFSETS, version, "test", 5)));
        assertTrue(response != null, "answered, the connection kept");
        ResponseHeader.parse(response, ApiKeys.LIST_OFFSETS.responseHeaderVersion(version));
        ListOffsetsResponse offsets = (ListOffsetsResponse) AbstractResponse.parseResponse(ApiKeys.LIST_OFFSETS,
                new ByteBufferAccessor(response), version);
        var partition = offsets.data().topics().get(0).partitions().get(0);
        assertEquals(Errors.NONE.code(), partition.errorCode());
        assertEquals(2, partition.offset());
        assertEquals(version >= 4 ? 0 : RecordBatch.NO_PARTITION_LEADER_EPOCH, partition.leaderEpoch());
    }

    @Test
    void anApiOrVersionNotServedGetsKafkasUnsupportedVersion() throws Exception {
        // ApiVersions newer than any Kafka knows: answered in v0 with the error and the versions served.
        ByteBuffer future = ByteBuffer.allocate(12).putShort(ApiKeys.API_VERSIONS.id).putShort((short) 99).putInt(7)
                .putShort((short) -1).flip();
        ByteBuffer answer = exchange(future);
        assertEquals(7, answer.getInt(), "the correlation id");
        ApiVersionsResponse versions = ApiVersionsResponse.parse(new ByteBufferAccessor(answer), (short) 0);
        assertEquals(Errors.UNSUPPORTED_VERSION.code(), versions.data().errorCode());
        assertEquals(KafkaApis.SUPPORTED.size(), versions.data().apiKeys().size());
        var produce = versions.data().apiKeys().find(ApiKeys.PRODUCE.id);
        assertEquals(3, produce.minVersion());
        assertEquals(12, produce.maxVersion());

        // An API Kafka has and the door does not serve (DescribeAcls): UNSUPPORTED_VERSION, connection kept.
        short version = 3;
        DescribeAclsRequest request = new DescribeAclsRequest.Builder(AclBindingFilter.ANY).build(version);
        ByteBuffer response = exchange(request.serializeWithHeader(new RequestHeader(ApiKeys.DESCRIBE_ACLS, version, "test", 11)));
        ResponseHeader header = ResponseHeader.parse(response, ApiKeys.DESCRIBE_ACLS.responseHeaderVersion(version));
        assertEquals(11, header.correlationId());
        DescribeAclsResponse acls = (DescribeAclsResponse) AbstractResponse.parseResponse(ApiKeys.DESCRIBE_ACLS,
                new ByteBufferAccessor(response), version);
        assertEquals(Errors.UNSUPPORTED_VERSION.code(), acls.data().errorCode());
    }

    @Test
    void adminCreatesDescribesAndDeletesTopicsTheHttpApiSees() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            NewTopic metrics = new NewTopic("admin-metrics", 4, (short) 1).configs(Map.of("retention.ms", "3600000"));
            admin.createTopics(List.of(metrics)).all().get(30, TimeUnit.SECONDS);
            JsonNode described = json(node.get("/topics/admin-metrics"));
            assertEquals(4, described.get("partitions").asInt(), described.toString());

            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "admin-metrics");
            Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
            assertEquals("3600000", config.get("retention.ms").value());
            assertEquals("-1", config.get("retention.bytes").value());

            assertCause(TopicExistsException.class, admin.createTopics(List.of(new NewTopic("admin-metrics", 1, (short) 1))).all());
            assertCause(InvalidReplicationFactorException.class,
                    admin.createTopics(List.of(new NewTopic("replicated", 1, (short) 3))).all());
            assertCause(InvalidConfigurationException.class, admin.createTopics(List.of(
                    new NewTopic("compacted", 1, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all());
            assertCause(InvalidPartitionsException.class, admin.createTopics(List.of(new NewTopic("none", 0, (short) 1))).all());
            assertTrue(!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("replicated"), "nothing created on a refusal");

            admin.deleteTopics(List.of("admin-metrics")).all().get(30, TimeUnit.SECONDS);
            assertEquals(404, node.get("/topics/admin-metrics").statusCode());
            assertCause(UnknownTopicOrPartitionException.class, admin.deleteTopics(List.of("admin-metrics")).all());
        }
    }

    @Test
    void adminDeleteRecordsMovesTheLogStartForKafkaAndHttpAlike() throws Exception {
        assertEquals(201, node.put("/topics/trimmed", "{\"partitions\": 2}").statusCode());
        try (KafkaProducer<String, String> producer = producer("none")) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("trimmed", 0, "k", "value-" + i));
            }
            producer.flush();
        }
        TopicPartition first = new TopicPartition("trimmed", 0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            DeletedRecords deleted = admin.deleteRecords(Map.of(first, RecordsToDelete.beforeOffset(4))).lowWatermarks()
                    .get(first).get(30, TimeUnit.SECONDS);
            assertEquals(4, deleted.lowWatermark());
            assertEquals(4, admin.listOffsets(Map.of(first, OffsetSpec.earliest())).partitionResult(first)
                    .get(30, TimeUnit.SECONDS).offset());
            assertEquals(10, admin.listOffsets(Map.of(first, OffsetSpec.latest())).partitionResult(first)
                    .get(30, TimeUnit.SECONDS).offset());

            List<ConsumerRecord<String, String>> read = readAll("trimmed", 1, 6);
            assertEquals(6, read.size());
            assertEquals(4, read.get(0).offset());
            assertEquals("value-4", read.get(0).value());

            JsonNode described = json(node.get("/topics/trimmed"));
            assertEquals(4, described.get("offsets").get(0).get("first_offset").asLong(), described.toString());
            assertEquals(4, json(node.get("/topics/trimmed/partitions/0/records?offset=earliest&max=1"))
                    .get("log_start_offset").asLong());

            // An offset below the start changes nothing; one past the high watermark is refused (an unknown
            // partition never reaches the door: the admin client waits for its leader; KafkaVersionsTest sends one).
            assertEquals(4, admin.deleteRecords(Map.of(first, RecordsToDelete.beforeOffset(2))).lowWatermarks().get(first)
                    .get(30, TimeUnit.SECONDS).lowWatermark());
            assertCause(OffsetOutOfRangeException.class,
                    admin.deleteRecords(Map.of(first, RecordsToDelete.beforeOffset(11))).all());
        }
        // The HTTP door's path to the same deletion: up to the high watermark with 'latest'.
        assertEquals(416, node.delete("/topics/trimmed/partitions/0/records?before=11").statusCode());
        JsonNode all = json(node.delete("/topics/trimmed/partitions/0/records?before=latest"));
        assertEquals(10, all.get("log_start_offset").asLong(), all.toString());
        assertEquals(10, json(node.get("/topics/trimmed")).get("offsets").get(0).get("first_offset").asLong());
    }

    @Test
    void adminCreatePartitionsIsRefusedWithKafkasErrors() throws Exception {
        assertEquals(201, node.put("/topics/fixed", "{\"partitions\": 2}").statusCode());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            ExecutionException refused = assertThrows(ExecutionException.class, () -> admin.createPartitions(
                    Map.of("fixed", NewPartitions.increaseTo(4))).all().get(30, TimeUnit.SECONDS));
            assertTrue(refused.getCause() instanceof InvalidRequestException, String.valueOf(refused.getCause()));
            assertTrue(refused.getCause().getMessage().contains("Strata cannot change a topic's partition count"),
                    refused.getCause().getMessage());
            assertCause(InvalidRequestException.class, admin.createPartitions(Map.of("fixed", NewPartitions.increaseTo(4)),
                    new CreatePartitionsOptions().validateOnly(true)).all());
            assertCause(InvalidPartitionsException.class, admin.createPartitions(Map.of("fixed", NewPartitions.increaseTo(2))).all());
            assertCause(InvalidPartitionsException.class, admin.createPartitions(Map.of("fixed", NewPartitions.increaseTo(1))).all());
            assertCause(InvalidReplicaAssignmentException.class, admin.createPartitions(Map.of("fixed",
                    NewPartitions.increaseTo(3, List.of(List.of(0))))).all());
            assertCause(UnknownTopicOrPartitionException.class, admin.createPartitions(Map.of("no-such-topic",
                    NewPartitions.increaseTo(3))).all());
        }
        assertEquals(2, json(node.get("/topics/fixed")).get("partitions").asInt());
    }

    @Test
    void aConsumerSeekingWithALeaderEpochIsValidatedByOffsetForLeaderEpoch() throws Exception {
        assertEquals(201, node.put("/topics/validated", "{\"partitions\": 1}").statusCode());
        TopicPartition partition = new TopicPartition("validated", 0);
        try (KafkaProducer<String, String> producer = producer("none")) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("validated", 0, "k", "value-" + i));
            }
            producer.flush();
        }
        try (KafkaConsumer<String, String> consumer = consumer()) {
            consumer.assign(List.of(partition));
            // A position in epoch 0 within the log: validated, and read from there.
            consumer.seek(partition, new OffsetAndMetadata(2, Optional.of(0), ""));
            List<ConsumerRecord<String, String>> read = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
            assertEquals(2, read.get(0).offset());

            // A position past where epoch 0 ends: the consumer sees the divergence and moves to the end
            // the node gave (5), reading nothing; without the answer a Fetch at 9 is out of range, the
            // consumer resets to earliest and reads 0..4 again.
            consumer.seek(partition, new OffsetAndMetadata(9, Optional.of(0), ""));
            List<ConsumerRecord<String, String>> again = new ArrayList<>();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumer.position(partition, Duration.ofSeconds(10)) == 9 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(again::add);
            }
            consumer.poll(Duration.ofMillis(500)).forEach(again::add);
            assertEquals(List.of(), again.stream().map(ConsumerRecord::offset).toList());
            assertEquals(5, consumer.position(partition, Duration.ofSeconds(10)));
        }
    }

    private static void assertCause(Class<? extends Throwable> expected, KafkaFuture<?> future) {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
        assertTrue(expected.isInstance(failed.getCause()), "expected " + expected.getSimpleName() + ", got " + failed.getCause());
    }
}
