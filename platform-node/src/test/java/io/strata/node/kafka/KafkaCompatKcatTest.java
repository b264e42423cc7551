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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * kcat (librdkafka's command-line client, as Debian ships it) against the Kafka door: it produces
 * keyed records with headers to each partition with a different compression and the idempotent
 * producer, reads them back by assignment from the beginning, and after a restart of the node on
 * the same data reads from a remembered offset and appends at the offset that follows. Skipped,
 * with the reason, where kcat is not on the PATH; {@code .ci/run} installs it.
 *
 * <p>kcat's balanced consumer ({@code -G}, librdkafka's KafkaConsumer: FindCoordinator, JoinGroup,
 * SyncGroup, Heartbeat, OffsetFetch, OffsetCommit, LeaveGroup) reads the whole topic in a group
 * from the earliest offset to the end ({@code -e}) and commits as it goes and on close; the HTTP
 * groups API shows exactly those commits. After the restart and more appends, the same group
 * reads exactly the records after its commit, no more, and its commits move to the new end.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaCompatKcatTest {

    private static final Duration TOOL_LIMIT = Duration.ofSeconds(60);
    /** The compression each partition's records are produced with, by partition. */
    private static final List<String> CODECS = List.of("snappy", "lz4", "zstd");
    private static final int PER_PARTITION = 40;
    private static final String TOPIC = "kcat-events";
    private static final String GROUP = "kcat-group";

    @TempDir
    Path dir;

    private static String kcat;

    // Before each test, not in @BeforeAll: surefire counts a skipped test, with its reason, and not a skipped class.
    @BeforeEach
    void kcatPresent() {
        var found = ChildTool.onPath("kcat");
        assumeTrue(found.isPresent(), "kcat is not on the PATH (Debian: apt-get install kcat, as .ci/run does)");
        kcat = found.orElseThrow().toString();
    }

    @Test
    void compressedIdempotentRecordsReadBackExactlyAndSurviveARestart() {
        List<Stored> produced = new ArrayList<>();
        try (TestNode node = KafkaCompat.start(dir)) {
            String bootstrap = KafkaCompat.bootstrap(node);
            assertEquals(201, node.put("/topics/" + TOPIC, "{\"partitions\": 3}").statusCode());
            JsonNode metadata = Json.parse(kcat(bootstrap, "-L", "-J", "-t", TOPIC).out().getBytes(StandardCharsets.UTF_8));
            assertEquals(3, metadata.get("topics").get(0).get("partitions").size(), metadata.toString());
            for (int p = 0; p < CODECS.size(); p++) {
                produced.addAll(produce(bootstrap, p, CODECS.get(p), 0, PER_PARTITION));
            }
            assertEquals(produced, consume(bootstrap, "-o", "beginning"));
            // A group from the earliest offset reads everything once and commits the end of each partition.
            assertEquals(produced, consumeInGroup(bootstrap));
            assertEquals(KafkaCompat.next(produced), KafkaCompat.committed(node, GROUP, TOPIC));
        }
        try (TestNode node = KafkaCompat.start(dir)) {
            String bootstrap = KafkaCompat.bootstrap(node);
            // Partition 1 from a remembered offset: the records stored before the restart, as they were.
            List<Stored> tail = produced.stream().filter(r -> r.partition() == 1 && r.offset() >= 25).toList();
            assertEquals(tail, consume(bootstrap, "-p", "1", "-o", "25"));
            // Appends resume at the offset after the last one stored.
            List<Stored> more = produce(bootstrap, 1, "gzip", PER_PARTITION, 10);
            assertEquals(more, consume(bootstrap, "-p", "1", "-o", Integer.toString(PER_PARTITION)));
            produced.addAll(more);
            produced.sort(Stored.ORDER);
            assertEquals(produced, consume(bootstrap, "-o", "beginning"));
            // The group resumes from its commits, which outlived the restart: only the new records.
            assertEquals(KafkaCompat.next(produced.stream().filter(r -> r.offset() < PER_PARTITION).toList()),
                    KafkaCompat.committed(node, GROUP, TOPIC));
            assertEquals(more, consumeInGroup(bootstrap));
            assertEquals(KafkaCompat.next(produced), KafkaCompat.committed(node, GROUP, TOPIC));
        }
    }

    /**
     * Produces {@code count} records to {@code partition} with {@code codec}, numbered from
     * {@code first} (which is also the offset the first gets): the records as they should read back.
     */
    private List<Stored> produce(String bootstrap, int partition, String codec, int first, int count) {
        StringBuilder lines = new StringBuilder();
        List<Stored> expected = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            String key = "key-" + partition + "-" + i;
            String value = "value " + i + " of partition " + partition + " \u00e9t\u00e9";
            lines.append(key).append('|').append(value).append('\n');
            expected.add(new Stored(partition, i, key, value, List.of("source", "kcat", "codec", codec)));
        }
        ChildTool.Result result = ChildTool.run(List.of(kcat, "-b", bootstrap, "-P", "-t", TOPIC,
                        "-p", Integer.toString(partition), "-K", "|", "-z", codec, "-H", "source=kcat", "-H", "codec=" + codec,
                        "-X", "enable.idempotence=true", "-X", "acks=all"),
                Map.of(), lines.toString(), TOOL_LIMIT).orFail();
        assertFalse(result.err().contains("ERROR"), result.describe());
        return expected;
    }

    /** Every record of the topic kcat reads by assignment with {@code where} (-p, -o), to the end, in partition and offset order. */
    private List<Stored> consume(String bootstrap, String... where) {
        List<String> command = new ArrayList<>(List.of(kcat, "-b", bootstrap, "-C", "-t", TOPIC, "-e", "-J", "-q"));
        command.addAll(List.of(where));
        return parse(kcat(command));
    }

    /**
     * What kcat's balanced consumer reads in {@link #GROUP}, from its commits (else the earliest
     * offset) to the end of every partition, committing automatically as it goes and on close; in
     * partition and offset order.
     */
    private List<Stored> consumeInGroup(String bootstrap) {
        ChildTool.Result result = kcat(List.of(kcat, "-b", bootstrap, "-G", GROUP, "-e", "-J", "-q",
                "-X", "auto.offset.reset=earliest", "-X", "enable.auto.commit=true", "-X", "auto.commit.interval.ms=100",
                "-X", "session.timeout.ms=10000", TOPIC));
        assertFalse(result.err().contains("ERROR"), result.describe());
        return parse(result);
    }

    private static List<Stored> parse(ChildTool.Result result) {
        List<Stored> read = new ArrayList<>();
        for (String line : result.out().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode json = Json.parse(line.getBytes(StandardCharsets.UTF_8));
            List<String> headers = new ArrayList<>();
            json.path("headers").forEach(h -> headers.add(h.asText()));
            read.add(new Stored(json.get("partition").asInt(), json.get("offset").asLong(), json.get("key").asText(),
                    json.get("payload").asText(), headers));
        }
        read.sort(Stored.ORDER);
        return read;
    }

    private ChildTool.Result kcat(String bootstrap, String... args) {
        List<String> command = new ArrayList<>(List.of(kcat, "-b", bootstrap));
        command.addAll(List.of(args));
        return kcat(command);
    }

    private static ChildTool.Result kcat(List<String> command) {
        return ChildTool.run(command, Map.of(), "", TOOL_LIMIT).orFail();
    }
}
