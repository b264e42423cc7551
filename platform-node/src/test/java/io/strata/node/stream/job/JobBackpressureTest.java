package io.strata.node.stream.job;

import io.strata.node.http.Json;
import io.strata.node.storage.DiskSpace;
import io.strata.node.stream.spec.JobSpec;
import io.strata.node.testing.Await;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backpressure end to end: a job whose KV sink stalls (its first write never completes until the
 * test lets it) stops reading its source partitions after a bounded number of records, far below
 * what the topic holds, and commits nothing more (no checkpoint can pass the stalled write); once the
 * sink un-stalls, the job reads the rest and checkpoints up to the partitions' ends.
 *
 * <p>The runner runs on a real in-process node's bus. Each event is in its own one-second window
 * and the watermark follows the events closely, so nearly every record read yields a window
 * result for the sink: what the job holds while stalled is bounded by the writer's batches
 * (about {@code JobRunner.WRITE_BATCH} outputs buffered, one batch in flight) plus each
 * partition's read batch, not by the topic.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class JobBackpressureTest {

    private static final String TOPIC = "clicks";
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 60_000;
    private static final int PRODUCE_BATCH = 2000;
    private static final int READ_BATCH = 100;
    /**
     * Records the stalled job may read: generous for the writer's two batches of about 512 outputs
     * and the partitions' buffers (it reads about 900 here).
     */
    private static final long STALLED_BOUND = RECORDS / 6;
    private static final Duration STABLE = Duration.ofSeconds(1);
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final long BASE_MILLIS = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final String SPEC = "{\"name\":\"stalled\",\"source\":{\"topic\":\"" + TOPIC + "\",\"group\":\"stalled\"},"
            + "\"key\":\"user\",\"event_time\":\"ts\",\"window\":{\"type\":\"tumbling\",\"size\":\"1s\"},"
            + "\"out_of_orderness\":\"0s\",\"allowed_lateness\":\"0s\",\"idle_timeout\":\"60s\","
            + "\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}],\"sinks\":[{\"kv\":{\"space\":\"stalled\"}}]}";

    /** A KV sink whose writes complete only once {@link #release} is called; counts the writes. */
    private static final class StalledKvSink extends KvSink {
        final CompletableFuture<Void> gate = new CompletableFuture<>();
        final AtomicInteger writes = new AtomicInteger();

        StalledKvSink() {
            super(null, "stalled", "user", null, null);
        }

        @Override
        CompletionStage<Void> write(List<ResultRow> outputs) {
            writes.incrementAndGet();
            return gate;
        }

        void release() {
            gate.complete(null);
        }
    }

    @Test
    void aStalledSinkStopsTheReadsAndReleasingItLetsTheJobCatchUp(@TempDir Path dir) throws Exception {
        try (TestNode node = TestNode.start(dir.resolve("node"), Map.of())) {
            assertEquals(201, node.put("/topics/" + TOPIC, "{\"partitions\":" + PARTITIONS + "}").statusCode());
            produce(node);
            StalledKvSink sink = new StalledKvSink();
            JobStatus status = new JobStatus();
            JobSpec spec = JobSpec.parse(Json.MAPPER.readTree(SPEC));
            JobRunner.Sinks sinks = new JobRunner.Sinks(List.of(sink), List.of(), List.of(),
                    new DeadLetters(node.node().bus(), spec, status));
            JobRunner.Context ctx = new JobRunner.Context(node.node().bus(), sinks,
                    new CheckpointStore(dir.resolve("job"), DiskSpace.of(dir, 0, Duration.ofSeconds(1))),
                    node.node().system().executionContext(), node.node().system(),
                    Duration.ofMillis(200), Duration.ofMillis(20), 1_000_000, READ_BATCH, Duration.ofMillis(20),
                    System::currentTimeMillis);
            long start = System.nanoTime();
            JobRunner.Run run = JobRunner.start(spec, PARTITIONS, ctx, status);
            try {
                await(() -> sink.writes.get() > 0, "the first write to reach the sink", status);
                // A checkpoint taken before the first result may have completed; none after it can.
                long epochAtStall = status.epoch();
                Map<Integer, Long> committedAtStall = status.committed();
                long readWhileStalled = awaitStable(status);
                long stalledMillis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(readWhileStalled < STALLED_BOUND, "the stalled job read " + readWhileStalled + " of " + RECORDS
                        + " records");
                assertEquals(1, sink.writes.get(), "writes begun while the first is stalled");
                assertEquals(epochAtStall, status.epoch(), "no checkpoint can pass the stalled write");
                assertEquals(committedAtStall, status.committed(), "offsets committed while the sink is stalled");

                sink.release();
                await(() -> consumed(status) == RECORDS, "the job to read every record", status);
                await(() -> status.committed().values().stream().mapToLong(Long::longValue).sum() == RECORDS,
                        "a checkpoint covering every record", status);
                assertTrue(sink.writes.get() > 1, "writes after the release: " + sink.writes.get());
                System.out.printf("[job backpressure] %d records in %d partitions, read batch %d: with the KV sink stalled"
                                + " the job stopped after reading %d records (%d ms after its start) and checkpointed nothing"
                                + " after epoch %d; released, it read all and checkpointed to epoch %d with %d sink writes%n",
                        RECORDS, PARTITIONS, READ_BATCH, readWhileStalled, stalledMillis, epochAtStall, status.epoch(),
                        sink.writes.get());
            } finally {
                // A shut-down stream still waits for the write in flight.
                sink.release();
                run.stop();
                run.done.toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Each event one second after the previous, round-robin over the partitions and ten users. */
    private static void produce(TestNode node) {
        for (int first = 0; first < RECORDS; first += PRODUCE_BATCH) {
            StringBuilder body = new StringBuilder("[");
            for (int i = first; i < first + PRODUCE_BATCH; i++) {
                String user = "u" + i % 10;
                body.append(i == first ? "" : ",").append("{\"key\":\"").append(user).append("\",\"partition\":")
                        .append(i % PARTITIONS).append(",\"value\":{\"user\":\"").append(user).append("\",\"ts\":\"")
                        .append(Instant.ofEpochMilli(BASE_MILLIS + i * 1000L)).append("\"}}");
            }
            HttpResponse<String> reply = node.post("/topics/" + TOPIC + "/records", body.append(']').toString());
            assertEquals(200, reply.statusCode(), reply.body());
        }
    }

    private static long consumed(JobStatus status) {
        return status.consumed().values().stream().mapToLong(Long::longValue).sum();
    }

    /** The records read once the count has not moved for {@link #STABLE}. */
    private static long awaitStable(JobStatus status) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        long last = consumed(status);
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(50);
            long now = consumed(status);
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= STABLE.toNanos()) {
                return last;
            }
        }
        throw new AssertionError("the stalled job kept reading: " + last + " records read");
    }

    private static void await(BooleanSupplier done, String what, JobStatus status) {
        Await.until(LIMIT, done::getAsBoolean, reached -> reached, reached -> what + ": consumed " + status.consumed()
                + ", committed " + status.committed() + ", epoch " + status.epoch());
    }
}
