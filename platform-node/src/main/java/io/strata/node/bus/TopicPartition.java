package io.strata.node.bus;

import io.strata.node.bus.internal.BusLogMigration;
import io.strata.node.bus.internal.RecordBatches;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.common.Futures;
import io.strata.node.common.PartitionId;
import io.strata.node.common.StrataException;
import io.strata.node.log.FetchData;
import io.strata.node.log.HighWatermarkPolicy;
import io.strata.node.log.LogConfig;
import io.strata.node.log.OffsetOutOfRange;
import io.strata.node.log.PartitionLog;
import io.strata.node.storage.Directories;
import io.strata.node.storage.DiskSpace;
import io.strata.node.storage.DurableReplies;
import io.strata.node.storage.Passivation;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The Cluster Sharding entity that owns one partition of a topic: the single writer of its
 * {@link PartitionLog}, which gives every record the next dense offset. An append is encoded once
 * into Kafka record batches ({@link RecordBatches}), stored as they are; a read decodes the stored
 * batches.
 *
 * <p>Appends are acknowledged per the durability mode (after the memory-mapped write, or after
 * group-commit fsync). Reads are not the actor's messages: each uses a reader the log keeps
 * positioned for a consumer's next read and replies directly, in place when it follows the end
 * ({@link PartitionLog#readInPlace}: on the caller's thread, or the writer's that woke it), else
 * as a task on the blocking-I/O executor; readers see up to the log's high watermark (in fsync
 * mode, fsynced records only).
 * Retention runs on a timer. If the log cannot be written the append is refused
 * ({@code storage_unavailable}) and the entity stops; the next command reopens the log. A
 * partition opens only for a topic in the catalog ({@code topic_not_found} otherwise). The entity
 * never stops itself: it asks its shard to passivate it and refuses commands until then
 * ({@link Passivation}), so none is lost.
 */
public final class TopicPartition {

    /** The sharding entity type of topic partitions. */
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "bus-partition");

    /** {@link Read} offset meaning "the first retained record". */
    public static final long EARLIEST = -2;
    /** {@link Read} offset meaning "the end of the partition" (what is appended next). */
    public static final long LATEST = -1;

    /** Messages a partition accepts. Public ones cross nodes (Protobuf, see BusSerializer). */
    public sealed interface Command permits Append, Read, Info, Drop, DeleteRecords, Internal {}

    /**
     * Appends {@code count} records in order, as the record batches (v2) the sender encoded them
     * in: the partition only assigns their offsets and stores the bytes. Replies {@link Appended}
     * or {@link Rejected}.
     */
    public record Append(MemoryRecords batches, int count, ActorRef<Reply> replyTo) implements Command {

        /** Encodes {@code records} now, on the sender's thread; a record without a timestamp gets the time now. */
        public Append(List<BusRecord> records, ActorRef<Reply> replyTo) {
            this(RecordBatches.encode(records, System.currentTimeMillis(), RecordBatches.TARGET_BATCH_BYTES), records.size(), replyTo);
        }
    }

    /**
     * Reads up to {@code maxRecords} records (about {@code maxBytes} of values) from {@code offset}
     * ({@link #EARLIEST}, {@link #LATEST} or an offset); at the partition's end, waits up to
     * {@code maxWaitMs} for a record first (a long poll: the reply comes as soon as one is there).
     * Replies {@link Records}, or {@link Rejected} {@code offset_out_of_range} with the bounds.
     */
    public record Read(long offset, int maxRecords, long maxBytes, long maxWaitMs, ActorRef<Reply> replyTo) implements Command {

        /** A read that answers at once. */
        public Read(long offset, int maxRecords, long maxBytes, ActorRef<Reply> replyTo) {
            this(offset, maxRecords, maxBytes, 0, replyTo);
        }
    }

    /** Asks for the partition's offsets and size. Replies {@link PartitionInfo}. */
    public record Info(ActorRef<Reply> replyTo) implements Command {}

    /**
     * Deletes the partition's log (its topic is being deleted) and stops; refuses every other
     * command meanwhile, and appends not yet acknowledged ({@code topic_not_found}). Replies {@link Dropped}.
     */
    public record Drop(ActorRef<Reply> replyTo) implements Command {}

    /**
     * Deletes the records before {@code before} (Kafka's DeleteRecords; {@link #LATEST}: before the
     * high watermark, every record readers can see): the log start moves there, durably (in fsync
     * mode the reply waits for the fsync), and whole files below it go with the next retention
     * check. An offset at or below the log start changes nothing. Replies {@link PartitionInfo}
     * with the new log start, or {@link Rejected} {@code offset_out_of_range} (with the bounds) for
     * an offset past the high watermark or below -1.
     */
    public record DeleteRecords(long before, ActorRef<Reply> replyTo) implements Command {}

    /** Replies of a partition. */
    public sealed interface Reply permits Appended, Records, PartitionInfo, Dropped, Rejected {}

    /** The records got offsets {@code firstOffset .. firstOffset + count - 1}. */
    public record Appended(long firstOffset, int count) implements Reply {}

    /**
     * Records read; the next read starts at {@code nextOffset}. A read on this node carries the
     * stored batches as they are and decodes them only when {@link #records()} is asked for (a
     * reader that only needs values or counts never decodes them); one that crossed nodes carries
     * them decoded.
     */
    public static final class Records implements Reply {
        private final RecordBatches.Slice slice;
        private final long nextOffset;
        private final long logStartOffset;
        private final long logEndOffset;
        private volatile List<BusRecord> decoded;

        public Records(List<BusRecord> records, long nextOffset, long logStartOffset, long logEndOffset) {
            this(null, List.copyOf(records), nextOffset, logStartOffset, logEndOffset);
        }

        private Records(RecordBatches.Slice slice, List<BusRecord> decoded, long nextOffset, long logStartOffset, long logEndOffset) {
            this.slice = slice;
            this.decoded = decoded;
            this.nextOffset = nextOffset;
            this.logStartOffset = logStartOffset;
            this.logEndOffset = logEndOffset;
        }

        /** The records of a stored slice, decoded when first asked for. */
        static Records of(RecordBatches.Slice slice, long logStartOffset, long logEndOffset) {
            return new Records(slice, null, slice.nextOffset(), logStartOffset, logEndOffset);
        }

        /** The records, decoded (once). */
        public List<BusRecord> records() {
            List<BusRecord> records = decoded;
            if (records == null) {
                records = slice.decode();
                decoded = records;
            }
            return records;
        }

        /** How many records were read, without decoding them. */
        public int size() {
            return slice != null ? slice.count() : decoded.size();
        }

        /** Calls {@code consumer} with each record's value, in offset order, without decoding the records when they are stored batches. */
        public void forEachValue(java.util.function.Consumer<java.nio.ByteBuffer> consumer) {
            forEachValue((offset, value) -> consumer.accept(value));
        }

        /** As {@link #forEachValue(java.util.function.Consumer)}, with each record's offset. */
        public void forEachValue(RecordBatches.ValueConsumer consumer) {
            if (slice != null && decoded == null) {
                slice.forEachValue(consumer);
            } else {
                records().forEach(r -> consumer.accept(r.getOffset(), r.getValue().asReadOnlyByteBuffer()));
            }
        }

        /** Whether the read returned no record. */
        public boolean isEmpty() {
            return size() == 0;
        }

        public long nextOffset() {
            return nextOffset;
        }

        public long logStartOffset() {
            return logStartOffset;
        }

        public long logEndOffset() {
            return logEndOffset;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Records other && nextOffset == other.nextOffset && logStartOffset == other.logStartOffset
                    && logEndOffset == other.logEndOffset && records().equals(other.records());
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(records(), nextOffset, logStartOffset, logEndOffset);
        }

        @Override
        public String toString() {
            return "Records[" + size() + " records, nextOffset=" + nextOffset + ", logStartOffset=" + logStartOffset
                    + ", logEndOffset=" + logEndOffset + "]";
        }
    }

    /** The partition's first retained offset, the offset its next record gets, and its log's size. */
    public record PartitionInfo(long logStartOffset, long logEndOffset, long bytes, int files) implements Reply {}

    public record Dropped() implements Reply {}

    /**
     * Refused, changing nothing. Codes: {@code offset_out_of_range} (with the partition's
     * {@code earliest} and {@code latest} offsets), {@code topic_not_found} (deleted, or being
     * deleted), {@code storage_full}, {@code storage_unavailable}.
     */
    public record Rejected(String code, String message, long earliest, long latest) implements Reply {}

    sealed interface Internal extends Command, NoSerializationVerificationNeeded {}

    private record Opened(PartitionLog log, long nanos) implements Internal {}

    private record OpenFailed(Throwable cause) implements Internal {}

    private record Synced(long upTo, Throwable failure) implements Internal {}

    private record Deleted(ActorRef<Reply> replyTo, Throwable failure) implements Internal {}

    private enum RetentionTick implements Internal { INSTANCE }

    private record RetentionApplied(int deleted, Throwable failure) implements Internal {}

    // ---- Behaviour ----------------------------------------------------------------------------

    private static final int STASH_CAPACITY = 10_000;
    /** The size a produce's records are cut into batches at (a larger record gets a batch of its own). */
    /** Bytes of batch framing allowed per read over the values' budget. */
    private static final int READ_FRAMING_BYTES = 64 << 10;
    /** Longest an opening partition waits for its previous incarnation's log to close. */
    private static final Duration PREVIOUS_CLOSE_WAIT = Duration.ofSeconds(30);

    private final PartitionId id;
    private final BusSettings settings;
    private final BusStorage storage;
    private final ActorContext<Command> context;
    private final StashBuffer<Command> stash;
    private final TimerScheduler<Command> timers;
    private final Passivation<Command> passivation;
    private final DurableReplies<Reply> replies;
    private PartitionLog log;
    private boolean retentionRunning;

    /**
     * Creates the behaviour of the partition {@code id}; {@code shard} is its shard's, which it asks
     * to passivate it when it has to stop.
     */
    public static Behavior<Command> create(PartitionId id, BusSettings settings, BusStorage storage,
                                           ActorRef<ClusterSharding.ShardCommand> shard) {
        return Behaviors.setup(ctx -> Behaviors.withStash(STASH_CAPACITY, stash -> Behaviors.withTimers(timers ->
                new TopicPartition(id, settings, storage, ctx, stash, timers, shard).opening())));
    }

    private TopicPartition(PartitionId id, BusSettings settings, BusStorage storage, ActorContext<Command> context,
                           StashBuffer<Command> stash, TimerScheduler<Command> timers, ActorRef<ClusterSharding.ShardCommand> shard) {
        this.id = id;
        this.settings = settings;
        this.storage = storage;
        this.context = context;
        this.stash = stash;
        this.timers = timers;
        this.passivation = new Passivation<>(shard, context.getSelf(), this::refuse);
        this.replies = new DurableReplies<>(storage.committer(),
                (sync, upTo) -> context.pipeToSelf(sync, (ok, failure) -> new Synced(upTo, failure)));
    }

    private Behavior<Command> opening() {
        long start = System.nanoTime();
        context.pipeToSelf(CompletableFuture.supplyAsync(this::open, storage.blockingIo()),
                (opened, failure) -> failure == null ? new Opened(opened, System.nanoTime() - start) : new OpenFailed(failure));
        return Behaviors.receive(Command.class)
                .onMessage(Opened.class, this::onOpened)
                .onMessage(OpenFailed.class, this::onOpenFailed)
                .onAnyMessage(command -> {
                    if (stash.isFull()) {
                        reject(command, "storage_unavailable", "partition " + id + " is still opening");
                    } else {
                        stash.stash(command);
                    }
                    return Behaviors.same();
                })
                .build();
    }

    /**
     * Runs on the blocking-I/O executor: opens the log of a partition of a topic that exists (an
     * append racing the topic's deletion must not bring its files back).
     */
    private PartitionLog open() {
        storage.closings().awaitClosed(storage.partitionDir(id), PREVIOUS_CLOSE_WAIT);
        int partitions = storage.topicOf().apply(id.name()).map(TopicCatalog.Topic::partitions).orElse(0);
        if (id.partition() >= partitions) {
            throw new StrataException(StrataException.Kind.NOT_FOUND, "topic_not_found",
                    "topic '" + id.name() + "' does not exist (it has no partition " + id.partition() + ")");
        }
        LogConfig config = LogConfig.of(settings.rollCycle()).withMaxBatchBytes(PartitionLog.maxBatchBytes())
                .withHighWatermark(storage.committer().isPresent() ? HighWatermarkPolicy.ON_FLUSH : HighWatermarkPolicy.ON_APPEND);
        InstantSource clock = () -> Instant.ofEpochMilli(storage.clock().getAsLong());
        BusLogMigration.migrateIfNeeded(storage.partitionDir(id), settings.rollCycle(), config, storage.space(), clock);
        return PartitionLog.open(storage.partitionDir(id), config, storage.space(), clock);
    }

    private Behavior<Command> onOpenFailed(OpenFailed failed) {
        return passivation.startFailed("topic partition " + id + " cannot open its log", failed.cause, stash, context.getLog());
    }

    /** Refuses a command with {@code code}; a {@link Drop} is done all the same, without opening the log. */
    private void refuse(Command command, String code, String why) {
        if (command instanceof Drop drop) {
            CompletableFuture.runAsync(this::deleteFiles, storage.blockingIo())
                    .whenComplete((ok, failure) -> drop.replyTo.tell(new Dropped()));
        } else {
            reject(command, code, why);
        }
    }

    /**
     * The log failed: the partition releases it and is passivated, refusing commands meanwhile
     * ({@code storage_unavailable}); the next command reopens it from disk.
     */
    private Behavior<Command> failed(String why) {
        timers.cancelAll();
        release();
        return passivation.failed("topic partition " + id, why);
    }

    /**
     * Closes the log if it is open, on the blocking-I/O pool: the close fsyncs (a recovery point for
     * the next open) and waits for the reads under way; a read that comes after it is refused
     * ({@code storage_unavailable}, the log is closed).
     */
    private void release() {
        if (log != null) {
            storage.local().closing(id, log);
            storage.closings().close(storage.partitionDir(id), CompletableFuture.completedFuture(null), log);
            log = null;
        }
    }

    private Behavior<Command> onOpened(Opened opened) {
        log = opened.log;
        storage.local().opened(id, log, context.getSelf());
        replies.recovered(log.logEndOffset());
        context.getLog().info("topic partition {} opened: offsets {}..{} in {} ms", id, log.logStartOffset(),
                log.logEndOffset(), opened.nanos / 1_000_000);
        timers.startTimerWithFixedDelay(RetentionTick.INSTANCE, settings.retentionCheckInterval());
        return stash.unstashAll(running());
    }

    private Behavior<Command> running() {
        return Behaviors.receive(Command.class)
                .onMessage(Append.class, this::onAppend)
                .onMessage(Read.class, this::onRead)
                .onMessage(Info.class, info -> {
                    replies.respond(info.replyTo, new PartitionInfo(log.logStartOffset(), log.highWatermark(), log.bytesOnDisk(), log.files()));
                    return Behaviors.same();
                })
                .onMessage(Synced.class, this::onSynced)
                .onMessageEquals(RetentionTick.INSTANCE, this::onRetentionTick)
                .onMessage(RetentionApplied.class, this::onRetentionApplied)
                .onMessage(Drop.class, this::onDrop)
                .onMessage(DeleteRecords.class, this::onDeleteRecords)
                .onSignal(PostStop.class, signal -> {
                    release();
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Command> onAppend(Append append) {
        long first;
        long endBefore = log.logEndOffset();
        long bytes = append.batches.sizeInBytes();
        try {
            first = log.appendAsLeader(append.batches, 0).firstOffset();
        } catch (StrataException refused) {
            if (log.logEndOffset() == endBefore) {
                // No room on the disk: nothing was written, and the partition goes on serving.
                replies.respond(append.replyTo, new Rejected(refused.code(), refused.getMessage(), -1, -1));
                return Behaviors.same();
            }
            return appendFailed(append, refused);
        } catch (RuntimeException e) {
            return appendFailed(append, e);
        }
        long end = log.logEndOffset();
        storage.metrics().appended(append.count, bytes);
        replies.appended(end, storage.committer().isPresent() ? log.currentFile() : null);
        replies.acknowledge(end, append.replyTo, new Appended(first, append.count));
        return Behaviors.same();
    }

    /** The log failed part-way: the partition stops, so that it reopens from what is on disk. */
    private Behavior<Command> appendFailed(Append append, RuntimeException e) {
        context.getLog().error("topic partition {} cannot append to its log; stopping", id, e);
        StrataException refusal = DiskSpace.refusal("the append could not be made durable", e);
        append.replyTo.tell(new Rejected(refusal.code(), refusal.getMessage(), -1, -1));
        replies.failAll(why -> new Rejected("storage_unavailable", why, -1, -1), "the partition's log failed");
        return failed("its log could not be written");
    }

    private Behavior<Command> onDeleteRecords(DeleteRecords delete) {
        long before = delete.before == LATEST ? log.highWatermark() : delete.before;
        long startBefore = log.logStartOffset();
        try {
            log.deleteRecordsBefore(before);
        } catch (OffsetOutOfRange range) {
            replies.respond(delete.replyTo, new Rejected("offset_out_of_range", range.getMessage(), range.earliest(), range.latest()));
            return Behaviors.same();
        } catch (StrataException refused) {
            // No room on the disk for the marker: nothing changed.
            replies.respond(delete.replyTo, new Rejected(refused.code(), refused.getMessage(), -1, -1));
            return Behaviors.same();
        } catch (RuntimeException e) {
            context.getLog().error("topic partition {} cannot write to its log; stopping", id, e);
            delete.replyTo.tell(new Rejected("storage_unavailable", "the deletion could not be written: " + e.getMessage(), -1, -1));
            replies.failAll(why -> new Rejected("storage_unavailable", why, -1, -1), "the partition's log failed");
            return failed("its log could not be written");
        }
        PartitionInfo info = new PartitionInfo(log.logStartOffset(), log.highWatermark(), log.bytesOnDisk(), log.files());
        if (info.logStartOffset() == startBefore) {
            // Nothing was written: an offset at or below the start.
            replies.respond(delete.replyTo, info);
            return Behaviors.same();
        }
        storage.committer().ifPresentOrElse(
                // The marker is durable once its file is fsynced; the reply needs no actor state.
                committer -> committer.sync(log.currentFile()).whenComplete((ok, failure) -> delete.replyTo.tell(failure == null
                        ? info : new Rejected("storage_unavailable", "fsync failed: " + failure.getMessage(), -1, -1))),
                () -> replies.respond(delete.replyTo, info));
        return Behaviors.same();
    }

    private Behavior<Command> onSynced(Synced synced) {
        if (synced.failure != null) {
            context.getLog().error("topic partition {}: fsync failed; stopping so the partition reopens from disk", id, synced.failure);
            replies.failAll(why -> new Rejected("storage_unavailable", why, -1, -1), "fsync failed: " + synced.failure.getMessage());
            return failed("fsync failed");
        }
        log.advanceHighWatermark(synced.upTo);
        replies.synced(synced.upTo);
        return Behaviors.same();
    }

    private Behavior<Command> onRead(Read read) {
        readLog(log, read.offset, Math.min(read.maxRecords, settings.maxReadRecords()), Math.min(read.maxBytes, settings.maxReadBytes()),
                read.maxWaitMs, storage).thenAccept(read.replyTo::tell);
        return Behaviors.same();
    }

    /**
     * Reads {@code log} from {@code offset} (or {@link #EARLIEST} / {@link #LATEST}): at most
     * {@code max} records and about {@code maxBytes} of values; at the end, waits up to
     * {@code maxWaitMs} for the high watermark to pass it (off the caller's thread), then reads on
     * the blocking pool. Completes with {@link Records} or {@link Rejected}, never exceptionally.
     * The partition's actor reads its log so; so do readers on its node ({@link LocalPartitions}).
     */
    static CompletableFuture<Reply> readLog(PartitionLog reading, long offset, int max, long maxBytes, long maxWaitMs,
                                            BusStorage storage) {
        CompletableFuture<Records> records;
        try {
            long from = offset == EARLIEST ? reading.logStartOffset() : offset == LATEST ? reading.highWatermark() : offset;
            int budget = (int) Math.min(Integer.MAX_VALUE - READ_FRAMING_BYTES, maxBytes) + READ_FRAMING_BYTES;
            CompletableFuture<Long> ready = maxWaitMs > 0 && from >= reading.highWatermark()
                    ? reading.awaitHighWatermarkAbove(from, Duration.ofMillis(maxWaitMs))
                    : CompletableFuture.completedFuture(reading.highWatermark());
            // Batches up to the max-th record, not a whole byte budget's worth: read where the reader
            // is (the caller's thread, or the writer's that woke it) when that cannot block, else on the
            // blocking pool (a read may open or map a file, or wait for retention to delete one).
            records = ready.thenCompose(visible -> reading.readInPlace(from, budget, from + max)
                            .map(CompletableFuture::completedFuture)
                            .orElseGet(() -> CompletableFuture.supplyAsync(() -> reading.read(from, budget, from + max), storage.blockingIo())))
                    .thenApply(data -> Records.of(RecordBatches.slice(data.records(), from, max, maxBytes), data.logStartOffset(),
                            data.highWatermark()));
        } catch (RuntimeException e) {
            records = CompletableFuture.failedFuture(e);
        }
        return records.handle((read, failure) -> {
            if (failure == null) {
                storage.metrics().read(read.size());
                return read;
            }
            // A failure thrown here comes bare, one from the read wrapped: a refusal's own cause is not it.
            Throwable cause = Futures.unwrap(failure);
            if (cause instanceof OffsetOutOfRange range) {
                return new Rejected("offset_out_of_range", range.getMessage(), range.earliest(), range.latest());
            }
            if (cause instanceof StrataException refused) {
                return new Rejected(refused.code(), refused.getMessage(), -1, -1);
            }
            return new Rejected("storage_unavailable", "read failed: " + cause.getMessage(), -1, -1);
        });
    }

    private Behavior<Command> onRetentionTick() {
        var retention = storage.retentionOf().apply(id.name());
        if (retention.isEmpty() || retentionRunning) {
            return Behaviors.same();
        }
        retentionRunning = true;
        PartitionLog applying = log;
        // File deletion is blocking I/O; the log allows it beside appends and holds it off its readers.
        context.pipeToSelf(CompletableFuture.supplyAsync(
                        () -> applying.applyRetention(retention.get().time(), retention.get().bytes()), storage.blockingIo()),
                (deleted, failure) -> new RetentionApplied(deleted == null ? 0 : deleted, failure));
        return Behaviors.same();
    }

    private Behavior<Command> onRetentionApplied(RetentionApplied applied) {
        retentionRunning = false;
        if (applied.failure != null) {
            context.getLog().warn("topic partition {}: retention failed; it is tried again at the next check", id, applied.failure);
        } else if (applied.deleted > 0) {
            storage.metrics().retentionDeleted(applied.deleted);
            context.getLog().info("topic partition {}: retention deleted {} log files; earliest offset now {}", id,
                    applied.deleted, log.logStartOffset());
        }
        return Behaviors.same();
    }

    private Behavior<Command> onDrop(Drop drop) {
        String why = "topic '" + id.name() + "' is being deleted";
        timers.cancelAll();
        replies.failAll(reason -> new Rejected("topic_not_found", reason, -1, -1), why);
        PartitionLog dropping = log;
        storage.local().closing(id, dropping);
        log = null;
        context.pipeToSelf(CompletableFuture.runAsync(() -> {
                    dropping.close();
                    deleteFiles();
                }, storage.blockingIo()),
                (ok, failure) -> new Deleted(drop.replyTo, failure));
        return Behaviors.receive(Command.class)
                .onMessage(Deleted.class, deleted -> {
                    if (deleted.failure != null) {
                        context.getLog().error("topic partition {}: could not delete its log", id, deleted.failure);
                    }
                    deleted.replyTo.tell(new Dropped());
                    return passivation.refuseUntilStopped("topic_not_found", why);
                })
                .onAnyMessage(other -> {
                    reject(other, "topic_not_found", why);
                    return Behaviors.same();
                })
                .build();
    }

    /** Blocking: the partition's directory, and its topic's once no other partition has files in it. */
    private void deleteFiles() {
        Path dir = storage.partitionDir(id);
        Directories.deleteTree(dir);
        Directories.deleteIfEmpty(dir.getParent());
    }

    private static void reject(Command command, String code, String why) {
        ActorRef<Reply> replyTo = null;
        if (command instanceof Append c) {
            replyTo = c.replyTo;
        } else if (command instanceof Read c) {
            replyTo = c.replyTo;
        } else if (command instanceof Info c) {
            replyTo = c.replyTo;
        } else if (command instanceof Drop c) {
            replyTo = c.replyTo;
        } else if (command instanceof DeleteRecords c) {
            replyTo = c.replyTo;
        }
        if (replyTo != null) {
            replyTo.tell(new Rejected(code, why, -1, -1));
        }
    }
}
