package io.strata.bench;

import io.strata.bench.Rounds.Step;
import io.strata.node.launch.NodeProcess;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Kafka door benchmark: the same Kafka clients against a fresh Strata node's Kafka door and
 * against a real Apache Kafka broker ({@link KafkaBroker}), both child JVMs on loopback started for
 * the run, the load tools a child JVM of their own per run ({@link KafkaLoad}). This JVM only
 * orchestrates. Every figure's anchor is the broker under the same load, runs alternating Strata,
 * Kafka, Strata, Kafka:
 * <ul>
 *   <li>{@code kafka.produce.<size>.<acks>.<p>}: Kafka's {@code ProducerPerformance}, unthrottled,
 *       records of 100 B and 1 KiB, acks=1 and acks=all, to a topic of 1 and of 8 partitions, fresh for each run;</li>
 *   <li>{@code kafka.consume.100b.p1}: Kafka's {@code ConsumerPerformance}, a consumer of a new group
 *       reading a pre-filled topic from its beginning;</li>
 *   <li>{@code kafka.e2e.100b.acks1}: one record produced (acknowledgement awaited) and then polled, one at a time.</li>
 * </ul>
 * Runs are record counts sized from the same step's previous run to last about the window (the
 * first, uncounted pass starts from a fixed probe count), each bounded by a timeout.
 */
final class KafkaBench {

    /** Record sizes, acks and partition counts of the produce figures. */
    static final List<Integer> SIZES = List.of(100, 1024);
    static final List<String> ACKS = List.of("1", "all");
    static final List<Integer> PARTITIONS = List.of(1, 8);

    /** The consume figure's records: of this size, in one partition. */
    static final int CONSUME_SIZE = 100;
    static final int E2E_SIZE = 100;
    static final String CONSUME_TOPIC = "bench-consume";

