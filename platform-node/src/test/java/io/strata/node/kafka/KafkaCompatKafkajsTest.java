package io.strata.node.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.http.Json;
import io.strata.node.kafka.KafkaCompat.Stored;
import io.strata.node.testing.ChildTool;
import io.strata.node.testing.TestNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * kafkajs (the pure JavaScript client, run by Node.js) against the Kafka door: its producer sends
 * gzip-compressed keyed records with headers to chosen partitions (acks all, not idempotent, its
 * defaults; after the restart the idempotent producer), its admin client reads the topic's
 * metadata and offsets (earliest, latest and by time), and the records are read back exactly
 * through the Java consumer (by assignment) and over HTTP, before and after a restart of the node
 * on the same data.
 *
 * <p>kafkajs is found in the directory named by the system property {@code strata.kafkajs.modules}
 * or the environment variable {@code STRATA_KAFKAJS_MODULES}, else in {@code .ci/node/node_modules}
 * of the repository, where {@code .ci/run} installs it; the test never installs anything. Skipped,
 * with the reason, where node or kafkajs is absent.
 *
 * <p>kafkajs's consumer, which always joins a group, reads the topic from the beginning in a
 * group ({@code subscribe} with {@code fromBeginning}, {@code run} with {@code eachMessage}),
 * commits the end of each partition ({@code commitOffsets}) and disconnects; its admin client
 * (OffsetFetch) and the HTTP groups API show exactly those commits, and while it reads, the admin
 * client describes the group (DescribeGroups: stable, one member, kafkajs's round robin) and lists
 * it (ListGroups). After the restart and more
 * appends, a new consumer of the group reads exactly the records after its commit, this time
 * committing with kafkajs's autoCommit.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaCompatKafkajsTest {

    private static final Duration TOOL_LIMIT = Duration.ofSeconds(90);
    private static final String TOPIC = "kafkajs-events";
    private static final int PARTITIONS = 3;
    /** Records per send: a multiple of the partitions, so each send adds as many to every partition. */
    private static final int COUNT = 60;
    private static final String GROUP = "kafkajs-group";

    @TempDir
    Path dir;
    private final long started = System.currentTimeMillis();

    private static String node;
    private static Path modules;
    private static Path script;

    // Before each test, not in @BeforeAll: surefire counts a skipped test, with its reason, and not a skipped class.
    @BeforeEach
    void kafkajsPresent() throws Exception {
        var found = ChildTool.onPath("node");
        assumeTrue(found.isPresent(), "node (Node.js) is not on the PATH");
        node = found.orElseThrow().toString();
        modules = kafkajsModules();
        assumeTrue(Files.isRegularFile(modules.resolve("kafkajs/package.json")), "kafkajs is not installed in " + modules
                + " (.ci/run installs it with: npm install --prefix .ci/node kafkajs@2)");
        script = Path.of(KafkaCompatKafkajsTest.class.getResource("/kafka-compat/kafkajs_client.js").toURI());
    }

    /** Where kafkajs is: as configured, else the repository's .ci/node/node_modules above the working directory. */
    private static Path kafkajsModules() {
        String configured = Optional.ofNullable(System.getProperty("strata.kafkajs.modules"))
                .orElse(System.getenv("STRATA_KAFKAJS_MODULES"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve(".ci"))) {
                return d.resolve(".ci/node/node_modules");
            }
        }
        return Path.of(".ci/node/node_modules").toAbsolutePath();
    }

    @Test
    void recordsProducedByKafkajsReadBackExactlyAndSurviveARestart() {
        List<Stored> produced = expected(0, COUNT);
        try (TestNode strata = KafkaCompat.start(dir)) {
            String bootstrap = KafkaCompat.bootstrap(strata);
            assertEquals(201, strata.put("/topics/" + TOPIC, "{\"partitions\": " + PARTITIONS + "}").statusCode());
            assertSent(produce(bootstrap, 0, ""), 0);
            assertAdmin(bootstrap, COUNT / PARTITIONS);
            assertEquals(produced, consume(bootstrap, 0, produced.size()), "the Java consumer from the beginning");
            assertEquals(produced, overHttp(strata, 0));
            // A group from the beginning reads everything once and commits the end of each partition.
            assertEquals(produced, consumeInGroup(strata, bootstrap, produced, ""));
        }
        try (TestNode strata = KafkaCompat.start(dir)) {
            String bootstrap = KafkaCompat.bootstrap(strata);
            // From a remembered offset: what was stored before the restart, as it was.
            long from = 15;
            List<Stored> tail = produced.stream().filter(r -> r.offset() >= from).toList();
            assertEquals(tail, consume(bootstrap, from, tail.size()));
            assertAdmin(bootstrap, COUNT / PARTITIONS);
            // The idempotent producer appends at the offsets after the last stored.
            assertSent(produce(bootstrap, COUNT, "idempotent"), COUNT / PARTITIONS);
            List<Stored> all = new ArrayList<>(produced);
            all.addAll(expected(COUNT, COUNT));
            all.sort(Stored.ORDER);
            assertAdmin(bootstrap, 2 * COUNT / PARTITIONS);
            assertEquals(all, consume(bootstrap, 0, all.size()));
            assertEquals(all, overHttp(strata, 0));
            // The group resumes from its commits, which outlived the restart: only the new records.
            assertEquals(KafkaCompat.next(produced), KafkaCompat.committed(strata, GROUP, TOPIC));
            // This time kafkajs commits by itself (autoCommit): after each batch it has handed out.
            assertEquals(expected(COUNT, COUNT), consumeInGroup(strata, bootstrap, all, "auto"));
        }
    }

    /** Records {@code first..first+count-1} as kafkajs_client.js sends them: record i to partition i % 3, at offset i / 3. */
    private static List<Stored> expected(int first, int count) {
        List<Stored> records = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            records.add(new Stored(i % PARTITIONS, i / PARTITIONS, "key-" + i, "value " + i + " \u00e9t\u00e9",
                    List.of("n", Integer.toString(i), "client", "kafkajs")));
        }
        records.sort(Stored.ORDER);
        return records;
    }

    private static JsonNode produce(String bootstrap, int first, String idempotent) {
        return kafkajs("produce", bootstrap, TOPIC, Integer.toString(PARTITIONS), Integer.toString(first), Integer.toString(COUNT),
                idempotent);
    }

    /** The send's result: one batch per partition, each at {@code baseOffset}, none in error. */
    private static void assertSent(JsonNode sent, long baseOffset) {
        assertEquals(PARTITIONS, sent.size(), sent.toString());
        for (JsonNode batch : sent) {
            assertEquals(0, batch.get("errorCode").asInt(), sent.toString());
            assertEquals(baseOffset, batch.get("baseOffset").asLong(), sent.toString());
        }
    }

    /**
     * kafkajs's admin sees the topic's partitions led by this node, each from 0 to {@code end}, the
     * first record at or after the test's start at offset 0 of each.
     */
    private void assertAdmin(String bootstrap, long end) {
        JsonNode admin = kafkajs("admin", bootstrap, TOPIC, Long.toString(started));
        JsonNode partitions = admin.get("metadata").get("topics").get(0).get("partitions");
        assertEquals(PARTITIONS, partitions.size(), admin.toString());
        for (JsonNode p : partitions) {
            assertEquals(0, p.get("partitionErrorCode").asInt(), admin.toString());
            assertEquals(0, p.get("leader").asInt(), admin.toString());
        }
        JsonNode offsets = admin.get("offsets");
        assertEquals(PARTITIONS, offsets.size(), admin.toString());
        for (JsonNode o : offsets) {
            assertEquals(0, o.get("low").asLong(), admin.toString());
            assertEquals(end, o.get("high").asLong(), admin.toString());
        }
        JsonNode byTime = admin.get("byTime");
        assertEquals(PARTITIONS, byTime.size(), admin.toString());
        byTime.forEach(o -> assertEquals(0, o.get("offset").asLong(), admin.toString()));
    }

    /**
     * What a kafkajs consumer of {@link #GROUP} reads, in partition and offset order, asserting
     * that its commit, as kafkajs's admin fetches it and as GET /groups/{g} shows it, is the end
     * of each partition of {@code stored}; {@code commit} "auto" for kafkajs's autoCommit, "" for
     * commitOffsets.
     */
    private static List<Stored> consumeInGroup(TestNode strata, String bootstrap, List<Stored> stored, String commit) {
        int count = stored.size() - (int) KafkaCompat.committed(strata, GROUP, TOPIC).values().stream().mapToLong(Long::longValue).sum();
        JsonNode answer = kafkajs("group", bootstrap, TOPIC, GROUP, Integer.toString(count), commit);
        Map<Integer, Long> end = KafkaCompat.next(stored);
        Map<Integer, Long> committed = new TreeMap<>();
        answer.get("committed").fields().forEachRemaining(e -> committed.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
        assertEquals(end, committed, "the offsets after what the consumer read");
        // While it read: one member in a stable group, kafkajs's round robin the protocol chosen.
        JsonNode described = answer.get("described").get("groups");
        assertEquals(1, described.size(), described.toString());
        JsonNode group = described.get(0);
        assertEquals(List.of(GROUP, "Stable", "consumer", "RoundRobinAssigner", 0, 1), List.of(group.get("groupId").asText(),
                group.get("state").asText(), group.get("protocolType").asText(), group.get("protocol").asText(),
                group.get("errorCode").asInt(), group.get("members").size()), described.toString());
        assertEquals("strata-compat", group.get("members").get(0).get("clientId").asText(), described.toString());
        boolean listed = false;
        for (JsonNode g : answer.get("listed").get("groups")) {
            listed |= g.get("groupId").asText().equals(GROUP) && g.get("protocolType").asText().equals("consumer");
        }
        assertTrue(listed, "ListGroups names the group: " + answer.get("listed"));
        Map<Integer, Long> fetched = new TreeMap<>();
        answer.get("fetched").get(0).get("partitions").forEach(p -> fetched.put(p.get("partition").asInt(), p.get("offset").asLong()));
        assertEquals(end, fetched, "the commits as kafkajs's admin fetches them: " + answer.get("fetched"));
        assertEquals(end, KafkaCompat.committed(strata, GROUP, TOPIC), "the commits over HTTP");
        List<Stored> read = new ArrayList<>();
        for (JsonNode r : answer.get("records")) {
            List<String> headers = new ArrayList<>();
            r.get("headers").forEach(h -> h.forEach(part -> headers.add(part.asText())));
            read.add(new Stored(r.get("partition").asInt(), r.get("offset").asLong(), r.get("key").asText(), r.get("value").asText(), headers));
        }
        read.sort(Stored.ORDER);
        return read;
    }

    /** The script's one JSON line. */
    private static JsonNode kafkajs(String... args) {
        List<String> command = new ArrayList<>(List.of(node, script.toString()));
        command.addAll(List.of(args));
        ChildTool.Result result = ChildTool.run(command,
                Map.of("NODE_PATH", modules.toString(), "KAFKAJS_NO_PARTITIONER_WARNING", "1"), "", TOOL_LIMIT).orFail();
        return Json.parse(result.out().strip().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code count} records read by the Java consumer assigned every partition from {@code offset}, in partition and offset order. */
    private static List<Stored> consume(String bootstrap, long offset, int count) {
        List<Stored> read = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> assigned = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                assigned.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(assigned);
            assigned.forEach(tp -> consumer.seek(tp, offset));
            long deadline = System.nanoTime() + TOOL_LIMIT.toNanos();
            while (read.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    List<String> headers = new ArrayList<>();
                    for (Header h : r.headers()) {
                        headers.add(h.key());
                        headers.add(new String(h.value(), StandardCharsets.UTF_8));
                    }
                    read.add(new Stored(r.partition(), r.offset(), r.key(), r.value(), headers));
                }
            }
        }
        read.sort(Stored.ORDER);
        return read;
    }

    /** Every record of the topic from {@code offset} as GET /topics/{t}/partitions/{p}/records gives it. */
    private static List<Stored> overHttp(TestNode strata, long offset) {
        List<Stored> read = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            JsonNode page = TestNode.json(strata.get("/topics/" + TOPIC + "/partitions/" + p + "/records?offset=" + offset + "&max=1000"));
            for (JsonNode r : page.get("records")) {
                String value = r.has("value_base64")
                        ? new String(Base64.getDecoder().decode(r.get("value_base64").asText()), StandardCharsets.UTF_8)
                        : r.get("value").asText();
                JsonNode h = r.path("headers");
                assertEquals(2, h.size(), r.toString());
                read.add(new Stored(p, r.get("offset").asLong(), r.get("key").asText(), value,
                        List.of("n", h.path("n").asText(), "client", h.path("client").asText())));
            }
        }
        return read;
    }
}
