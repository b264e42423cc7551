package io.strata.node.stream.job;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.node.bus.BusStore;
import io.strata.node.bus.PartitionStream;
import io.strata.node.bus.TopicPartition;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.bus.proto.ValueFormat;
import io.strata.node.http.Json;
import io.strata.node.stream.proto.FinalResult;
import io.strata.node.stream.proto.JobCheckpoint;
import io.strata.node.stream.proto.WindowOperatorState;
import io.strata.node.stream.spec.JobSpec;
import io.strata.node.stream.spec.RecordPipeline;
import io.strata.node.stream.window.LateEvent;
import io.strata.node.stream.window.WindowOperator;
import io.strata.node.stream.window.WindowOutput;
import io.strata.node.stream.window.WindowResult;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * One run of a stream job: a Pekko Streams graph from the source topic's partitions through the
 * record pipeline and the window operator to the sinks, with checkpoints.
 *
 * <pre>
 * partitions (PartitionStream each, read on demand) ─┐
 * ticks (processing time) ───────────────────────────┴► operator stage ─► batched ─► writer (one batch at a time)
 * </pre>
 *
 * <p>The operator stage owns the {@link WindowOperator}: it turns records into events (bad ones go
 * to the dead-letter topic, late ones to the late topic), and on every checkpoint interval emits a
 * barrier holding the offsets read so far, the operator's snapshot and the final results of the
 * epoch. The writer writes results in order and handles a barrier only after everything before it
 * is written: it saves the checkpoint durably, then writes the epoch's final rows to the table
 * sinks as idempotent inserts. The results after a barrier do not wait for its save (an fsync),
 * only for the one before it, so at most one save is under way and a run ends once it is done.
 * A restart resumes from the last checkpoint: the same offsets, the
 * same window state, and the table rows of that checkpoint written again (the table drops repeats).
 * So final results in tables are exactly once; the KV sink converges to the same values; topics get
 * at-least-once results.
 *
 * <p>Backpressure: the writer takes one batch at a time and the partitions are read only on demand,
 * so a slow sink slows the reads; memory is bounded by the batch size and the operator's
 * {@code maxOpenWindows}. Latency: the operator stage takes each read whole, and what it emits
 * goes to the writer at once when the writer is idle; only while a write is in flight do the
 * steps behind it gather into the next batch.
 */
final class JobRunner {

    /** Everything a run needs from its node. */
    record Context(BusStore bus, Sinks sinks, CheckpointStore checkpoints, Executor blockingIo, ActorSystem<?> system,
                   Duration checkpointInterval, Duration tickInterval, int maxOpenWindows, int readBatch,
                   Duration pollInterval, LongSupplier clock) {}

    /** The job's sinks, built from its spec, and its dead-letter topic. */
    record Sinks(List<KvSink> kv, List<TableSink> tables, List<TopicSink> topics, DeadLetters deadLetters) {}

    private sealed interface Input permits Read, Tick {}

    /** One read of a partition: its records, and whether it caught up with the partition's end. */
    /** A read of a partition: its records as stored, each value decoded once by the job's pipeline. */
    private record Read(int partition, TopicPartition.Records records, boolean caughtUp) implements Input {}

    private enum Tick implements Input { INSTANCE }

    private sealed interface Step permits Writes, Barrier {}

    private record Bad(int partition, long offset, ByteString value, String reason) {}

    private record Writes(List<WindowResult> results, List<LateEvent> late, List<Bad> bad) implements Step {
        /** What the step weighs in a write batch: its outputs. */
        long weight() {
            return Math.max(1, results.size() + late.size() + bad.size());
        }
    }

    private record Barrier(JobCheckpoint checkpoint, List<ResultRow> finalRows) implements Step {}

    /** Outputs (results, late events, bad records) the steps of one write batch hold, about. */
    private static final int WRITE_BATCH = 512;

    private JobRunner() {}

    /**
     * A started run: {@link #stop} ends it, {@code done} completes when it has ended (exceptionally
     * on failure). Thread-safe.
     */
    static final class Run {
        private final UniqueKillSwitch killSwitch;
        private final AtomicBoolean stopped;
        final CompletionStage<Done> done;

