package io.strata.bench;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The two loads of {@code bench kafka} that Kafka's own tools cannot drive against Strata's door,
 * run as a child JVM ({@code java ... io.strata.bench.KafkaClientLoad consume|e2e ...}) with the
 * Java client, the same for both sides. Kafka's {@code ConsumerPerformance} subscribes with a
 * consumer group and {@code EndToEndLatency} commits offsets (the door serves neither yet), and the
 * latter counts whole milliseconds; these assign partitions, commit nothing and count microseconds.
 * Prints one line, {@value #RESULT} {@code records=N seconds=S p50_us=P p99_us=Q}, and exits 0;
 * on failure a message and exit 1.
 *
 * <ul>
 *   <li>{@code consume BOOTSTRAP TOPIC WARMUP RECORDS TIMEOUT_S}: one consumer assigned every
 *       partition of the topic from its beginning, {@code poll}s until it has seen WARMUP + RECORDS
 *       records (each value's bytes touched); the first WARMUP are not timed. Latency is per poll that
 *       returned records.</li>
 *   <li>{@code e2e BOOTSTRAP TOPIC ACKS SIZE WARMUP_S DURATION_S}: as {@code EndToEndLatency}: one
 *       record sent and its acknowledgement awaited ({@code linger.ms=0}), then the consumer, assigned
 *       partition 0 from its end, polls until it has it; then the next. Latency from send to seen;
 *       the first WARMUP_S seconds are not counted.</li>
 * </ul>
 */
public final class KafkaClientLoad {

    static final String RESULT = "RESULT";

    private static final Duration POLL = Duration.ofMillis(100);
    private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long VISIBLE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private KafkaClientLoad() {}

    public static void main(String[] args) {
        try {
            String line = switch (args[0]) {
                case "consume" -> consume(args[1], args[2], Long.parseLong(args[3]), Long.parseLong(args[4]), Long.parseLong(args[5]));
                case "e2e" -> endToEnd(args[1], args[2], args[3], Integer.parseInt(args[4]), Double.parseDouble(args[5]),
                        Double.parseDouble(args[6]));
                default -> throw new IllegalArgumentException("unknown load " + args[0]);
            };
            System.out.println(line);
            System.out.flush();
            System.exit(0);
        } catch (Exception | Error e) {
            System.out.println("failed: " + e);
            e.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
    }

    private static String consume(String bootstrap, String topic, long warmup, long records, long timeoutSeconds) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "bench-consume",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Histogram polls = new Histogram(HIGHEST_NANOS, 3);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            partitions.forEach(consumer::position);
            long seen = 0;
            long bytes = 0;
            // The records polled before the timed ones: the warm-up, and the rest of the poll that ended it.
            long untimed = 0;
            long start = System.nanoTime();
            while (seen < warmup + records) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("consumed " + seen + " of " + (warmup + records) + " records in " + timeoutSeconds + " s");
                }
                long before = System.nanoTime();
                ConsumerRecords<byte[], byte[]> polled = consumer.poll(POLL);
                long after = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> record : polled) {
                    bytes += record.value().length;
                }
                boolean warm = seen >= warmup;
                seen += polled.count();
                if (!warm && seen >= warmup) {
                    // The timed records start with the next poll.
                    start = after;
                    untimed = seen;
                } else if (warm && !polled.isEmpty()) {
                    polls.recordValue(Math.min(after - before, HIGHEST_NANOS));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (bytes == 0) {
                throw new IllegalStateException("every record was empty");
            }
            return result(seen - untimed, seconds, polls);
        }
    }

    private static String endToEnd(String bootstrap, String topic, String acks, int size, double warmupSeconds, double durationSeconds)
            throws Exception {
        Map<String, Object> producerConfig = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, "bench-e2e-producer",
                ProducerConfig.ACKS_CONFIG, acks,
                ProducerConfig.LINGER_MS_CONFIG, "0");
        Map<String, Object> consumerConfig = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "bench-e2e-consumer",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        Histogram latencies = new Histogram(HIGHEST_NANOS, 3);
        byte[] value = new byte[size];
        SplittableRandom random = new SplittableRandom(0);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToEnd(List.of(partition));
            consumer.position(partition);
            long warmEnd = System.nanoTime() + Math.round(warmupSeconds * 1e9);
            long end = warmEnd + Math.round(durationSeconds * 1e9);
            long measuredStart = warmEnd;
            boolean warm = false;
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                if (!warm && now >= warmEnd) {
                    warm = true;
                    measuredStart = now;
                }
                random.nextBytes(value);
                long begin = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, 0, null, value)).get(30, TimeUnit.SECONDS);
                int got = 0;
                while (got == 0) {
                    ConsumerRecords<byte[], byte[]> polled = consumer.poll(POLL);
                    got = polled.count();
                    if (got > 1) {
                        throw new IllegalStateException("one record expected, " + got + " polled");
                    }
                    if (got == 1 && !Arrays.equals(polled.iterator().next().value(), value)) {
                        throw new IllegalStateException("the record polled is not the one sent");
                    }
                    if (got == 0 && System.nanoTime() - begin > VISIBLE_TIMEOUT_NANOS) {
                        throw new IllegalStateException("a record sent was not polled within 10 s");
                    }
                }
                if (warm) {
                    latencies.recordValue(Math.min(System.nanoTime() - begin, HIGHEST_NANOS));
                }
            }
            return result(latencies.getTotalCount(), (System.nanoTime() - measuredStart) / 1e9, latencies);
        }
    }

    private static String result(long records, double seconds, Histogram latencies) {
        return String.format(Locale.ROOT, "%s records=%d seconds=%.6f p50_us=%d p99_us=%d", RESULT, records, seconds,
                Math.round(latencies.getValueAtPercentile(50) / 1000.0), Math.round(latencies.getValueAtPercentile(99) / 1000.0));
    }
}
