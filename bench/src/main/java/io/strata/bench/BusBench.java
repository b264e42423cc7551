package io.strata.bench;

import com.google.protobuf.ByteString;
import io.strata.bench.Rounds.Step;
import io.strata.node.StrataNode;
import io.strata.node.bus.BusStore;
import io.strata.node.bus.Retention;
import io.strata.node.bus.TopicPartition;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.bus.proto.ProduceRequest;
import io.strata.node.bus.proto.ValueFormat;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The bus benchmark. On a fresh node (mmap durability) in a temporary directory, each figure in
 * records per second beside a raw Chronicle Queue anchor ({@link RawChronicle}) measured in the same run:
 * <ul>
 *   <li>{@code bus.append.inproc}: {@link BusStore#produce} of batches, N batches in flight, vs {@value RawChronicle#APPEND};</li>
 *   <li>{@code bus.append.http.json}, {@code bus.append.http.protobuf}: {@code POST /topics/bench/records}
 *       of batches on C keep-alive connections, vs the same anchor;</li>
 *   <li>{@code bus.consume.inproc}: one consumer's {@link BusStore#read}s of {@value #READ_MAX} records
 *       from a pre-filled partition, vs {@value RawChronicle#TAIL};</li>
 *   <li>{@code bus.e2e.inproc}: produce-to-visible latency, one record at a time to a reader
 *       long-polling the partition ({@link EndToEnd}), vs {@value RawChronicle#E2E}.</li>
 * </ul>
 * Then on a fresh node in fsync durability: {@code bus.append.fsync}, single-record POSTs on as many
 * connections as there are producers, vs {@link RedisAnchor} (skipped, with a note, when redis
 * cannot run). Append latencies are per batch (request); figures are medians over the rounds.
 */
final class BusBench {

    /** The topic appends go to; it lives only in the temporary node. */
    static final String TOPIC = "bench";
    /** The pre-filled topic the consumer reads. */
    static final String READ_TOPIC = "bench-read";
    /** The topic of the produce-to-visible figure: one producer, one reader. */
    static final String E2E_TOPIC = "bench-e2e";
    /** Records per read, of the bus and of the raw tailer. */
    static final int READ_MAX = 1000;

    private static final String RECORDS_PATH = "/topics/" + TOPIC + "/records";
    private static final int PREFILL_BATCH = 1000;
    private static final long PREFILL_TIMEOUT_SECONDS = 60;
    private static final long REDIS_PROBE_TIMEOUT_SECONDS = 60;
    /** How long the produce-to-visible reader's read waits at the partition's end. */
    private static final java.time.Duration LONG_POLL = java.time.Duration.ofMillis(500);

    /**
     * @param consumeRecords records pre-filled for the consumer (rounded up to whole reads)
     * @param fsync whether to measure {@code bus.append.fsync} at all
     * @param redis whether its redis anchor may run (installing redis if needed)
     */
    record Settings(Window window, int rounds, int concurrency, int valueSize, int batchSize, int partitions,
                    int consumeRecords, int fsyncProducers, boolean fsync, boolean redis) {}

    private final Settings settings;
    private final Rounds rounds;
    private final PrintWriter progress;
    private final byte[] value;
    private final List<String> notes = new ArrayList<>();
    private final List<BenchReport.Skipped> skipped = new ArrayList<>();

    /** @param progress where a line per run goes as the benchmark proceeds */
    BusBench(Settings settings, PrintWriter progress) {
        this.settings = settings;
        this.progress = progress;
        this.rounds = new Rounds(settings.window(), settings.rounds(), progress);
        this.value = new byte[settings.valueSize()];
        // Printable ASCII, so that the very same bytes can travel as a JSON string.
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) ('a' + random.nextInt(26));
        }
    }

    List<Figure> run() throws Exception {
        List<Figure> figures = new ArrayList<>(mmapFigures());
        if (settings.fsync()) {
            figures.addAll(fsyncFigures());
        } else {
            skipped.add(new BenchReport.Skipped("bus.append.fsync", RedisAnchor.NAME, "off (--no-fsync)"));
        }
        return figures;
    }

    /** The figures the run left out (the fsync figure without its redis anchor), and why. */
    List<BenchReport.Skipped> skipped() {
        return Collections.unmodifiableList(skipped);
    }

    /** What the run could not measure, and why. */
    List<String> notes() {
        return Collections.unmodifiableList(notes);
    }

    private List<Figure> mmapFigures() throws Exception {
        int batch = settings.batchSize();
        int consumeRecords = roundUp(settings.consumeRecords(), READ_MAX);
        try (ScratchDir dir = ScratchDir.create("strata-bench-bus-")) {
            StrataNode node = startNode(dir, "mmap");
            try (node; RawChronicle raw = new RawChronicle(dir.path().resolve("raw"), value, consumeRecords)) {
                BusStore bus = node.bus();
                bus.createTopic(TOPIC, settings.partitions(), Retention.FOREVER).toCompletableFuture().join();
                bus.createTopic(READ_TOPIC, 1, Retention.FOREVER).toCompletableFuture().join();
                bus.createTopic(E2E_TOPIC, 1, Retention.FOREVER).toCompletableFuture().join();
                rounds.report("[mmap] node up on 127.0.0.1:%d (data in %s); pre-filling %,d records of %d B to read",
                        node.httpPort(), dir.path(), consumeRecords, value.length);
                prefill(bus, consumeRecords);

                List<BusRecord> records = Collections.nCopies(batch, record());
                Step appendInProcess = new Step("bus.append.inproc", window -> new AsyncLoad(() -> bus.produce(TOPIC, records),
                        reply -> reply instanceof List<?> positions && positions.size() == batch, settings.concurrency())
                        .run(window).perRecord(batch));
                Step rawAppend = new Step(RawChronicle.APPEND, window -> raw.append(window, batch));
                HttpLoad json = httpLoad(node, settings.concurrency(), "application/json", jsonBatch(batch));
                HttpLoad protobuf = httpLoad(node, settings.concurrency(), "application/x-protobuf",
                        ProduceRequest.newBuilder().addAllRecords(records).build().toByteArray());
                Step appendJson = new Step("bus.append.http.json", window -> json.run(window).perRecord(batch));
                Step appendProtobuf = new Step("bus.append.http.protobuf", window -> protobuf.run(window).perRecord(batch));
                Step consume = new Step("bus.consume.inproc", window -> consume(bus, consumeRecords, window));
                Step rawTail = new Step(RawChronicle.TAIL, window -> raw.tail(window, READ_MAX));
                Step endToEnd = new Step("bus.e2e.inproc", window -> endToEnd(bus, window));
                Step rawEndToEnd = new Step(RawChronicle.E2E, raw::endToEnd);

                Map<String, List<RunResult>> results = rounds.run("mmap", List.of(appendInProcess, rawAppend,
                        appendJson, rawAppend, appendProtobuf, rawAppend, consume, rawTail, endToEnd, rawEndToEnd));
                return List.of(
                        Rounds.figure(appendInProcess, rawAppend, results),
                        Rounds.figure(appendJson, rawAppend, results),
                        Rounds.figure(appendProtobuf, rawAppend, results),
                        Rounds.figure(consume, rawTail, results),
                        Rounds.figure(endToEnd, rawEndToEnd, results));
            }
        }
    }

    private List<Figure> fsyncFigures() throws Exception {
        if (!settings.redis()) {
            return skipFsync("its anchor redis is off (--no-redis)");
        }
        try (ScratchDir dir = ScratchDir.create("strata-bench-bus-fsync-")) {
            Optional<String> missing = RedisAnchor.ensureInstalled(dir.path(), progress);
            if (missing.isPresent()) {
                return skipFsync(missing.get());
            }
            StrataNode node = startNode(dir, "fsync");
            try (node; RedisAnchor redis = RedisAnchor.start(dir.path().resolve("redis"))) {
                node.bus().createTopic(TOPIC, settings.partitions(), Retention.FOREVER).toCompletableFuture().join();
                int producers = settings.fsyncProducers();
                rounds.report("[fsync] node up on 127.0.0.1:%d, redis-server on loopback; %d producers", node.httpPort(), producers);
                HttpLoad single = httpLoad(node, producers, "application/json", jsonBatch(1));
                Step append = new Step("bus.append.fsync", single::run);
                // redis-benchmark runs a request count, not a time: sized from a first probe to last about a window.
                RunResult probe = redis.run(Math.max(2000, producers * 20), producers, value.length, REDIS_PROBE_TIMEOUT_SECONDS);
                // Generous: a run that slows down five-fold is slow, not stuck.
                Step anchor = new Step(RedisAnchor.NAME, window -> redis.run(requestsFor(probe, window), producers,
                        value.length, window.duration().toSeconds() * 5 + REDIS_PROBE_TIMEOUT_SECONDS));
                Map<String, List<RunResult>> results = rounds.run("fsync", List.of(append, anchor));
                return List.of(Rounds.figure(append, anchor, results));
            }
        }
    }

    private List<Figure> skipFsync(String why) {
        String note = "bus.append.fsync not measured: " + why;
        notes.add(note);
        skipped.add(new BenchReport.Skipped("bus.append.fsync", RedisAnchor.NAME, why));
        rounds.report("[fsync] %s", note);
        return List.of();
    }

    private StrataNode startNode(ScratchDir dir, String durability) {
        StrataNode node = StrataNode.start(Rounds.nodeConfig(dir, Map.of(
                "strata.data-dir", dir.path().resolve("node").toString(),
                "strata.bus.durability", durability)));
        dir.deleteAfter(node.system().getWhenTerminated());
        return node;
    }

    /**
     * One closed-loop consumer reading {@value #READ_MAX} records at a time, from the start again at
     * the end, copying each value out as the raw tailer does (as a Kafka consumer would, from the
     * stored batches, without building a record object per value).
     */
    private RunResult consume(BusStore bus, int records, Window window) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        byte[] copy = new byte[value.length];
        return new AsyncLoad(() -> bus.read(READ_TOPIC, 0, next.get(), READ_MAX).thenApply(read -> {
            read.forEachValue(v -> v.get(copy, 0, Math.min(copy.length, v.remaining())));
            next.set(read.nextOffset() >= records ? 0 : read.nextOffset());
            return read;
        }), reply -> reply instanceof TopicPartition.Records read && read.size() == READ_MAX, 1)
                .run(window).perRecord(READ_MAX);
    }

    /**
     * Produce-to-visible latency: one record produced at a time (its acknowledgement not awaited),
     * until a reader long-polling the partition (a read at its end waits for the next record) from
     * its end at the start of the run has seen it.
     */
    private RunResult endToEnd(BusStore bus, Window window) throws Exception {
        long start = bus.partitionInfo(E2E_TOPIC, 0).toCompletableFuture().get(PREFILL_TIMEOUT_SECONDS, TimeUnit.SECONDS).logEndOffset();
        List<BusRecord> one = List.of(record());
        AtomicLong next = new AtomicLong(start);
        AtomicReference<CompletableFuture<?>> lastProduce = new AtomicReference<>(CompletableFuture.completedFuture(null));
        return EndToEnd.runAsync(window, "bench-bus-e2e", sequence -> {
            // A failed append fails the run when the next one starts.
            lastProduce.get().getNow(null);
            lastProduce.set(bus.produce(E2E_TOPIC, one).toCompletableFuture());
        }, () -> bus.read(E2E_TOPIC, 0, next.get(), READ_MAX, LONG_POLL).thenApply(read -> {
            next.set(read.nextOffset());
            return read.nextOffset() - start;
        }));
    }

    private void prefill(BusStore bus, int records) throws Exception {
        List<BusRecord> batch = Collections.nCopies(PREFILL_BATCH, record());
        for (int written = 0; written < records; written += PREFILL_BATCH) {
            bus.produce(READ_TOPIC, batch).toCompletableFuture().get(PREFILL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private HttpLoad httpLoad(StrataNode node, int connections, String contentType, byte[] body) throws Exception {
        HttpLoad load = new HttpLoad(node.httpAddress(), connections, HttpLoad.Requests.fixed("POST", RECORDS_PATH, contentType, body),
                status -> status == 200);
        load.prime();
        return load;
    }

    private BusRecord record() {
        return BusRecord.newBuilder().setValue(ByteString.copyFrom(value)).setFormat(ValueFormat.BINARY).build();
    }

    /** A JSON array of {@code n} records whose value is the payload as a string. */
    private byte[] jsonBatch(int n) {
        String one = "{\"value\":\"" + new String(value, StandardCharsets.US_ASCII) + "\"}";
        return ("[" + String.join(",", Collections.nCopies(n, one)) + "]").getBytes(StandardCharsets.US_ASCII);
    }

    private static int requestsFor(RunResult probe, Window window) {
        double seconds = window.duration().toNanos() / 1e9;
        return (int) Math.max(1000, Math.min(5_000_000, probe.opsPerS() * seconds));
    }

    private static int roundUp(int n, int multiple) {
        return Math.max(multiple, (n + multiple - 1) / multiple * multiple);
    }
}