        private Run(UniqueKillSwitch killSwitch, AtomicBoolean stopped, CompletionStage<Done> done) {
            this.killSwitch = killSwitch;
            this.stopped = stopped;
            this.done = done;
        }

        /**
         * Stops the run at once: the operator stage takes no input after this (not even the rest
         * of the batch the stream is working through, which the kill switch alone would let it
         * finish), the sources are cancelled, and the writer finishes the batch it holds.
         */
        void stop() {
            stopped.set(true);
            killSwitch.shutdown();
        }

        /** Fails the stream at once, not waiting for the writer's batch. */
        void abort(Throwable reason) {
            stopped.set(true);
            killSwitch.abort(reason);
        }
    }

    /** Starts a run from the job's last checkpoint (or from offset 0 and empty windows). */
    static Run start(JobSpec spec, int partitions, Context ctx, JobStatus status) {
        Optional<JobCheckpoint> last = ctx.checkpoints().load();
        Set<Integer> all = new TreeSet<>();
        for (int p = 0; p < partitions; p++) {
            all.add(p);
        }
        WindowOperator.Settings settings = new WindowOperator.Settings(spec.window(), spec.aggregates(), spec.outOfOrderness(),
                spec.allowedLateness(), spec.idleTimeout(), spec.earlyEvery(), ctx.maxOpenWindows());
        WindowOperator operator;
        Map<Integer, Long> offsets = new HashMap<>();
        long epoch;
        String incarnation;
        CompletionStage<Void> replayed;
        if (last.isPresent()) {
            JobCheckpoint c = last.get();
            try {
                operator = WindowOperator.restore(settings, WindowOperatorState.parseFrom(c.getOperatorState()));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("job '" + spec.name() + "': its checkpoint's window state is unreadable", e);
            }
            offsets.putAll(c.getOffsetsMap());
            epoch = c.getEpoch();
            incarnation = c.getIncarnation();
            ctx.sinks().kv().forEach(k -> k.restore(c.getKvLatestEndMap()));
            // The checkpoint's table rows may not all have been written before the job stopped.
            replayed = writeTables(ctx.sinks(), rows(c), producer(spec, incarnation), c.getEpoch());
        } else {
            operator = new WindowOperator(settings, all, ctx.clock().getAsLong());
            epoch = 0;
            incarnation = UUID.randomUUID().toString();
            replayed = CompletableFuture.completedFuture(null);
        }
        all.forEach(p -> offsets.putIfAbsent(p, 0L));
        status.committed.putAll(offsets);
        status.consumed.putAll(offsets);
        status.epoch = epoch;

        Source<Input, NotUsed> reads = Source.from(new ArrayList<>(all)).flatMapMerge(Math.max(1, all.size()), p ->
                PartitionStream.batches((from, max, wait) -> ctx.bus().read(spec.source().topic(), p, from, max, wait),
                        offsets.get(p), ctx.readBatch(), ctx.pollInterval(), ctx.system())
                        .map(batch -> (Input) new Read(p, batch, batch.nextOffset() >= batch.logEndOffset())));
        Source<Input, ?> ticks = Source.tick(ctx.tickInterval(), ctx.tickInterval(), (Input) Tick.INSTANCE);
        AtomicBoolean stopped = new AtomicBoolean();
        OperatorStage stage = new OperatorStage(spec, operator, offsets, epoch, incarnation, ctx, status, stopped);
        Writer writer = new Writer(spec, producer(spec, incarnation), ctx, status);

        // The stage runs through many inputs before the kill switch's signal is seen (the
        // interpreter handles a batch of events between messages), hence the flag it checks.
        Pair<UniqueKillSwitch, CompletionStage<Done>> run = Source.completionStage(replayed.thenApply(done -> NotUsed.getInstance()))
                .flatMapConcat(ready -> reads.merge(ticks))
                .viaMat(KillSwitches.single(), Keep.right())
                .mapConcat(stage::apply)
                .batchWeighted(WRITE_BATCH, JobRunner::weight, JobRunner::firstOfBatch,
                        JobRunner::addToBatch)
                .mapAsync(1, writer::write)
                .toMat(Sink.ignore(), Keep.both())
                .run(ctx.system());
        return new Run(run.first(), stopped, writer.afterSaving(run.second()));
    }

