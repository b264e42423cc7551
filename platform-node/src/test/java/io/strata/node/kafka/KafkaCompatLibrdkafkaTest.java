package io.strata.node.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.http.Json;
import io.strata.node.kafka.KafkaCompat.Stored;
import io.strata.node.testing.ChildTool;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * confluent-kafka for Python (librdkafka, Debian's python3-confluent-kafka) against the Kafka door:
 * the idempotent producer (enable.idempotence=true, acks=all) sends keyed records with headers,
 * compressed, partitioned by the client's own partitioner; a consumer assigned every partition
 * from OFFSET_BEGINNING (no group) reads back each record exactly where the delivery reports said
 * it went, and the watermarks and offsets by time (ListOffsets) match; after a restart of the node
 * on the same data it reads from a remembered offset, and the producer appends at the offsets that
 * follow. Runs {@code /usr/bin/python3}, the interpreter Debian's module is for; skipped, with the
 * reason, where that module is absent ({@code .ci/run} installs it).
 *
 * <p>In a consumer group ({@code Consumer.subscribe}, auto commit off): a consumer reads every
 * record from the earliest offset, {@code commit(asynchronous=False)} commits the end of each
 * partition, as the HTTP groups API shows, and closes; two consumers of another group split the
 * partitions between them, each a share of its own, and read every record once, while
 * {@code AdminClient.list_groups} shows the group stable with both. After the restart and more
 * appends, a new consumer of the first group reads exactly the records after its commit.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaCompatLibrdkafkaTest {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Duration TOOL_LIMIT = Duration.ofSeconds(90);
    private static final String TOPIC = "librdkafka-events";
    private static final int PARTITIONS = 3;
    private static final int COUNT = 200;
    private static final String GROUP = "librdkafka-group";

    @TempDir
    Path dir;

    private static Path script;

    // Before each test, not in @BeforeAll: surefire counts a skipped test, with its reason, and not a skipped class.
    @BeforeEach
    void confluentKafkaPresent() throws Exception {
        boolean present = Files.isExecutable(PYTHON) && ChildTool.run(List.of(PYTHON.toString(), "-c", "import confluent_kafka"),
                Map.of(), "", Duration.ofSeconds(30)).exitCode() == 0;
        assumeTrue(present, "/usr/bin/python3 cannot import confluent_kafka (Debian: apt-get install python3-confluent-kafka, "
                + "as .ci/run does)");
        script = Path.of(KafkaCompatLibrdkafkaTest.class.getResource("/kafka-compat/confluent_kafka_client.py").toURI());
    }

    @Test
    void idempotentCompressedRecordsReadBackExactlyAndSurviveARestart() {
        List<Stored> produced;
        long started = System.currentTimeMillis();
        try (TestNode node = KafkaCompat.start(dir)) {
            String bootstrap = KafkaCompat.bootstrap(node);
            assertEquals(201, node.put("/topics/" + TOPIC, "{\"partitions\": " + PARTITIONS + "}").statusCode());
            produced = produce(bootstrap, 0, COUNT, "zstd");
            assertEquals(PARTITIONS, produced.stream().map(Stored::partition).distinct().count(), "the keys spread over every partition");
            for (int p = 0; p < PARTITIONS; p++) {
                int partition = p;
                List<Long> offsets = produced.stream().filter(r -> r.partition() == partition).map(Stored::offset).toList();
                assertEquals(dense(0, offsets.size()), offsets, "partition " + p + ": dense offsets from 0 in send order");
            }
            assertEquals(produced, consume(bootstrap, -2, COUNT), "from OFFSET_BEGINNING");
            assertOffsets(bootstrap, produced, started);
            // A group from the earliest offset reads everything once and commits the end of each partition.
            assertEquals(produced, consumeInGroup(node, bootstrap, produced));
            assertSplit(bootstrap, produced);
        }
        try (TestNode node = KafkaCompat.start(dir)) {
            String bootstrap = KafkaCompat.bootstrap(node);
            // From a remembered offset in every partition: what was stored before the restart, as it was.
            int from = 20;
            List<Stored> tail = produced.stream().filter(r -> r.offset() >= from).toList();
            assertEquals(tail, consume(bootstrap, from, tail.size()));
            // A new producer appends at the offsets after the last stored.
            List<Stored> more = produce(bootstrap, COUNT, 60, "snappy");
            for (int p = 0; p < PARTITIONS; p++) {
                int partition = p;
                long before = produced.stream().filter(r -> r.partition() == partition).count();
                List<Long> offsets = more.stream().filter(r -> r.partition() == partition).map(Stored::offset).toList();
                assertEquals(dense(before, offsets.size()), offsets, "partition " + p + " resumes at " + before);
            }
            List<Stored> all = new ArrayList<>(produced);
            all.addAll(more);
            all.sort(Stored.ORDER);
            assertEquals(all, consume(bootstrap, -2, all.size()));
            assertOffsets(bootstrap, all, started);
            // The group resumes from its commits, which outlived the restart: only the new records.
            assertEquals(KafkaCompat.next(produced), KafkaCompat.committed(node, GROUP, TOPIC));
            assertEquals(more, consumeInGroup(node, bootstrap, all));
        }
    }

    /**
     * The watermarks of each partition span {@code stored}; the first record at or after the
     * test's start is each partition's first, and none is at or after an hour from now (-1).
     */
    private static void assertOffsets(String bootstrap, List<Stored> stored, long started) {
        for (long timestamp : new long[] {started, System.currentTimeMillis() + 3_600_000}) {
            List<JsonNode> offsets = python("offsets", bootstrap, TOPIC, Integer.toString(PARTITIONS), Long.toString(timestamp));
            assertEquals(PARTITIONS, offsets.size(), offsets.toString());
            for (JsonNode o : offsets) {
                int partition = o.get("partition").asInt();
                long count = stored.stream().filter(r -> r.partition() == partition).count();
                assertEquals(0, o.get("low").asLong(), offsets.toString());
                assertEquals(count, o.get("high").asLong(), offsets.toString());
                assertEquals(timestamp == started ? 0 : -1, o.get("by_time").asLong(), offsets.toString());
            }
        }
    }

    private static List<Long> dense(long first, int count) {
        List<Long> offsets = new ArrayList<>();
        for (long o = first; o < first + count; o++) {
            offsets.add(o);
        }
        return offsets;
    }

    /** Records {@code first..first+count-1} as the delivery reports place them, in partition and offset order. */
    private static List<Stored> produce(String bootstrap, int first, int count, String compression) {
        List<Stored> produced = new ArrayList<>();
        for (JsonNode report : python("produce", bootstrap, TOPIC, Integer.toString(first), Integer.toString(count), compression)) {
            String key = report.get("key").asText();
            String n = key.substring("key-".length());
            produced.add(new Stored(report.get("partition").asInt(), report.get("offset").asLong(), key,
                    "value " + n + " \u00e9t\u00e9", List.of("n", n, "client", "confluent-kafka")));
        }
        assertEquals(count, produced.size(), "a delivery report per record");
        produced.sort(Stored.ORDER);
        return produced;
    }

    /** {@code count} records read by assignment of every partition from {@code offset} (-2: the beginning), in partition and offset order. */
    private static List<Stored> consume(String bootstrap, long offset, int count) {
        List<Stored> read = new ArrayList<>();
        for (JsonNode r : python("consume", bootstrap, TOPIC, Integer.toString(PARTITIONS), Long.toString(offset), Integer.toString(count))) {
            read.add(stored(r));
        }
        read.sort(Stored.ORDER);
        return read;
    }

    /**
     * What a consumer of {@link #GROUP} reads, in partition and offset order, asserting that its
     * commit, as the client reports it and as GET /groups/{g} shows it, is the end of each
     * partition of {@code stored}.
     */
    private static List<Stored> consumeInGroup(TestNode node, String bootstrap, List<Stored> stored) {
        List<JsonNode> lines = python("group", bootstrap, TOPIC, GROUP, Integer.toString(stored.size() - committedCount(node)));
        JsonNode committed = lines.remove(lines.size() - 1).get("committed");
        Map<Integer, Long> reported = new TreeMap<>();
        committed.fields().forEachRemaining(e -> reported.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
        assertEquals(KafkaCompat.next(stored), reported, "what commit() returned");
        assertEquals(KafkaCompat.next(stored), KafkaCompat.committed(node, GROUP, TOPIC), "the group's commits over HTTP");
        return lines.stream().map(KafkaCompatLibrdkafkaTest::stored).sorted(Stored.ORDER).toList();
    }

    /** How many records the group has consumed by its commits. */
    private static int committedCount(TestNode node) {
        return (int) KafkaCompat.committed(node, GROUP, TOPIC).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Two consumers of one group read {@code stored} between them, each from partitions of its own, none twice. */
    private static void assertSplit(String bootstrap, List<Stored> stored) {
        List<JsonNode> lines = python("split", bootstrap, TOPIC, "librdkafka-split", Integer.toString(stored.size()),
                Integer.toString(PARTITIONS));
        JsonNode last = lines.remove(lines.size() - 1);
        JsonNode assignments = last.get("assignments");
        // AdminClient.list_groups (ListGroups, DescribeGroups) while both are in it.
        JsonNode described = last.get("described");
        assertEquals(1, described.size(), described.toString());
        JsonNode group = described.get(0);
        assertEquals(List.of("librdkafka-split", "null", "Stable", "consumer", "range", 2), List.of(group.get("id").asText(),
                group.get("error").asText(), group.get("state").asText(), group.get("protocol_type").asText(),
                group.get("protocol").asText(), group.get("members").size()), described.toString());
        List<Set<Integer>> owned = new ArrayList<>();
        assignments.forEach(a -> {
            Set<Integer> partitions = new TreeSet<>();
            a.forEach(p -> partitions.add(p.asInt()));
            owned.add(partitions);
        });
        assertEquals(2, owned.size(), assignments.toString());
        Set<Integer> union = new TreeSet<>(owned.get(0));
        union.addAll(owned.get(1));
        assertEquals(Set.of(0, 1, 2), union, "every partition assigned: " + assignments);
        assertEquals(PARTITIONS, owned.get(0).size() + owned.get(1).size(), "no partition twice: " + assignments);
        for (int member = 0; member < 2; member++) {
            int m = member;
            assertFalse(owned.get(m).isEmpty(), "member " + m + " has a share: " + assignments);
            List<Stored> read = lines.stream().filter(l -> l.get("member").asInt() == m).map(KafkaCompatLibrdkafkaTest::stored)
                    .sorted(Stored.ORDER).toList();
            assertEquals(stored.stream().filter(r -> owned.get(m).contains(r.partition())).toList(), read,
                    "member " + m + " reads its partitions' records once");
        }
    }

    private static Stored stored(JsonNode r) {
        List<String> headers = new ArrayList<>();
        r.get("headers").forEach(h -> h.forEach(part -> headers.add(part.asText())));
        return new Stored(r.get("partition").asInt(), r.get("offset").asLong(), r.get("key").asText(), r.get("value").asText(), headers);
    }

    /** The script's JSON lines. */
    private static List<JsonNode> python(String... args) {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script.toString()));
        command.addAll(List.of(args));
        ChildTool.Result result = ChildTool.run(command, Map.of(), "", TOOL_LIMIT).orFail();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : result.out().split("\n")) {
            if (!line.isBlank()) {
                lines.add(Json.parse(line.getBytes(StandardCharsets.UTF_8)));
            }
        }
        return lines;
    }
}
