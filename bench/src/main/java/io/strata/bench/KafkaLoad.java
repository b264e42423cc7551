package io.strata.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load of {@code bench kafka}, each run a child JVM of its own ({@link ChildJvm#TOOL_FLAGS}) against
 * one bootstrap address, Strata's door or the Kafka broker alike: Kafka's {@code ProducerPerformance}
 * (the class behind {@code kafka-producer-perf-test.sh}) for the produce figures, whose summary line is
 * read back, its {@code ConsumerPerformance} for the consume figure, and {@link KafkaClientLoad} for
 * produce-to-consume latency in microseconds (Kafka's {@code EndToEndLatency} counts whole milliseconds).
 */
final class KafkaLoad {

    static final String PRODUCER_PERFORMANCE = "org.apache.kafka.tools.ProducerPerformance";
    static final String CONSUMER_PERFORMANCE = "org.apache.kafka.tools.ConsumerPerformance";

    /**
     * {@code 200000 steady state records sent, 44238.000442 records/sec (4.22 MB/sec), 2667.63 ms avg latency,
     * 3491.00 ms max latency, 2423 ms 50th, 3405 ms 95th, 3485 ms 99th, 3489 ms 99.9th.} (the summary of
     * the whole run has no {@code steady state}).
     */
    private static final Pattern SUMMARY = Pattern.compile("^(\\d+) (steady state )?records sent, ([\\d.]+) records/sec"
            + " \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th,"
            + " (\\d+) ms 99th, (\\d+) ms 99.9th\\.?$");
    private static final Pattern RESULT = Pattern.compile("^" + KafkaClientLoad.RESULT
            + " records=(\\d+) seconds=([\\d.]+) p50_us=(\\d+) p99_us=(\\d+)$");

    private KafkaLoad() {}

    /**
     * One {@code ProducerPerformance} run: {@code warmup + records} records of {@code size} bytes,
     * unthrottled ({@code --throughput -1}), with {@code acks}, the first {@code warmup} not counted
     * ({@code --warmup-records}). Everything else is the producer's defaults (batch.size 16 KiB,
     * linger.ms 5, idempotence when acks=all, no compression). Latency is the tool's, per record, in
     * whole milliseconds.
     */
    static RunResult produce(String bootstrap, String topic, long warmup, long records, int size, String acks, Duration timeout)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--bootstrap-server", bootstrap, "--topic", topic,
                "--num-records", Long.toString(warmup + records), "--record-size", Integer.toString(size),
                "--throughput", "-1", "--reporting-interval", "600000", "--command-property", "acks=" + acks));
        if (warmup > 0) {
            args.addAll(List.of("--warmup-records", Long.toString(warmup)));
        }
        ChildJvm.Finished run = ChildJvm.run(ChildJvm.command(ChildJvm.TOOL_FLAGS, PRODUCER_PERFORMANCE, args), timeout);
        if (run.exit() != 0) {
            throw new IllegalStateException("ProducerPerformance failed (exit " + run.exit() + "):\n" + run.output());
        }
        return parseProducerPerformance(run.output());
    }

    /** The steady-state summary line when there is one, else the summary of the whole run. */
    static RunResult parseProducerPerformance(String output) {
        Matcher whole = null;
        Matcher steady = null;
        for (String line : output.split("\\R")) {
            Matcher m = SUMMARY.matcher(line.trim());
            if (m.matches()) {
                if (m.group(2) != null) {
                    steady = m;
                } else {
                    whole = m;
                }
            }
        }
        Matcher m = steady != null ? steady : whole;
        if (m == null) {
            throw new IllegalStateException("no summary line in ProducerPerformance's output:\n" + output);
        }
        long records = Long.parseLong(m.group(1));
        double rate = Double.parseDouble(m.group(3));
        return new RunResult(records, records / rate, Math.round(rate), Long.parseLong(m.group(7)) * 1000,
                Long.parseLong(m.group(9)) * 1000);
    }

    /**
     * One {@code ConsumerPerformance} run (the class behind {@code kafka-consumer-perf-test.sh}): a
     * consumer of the new group {@code group} subscribes to {@code topic} and reads {@code records}
     * records from its beginning. The figure is the tool's {@code fetch.nMsg.sec}: records over the
     * time spent fetching, the group's join left out. The tool measures no latency (0 here).
     */
    static RunResult consume(String bootstrap, String topic, String group, long records, Duration timeout)
            throws IOException, InterruptedException {
        List<String> args = List.of("--bootstrap-server", bootstrap, "--topic", topic, "--group", group,
                "--num-records", Long.toString(records), "--timeout", Long.toString(timeout.toMillis()));
        ChildJvm.Finished run = ChildJvm.run(ChildJvm.command(ChildJvm.TOOL_FLAGS, CONSUMER_PERFORMANCE, args),
                timeout.plusSeconds(30));
        if (run.exit() != 0) {
            throw new IllegalStateException("ConsumerPerformance failed (exit " + run.exit() + "):\n" + run.output());
        }
        return parseConsumerPerformance(run.output());
    }

    /**
     * The tool's line under its header {@code start.time, end.time, data.consumed.in.MB, MB.sec,
     * data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec}.
     */
    static RunResult parseConsumerPerformance(String output) {
        for (String line : output.split("\\R")) {
            String[] fields = line.trim().split(",\\s*");
            if (fields.length == 10 && fields[4].matches("\\d+") && fields[7].matches("-?\\d+")) {
                long records = Long.parseLong(fields[4]);
                double fetchSeconds = Long.parseLong(fields[7]) / 1000.0;
                if (records == 0 || fetchSeconds <= 0) {
                    throw new IllegalStateException("ConsumerPerformance read nothing:\n" + output);
                }
                return new RunResult(records, fetchSeconds, Math.round(Double.parseDouble(fields[9])), 0, 0);
            }
        }
        throw new IllegalStateException("no result line in ConsumerPerformance's output:\n" + output);
    }

    /** One {@link KafkaClientLoad} produce-to-consume run over a window, on partition 0 of {@code topic}. */
    static RunResult endToEnd(String bootstrap, String topic, String acks, int size, Window window)
            throws IOException, InterruptedException {
        Duration timeout = window.warmup().plus(window.duration()).multipliedBy(3).plusSeconds(60);
        return clientLoad(List.of("e2e", bootstrap, topic, acks, Integer.toString(size),
                Double.toString(window.warmup().toNanos() / 1e9), Double.toString(window.duration().toNanos() / 1e9)), timeout);
    }

    private static RunResult clientLoad(List<String> args, Duration timeout) throws IOException, InterruptedException {
        ChildJvm.Finished run = ChildJvm.run(ChildJvm.command(ChildJvm.TOOL_FLAGS, KafkaClientLoad.class.getName(), args), timeout);
        if (run.exit() != 0) {
            throw new IllegalStateException("KafkaClientLoad " + args.get(0) + " failed (exit " + run.exit() + "):\n" + run.output());
        }
        return parseResult(run.output());
    }

    static RunResult parseResult(String output) {
        for (String line : output.split("\\R")) {
            Matcher m = RESULT.matcher(line.trim());
            if (m.matches()) {
                long records = Long.parseLong(m.group(1));
                double seconds = Double.parseDouble(m.group(2));
                return new RunResult(records, seconds, Math.round(records / seconds), Long.parseLong(m.group(3)),
                        Long.parseLong(m.group(4)));
            }
        }
        throw new IllegalStateException("no " + KafkaClientLoad.RESULT + " line in the load's output:\n" + output);
    }
}