    private static Long weight(Step step) {
        return step instanceof Writes w ? w.weight() : 1L;
    }

    private static List<Step> firstOfBatch(Step step) {
        List<Step> batch = new ArrayList<>();
        batch.add(step);
        return batch;
    }

    private static List<Step> addToBatch(List<Step> batch, Step step) {
        batch.add(step);
        return batch;
    }

    private static List<ResultRow> rows(JobCheckpoint c) {
        List<ResultRow> rows = new ArrayList<>(c.getTableRowsCount());
        for (FinalResult r : c.getTableRowsList()) {
            byte[] json = r.getValuesJson().getBytes(StandardCharsets.UTF_8);
            // Read as the job wrote it: the checks of request bodies are not for the job's own results.
            LinkedHashMap<String, Object> values = Json.MAPPER.convertValue(Json.read(json, 0, json.length, "a checkpoint's result"),
                    Json.MAPPER.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Object.class));
            rows.add(new ResultRow(r.getKey(), r.getWindowStart(), r.getWindowEnd(), values));
        }
        return rows;
    }

    private static CompletionStage<Void> writeTables(Sinks sinks, List<ResultRow> rows, String producer, long epoch) {
        CompletionStage<Void> done = CompletableFuture.completedFuture(null);
        for (TableSink table : sinks.tables()) {
            done = done.thenCompose(previous -> table.write(rows, producer, epoch));
        }
        return done;
    }

    /**
     * The idempotent producer of a job's table rows: {@code job:<name>:<incarnation>}, or
     * {@code job:<name>} for a checkpoint from before incarnations (so its rows are not written twice).
     */
    static String producer(JobSpec spec, String incarnation) {
        return "job:" + spec.name() + (incarnation.isEmpty() ? "" : ":" + incarnation);
    }

    /**
     * The stage that owns the window operator: records in, steps out. Runs on one stream stage at a
     * time, so it needs no locks; it publishes its progress to the {@link JobStatus}.
     */
    private static final class OperatorStage {
        private final RecordPipeline pipeline;
        private final WindowOperator operator;
        private final Map<Integer, Long> offsets;
        private final Context ctx;
        private final JobStatus status;
        private final List<ResultRow> finalRows = new ArrayList<>();
        /** Only table sinks write final rows: without one, the checkpoints carry none. */
        private final boolean keepFinalRows;
        /** Partitions with records still to read (or not read yet): never idle, whatever the idle timeout. */
        private final Set<Integer> behind;
        private final String incarnation;
        private final AtomicBoolean stopped;
        private long epoch;
        private long lastCheckpoint;

        OperatorStage(JobSpec spec, WindowOperator operator, Map<Integer, Long> offsets, long epoch, String incarnation,
                      Context ctx, JobStatus status, AtomicBoolean stopped) {
            this.pipeline = RecordPipeline.create(spec);
            this.operator = operator;
            this.offsets = offsets;
            this.epoch = epoch;
            this.incarnation = incarnation;
            this.ctx = ctx;
            this.status = status;
            this.lastCheckpoint = ctx.clock().getAsLong();
            this.behind = new TreeSet<>(offsets.keySet());
            this.keepFinalRows = !ctx.sinks().tables().isEmpty();
            this.stopped = stopped;
        }

        List<Step> apply(Input input) {
            if (stopped.get()) {
                return List.of();
            }
            long now = ctx.clock().getAsLong();
            List<WindowResult> results = new ArrayList<>();
            List<LateEvent> late = new ArrayList<>();
            List<Bad> bad = new ArrayList<>();
            List<Step> steps = new ArrayList<>(2);
            if (input instanceof Read read) {
                int partition = read.partition();
                long[] next = {-1};
                // The status learns the read's counts once it is done, not record by record.
                long[] events = {0};
                long[] skipped = {0};
                read.records().forEachValue((offset, stored) -> {
                    // A stopped run takes no further record, not even the rest of this read.
                    if (stopped.get()) {
                        return;
                    }
                    byte[] value = new byte[stored.remaining()];
                    stored.get(value);
                    RecordPipeline.Outcome outcome = pipeline.apply(partition, offset, value);
                    if (outcome instanceof RecordPipeline.Event e) {
                        events[0]++;
                        collect(operator.onEvent(e.event(), now), results, late);
                    } else if (outcome instanceof RecordPipeline.Bad b) {
                        bad.add(new Bad(partition, offset, ByteString.copyFrom(value), b.reason()));
                    } else {
                        skipped[0]++;
                    }
                    next[0] = offset + 1;
                });
                status.eventsIn.addAndGet(events[0]);
                status.badRecords.addAndGet(bad.size());
                status.skipped.addAndGet(skipped[0]);
                if (next[0] >= 0) {
                    offsets.put(partition, next[0]);
                    status.consumed.put(partition, next[0]);
                }
                if (read.caughtUp()) {
                    behind.remove(partition);
                } else {
                    behind.add(partition);
                }
            } else {
                behind.forEach(p -> operator.markActive(p, now));
                collect(operator.advance(now), results, late);
            }
            status.watermark = operator.watermark();
            status.openWindows = operator.openWindows();
            if (!results.isEmpty() || !late.isEmpty() || !bad.isEmpty()) {
                steps.add(new Writes(results, late, bad));
            }
            if (input == Tick.INSTANCE && now - lastCheckpoint >= ctx.checkpointInterval().toMillis()) {
                steps.add(barrier(now));
            }
            return steps;
        }

        private void collect(List<WindowOutput> outputs, List<WindowResult> results, List<LateEvent> late) {
            for (WindowOutput o : outputs) {
                if (o instanceof LateEvent l) {
                    status.lateEvents.incrementAndGet();
                    late.add(l);
                } else {
                    WindowResult w = (WindowResult) o;
                    if (w.kind() == WindowResult.Kind.FINAL) {
                        if (keepFinalRows) {
                            finalRows.add(new ResultRow(w.key(), w.windowStart(), w.windowEnd(), w.values()));
                        }
                    } else {
                        results.add(w);
                    }
                }
            }
        }

        private Barrier barrier(long now) {
            lastCheckpoint = now;
            epoch++;
            JobCheckpoint.Builder c = JobCheckpoint.newBuilder().setEpoch(epoch).putAllOffsets(offsets)
                    .setOperatorState(operator.snapshot().toByteString()).setTakenAtMs(now).setIncarnation(incarnation);
            for (ResultRow row : finalRows) {
                c.addTableRows(FinalResult.newBuilder().setKey(row.key()).setWindowStart(row.windowStart())
                        .setWindowEnd(row.windowEnd()).setValuesJson(Json.MAPPER.valueToTree(row.values()).toString()));
            }
            Barrier barrier = new Barrier(c.build(), List.copyOf(finalRows));
            finalRows.clear();
            return barrier;
        }
    }

    /** Writes the steps of one batch in order: results as they come, checkpoints after what precedes them. */
    private static final class Writer {
        private final JobSpec spec;
        private final String producer;
        private final Context ctx;
        private final JobStatus status;
        /** The last checkpoint's save and table writes; failed, it fails the run at its next batch. */
        private volatile CompletableFuture<Void> saving = CompletableFuture.completedFuture(null);

        Writer(JobSpec spec, String producer, Context ctx, JobStatus status) {
            this.spec = spec;
            this.producer = producer;
            this.ctx = ctx;
            this.status = status;
        }

        CompletionStage<Done> write(List<Step> batch) {
            if (saving.isCompletedExceptionally()) {
                return saving.thenApply(saved -> Done.getInstance());
            }
            CompletionStage<Void> done = CompletableFuture.completedFuture(null);
            List<Writes> pending = new ArrayList<>();
            for (Step step : batch) {
                if (step instanceof Writes w) {
                    pending.add(w);
                } else {
                    List<Writes> before = List.copyOf(pending);
                    pending.clear();
                    Barrier barrier = (Barrier) step;
                    done = done.thenCompose(previous -> writeAll(before)).thenCompose(previous -> checkpoint(barrier));
                }
            }
            List<Writes> rest = List.copyOf(pending);
            return done.thenCompose(previous -> writeAll(rest)).thenApply(previous -> Done.getInstance());
        }

        private CompletionStage<Void> writeAll(List<Writes> writes) {
            if (writes.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            List<ResultRow> rows = new ArrayList<>();
            List<String> kinds = new ArrayList<>();
            List<BusRecord> late = new ArrayList<>();
            List<BusRecord> bad = new ArrayList<>();
            boolean topics = !ctx.sinks().topics().isEmpty();
            for (Writes w : writes) {
                for (WindowResult r : w.results()) {
                    rows.add(new ResultRow(r.key(), r.windowStart(), r.windowEnd(), r.values()));
                    if (topics) {
                        kinds.add(r.kind().name().toLowerCase(java.util.Locale.ROOT));
                    }
                }
                for (LateEvent l : w.late()) {
                    late.add(BusRecord.newBuilder().setKey(l.event().key()).setFormat(ValueFormat.JSON)
                            .setValue(ByteString.copyFrom(l.event().fields().toString(), StandardCharsets.UTF_8))
                            .putHeaders("late.reason", l.reason())
                            .putHeaders("late.job", spec.name())
                            .putHeaders("late.partition", Integer.toString(l.event().partition()))
                            .putHeaders("late.offset", Long.toString(l.event().offset())).build());
                }
                for (Bad b : w.bad()) {
                    bad.add(ctx.sinks().deadLetters().badRecord(b.partition(), b.offset(), b.value(), b.reason()));
                }
            }
            List<CompletableFuture<Void>> all = new ArrayList<>();
            if (!rows.isEmpty()) {
                ctx.sinks().kv().forEach(k -> all.add(k.write(rows).toCompletableFuture()));
                ctx.sinks().topics().forEach(t -> all.add(t.write(rows, kinds).toCompletableFuture()));
            }
            if (!late.isEmpty()) {
                all.add(ctx.bus().produceInBatches(spec.lateTopic(), late).toCompletableFuture());
            }
            all.add(ctx.sinks().deadLetters().send(bad).toCompletableFuture());
            status.resultsOut.addAndGet(rows.size());
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        }

        /**
         * The stream's end, once no checkpoint is being saved any more (so that a restart reads the
         * last one): failed if the stream failed, or else if the last save failed.
         */
        CompletionStage<Done> afterSaving(CompletionStage<Done> streamDone) {
            CompletableFuture<Done> ended = new CompletableFuture<>();
            streamDone.whenComplete((done, failure) -> saving.whenComplete((saved, saveFailure) -> {
                if (failure != null) {
                    ended.completeExceptionally(failure);
                } else if (saveFailure != null) {
                    ended.completeExceptionally(saveFailure instanceof CompletionException && saveFailure.getCause() != null
                            ? saveFailure.getCause() : saveFailure);
                } else {
                    ended.complete(done);
                }
            }));
            return ended;
        }

        /**
         * Starts saving a checkpoint after the one before it; what follows the barrier waits for
         * that earlier save only.
         */
        private CompletionStage<Void> checkpoint(Barrier barrier) {
            JobCheckpoint.Builder c = barrier.checkpoint().toBuilder();
            ctx.sinks().kv().forEach(k -> c.putAllKvLatestEnd(k.latestEnds()));
            JobCheckpoint checkpoint = c.build();
            CompletableFuture<Void> before = saving;
            saving = before.thenRunAsync(() -> ctx.checkpoints().save(checkpoint), ctx.blockingIo())
                    .thenCompose(saved -> writeTables(ctx.sinks(), barrier.finalRows(), producer, checkpoint.getEpoch()))
                    .thenRun(() -> {
                        status.epoch = checkpoint.getEpoch();
                        status.committed.putAll(checkpoint.getOffsetsMap());
                    });
            return before;
        }
    }
}
