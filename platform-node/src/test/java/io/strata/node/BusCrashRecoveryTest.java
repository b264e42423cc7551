package io.strata.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.node.KvTestClient.Reply;
import io.strata.node.launch.NodeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills a node with SIGKILL while six producers append to a 3-partition topic over HTTP (single
 * records and small batches, keyed and unkeyed), restarts it on the same data directory and reads
 * every partition back from offset 0: offsets are dense; every acknowledged record is at the
 * position its acknowledgement named, once, with its payload; each producer's records keep its
 * order within a partition; nothing is unreadable or invented, and records whose reply never came
 * appear at most once. Appends after the restart continue at the end offset. A second test does
 * the same across a clean stop.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class BusCrashRecoveryTest {

    private static final String TOPIC = "crash";
    private static final int PARTITIONS = 3;
    private static final int PRODUCERS = 6;
    /** Producers run until the target of acknowledged records or this long, whichever comes first... */
    private static final Duration PRODUCE_PHASE = Duration.ofSeconds(5);
    /** ...but at least until a quarter of the target is acknowledged, however slow a loaded machine is. */
    private static final Duration SLOW_MACHINE_LIMIT = Duration.ofSeconds(60);
    private static final int MAX_REQUESTS_PER_PRODUCER = 100_000;
    private static final int READ_MAX = 1000;
    /** A record's value: {@code p<producer>-<sequence>}, sequence increasing per producer in sending order. */
    private static final Pattern PAYLOAD = Pattern.compile("p(\\d+)-(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final ChildNodes nodes = new ChildNodes();

    /** Where a record is, or was acknowledged to be. */
    private record Position(int partition, long offset) {}

    /** A record read back: its position, key and payload. */
    private record Stored(Position position, String key, String value, String producerHeader) {}

    @AfterEach
    void killWhatWasStarted() throws InterruptedException {
        nodes.killAll();
    }

    @ParameterizedTest(name = "durability {0}, {1} acknowledged records or 5 s")
    @CsvSource({"mmap, 1500", "fsync, 400"})
    void acknowledgedRecordsSurviveKill9(String durability, int targetAcks, @TempDir Path dir) throws Exception {
        NodeProcess.Builder builder = NodeProcess.builder(dir.resolve("data"))
                .logFile(dir.resolve("node.log"))
                .args("--durability", durability);
        NodeProcess node = start(builder);
        KvTestClient client = new KvTestClient(http, node.httpBase());
        Reply created = client.put("/topics/" + TOPIC, "{\"partitions\":" + PARTITIONS + ",\"retention\":\"7d\"}");
        assertEquals(201, created.status(), created.body());

        KillLoad load = new KillLoad(targetAcks);
        List<Producer> threads = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            threads.add(new Producer(p, client, load));
        }
        KillLoad.Killed<Producer> run = load.runUntilKill(nodes.pool(Executors.newFixedThreadPool(PRODUCERS)), threads,
                node, PRODUCE_PHASE, SLOW_MACHINE_LIMIT, "records");
        List<Producer> producers = run.workers();
        long produceMillis = run.loadMillis();
        int inFlightBeforeKill = run.inFlightBeforeKill();

        long restartStart = System.nanoTime();
        NodeProcess restarted = start(builder);
        long readyMillis = millisSince(restartStart);
        client = new KvTestClient(http, restarted.httpBase());
        Reply described = awaitPartitionsOpen(client);
        long recoveredMillis = millisSince(restartStart);
        assertEquals(200, described.status(), described.body());

        List<String> violations = new ArrayList<>();
        List<List<Stored>> partitions = readAll(client, violations);
        int unackedPresent = verify(partitions, producers, violations);
        assertTrue(violations.isEmpty(), violations.size() + " violations after recovery:\n"
                + String.join("\n", violations.subList(0, Math.min(violations.size(), 50)))
                + "\nnode log tail:\n" + restarted.logTail());
        assertEndOffsets(described, partitions);

        appendAfterRecovery(client, partitions, violations);
        assertTrue(violations.isEmpty(), String.join("\n", violations));
        restarted.stop();

        int unackedSent = producers.stream().mapToInt(p -> p.unacked.size()).sum();
        System.out.printf("[bus crash %s] %d records acknowledged in %d ms by %d producers (%d requests); %d requests in"
                        + " flight before kill -9; %d unacknowledged records sent, %d of them present after restart;"
                        + " partition sizes %s; restart: ready in %d ms, every partition open after %d ms%n",
                durability, load.acked.get(), produceMillis, PRODUCERS, producers.stream().mapToLong(p -> p.requests).sum(),
                inFlightBeforeKill, unackedSent, unackedPresent, partitions.stream().map(List::size).toList(),
                readyMillis, recoveredMillis);
    }

    @Test
    void offsetsContinueAfterACleanRestart(@TempDir Path dir) throws Exception {
        NodeProcess.Builder builder = NodeProcess.builder(dir.resolve("data")).logFile(dir.resolve("node.log"));
        NodeProcess node = start(builder);
        KvTestClient client = new KvTestClient(http, node.httpBase());
        assertEquals(201, client.put("/topics/" + TOPIC, "{\"partitions\":" + PARTITIONS + "}").status());
        Map<Position, String> written = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            written.putAll(produceTo(client, i % PARTITIONS, "before-" + i, "before-" + i + "-b"));
        }
        node.stop();

        NodeProcess again = start(builder);
        client = new KvTestClient(http, again.httpBase());
        assertEquals(200, awaitPartitionsOpen(client).status());
        for (int p = 0; p < PARTITIONS; p++) {
            Map<Position, String> after = produceTo(client, p, "after-" + p);
            assertEquals(Set.of(new Position(p, 20)), after.keySet(), "the first append after the restart, partition " + p);
            written.putAll(after);
        }
        List<String> violations = new ArrayList<>();
        List<List<Stored>> partitions = readAll(client, violations);
        assertTrue(violations.isEmpty(), String.join("\n", violations));
        Map<Position, String> read = new HashMap<>();
        partitions.forEach(records -> records.forEach(r -> read.put(r.position(), r.value())));
        assertEquals(written, read);
        again.stop();
    }

    private NodeProcess start(NodeProcess.Builder builder) {
        return nodes.start(builder);
    }

    /** Appends {@code values} (unkeyed) to one partition in one request; returns where they went. */
    private static Map<Position, String> produceTo(KvTestClient client, int partition, String... values)
            throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            body.append(i > 0 ? "," : "").append("{\"value\":\"").append(values[i]).append("\",\"partition\":").append(partition).append('}');
        }
        Reply reply = client.post("/topics/" + TOPIC + "/records", body.append(']').toString());
        assertEquals(200, reply.status(), reply.body());
        List<Position> positions = positions(reply.body());
        Map<Position, String> written = new HashMap<>();
        for (int i = 0; i < values.length; i++) {
            written.put(positions.get(i), values[i]);
        }
        return written;
    }

    /**
     * The topic description, which every partition answers once it has opened its log. A request
     * waits for that up to the node's ask timeout (503 after it), so a slow machine gets a few tries.
     */
    private static Reply awaitPartitionsOpen(KvTestClient client) throws IOException, InterruptedException {
        Reply described = client.get("/topics/" + TOPIC);
        for (int attempt = 1; attempt < 6 && described.status() == 503; attempt++) {
            described = client.get("/topics/" + TOPIC);
        }
        return described;
    }

    /** Every record of every partition, read from offset 0 to the end; offsets must be dense. */
    private static List<List<Stored>> readAll(KvTestClient client, List<String> violations) throws IOException, InterruptedException {
        List<List<Stored>> partitions = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            List<Stored> records = new ArrayList<>();
            long offset = 0;
            while (true) {
                Reply reply = client.get("/topics/" + TOPIC + "/partitions/" + p + "/records?offset=" + offset + "&max=" + READ_MAX);
                if (reply.status() != 200) {
                    violations.add("partition " + p + ": read at offset " + offset + " answered " + reply.status() + " " + reply.body());
                    break;
                }
                JsonNode body = JSON.readTree(reply.body());
                if (offset == 0 && body.get("log_start_offset").asLong() != 0) {
                    violations.add("partition " + p + ": log starts at " + body.get("log_start_offset") + ", not 0");
                }
                for (JsonNode record : body.get("records")) {
                    long at = record.get("offset").asLong();
                    if (at != offset) {
                        violations.add("partition " + p + ": offset " + at + " where " + offset + " belongs (a gap or reordering)");
                    }
                    JsonNode value = record.get("value");
                    JsonNode key = record.get("key");
                    JsonNode producer = record.at("/headers/producer");
                    records.add(new Stored(new Position(p, at), key == null ? null : key.asText(),
                            value == null || !value.isTextual() ? "<not a text value: " + record + ">" : value.asText(),
                            producer.isMissingNode() ? null : producer.asText()));
                    offset = at + 1;
                }
                long next = body.get("next_offset").asLong();
                if (next != offset) {
                    violations.add("partition " + p + ": next_offset " + next + " after reading up to " + offset);
                    break;
                }
                if (next >= body.get("log_end_offset").asLong()) {
                    break;
                }
            }
            partitions.add(records);
        }
        return partitions;
    }

    /**
     * Checks what was read against what the producers sent and were told; returns how many
     * records that were never acknowledged are present.
     */
    private static int verify(List<List<Stored>> partitions, List<Producer> producers, List<String> violations) {
        Map<String, Stored> found = new HashMap<>();
        for (List<Stored> records : partitions) {
            for (Stored r : records) {
                Matcher m = PAYLOAD.matcher(r.value());
                if (!m.matches()) {
                    violations.add(r.position() + ": unparseable value '" + r.value() + "'");
                    continue;
                }
                if (!m.group(1).equals(r.producerHeader())) {
                    violations.add(r.position() + ": value " + r.value() + " with header producer=" + r.producerHeader());
                }
                Stored earlier = found.put(r.value(), r);
                if (earlier != null) {
                    violations.add(r.value() + ": duplicated at " + earlier.position() + " and " + r.position());
                }
            }
        }
        Map<String, Producer> byName = new HashMap<>();
        producers.forEach(p -> byName.put(Integer.toString(p.id), p));
        int unackedPresent = 0;
        for (Stored r : found.values()) {
            Matcher m = PAYLOAD.matcher(r.value());
            m.matches();
            Producer producer = byName.get(m.group(1));
            if (producer == null || (!producer.acked.containsKey(r.value()) && !producer.unacked.containsKey(r.value()))) {
                violations.add(r.position() + ": " + r.value() + " was never sent");
            } else if (producer.unacked.containsKey(r.value())) {
                unackedPresent++;
                if (!Objects.equals(producer.unacked.get(r.value()), r.key())) {
                    violations.add(r.position() + ": unacknowledged " + r.value() + " has key " + r.key()
                            + ", sent with " + producer.unacked.get(r.value()));
                }
            }
        }
        for (Producer producer : producers) {
            producer.acked.forEach((value, sent) -> {
                Stored r = found.get(value);
                if (r == null) {
                    violations.add(value + ": acknowledged at " + sent.position() + " but lost");
                } else if (!r.position().equals(sent.position())) {
                    violations.add(value + ": acknowledged at " + sent.position() + " but found at " + r.position());
                } else if (!Objects.equals(r.key(), sent.key())) {
                    violations.add(value + ": sent with key " + sent.key() + ", found with " + r.key());
                }
            });
        }
        // Each producer sends one request at a time, so its records, acknowledged or not, keep its order in a partition.
        for (List<Stored> records : partitions) {
            Map<String, Long> lastSequence = new HashMap<>();
            for (Stored r : records) {
                Matcher m = PAYLOAD.matcher(r.value());
                if (m.matches()) {
                    long sequence = Long.parseLong(m.group(2));
                    Long before = lastSequence.put(m.group(1), sequence);
                    if (before != null && before >= sequence) {
                        violations.add(r.position() + ": " + r.value() + " after sequence " + before + " of the same producer");
                    }
                }
            }
        }
        return unackedPresent;
    }

    /** The recovered description's end offsets are the number of records read. */
    private static void assertEndOffsets(Reply described, List<List<Stored>> partitions) throws IOException {
        JsonNode offsets = JSON.readTree(described.body()).get("offsets");
        for (int p = 0; p < PARTITIONS; p++) {
            assertEquals(partitions.get(p).size(), offsets.get(p).get("next_offset").asLong(), "end offset of partition " + p);
            assertEquals(0, offsets.get(p).get("first_offset").asLong(), "first offset of partition " + p);
        }
    }

    /** Appends to every partition of the recovered node: the offsets continue at the end, and reads show them. */
    private static void appendAfterRecovery(KvTestClient client, List<List<Stored>> before, List<String> violations)
            throws IOException, InterruptedException {
        for (int p = 0; p < PARTITIONS; p++) {
            long end = before.get(p).size();
            Map<Position, String> written = produceTo(client, p, "after-" + p + "-a", "after-" + p + "-b");
            Set<Position> expected = Set.of(new Position(p, end), new Position(p, end + 1));
            if (!written.keySet().equals(expected)) {
                violations.add("partition " + p + ": appends after recovery went to " + written.keySet() + ", expected " + expected);
            }
        }
        List<List<Stored>> after = readAll(client, violations);
        for (int p = 0; p < PARTITIONS; p++) {
            List<Stored> records = after.get(p);
            if (!records.subList(0, Math.min(records.size(), before.get(p).size())).equals(before.get(p))
                    || records.size() != before.get(p).size() + 2) {
                violations.add("partition " + p + ": " + records.size() + " records after two appends to the "
                        + before.get(p).size() + " recovered ones, or the recovered ones changed");
            }
        }
    }

    private static List<Position> positions(String body) throws IOException {
        List<Position> positions = new ArrayList<>();
        for (JsonNode p : JSON.readTree(body).get("offsets")) {
            positions.add(new Position(p.get("partition").asInt(), p.get("offset").asLong()));
        }
        return positions;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    /** A record a producer sent and was told the position of. */
    private record Acked(Position position, String key) {}

    /**
     * One producer thread: request after request, a single record or a batch of two to five,
     * each record keyed (one of a few keys, so they hash to different partitions) or not. Its
     * ledgers are confined to its thread until it returns itself.
     */
    private static final class Producer implements Callable<Producer> {
        final int id;
        private final KvTestClient client;
        private final KillLoad load;
        private final SplittableRandom random;
        /** Value → where it was acknowledged to be, with its key. */
        final Map<String, Acked> acked = new HashMap<>();
        /** Value → key (null: unkeyed), of records sent whose reply never came. */
        final Map<String, String> unacked = new HashMap<>();
        long requests;
        private long sequence;

        Producer(int id, KvTestClient client, KillLoad load) {
            this.id = id;
            this.client = client;
            this.load = load;
            this.random = new SplittableRandom(id);
        }

        @Override
        public Producer call() throws InterruptedException {
            for (int i = 0; i < MAX_REQUESTS_PER_PRODUCER && !load.killed.get(); i++) {
                int size = random.nextInt(3) == 0 ? 1 : 2 + random.nextInt(4);
                List<String> values = new ArrayList<>();
                List<String> keys = new ArrayList<>();
                StringBuilder body = new StringBuilder("[");
                for (int r = 0; r < size; r++) {
                    String value = "p" + id + "-" + sequence++;
                    String key = random.nextBoolean() ? "k" + id + "-" + random.nextInt(5) : null;
                    values.add(value);
                    keys.add(key);
                    body.append(r > 0 ? "," : "").append("{\"value\":\"").append(value).append('"');
                    if (key != null) {
                        body.append(",\"key\":\"").append(key).append('"');
                    }
                    body.append(",\"headers\":{\"producer\":\"").append(id).append("\"}}");
                }
                if (!send(body.append(']').toString(), values, keys)) {
                    break;
                }
            }
            return this;
        }

        /** Sends one request and books its records; false when this producer must stop. */
        private boolean send(String body, List<String> values, List<String> keys) {
            load.inFlight.incrementAndGet();
            Reply reply;
            try {
                reply = client.post("/topics/" + TOPIC + "/records", body);
            } catch (HttpTimeoutException e) {
                return unanswered(values, keys, "timed out");
            } catch (IOException | InterruptedException e) {
                return unanswered(values, keys, e.toString());
            } finally {
                load.inFlight.decrementAndGet();
            }
            requests++;
            if (reply.status() == 503) {
                // It may still be appended: an unknown outcome, and the producer's order past it is unknown too.
                return unanswered(values, keys, "503 " + reply.body());
            }
            if (reply.status() != 200) {
                load.error("producer " + id + ": unexpected " + reply.status() + " " + reply.body());
                return false;
            }
            List<Position> positions;
            try {
                positions = positions(reply.body());
            } catch (IOException | RuntimeException e) {
                load.error("producer " + id + ": unparseable reply " + reply.body());
                return false;
            }
            if (positions.size() != values.size()) {
                load.error("producer " + id + ": " + positions.size() + " positions for " + values.size() + " records");
                return false;
            }
            for (int r = 0; r < values.size(); r++) {
                acked.put(values.get(r), new Acked(positions.get(r), keys.get(r)));
            }
            load.ack(values.size());
            return true;
        }

        private boolean unanswered(List<String> values, List<String> keys, String why) {
            for (int r = 0; r < values.size(); r++) {
                unacked.put(values.get(r), keys.get(r));
            }
            if (!load.killed.get()) {
                load.error("producer " + id + ": no answer before the kill: " + why);
            }
            return false;
        }
    }
}
