package io.strata.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.testing.Await;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kafka door of a cluster of a cluster file, with the real Java client: every node is a broker
 * on the Kafka port the file gives it, each partition's leader is the node it lives on, a
 * partition's produce or offset lookup sent to another node is refused with
 * {@code NOT_LEADER_OR_FOLLOWER}, and a producer goes on without losing an acknowledged record
 * while a node leaves ({@code POST /cluster/leave}: it hands its partitions over, then stops) and
 * its partitions move; a node stopped with SIGTERM keeps its partitions, which have no leader
 * ({@code LEADER_NOT_AVAILABLE}) until it is back.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterKafkaTest extends ClusterTest {

    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 6;
    private static final Duration SETTLE = Duration.ofSeconds(60);

    @Test
    void eachNodeIsABrokerLeadingItsOwnPartitionsAndProducersFollowAMove() throws Exception {
        createCluster("kafka-test", true);
        ClusterSpec spec = ClusterSpec.parse(cluster.file());
        for (String node : NODES) {
            cluster.start(node);
        }
        Map<Integer, String> nodeById = new HashMap<>();
        for (int i = 0; i < NODES.size(); i++) {
            nodeById.put(i, NODES.get(i));  // the default broker id: the node's place in the file, by name
        }
        assertEquals(201, cluster.send("n1", "PUT", "/topics/" + TOPIC, "{\"partitions\":" + PARTITIONS + "}").statusCode());

        try (Admin admin = admin("n1")) {
            // Every node is a broker on its own Kafka port, as the file gives it.
            Map<Integer, Integer> expected = new TreeMap<>();
            for (int i = 0; i < NODES.size(); i++) {
                expected.put(i, spec.node(NODES.get(i)).kafkaPort());
            }
            Await.until(SETTLE, () -> brokerPorts(admin), expected::equals, ports -> "brokers " + ports + ", expected " + expected);

            // Produce to every partition through a producer that only knows n1; read everything back through n2.
            Map<TopicPartition, List<String>> acked = new ConcurrentHashMap<>();
            try (KafkaProducer<String, String> producer = producer("n1")) {
                for (int i = 0; i < 60; i++) {
                    int p = i % PARTITIONS;
                    RecordMetadata sent = producer.send(new ProducerRecord<>(TOPIC, p, "k" + i, "v" + i)).get(60, TimeUnit.SECONDS);
                    record(acked, sent, "v" + i);
                }
            }
            assertEquals(60, acked.values().stream().mapToInt(List::size).sum());
            assertEquals(acked, readAll("n2", acked));

            // Each partition's leader is the node the placement table names as its home.
            Map<Integer, String> homes = Await.until(SETTLE, this::homes, h -> h.size() == PARTITIONS && h.values().stream()
                    .noneMatch(home -> home.contains("moving")), h -> "placement " + h);
            Map<Integer, String> leaders = leaders(admin, nodeById);
            assertEquals(homes, leaders, "leaders by partition");

            // A produce or an offset lookup sent straight to a node the partition does not live on is refused.
            int elsewhere = homes.entrySet().stream().filter(e -> !e.getValue().equals("n1")).findFirst().orElseThrow().getKey();
            int n1Port = spec.node("n1").kafkaPort();
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, rawProduce(n1Port, elsewhere));
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, rawListOffsets(n1Port, elsewhere));
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, rawFetch(n1Port, elsewhere));
            int home = spec.node(homes.get(elsewhere)).kafkaPort();
            assertEquals(Errors.NONE, rawProduce(home, elsewhere), "its home takes it");
            acked.computeIfAbsent(new TopicPartition(TOPIC, elsewhere), tp -> Collections.synchronizedList(new ArrayList<>()))
                    .add("raw");

            // A node that homes partitions leaves while a producer (knowing only n1) keeps writing.
            String leaving = homes.containsValue("n3") ? "n3" : "n2";
            AtomicReference<Exception> failed = new AtomicReference<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer;
            try (KafkaProducer<String, String> producer = producer("n1")) {
                writer = new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String value = "w" + i;
                        producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, "k" + i, value), (sent, failure) -> {
                            if (failure != null) {
                                failed.compareAndSet(null, failure);
                            } else {
                                record(acked, sent, value);
                            }
                        });
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "kafka-test-writer");
                writer.start();
                long beforeLeave = ackedCount(acked);
                Await.until(Duration.ofSeconds(30), () -> ackedCount(acked), n -> n >= beforeLeave + 50,
                        n -> "records the writer had acknowledged before the leave: " + (n - beforeLeave));
                // Told to leave, it hands its partitions over (each moves with its files), then stops by itself.
                HttpResponse<String> leave = cluster.send(leaving, "POST", "/cluster/leave", null);
                assertEquals(202, leave.statusCode(), leave.body());
                Await.until(Duration.ofSeconds(120), () -> cluster.process(leaving).isAlive(), alive -> !alive,
                        alive -> leaving + " still running");
                // The writer goes on through the partitions' new homes.
                long afterLeave = ackedCount(acked);
                Await.until(Duration.ofSeconds(60), () -> ackedCount(acked), n -> n >= afterLeave + 50,
                        n -> "records the writer had acknowledged after " + leaving + " left: " + (n - afterLeave));
                stop.set(true);
                writer.join(10_000);
                producer.flush();
            }
            Map<Integer, String> moved = homes();
            assertTrue(!moved.containsValue(leaving), "every partition handed over: " + moved);
            assertNull(failed.get(), () -> "a send failed: " + failed.get());

            // The leaving node is no broker any more; its partitions are led by their new homes.
            Map<Integer, Integer> left = new TreeMap<>(expected);
            left.values().remove(spec.node(leaving).kafkaPort());
            Await.until(SETTLE, () -> brokerPorts(admin), left::equals, ports -> "brokers " + ports + ", expected " + left);
            assertEquals(moved, leaders(admin, nodeById), "leaders after the move");

            // Every acknowledged record is there, in order, once.
            String other = leaving.equals("n2") ? "n3" : "n2";
            assertEquals(acked, readAll(other, acked));

            // Stopped (SIGTERM), a node keeps its partitions on its disk: they have no leader until it is back.
            if (moved.containsValue(other)) {
                System.out.println("stopping " + other + ", home of partitions " + moved);
                cluster.process(other).stop();
                Map<Integer, String> down = new TreeMap<>(moved);
                down.replaceAll((p, node) -> node.equals(other) ? "none" : node);
                Await.until(SETTLE, () -> leaders(admin, nodeById), down::equals, l -> "leaders " + l + ", expected " + down);
                cluster.start(other);
                Await.until(SETTLE, () -> leaders(admin, nodeById), moved::equals, l -> "leaders " + l + ", expected " + moved);
                try (KafkaProducer<String, String> producer = producer("n1")) {
                    for (int p = 0; p < PARTITIONS; p++) {
                        record(acked, producer.send(new ProducerRecord<>(TOPIC, p, "back", "back" + p)).get(60, TimeUnit.SECONDS),
                                "back" + p);
                    }
                }
                assertEquals(acked, readAll("n1", acked));
            }
        }
    }

    /** How many records have been acknowledged so far (the gaps a record not yet acknowledged leaves not counted). */
    private static long ackedCount(Map<TopicPartition, List<String>> acked) {
        long count = 0;
        for (List<String> values : acked.values()) {
            synchronized (values) {
                count += values.stream().filter(Objects::nonNull).count();
            }
        }
        return count;
    }

    private static void record(Map<TopicPartition, List<String>> acked, RecordMetadata sent, String value) {
        List<String> values = acked.computeIfAbsent(new TopicPartition(sent.topic(), sent.partition()),
                tp -> Collections.synchronizedList(new ArrayList<>()));
        synchronized (values) {
            while (values.size() <= sent.offset()) {
                values.add(null);
            }
            values.set((int) sent.offset(), value);
        }
    }

    private Map<Integer, String> homes() throws Exception {
        JsonNode partitions = json(cluster.send("n1", "GET", "/cluster/placement", null)).path("partitions");
        Map<Integer, String> homes = new TreeMap<>();
        String prefix = io.strata.node.bus.TopicPartition.TYPE_KEY.name() + "/" + TOPIC + "-";
        partitions.properties().forEach(e -> {
            if (e.getKey().startsWith(prefix)) {
                homes.put(Integer.parseInt(e.getKey().substring(prefix.length())), e.getValue().asText());
            }
        });
        return homes;
    }

    private static Map<Integer, Integer> brokerPorts(Admin admin) throws Exception {
        return admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream()
                .collect(Collectors.toMap(Node::id, Node::port, (a, b) -> a, TreeMap::new));
    }

    private static Map<Integer, String> leaders(Admin admin, Map<Integer, String> nodeById) throws Exception {
        TopicDescription topic = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(10, TimeUnit.SECONDS).get(TOPIC);
        Map<Integer, String> leaders = new TreeMap<>();
        for (TopicPartitionInfo p : topic.partitions()) {
            leaders.put(p.partition(), p.leader() == null ? "none" : nodeById.get(p.leader().id()));
            assertEquals(p.leader() == null ? List.of() : List.of(p.leader()), p.replicas(), "the leader is the only replica");
        }
        return leaders;
    }

    /** Every record of the partitions of {@code expected}, read through a consumer that knows only {@code node}. */
    private Map<TopicPartition, List<String>> readAll(String node, Map<TopicPartition, List<String>> expected) {
        long total = expected.values().stream().mapToLong(List::size).sum();
        Map<TopicPartition, List<String>> read = new HashMap<>();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(node));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.assign(new ArrayList<>(expected.keySet()));
            consumer.seekToBeginning(expected.keySet());
            long deadline = System.nanoTime() + SETTLE.toNanos();
            long count = 0;
            while (count < total && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    List<String> values = read.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new ArrayList<>());
                    assertEquals(values.size(), r.offset(), "offsets are dense, from 0");
                    values.add(r.value());
                    count++;
                }
            }
        }
        return read;
    }

    /** A one-record produce of {@code partition}, sent as it is to the door at {@code port}: the partition's error. */
    private static Errors rawProduce(int port, int partition) throws IOException {
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName(TOPIC);
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(partition)
                .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("raw".getBytes(StandardCharsets.UTF_8)))));
        request.topicData().add(topic);
        short version = 9;
        ByteBuffer response = exchange(port, ApiKeys.PRODUCE, version, request);
        return Errors.forCode(new ProduceResponseData(new ByteBufferAccessor(response), version).responses().iterator().next()
                .partitionResponses().get(0).errorCode());
    }

    private static Errors rawListOffsets(int port, int partition) throws IOException {
        ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(-1);
        request.topics().add(new ListOffsetsRequestData.ListOffsetsTopic().setName(TOPIC).setPartitions(List.of(
                new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(partition)
                        .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP))));
        short version = 6;
        ByteBuffer response = exchange(port, ApiKeys.LIST_OFFSETS, version, request);
        return Errors.forCode(new ListOffsetsResponseData(new ByteBufferAccessor(response), version).topics().get(0).partitions()
                .get(0).errorCode());
    }

    private static Errors rawFetch(int port, int partition) throws IOException {
        FetchRequestData request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20)
                .setSessionEpoch(-1);
        request.topics().add(new FetchRequestData.FetchTopic().setTopic(TOPIC).setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(partition).setFetchOffset(0).setPartitionMaxBytes(1 << 20))));
        short version = 12;
        ByteBuffer response = exchange(port, ApiKeys.FETCH, version, request);
        return Errors.forCode(new FetchResponseData(new ByteBufferAccessor(response), version).responses().get(0).partitions()
                .get(0).errorCode());
    }

    /** One request on a fresh connection: the response's body, its header read. */
    private static ByteBuffer exchange(int port, ApiKeys api, short version, ApiMessage body) throws IOException {
        RequestHeader header = new RequestHeader(api, version, "cluster-kafka-test", 1);
        short headerVersion = api.requestHeaderVersion(version);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer request = ByteBuffer.allocate(header.data().size(cache, headerVersion) + body.size(cache, version));
        ByteBufferAccessor writer = new ByteBufferAccessor(request);
        header.data().write(writer, cache, headerVersion);
        body.write(writer, cache, version);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(request.capacity());
            out.write(request.array());
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readInt()];
            in.readFully(answer);
            ByteBuffer response = ByteBuffer.wrap(answer);
            ResponseHeader.parse(response, api.responseHeaderVersion(version));
            return response;
        }
    }

    private KafkaProducer<String, String> producer(String node) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(node));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "90000");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    private Admin admin(String node) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(node));
        return Admin.create(props);
    }

    private String bootstrap(String node) {
        return "127.0.0.1:" + ClusterSpec.parse(cluster.file()).node(node).kafkaPort();
    }
}