    private static final long MIN_RECORDS = 1_000;
    private static final long MAX_RECORDS = 50_000_000;
    private static final long PROBE_BYTES = 5_000_000;
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);
    /** Both servers' heap: kafka-server-start.sh's default. */
    static final List<String> SERVER_HEAP = List.of("-Xms1g", "-Xmx1g");

    /** @param consumeRecords records pre-filled for the consume figure; a consume run reads at most these */
    record Settings(Window window, int rounds, long consumeRecords) {}

    /** One produce figure's configuration. */
    record Produce(int size, String acks, int partitions) {
        String name() {
            return "kafka.produce." + sizeLabel(size) + ".acks" + acks + ".p" + partitions;
        }
    }

    /** One system under load: its bootstrap address and an admin client for its topics. */
    private record Side(String label, String bootstrap, Admin admin, AtomicInteger topics) {

        /** Creates a topic of its own for one run. */
        String freshTopic(String prefix, int partitions) throws Exception {
            String topic = prefix + "-" + topics.incrementAndGet();
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all()
                    .get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return topic;
        }

        /** Deletes a run's topic, so that every run starts from the same empty disk. */
        void delete(String topic) throws Exception {
            admin.deleteTopics(List.of(topic)).all().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * How many records a run sends: about as many as the step's previous run managed in the
     * same time; a fixed probe count before it has run.
     */
    private static final class Sizer {
        private final long probe;
        private final long max;
        private double rate;

        Sizer(long probe, long max) {
            this.probe = Math.min(probe, max);
            this.max = max;
        }

        long records(Duration time) {
            if (time.isZero()) {
                return 0;
            }
            if (rate == 0) {
                return probe;
            }
            return Math.max(MIN_RECORDS, Math.min(max, Math.round(rate * time.toNanos() / 1e9)));
        }

        /** Five times what the run should take, plus a minute: a run that slow is broken, not slow. */
        Duration timeout(long records) {
            double seconds = rate == 0 ? 30 : records / rate;
            return Duration.ofSeconds(Math.round(seconds * 5) + 60);
        }

        RunResult update(RunResult result) {
            rate = result.opsPerS();
            return result;
        }
    }

    private final Settings settings;
    private final Rounds rounds;
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Object> details = new LinkedHashMap<>();

    KafkaBench(Settings settings, PrintWriter progress) {
        this.settings = settings;
        this.rounds = new Rounds(settings.window(), settings.rounds(), progress);
    }

    List<String> notes() {
        return notes;
    }

    /** The anchor's latencies and the MB/s of every figure, which a figure's BENCH line does not hold. */
    Map<String, Object> details() {
        return details;
    }

    List<Figure> run() throws Exception {
        try (ScratchDir dir = ScratchDir.create("strata-bench-kafka-")) {
            rounds.report("[kafka] starting a Strata node with its Kafka door and an Apache Kafka %s broker (KRaft), child JVMs",
                    KafkaBroker.NAME.substring(KafkaBroker.NAME_PREFIX.length()));
            NodeProcess node = NodeProcess.builder(dir.path().resolve("strata"))
                    .addJvmFlags(SERVER_HEAP.toArray(String[]::new))
                    .addJvmFlags("-Dstrata.log.level=" + System.getProperty("strata.log.level", "WARN"))
                    .logFile(dir.path().resolve("strata.log"))
                    .args("--kafka-port", "0", "-Dstrata.http.host=127.0.0.1", "-Dstrata.cluster.host=127.0.0.1",
                            "-Dstrata.kafka.host=127.0.0.1", "-Dstrata.http.auth-token=",
                            // As the broker's group.initial.rebalance.delay.ms=0: a consume run's group forms at once.
                            "-Dstrata.bus.group.initial-rebalance-delay=0s")
                    .start();
            try (node; KafkaBroker broker = KafkaBroker.start(dir.path().resolve("kafka"))) {
                dir.deleteAfter(CompletableFuture.allOf(onExit(node.pid()), onExit(broker.pid())));
                String strataBootstrap = "127.0.0.1:" + node.kafkaPort().orElseThrow(
                        () -> new IllegalStateException("the Strata node printed no kafka address: " + node.logTail()));
                try (Admin strataAdmin = admin(strataBootstrap); Admin kafkaAdmin = admin(broker.bootstrap())) {
                    Side strata = new Side("strata", strataBootstrap, strataAdmin, new AtomicInteger());
                    Side kafka = new Side(KafkaBroker.NAME, broker.bootstrap(), kafkaAdmin, new AtomicInteger());
                    rounds.report("[kafka] Strata node pid %d, Kafka door %s; Kafka broker pid %d, %s; data under %s",
                            node.pid(), strata.bootstrap(), broker.pid(), kafka.bootstrap(), dir.path());
                    prefill(strata);
                    prefill(kafka);
                    return measure(strata, kafka);
                }
            }
        }
    }

    /** A figure's run, made for one side. */
    @FunctionalInterface
    private interface RunOn {
        Rounds.Run on(Side side);
    }

    private List<Figure> measure(Side strata, Side kafka) throws Exception {
        List<Step> round = new ArrayList<>();
        Map<String, String> anchorOf = new LinkedHashMap<>();
        Map<String, Integer> sizeOf = new LinkedHashMap<>();
        for (int size : SIZES) {
            for (String acks : ACKS) {
                for (int partitions : PARTITIONS) {
                    Produce produce = new Produce(size, acks, partitions);
                    pair(round, anchorOf, produce.name(), strata, kafka, side -> produceRun(side, produce));
                    sizeOf.put(produce.name(), size);
                }
            }
        }
        String consume = "kafka.consume." + sizeLabel(CONSUME_SIZE) + ".p1";
        pair(round, anchorOf, consume, strata, kafka, this::consumeRun);
        sizeOf.put(consume, CONSUME_SIZE);
        String e2e = "kafka.e2e." + sizeLabel(E2E_SIZE) + ".acks1";
        pair(round, anchorOf, e2e, strata, kafka, this::endToEndRun);

        Map<String, List<RunResult>> results = rounds.run("kafka", round);

        List<Figure> figures = new ArrayList<>();
        Map<String, Object> anchorLatency = new LinkedHashMap<>();
        Map<String, Object> megabytes = new LinkedHashMap<>();
        for (Map.Entry<String, String> pair : anchorOf.entrySet()) {
            String name = pair.getKey();
            Figure figure = Figure.of(name, results.get(name), KafkaBroker.NAME, results.get(pair.getValue()));
            figures.add(figure);
            // The anchor's own medians: its latencies are not in the figure's line.
            Figure anchor = Figure.of(pair.getValue(), results.get(pair.getValue()), KafkaBroker.NAME, results.get(pair.getValue()));
            anchorLatency.put(name, Map.of("p50_us", anchor.p50Us(), "p99_us", anchor.p99Us()));
            Integer size = sizeOf.get(name);
            if (size != null) {
                megabytes.put(name, Map.of("mb_per_s", mb(figure.opsPerS(), size), "anchor_mb_per_s", mb(figure.anchorOpsPerS(), size)));
            }
            if (name.equals(e2e)) {
                notes.add(String.format(Locale.ROOT, "%s: Strata p50 %,d µs p99 %,d µs; %s p50 %,d µs p99 %,d µs"
                                + " (ratio = Strata's round trips per second over Kafka's: above 1, Strata's latency is lower)",
                        e2e, figure.p50Us(), figure.p99Us(), KafkaBroker.NAME, anchor.p50Us(), anchor.p99Us()));
            }
        }
        details.put("anchor_latency", anchorLatency);
        details.put("mb_per_s", megabytes);
        return figures;
    }

    /** The figure's step on Strata, then its anchor's on Kafka (named {@code <figure>@<anchor>} in the progress lines). */
    private static void pair(List<Step> round, Map<String, String> anchorOf, String name, Side strata, Side kafka, RunOn run) {
        String anchor = name + "@" + KafkaBroker.NAME;
        round.add(new Step(name, run.on(strata)));
        round.add(new Step(anchor, run.on(kafka)));
        anchorOf.put(name, anchor);
    }

    private Rounds.Run produceRun(Side side, Produce produce) {
        Sizer sizer = new Sizer(Math.max(MIN_RECORDS, PROBE_BYTES / produce.size()), MAX_RECORDS);
        String prefix = "bench-" + produce.name().substring("kafka.".length()).replace('.', '-');
        return window -> {
            String topic = side.freshTopic(prefix, produce.partitions());
            try {
                long warmup = sizer.records(window.warmup());
                long records = sizer.records(window.duration());
                return sizer.update(KafkaLoad.produce(side.bootstrap(), topic, warmup, records, produce.size(), produce.acks(),
                        sizer.timeout(warmup + records)));
            } finally {
                side.delete(topic);
            }
        };
    }

    /**
     * A consumer of a new group reads the whole pre-filled topic from its beginning, the same
     * records on both sides and in every run, the uncounted warm-up pass's too: a run has a fixed
     * start (the consumer's first metadata and fetches) that a shorter run would weigh more.
     */
    private Rounds.Run consumeRun(Side side) {
        AtomicInteger groups = new AtomicInteger();
        long records = settings.consumeRecords();
        // Slower than 20,000 records a second is broken, not slow.
        Duration timeout = Duration.ofSeconds(records / 20_000 + 60);
        return window -> KafkaLoad.consume(side.bootstrap(), CONSUME_TOPIC, "bench-consume-" + groups.incrementAndGet(), records, timeout);
    }

    private Rounds.Run endToEndRun(Side side) {
        return window -> {
            String topic = side.freshTopic("bench-e2e", 1);
            try {
                return KafkaLoad.endToEnd(side.bootstrap(), topic, "1", E2E_SIZE, window);
            } finally {
                side.delete(topic);
            }
        };
    }

    /** Fills the consume figure's topic (one partition, acks=1) with ProducerPerformance. */
    private void prefill(Side side) throws Exception {
        side.admin().createTopics(List.of(new NewTopic(CONSUME_TOPIC, 1, (short) 1))).all()
                .get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        long start = System.nanoTime();
        // Slower than 5,000 records a second is broken, not slow.
        Duration timeout = Duration.ofSeconds(settings.consumeRecords() / 5_000 + 60);
        RunResult fill = KafkaLoad.produce(side.bootstrap(), CONSUME_TOPIC, 0, settings.consumeRecords(), CONSUME_SIZE, "1", timeout);
        rounds.report("[kafka] %s: %s pre-filled with %,d records of %d B in %.1f s (%,d records/s)", side.label(), CONSUME_TOPIC,
                settings.consumeRecords(), CONSUME_SIZE, (System.nanoTime() - start) / 1e9, fill.opsPerS());
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "bench-kafka-admin"));
    }

    private static CompletableFuture<ProcessHandle> onExit(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::onExit).orElse(CompletableFuture.completedFuture(null));
    }

    /** {@code 100b}, {@code 1kib}. */
    static String sizeLabel(int size) {
        return size % 1024 == 0 ? size / 1024 + "kib" : size + "b";
    }

    /** MB/s as ProducerPerformance counts them (MiB: records/s times size over 1024 * 1024), two decimals. */
    static double mb(long recordsPerS, int size) {
        return Math.round(recordsPerS * (double) size / (1024 * 1024) * 100) / 100.0;
    }
}
