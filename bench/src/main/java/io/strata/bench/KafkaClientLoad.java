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
 * The produce-to-consume latency load of {@code bench kafka}, run as a child JVM ({@code java ...
 * io.strata.bench.KafkaClientLoad e2e ...}) with the Java client, the same for both sides. Kafka's
 * {@code EndToEndLatency} does the same but counts whole milliseconds; this counts microseconds.
 * Prints one line, {@value #RESULT} {@code records=N seconds=S p50_us=P p99_us=Q}, and exits 0;
 * on failure a message and exit 1.
 *
 * <p>{@code e2e BOOTSTRAP TOPIC ACKS SIZE WARMUP_S DURATION_S}: as {@code EndToEndLatency}: one
 * record sent and its acknowledgement awaited ({@code linger.ms=0}), then the consumer, assigned
 * partition 0 from its end, polls until it has it; then the next. Latency from send to seen; the
 * first WARMUP_S seconds are not counted.
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
