package io.strata.node.kv;

import com.google.protobuf.UnsafeByteOperations;
import io.strata.node.common.Futures;
import io.strata.node.common.PartitionId;
import io.strata.node.common.StrataException;
import io.strata.node.storage.DiskSpace;
import io.strata.node.storage.EntryLog;
import io.strata.node.kv.internal.PartitionState;
import io.strata.node.kv.internal.ProtoKeys;
import io.strata.node.kv.internal.LoggedChanges;
import io.strata.node.kv.internal.SnapshotStore;
import io.strata.node.kv.internal.TransactionBatch;
import io.strata.node.kv.proto.DeleteOp;
import io.strata.node.kv.proto.LogEntry;
import io.strata.node.kv.proto.PutOp;
import io.strata.node.kv.proto.SnapshotHeader;
import io.strata.node.storage.Directories;
import io.strata.node.storage.DurableReplies;
import io.strata.node.storage.Passivation;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The Cluster Sharding entity that owns one partition of a keyspace: its keys in memory, its log
 * on Chronicle Queue and its snapshots.
 *
 * <p>Lifecycle: on start it recovers (latest snapshot + log tail) on the blocking-I/O executor,
 * stashing commands meanwhile; then it serves them. Every mutation is appended to the log before
 * it is applied and acknowledged. In {@code mmap} durability the reply follows the append; in
 * {@code fsync} durability replies wait for the group committer, and reads that could observe an
 * unsynced write wait with them, so nobody sees data that is not yet durable.
 *
 * <p>Failure: if the log cannot be written the command is rejected ({@code storage_unavailable})
 * and the entity stops; the next command recovers it from disk. If recovery fails every stashed
 * command is rejected the same way. The entity never stops itself: it asks its shard to passivate
 * it and refuses commands until then ({@link Passivation}), so none is lost.
 */
public final class KvPartition {

    /** For what happens off the actor's thread, where its context's logger may not be used. */
    private static final Logger LOG = LoggerFactory.getLogger(KvPartition.class);

    /** The sharding entity type of KV partitions. */
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "kv-partition");

    /** Expected version meaning "whatever is there" (no condition). */
    public static final long ANY_VERSION = -1;
    /** Expected version meaning "the key must exist" ({@code If-Match: *}). */
    public static final long MUST_EXIST = -2;
    /** Expected version meaning "the key must not exist" ({@code If-None-Match: *}). */
    public static final long MUST_NOT_EXIST = 0;

    // ---- Protocol -----------------------------------------------------------------------------

    /** Messages a partition accepts. Public ones cross nodes (Protobuf, see KvSerializer). */
    public sealed interface Command permits Put, PutAll, Get, Delete, Incr, Update, UpdateValue, MoveElement, CopyKey, PutValue, MultiGet,
            Transaction, Batch, ListKeys, Stats, Wake, Drop, Internal {}

    /**
     * Sets {@code key} to {@code value}. {@code ttlMillis} 0 means no expiry.
     * {@code expectedVersion}: {@link #ANY_VERSION}, {@link #MUST_EXIST}, {@link #MUST_NOT_EXIST} or
     * the version the key must have (compare-and-set). Replies {@link Written} or {@link Rejected}.
     */
    public record Put(String key, byte[] value, long ttlMillis, long expectedVersion, ActorRef<Reply> replyTo)
            implements Command {}

    /**
     * Sets several keys of this partition at once, in order: one log append (one record batch),
     * applied and acknowledged whole or refused whole. With {@code onlyIfAllAbsent} (Redis's
     * MSETNX), only when none of the keys exists, else nothing ({@code version_mismatch}). Replies
     * {@link AllWritten} or {@link Rejected}.
     */
    public record PutAll(List<Write> writes, boolean onlyIfAllAbsent, ActorRef<Reply> replyTo) implements Command {

        /** Sets the keys whatever they hold. */
        public PutAll(List<Write> writes, ActorRef<Reply> replyTo) {
            this(writes, false, replyTo);
        }
    }

    /** One key of a {@link PutAll}: its value and time to live ({@code ttlMillis} 0: no expiry). */
    public record Write(String key, byte[] value, long ttlMillis) {}

    /** Reads a key. Replies {@link Found} or {@link NotFound}. */
    public record Get(String key, ActorRef<Reply> replyTo) implements Command {}

    /** Deletes a key, optionally only at {@code expectedVersion}. Replies {@link Deleted}, {@link NotFound} or {@link Rejected}. */
    public record Delete(String key, long expectedVersion, ActorRef<Reply> replyTo) implements Command {}

    /**
     * Adds {@code by} to the 64-bit signed integer stored as decimal text at {@code key} (absent
     * keys count as 0), keeping the key's expiry. Replies {@link Counter} or {@link Rejected}
     * ({@code not_an_integer}, {@code integer_overflow}).
     */
    public record Incr(String key, long by, ActorRef<Reply> replyTo) implements Command {}

    /**
     * Changes {@code key} as {@code change} computes from its current value and expiry, at once:
     * no other write comes between. Replies {@link Updated} (also when the change writes nothing)
     * or {@link Rejected} (the change's own refusals, such as {@code not_a_float}, and a write's).
     */
    public record Update(String key, StringChange change, ActorRef<Reply> replyTo) implements Command {}

    /**
     * Changes the hash or list at {@code key} as {@code change} computes from it, at once. Replies
     * {@link ValueUpdated} (also when nothing changes) or {@link Rejected} ({@code wrong_type} when
     * the key holds another type, the change's own refusals, and a write's).
     */
    public record UpdateValue(String key, ValueChange change, ActorRef<Reply> replyTo) implements Command {}

    /**
     * Redis's LMOVE and SMOVE, between two keys of this partition, at once (both keys in one log
     * append): of a {@link ValueType#LIST}, the element at one end ({@code fromLeft}) of the list at
     * {@code source} moved to one end of the list at {@code destination}; of a
     * {@link ValueType#SET}, {@code member} moved from one set to the other. Replies
     * {@link ValueUpdated} (a list's: items the element moved, null when the source is absent; a
     * set's: count 1 when moved, 0 when the source does not hold it) or {@link Rejected}
     * ({@code wrong_type} when either key holds another type).
     */
    public record MoveElement(String source, String destination, ValueType type, boolean fromLeft, boolean toLeft, byte[] member,
                              ActorRef<Reply> replyTo) implements Command {

        /** LMOVE. */
        public static MoveElement ofList(String source, String destination, boolean fromLeft, boolean toLeft, ActorRef<Reply> replyTo) {
            return new MoveElement(source, destination, ValueType.LIST, fromLeft, toLeft, new byte[0], replyTo);
        }

        /** SMOVE. */
        public static MoveElement ofSet(String source, String destination, byte[] member, ActorRef<Reply> replyTo) {
            return new MoveElement(source, destination, ValueType.SET, false, false, member, replyTo);
        }
    }

    /**
     * Redis's COPY, RENAME and RENAMENX: the value at {@code source} (any type, with its expiry)
     * written at {@code destination} (both of this partition), and with {@code deleteSource} the
     * source deleted, at once: one log append. A destination that exists is replaced only with
     * {@code replace}. Replies {@link ValueUpdated} with count 1 (done) or 0 (the source is absent,
     * or the destination exists), or {@link Rejected} ({@code no_such_key}: a RENAME of an absent key).
     */
    public record CopyKey(String source, String destination, boolean deleteSource, boolean replace, ActorRef<Reply> replyTo)
            implements Command {}

    /**
     * Writes a value of any type as it was read ({@link Found}: its packed form and its absolute
     * expiry, 0: none): the destination of a COPY or MOVE to another database. With
     * {@code replace} false, only when the key is absent. Replies {@link ValueUpdated} with count 1
     * (written) or 0 (the key exists), or {@link Rejected}.
     */
    public record PutValue(String key, ValueType type, byte[] value, long expiresAtMillis, boolean replace, ActorRef<Reply> replyTo)
            implements Command {}

    /**
     * Runs {@code steps} (each a {@link Put}, {@link PutAll}, {@link Get}, {@link Delete},
     * {@link Incr}, {@link Update}, {@link UpdateValue} or {@link MultiGet} of this partition; their
     * own {@code replyTo} is not used) one after the other with nothing between them, as Redis's
     * MULTI / EXEC does: a step sees the writes of the steps before it, a step refused (WRONGTYPE)
     * does not stop the others, and the writes of all are one log append, durable and acknowledged
     * together or not at all. First, when a key of {@code watches} is no longer at the version
     * watched (0: absent), nothing runs (Redis's WATCH). Replies {@link TransactionDone},
     * {@link TransactionAborted}, or {@link Rejected} when the writes cannot be made durable.
     */
    public record Transaction(List<Command> steps, List<Watch> watches, ActorRef<Reply> replyTo) implements Command {}

    /**
     * Runs {@code steps} (commands of this partition that {@link #runsAsStep} accepts; their own
     * {@code replyTo} is not used) one after the other as one message, so that a door can send the
     * commands of a pipeline that go to one partition together (one round trip instead of one
     * each). Each step sees the writes of the steps before it and is answered on its own (a step
     * refused does not stop the others); the writes of all are one log append, acknowledged
     * together once durable, or refused together when the append is. Replies
     * {@link TransactionDone} with each step's reply in order, or {@link Rejected}.
     */
    public record Batch(List<Command> steps, ActorRef<Reply> replyTo) implements Command {}

    /** Whether {@code command} can be a step of a {@link Transaction} or a {@link Batch}. */
    public static boolean runsAsStep(Command command) {
        return command instanceof Put || command instanceof PutAll || command instanceof Get || command instanceof Delete
                || command instanceof Incr || command instanceof Update || command instanceof UpdateValue
                || command instanceof MultiGet || command instanceof CopyKey;
    }

    /** A key a {@link Transaction} needs unchanged: its version when it was watched, 0 when it was absent. */
    public record Watch(String key, long version) {}

    /** Reads several keys of this partition. Replies {@link MultiGetResult} with the keys found. */
    public record MultiGet(List<String> keys, ActorRef<Reply> replyTo) implements Command {}

    /**
     * Lists up to {@code limit} live keys that start with {@code prefix} and come after
     * {@code after} ({@code ""}: from the first), in UTF-8 byte order ({@link PartitionState#KEY_ORDER}).
     * Replies {@link KeyPage}.
     */
    public record ListKeys(String prefix, String after, int limit, ActorRef<Reply> replyTo) implements Command {}

    /** Asks for the partition's size. Replies {@link PartitionStats}. */
    public record Stats(ActorRef<Reply> replyTo) implements Command {}

    /** Starts the partition (and so its recovery) without asking anything of it. */
    public enum Wake implements Command { INSTANCE }

    /**
     * Deletes the partition's files (its keyspace is being deleted) and stops; refuses every other
     * command meanwhile, and writes not yet acknowledged ({@code keyspace_not_found}). Replies
     * {@link Dropped}.
     */
    public record Drop(ActorRef<Reply> replyTo) implements Command {}

    /** Replies of a partition. */
    public sealed interface Reply permits Found, NotFound, Written, AllWritten, Deleted, Counter, Updated, ValueUpdated, MultiGetResult,
            KeyPage, TransactionDone, TransactionAborted,
            PartitionStats, Dropped, Rejected {}

    /**
     * A live key: a value of {@code type} ({@code value} the packed form of a type other than a
     * string, without expired parts). {@code expiresAtMillis} is epoch milliseconds, 0 when it never expires.
     */
    public record Found(String key, byte[] value, long version, long expiresAtMillis, ValueType type, LargeValue large) implements Reply {

        /** A string. */
        public Found(String key, byte[] value, long version, long expiresAtMillis) {
            this(key, value, version, expiresAtMillis, ValueType.STRING);
        }

        /** A value held packed. */
        public Found(String key, byte[] value, long version, long expiresAtMillis, ValueType type) {
            this(key, value, version, expiresAtMillis, type, null);
        }

        /** The entry's value: a large one as it is (immutable, readable in O(log n) from any thread), or packed. */
        static Found of(String key, PartitionState.Entry e) {
            return e.large() == null ? new Found(key, e.value(), e.version(), e.expiresAtMillis(), e.type())
                    : new Found(key, null, e.version(), e.expiresAtMillis(), e.type(), e.large());
        }

        /**
         * Its elements, fields or members: as {@code unpack} reads them from the packed value, or,
         * when held large, its {@link LargeValue#view() view}, read in place.
         */
        @SuppressWarnings("unchecked")
        public <T> List<T> elements(java.util.function.Function<byte[], List<T>> unpack) {
            return large != null ? (List<T>) large.view() : unpack.apply(value);
        }

        /** The value packed; a large one (which crosses nodes packed) is packed here, on the reader's thread. */
        @Override
        public byte[] value() {
            return value != null ? value : large.pack();
        }
    }

    public record NotFound(String key) implements Reply {}

    /** A write was applied and is durable per the configured mode. */
    public record Written(long version, boolean created, long expiresAtMillis) implements Reply {}

    /** A {@link PutAll}'s {@code count} keys were written, the last at version {@code lastVersion}. */
    public record AllWritten(int count, long lastVersion) implements Reply {}

    public record Deleted(long version) implements Reply {}

    public record Counter(long value, long version) implements Reply {}

    /**
     * An {@link Update}'s outcome: the key's value before it ({@code previous}, null: absent) and
     * after it ({@code value}, null: absent), and its version and expiry ({@code expiresAtMillis},
     * 0: never) after it; {@code version} 0 when the key is absent after it; {@code changed}
     * whether it wrote anything.
     */
    public record Updated(byte[] previous, byte[] value, long version, long expiresAtMillis, boolean changed) implements Reply {}

    /**
     * An {@link UpdateValue}'s outcome, as {@link ValueChange.Outcome} has it: {@code count},
     * {@code value} (null but for HINCRBYFLOAT), {@code numbers} (null but for the field expiry
     * commands), {@code items} (popped elements; null when none could be, the key being absent), and
     * the key's version after it (0 when the value is gone).
     */
    public record ValueUpdated(long count, byte[] value, List<Long> numbers, List<byte[]> items, long version) implements Reply {}

    public record MultiGetResult(List<Found> found) implements Reply {}

    /** A {@link Transaction} or a {@link Batch} ran: each step's reply, in order. */
    public record TransactionDone(List<Reply> replies) implements Reply {}

    /** A {@link Transaction} did not run: a watched key had changed. */
    public record TransactionAborted() implements Reply {}

    /** Keys in order; {@code more}: live keys with the prefix come after the last one. */
    public record KeyPage(List<String> keys, boolean more) implements Reply {}

    /** The partition's files are deleted and it has stopped. */
    public record Dropped() implements Reply {}

    /** {@code keys}: live keys; {@code valueBytes}: bytes of their values (packed); {@code seq}: last write's sequence number. */
    public record PartitionStats(long keys, long valueBytes, long seq) implements Reply {}

    /**
     * The command was refused and changed nothing. Codes: {@code version_mismatch},
     * {@code not_an_integer}, {@code integer_overflow}, {@code not_a_float}, {@code float_overflow},
     * {@code string_too_long} (an {@link Update}'s), {@code keyspace_not_found} (deleted, or
     * being deleted), {@code storage_full} (the disk is at its free-space reserve),
     * {@code storage_unavailable}, {@code memory_full} (the node is past its memory ceiling and the
     * write needs more).
     */
    public record Rejected(String code, String message) implements Reply {

        /** This refusal as the exception every door maps to its own error shape (HTTP status, RESP error). */
        public StrataException toException() {
            StrataException.Kind kind = switch (code) {
                case "version_mismatch" -> StrataException.Kind.PRECONDITION_FAILED;
                case "not_an_integer", "integer_overflow", "not_a_float", "float_overflow", "string_too_long", "wrong_type",
                     "hash_value_not_integer", "hash_value_not_float", "value_too_large", "no_such_key", "index_out_of_range" ->
                        StrataException.Kind.CONFLICT;
                case "keyspace_not_found" -> StrataException.Kind.NOT_FOUND;
                default -> StrataException.kindOf(code, StrataException.Kind.UNAVAILABLE);
            };
            return new StrataException(kind, code, message);
        }
    }

    /** Messages the partition sends itself; they never leave the node. */
    sealed interface Internal extends Command, NoSerializationVerificationNeeded {}

    private record Recovered(EntryLog<LogEntry> log, PartitionState state, long nanos) implements Internal {}

    private record RecoveryFailed(Throwable cause) implements Internal {}

    private record Synced(long upToSeq, Throwable failure) implements Internal {}

    private record SnapshotDone(long seq, long bytes, long nanos, Throwable failure) implements Internal {}

    private record FilesDeleted(ActorRef<Reply> replyTo, Throwable failure) implements Internal {}

    private record LogOpened(EntryLog<LogEntry> log, Throwable failure) implements Internal {}

    private enum SweepExpired implements Internal { INSTANCE }

    private enum SnapshotTick implements Internal { INSTANCE }

    // ---- Behaviour ----------------------------------------------------------------------------

    private static final int STASH_CAPACITY = 100_000;

    private final PartitionId id;
    private final KvSettings settings;
    private final KvStorage storage;
    private final ActorContext<Command> context;
    private final StashBuffer<Command> stash;
    private final TimerScheduler<Command> timers;
    private final Passivation<Command> passivation;
    private final SnapshotStore snapshots;

    private EntryLog<LogEntry> log;
    private PartitionState state;
    private long writesSinceSnapshot;
    /** Bytes appended to the log since the last snapshot started. */
    private long loggedSinceSnapshot;
    /** The bytes this partition last reported to the memory ceiling as held. */
    private long reportedHeld;
    /**
     * A snapshot after {@code every-writes} writes waits until the log written since the last one is
     * also this share of what the partition holds (as Redis rewrites its AOF once it has grown by a
     * share of its size): a partition holding one large list, whose pushes log a few bytes each, is
     * not written whole every {@code every-writes} pushes, and replaying its log at recovery costs
     * no more than reading its snapshot.
     */
    private static final long SNAPSHOT_LOG_SHARE = 4;
    private static final java.time.Duration PREVIOUS_SNAPSHOT_WAIT = java.time.Duration.ofSeconds(10);
    private boolean snapshotRunning;
    /** Why the log of a partition never written could not be opened, while the writes that waited for it are refused. */
    private Throwable logOpenFailure;

    private final DurableReplies<Reply> replies;
    /** The transaction whose steps are running, for the length of its message; null otherwise. */
    private TransactionBatch<Reply> batch;

    /**
     * Creates the behaviour of the partition {@code id}; {@code shard} is its shard's, which it asks
     * to passivate it once its keyspace is gone.
     */
    public static Behavior<Command> create(PartitionId id, KvSettings settings, KvStorage storage,
                                           ActorRef<ClusterSharding.ShardCommand> shard) {
        return Behaviors.setup(ctx -> Behaviors.withStash(STASH_CAPACITY, stash -> Behaviors.withTimers(timers ->
                new KvPartition(id, settings, storage, ctx, stash, timers, shard).recovering())));
    }

    private KvPartition(PartitionId id, KvSettings settings, KvStorage storage, ActorContext<Command> context,
                        StashBuffer<Command> stash, TimerScheduler<Command> timers, ActorRef<ClusterSharding.ShardCommand> shard) {
        this.id = id;
        this.settings = settings;
        this.storage = storage;
        this.context = context;
        this.stash = stash;
        this.timers = timers;
        this.passivation = new Passivation<>(shard, context.getSelf(), this::refuse);
        this.snapshots = new SnapshotStore(storage.partitionDir(id).resolve("snapshots"));
        this.replies = new DurableReplies<>(storage.committer(),
                (sync, upTo) -> context.pipeToSelf(sync, (ok, failure) -> new Synced(upTo, failure)));
    }

    private Behavior<Command> recovering() {
        CompletableFuture<Recovered> recovery = CompletableFuture.supplyAsync(this::recover, storage.blockingIo());
        context.pipeToSelf(recovery, (recovered, failure) ->
                failure == null ? recovered : new RecoveryFailed(failure));
        return Behaviors.receive(Command.class)
                .onMessage(Recovered.class, this::onRecovered)
                .onMessage(RecoveryFailed.class, this::onRecoveryFailed)
                .onAnyMessage(command -> {
                    if (stash.isFull()) {
                        rejectUnavailable(command, "partition " + id + " is still recovering");
                    } else {
                        stash.stash(command);
                    }
                    return Behaviors.same();
                })
                .build();
    }

    /**
     * Runs on the blocking-I/O executor: builds the state from the snapshot and the log tail, for a
     * partition of a keyspace that exists (a write racing the keyspace's deletion must not bring it back).
     */
    private Recovered recover() {
        long start = System.nanoTime();
        int partitions = storage.keyspaceOf().apply(id.name()).map(KeyspaceCatalog.Keyspace::partitions).orElse(0);
        if (id.partition() >= partitions) {
            throw new StrataException(StrataException.Kind.NOT_FOUND, "keyspace_not_found",
                    "keyspace '" + id.name() + "' does not exist (it has no partition " + id.partition() + ")");
        }
        storage.awaitSnapshot(id, PREVIOUS_SNAPSHOT_WAIT);
        storage.closings().awaitClosed(logDir(), PREVIOUS_SNAPSHOT_WAIT);
        long now = storage.clock().getAsLong();
        var loaded = snapshots.loadLatest(now);
        PartitionState recovered = loaded.map(SnapshotStore.Loaded::state).orElseGet(PartitionState::new);
        if (loaded.isEmpty() && Directories.isMissingOrEmpty(logDir())) {
            // Never written: nothing to replay, and no file is made until the first write, so the
            // partition answers reads even on a disk too full to start a log.
            return new Recovered(null, recovered, System.nanoTime() - start);
        }
        EntryLog<LogEntry> opened = openLog();
        try {
            // From the log's start, by sequence number rather than the snapshot's offset: the log
            // keeps the whole file the snapshot ends in, offsets of a log migrated from the older
            // format are not the ones its snapshot names, and a tail cut back at open may have
            // given later entries offsets the snapshot already covers.
            long covered = recovered.seq();
            opened.replayAfter(-1, entry -> {
                if (entry.getSeq() > covered) {
                    recovered.apply(entry, now);
                }
            });
            return new Recovered(opened, recovered, System.nanoTime() - start);
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    private Behavior<Command> onRecovered(Recovered recovered) {
        this.log = recovered.log;
        this.state = recovered.state;
        replies.recovered(state.seq());
        reportHeld();
        storage.metrics().recovery(recovered.nanos);
        context.getLog().info("partition {} recovered {} keys up to seq {} in {} ms", id, state.size(), state.seq(),
                recovered.nanos / 1_000_000);
        timers.startTimerWithFixedDelay(SweepExpired.INSTANCE, settings.expirySweepInterval());
        if (!settings.snapshotInterval().isZero()) {
            timers.startTimerWithFixedDelay(SnapshotTick.INSTANCE, settings.snapshotInterval());
        }
        storage.local().started(id, context.getSelf());
        return stash.unstashAll(running());
    }

    private Behavior<Command> onRecoveryFailed(RecoveryFailed failed) {
        return passivation.startFailed("partition " + id + " could not recover", failed.cause, stash, context.getLog());
    }

    /**
     * Refuses every command until the shard stops the partition: asked to passivate it, the shard
     * keeps later commands for the next incarnation, so none is lost to an entity that stopped itself.
     */
    private Behavior<Command> passivated(String code, String why) {
        unlist();
        return passivation.refuseUntilStopped(code, why);
    }

    /**
     * The log failed: the partition releases it and is passivated, refusing commands meanwhile
     * ({@code storage_unavailable}); the next command recovers it from disk.
     */
    private Behavior<Command> failed(String why) {
        unlist();
        timers.cancelAll();
        release();
        return passivation.failed("partition " + id, why);
    }

    /** From now on commands reach the partition through its shard, which keeps them for its next incarnation once it stops. */
    private void unlist() {
        storage.local().stopping(id, context.getSelf());
    }

    /** Closes the log, if still open, and gives the memory the keys took back to the ceiling; once. */
    private void release() {
        closeLog();
        storage.memory().held(-reportedHeld);
        reportedHeld = 0;
    }

    /** Refuses a command with {@code code}; a {@link Drop} is done all the same, without recovering. */
    private void refuse(Command command, String code, String why) {
        if (command instanceof Drop drop) {
            CompletableFuture.runAsync(() -> {
                storage.awaitSnapshot(id, PREVIOUS_SNAPSHOT_WAIT);
                deleteFiles();
            }, storage.blockingIo()).whenComplete((ok, failure) -> {
                if (failure != null) {
                    LOG.error("partition {}: could not delete its files; the node removes them when it next starts", id, failure);
                }
                drop.replyTo.tell(new Dropped());
            });
        } else {
            reject(command, code, why);
        }
    }

    private Behavior<Command> running() {
        return Behaviors.receive(Command.class)
                .onMessage(Put.class, this::onPut)
                .onMessage(PutAll.class, this::onPutAll)
                .onMessage(Get.class, this::onGet)
                .onMessage(Delete.class, this::onDelete)
                .onMessage(Incr.class, this::onIncr)
                .onMessage(Update.class, this::onUpdate)
                .onMessage(UpdateValue.class, this::onUpdateValue)
                .onMessage(MoveElement.class, this::onMoveElement)
                .onMessage(CopyKey.class, this::onCopyKey)
                .onMessage(PutValue.class, this::onPutValue)
                .onMessage(MultiGet.class, this::onMultiGet)
                .onMessage(Transaction.class, this::onTransaction)
                .onMessage(Batch.class, this::onBatch)
                .onMessage(ListKeys.class, this::onListKeys)
                .onMessage(Stats.class, this::onStats)
                .onMessage(Drop.class, this::onDrop)
                .onMessageEquals(Wake.INSTANCE, Behaviors::same)
                .onMessage(Synced.class, this::onSynced)
                .onMessageEquals(SweepExpired.INSTANCE, this::onSweep)
                .onMessageEquals(SnapshotTick.INSTANCE, this::onSnapshotTick)
                .onMessage(SnapshotDone.class, this::onSnapshotDone)
                .onSignal(PostStop.class, signal -> {
                    unlist();
                    closeLog();
                    storage.memory().held(-reportedHeld);
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Command> onPut(Put put) {
        long now = storage.clock().getAsLong();
        PartitionState.Entry current = state.live(put.key, now);
        Rejected conflict = checkVersion(put.key, current, put.expectedVersion);
        if (conflict != null) {
            return reject(put.replyTo, "put", conflict);
        }
        if (!admitted(put.key, put.value, current)) {
            return reject(put.replyTo, "put", memoryFull());
        }
        if (log == null) {
            return firstWrite(put, put.replyTo, "put");
        }
        long expiresAt = put.ttlMillis > 0 ? now + put.ttlMillis : 0;
        return writeOne(put.key, put.value, expiresAt, put.replyTo, "put", seq -> new Written(seq, current == null, expiresAt));
    }

    private Behavior<Command> onGet(Get get) {
        PartitionState.Entry e = state.live(get.key, storage.clock().getAsLong());
        Reply reply = e == null ? new NotFound(get.key) : Found.of(get.key, e);
        storage.metrics().op("get", e == null ? "not_found" : "ok");
        respond(get.replyTo, reply);
        return Behaviors.same();
    }

    private Behavior<Command> onPutAll(PutAll putAll) {
        long now = storage.clock().getAsLong();
        long growth = 0;
        for (Write write : putAll.writes) {
            PartitionState.Entry current = state.live(write.key, now);
            if (current != null && putAll.onlyIfAllAbsent) {
                return reject(putAll.replyTo, "put", new Rejected("version_mismatch", "key '" + write.key + "' exists"));
            }
            growth += PartitionState.footprint(write.key, write.value)
                    - (current == null ? 0 : PartitionState.footprint(write.key, current));
        }
        if (!storage.memory().admits(growth)) {
            return reject(putAll.replyTo, "put", memoryFull());
        }
        if (log == null) {
            return firstWrite(putAll, putAll.replyTo, "put");
        }
        long seq = state.seq();
        List<LogEntry> entries = new ArrayList<>(putAll.writes.size());
        for (Write write : putAll.writes) {
            long expiresAt = write.ttlMillis > 0 ? now + write.ttlMillis : 0;
            // Wrapped, not copied: a command's value is never changed once sent, and the state keeps the same array.
            entries.add(LogEntry.newBuilder().setSeq(++seq).setPut(PutOp.newBuilder().setKey(ProtoKeys.of(write.key))
                    .setValue(UnsafeByteOperations.unsafeWrap(write.value)).setExpiresAtMs(expiresAt)).build());
        }
        Optional<Behavior<Command>> refused = append(entries, putAll.replyTo, "put");
        if (refused.isPresent()) {
            return refused.get();
        }
        for (int i = 0; i < entries.size(); i++) {
            LogEntry entry = entries.get(i);
            state.put(putAll.writes.get(i).key, putAll.writes.get(i).value, entry.getSeq(), entry.getPut().getExpiresAtMs());
        }
        state.seq(seq);
        acknowledge(seq, putAll.replyTo, new AllWritten(entries.size(), seq));
        storage.metrics().op("put", "ok");
        return afterWrite(entries.size());
    }

    private Behavior<Command> onDelete(Delete delete) {
        PartitionState.Entry current = state.live(delete.key, storage.clock().getAsLong());
        if (current == null && delete.expectedVersion == ANY_VERSION) {
            storage.metrics().op("delete", "not_found");
            respond(delete.replyTo, new NotFound(delete.key));
            return Behaviors.same();
        }
        Rejected conflict = checkVersion(delete.key, current, delete.expectedVersion);
        if (conflict != null) {
            return reject(delete.replyTo, "delete", conflict);
        }
        if (log == null) {
            return firstWrite(delete, delete.replyTo, "delete");
        }
        return writeOne(delete.key, null, 0, delete.replyTo, "delete", Deleted::new);
    }

    private Behavior<Command> onIncr(Incr incr) {
        PartitionState.Entry current = state.live(incr.key, storage.clock().getAsLong());
        if (current != null && current.type() != ValueType.STRING) {
            return reject(incr.replyTo, "incr", wrongType(incr.key, current));
        }
        long base = 0;
        if (current != null) {
            Long parsed = parseLong(current.value());
            if (parsed == null) {
                return reject(incr.replyTo, "incr", new Rejected("not_an_integer",
                        "the value of '" + incr.key + "' is not a 64-bit signed decimal integer"));
            }
            base = parsed;
        }
        long next;
        try {
            next = Math.addExact(base, incr.by);
        } catch (ArithmeticException overflow) {
            return reject(incr.replyTo, "incr", new Rejected("integer_overflow",
                    "incrementing " + base + " by " + incr.by + " would overflow a 64-bit signed integer"));
        }
        byte[] value = Long.toString(next).getBytes(StandardCharsets.US_ASCII);
        if (!admitted(incr.key, value, current)) {
            return reject(incr.replyTo, "incr", memoryFull());
        }
        if (log == null) {
            return firstWrite(incr, incr.replyTo, "incr");
        }
        long expiresAt = current == null ? 0 : current.expiresAtMillis();
        return writeOne(incr.key, value, expiresAt, incr.replyTo, "incr", seq -> new Counter(next, seq));
    }

    private Behavior<Command> onUpdate(Update update) {
        long now = storage.clock().getAsLong();
        PartitionState.Entry current = state.live(update.key, now);
        ValueType type = current == null ? ValueType.STRING : current.type();
        // Another type's key may have its expiry changed, or be replaced by a string (SET without GET).
        if (type != ValueType.STRING && !(update.change instanceof StringChange.Expire
                || update.change instanceof StringChange.Set set && !set.get())) {
            return reject(update.replyTo, "update", wrongType(update.key, current));
        }
        ValueType typeAfter = update.change instanceof StringChange.Expire ? type : ValueType.STRING;
        byte[] previous = current == null ? null : current.value();
        StringChange.Outcome outcome;
        try {
            outcome = update.change.apply(previous, current == null ? 0 : current.expiresAtMillis(), now, settings.maxValueBytes());
        } catch (StringChange.Refused refused) {
            return reject(update.replyTo, "update", new Rejected(refused.code(), refused.getMessage()));
        } catch (RuntimeException bug) {
            // A change that cannot apply must not stop the partition: it is refused, and changes nothing.
            LOG.error("partition {}: {} of '{}' failed", id, update.change, update.key, bug);
            return reject(update.replyTo, "update", new Rejected("invalid_update", "the change could not be applied: " + bug));
        }
        if (!outcome.write() || (outcome.value() == null && current == null)) {
            storage.metrics().op("update", "unchanged");
            respond(update.replyTo, new Updated(previous, previous, current == null ? 0 : current.version(),
                    current == null ? 0 : current.expiresAtMillis(), false));
            return Behaviors.same();
        }
        if (outcome.value() != null && !admitted(update.key, outcome.value(), current)) {
            return reject(update.replyTo, "update", memoryFull());
        }
        if (log == null) {
            return firstWrite(update, update.replyTo, "update");
        }
        return writeOne(update.key, outcome.value(), typeAfter, outcome.expiresAtMillis(), update.replyTo, "update",
                seq -> outcome.value() == null ? new Updated(previous, null, 0, 0, true)
                        : new Updated(previous, outcome.value(), seq, outcome.expiresAtMillis(), true));
    }

    private Behavior<Command> onUpdateValue(UpdateValue update) {
        long now = storage.clock().getAsLong();
        PartitionState.Entry current = state.live(update.key, now);
        ValueType type = update.change.type();
        String op = type.redisName() + "_update";
        boolean otherType = current != null && current.type() != type;
        if (otherType && !update.change.replacesAnyType()) {
            return reject(update.replyTo, op, wrongType(update.key, current));
        }
        if (!otherType && current != null && current.large() != null && update.change instanceof ValueChange.Incremental incremental) {
            return updateLarge(update, current, incremental, op);
        }
        ValueChange.Outcome outcome;
        try {
            outcome = update.change.apply(current == null || otherType ? null : current.value(), now, settings.maxValueBytes());
        } catch (StringChange.Refused refused) {
            return reject(update.replyTo, op, new Rejected(refused.code(), refused.getMessage()));
        } catch (RuntimeException bug) {
            LOG.error("partition {}: {} of '{}' failed", id, update.change, update.key, bug);
            return reject(update.replyTo, op, new Rejected("invalid_update", "the change could not be applied: " + bug));
        }
        if (!outcome.write() || (outcome.packed() == null && current == null)) {
            storage.metrics().op(op, "unchanged");
            respond(update.replyTo, new ValueUpdated(outcome.count(), outcome.value(), outcome.numbers(), outcome.items(),
                    current == null ? 0 : current.version()));
            return Behaviors.same();
        }
        if (outcome.packed() != null && !admitted(update.key, outcome.packed(), current)) {
            return reject(update.replyTo, op, memoryFull());
        }
        if (log == null) {
            return firstWrite(update, update.replyTo, op);
        }
        long expiresAt = current == null ? 0 : current.expiresAtMillis();
        return writeOne(update.key, outcome.packed(), type, expiresAt, update.replyTo, op,
                seq -> new ValueUpdated(outcome.count(), outcome.value(), outcome.numbers(), outcome.items(),
                        outcome.packed() == null ? 0 : seq));
    }

    /**
     * An {@link UpdateValue} of a large value: the change applied to it alone, and logged in place
     * of the value ({@link LoggedChanges}), so that neither costs the size of the value.
     */
    private Behavior<Command> updateLarge(UpdateValue update, PartitionState.Entry current, ValueChange.Incremental change, String op) {
        LargeValue.Outcome outcome;
        try {
            outcome = change.applyLarge(current.large());
        } catch (StringChange.Refused refused) {
            return reject(update.replyTo, op, new Rejected(refused.code(), refused.getMessage()));
        } catch (RuntimeException bug) {
            LOG.error("partition {}: {} of '{}' failed", id, update.change, update.key, bug);
            return reject(update.replyTo, op, new Rejected("invalid_update", "the change could not be applied: " + bug));
        }
        if (!outcome.write()) {
            storage.metrics().op(op, "unchanged");
            respond(update.replyTo,
                    new ValueUpdated(outcome.count(), outcome.reply(), outcome.numbers(), outcome.items(), current.version()));
            return Behaviors.same();
        }
        long growth = outcome.value() == null ? 0 : outcome.value().heldBytes() - current.large().heldBytes();
        if (growth > 0 && !storage.memory().admits(growth)) {
            return reject(update.replyTo, op, memoryFull());
        }
        if (log == null) {
            return firstWrite(update, update.replyTo, op);
        }
        long seq = state.seq() + 1;
        long expiresAt = current.expiresAtMillis();
        Optional<Behavior<Command>> refused = append(LoggedChanges.entry(seq, update.key, outcome.logged(), expiresAt), update.replyTo, op);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (outcome.value() == null) {
            state.remove(update.key);
        } else {
            state.put(update.key, outcome.value(), seq, expiresAt);
        }
        state.seq(seq);
        acknowledge(seq, update.replyTo, new ValueUpdated(outcome.count(), outcome.reply(), outcome.numbers(), outcome.items(),
                outcome.value() == null ? 0 : seq));
        storage.metrics().op(op, "ok");
        return afterWrite();
    }

    private static Rejected wrongType(String key, PartitionState.Entry current) {
        return new Rejected("wrong_type", "key '" + key + "' holds a " + current.type().redisName());
    }

    /**
     * Writes one key as the next log entry: {@code value} expiring at {@code expiresAt}, or, when
     * {@code value} is null, its deletion; then applies it and acknowledges {@code reply} of its
     * sequence number once durable. The log must be open. A command's value is never changed once
     * sent, so the entry wraps it rather than copies it, and the state keeps the same array.
     */
    private Behavior<Command> writeOne(String key, byte[] value, long expiresAt, ActorRef<Reply> replyTo, String op,
                                       java.util.function.LongFunction<Reply> reply) {
        return writeOne(key, value, ValueType.STRING, expiresAt, replyTo, op, reply);
    }

    /** As {@link #writeOne(String, byte[], long, ActorRef, String, java.util.function.LongFunction)}, for a value of {@code type}. */
    private Behavior<Command> writeOne(String key, byte[] value, ValueType type, long expiresAt, ActorRef<Reply> replyTo, String op,
                                       java.util.function.LongFunction<Reply> reply) {
        long seq = state.seq() + 1;
        LogEntry.Builder entry = LogEntry.newBuilder().setSeq(seq);
        if (value == null) {
            entry.setDelete(DeleteOp.newBuilder().setKey(ProtoKeys.of(key)));
        } else {
            entry.setPut(PutOp.newBuilder().setKey(ProtoKeys.of(key)).setValue(UnsafeByteOperations.unsafeWrap(value))
                    .setExpiresAtMs(expiresAt).setType(type.code()));
        }
        Optional<Behavior<Command>> refused = append(entry.build(), replyTo, op);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (value == null) {
            state.remove(key);
        } else {
            state.put(key, value, seq, expiresAt, type);
        }
        state.seq(seq);
        acknowledge(seq, replyTo, reply.apply(seq));
        storage.metrics().op(op, "ok");
        return afterWrite();
    }

    private Behavior<Command> onTransaction(Transaction tx) {
        if (log == null) {
            return firstWrite(tx, tx.replyTo, "exec");
        }
        long now = storage.clock().getAsLong();
        for (Watch watch : tx.watches) {
            PartitionState.Entry current = state.live(watch.key(), now);
            if ((current == null ? 0 : current.version()) != watch.version()) {
                storage.metrics().op("exec", "aborted");
                replies.respond(tx.replyTo, new TransactionAborted());
                return Behaviors.same();
            }
        }
        return runSteps(tx.steps, tx.replyTo, "exec");
    }

    private Behavior<Command> onBatch(Batch message) {
        // A batch of reads only does not open the log of a partition never written.
        if (log == null && !message.steps.stream().allMatch(step -> step instanceof Get || step instanceof MultiGet)) {
            return firstWrite(message, message.replyTo, "batch");
        }
        return runSteps(message.steps, message.replyTo, "batch");
    }

    /** Runs {@code steps} one after the other, their writes staged, then commits them as one and answers each step's reply. */
    private Behavior<Command> runSteps(List<Command> steps, ActorRef<Reply> replyTo, String op) {
        TransactionBatch<Reply> running = new TransactionBatch<>(state, steps.size());
        batch = running;
        try {
            for (Command step : steps) {
                running.nextStep();
                runStep(step);
            }
        } finally {
            batch = null;
        }
        return commit(running, replyTo, new TransactionDone(List.copyOf(running.replies())), op);
    }

    /**
     * Appends a batch's entries as one and acknowledges {@code done} once durable; when the append
     * is refused, puts the state back as it was before the batch.
     */
    private Behavior<Command> commit(TransactionBatch<Reply> running, ActorRef<Reply> replyTo, Reply done, String op) {
        if (running.entries().isEmpty()) {
            replies.respond(replyTo, done);
            return Behaviors.same();
        }
        Optional<Behavior<Command>> refused = append(running.entries(), replyTo, op);
        if (refused.isPresent()) {
            running.rollBack();
            return refused.get();
        }
        replies.acknowledge(state.seq(), replyTo, done);
        storage.metrics().op(op, "ok");
        return afterWrite(running.entries().size());
    }

    private Behavior<Command> onCopyKey(CopyKey copy) {
        long now = storage.clock().getAsLong();
        PartitionState.Entry source = state.live(copy.source, now);
        if (source == null) {
            return copy.deleteSource ? reject(copy.replyTo, "rename", new Rejected("no_such_key", "no such key"))
                    : respondCount(copy.replyTo, 0);
        }
        PartitionState.Entry destination = state.live(copy.destination, now);
        if (copy.source.equals(copy.destination) || (destination != null && !copy.replace)) {
            // Renaming a key to itself changes nothing, and succeeds unless only an absent destination would do.
            return respondCount(copy.replyTo, copy.source.equals(copy.destination) && copy.replace ? 1 : 0);
        }
        if (!admitted(copy.destination, source.value(), destination)) {
            return reject(copy.replyTo, "rename", memoryFull());
        }
        if (log == null) {
            return firstWrite(copy, copy.replyTo, "rename");
        }
        long seq = state.seq();
        List<LogEntry> entries = new ArrayList<>(2);
        entries.add(LogEntry.newBuilder().setSeq(++seq).setPut(PutOp.newBuilder().setKey(ProtoKeys.of(copy.destination))
                .setValue(UnsafeByteOperations.unsafeWrap(source.value())).setExpiresAtMs(source.expiresAtMillis())
                .setType(source.type().code())).build());
        if (copy.deleteSource) {
            entries.add(LogEntry.newBuilder().setSeq(++seq).setDelete(DeleteOp.newBuilder().setKey(ProtoKeys.of(copy.source))).build());
        }
        Optional<Behavior<Command>> refused = append(entries, copy.replyTo, "rename");
        if (refused.isPresent()) {
            return refused.get();
        }
        state.put(copy.destination, source.value(), entries.get(0).getSeq(), source.expiresAtMillis(), source.type());
        if (copy.deleteSource) {
            state.remove(copy.source);
        }
        state.seq(seq);
        acknowledge(seq, copy.replyTo, new ValueUpdated(1, null, null, null, seq));
        storage.metrics().op("rename", "ok");
        return afterWrite(entries.size());
    }

    private Behavior<Command> onPutValue(PutValue put) {
        long now = storage.clock().getAsLong();
        PartitionState.Entry current = state.live(put.key, now);
        if (current != null && !put.replace) {
            return respondCount(put.replyTo, 0);
        }
        if (put.expiresAtMillis != 0 && put.expiresAtMillis <= now) {
            // Expired on its way: there is nothing to write.
            return respondCount(put.replyTo, 0);
        }
        if (!admitted(put.key, put.value, current)) {
            return reject(put.replyTo, "put", memoryFull());
        }
        if (log == null) {
            return firstWrite(put, put.replyTo, "put");
        }
        return writeOne(put.key, put.value, put.type, put.expiresAtMillis, put.replyTo, "put",
                seq -> new ValueUpdated(1, null, null, null, seq));
    }

    private Behavior<Command> respondCount(ActorRef<Reply> replyTo, long count) {
        respond(replyTo, new ValueUpdated(count, null, null, null, 0));
        return Behaviors.same();
    }

    private Behavior<Command> onMoveElement(MoveElement move) {
        boolean list = move.type == ValueType.LIST;
        String op = move.type.redisName() + "_update";
        if (list && move.source.equals(move.destination)) {
            return onUpdateValue(new UpdateValue(move.source, new ListChange.Rotate(move.fromLeft, move.toLeft), move.replyTo));
        }
        long now = storage.clock().getAsLong();
        PartitionState.Entry source = state.live(move.source, now);
        PartitionState.Entry destination = state.live(move.destination, now);
        if (source == null) {
            // Nothing to move: as in Redis, whatever the destination holds (a blocked BLMOVE waits on).
            return respondCount(move.replyTo, 0);
        }
        for (var entry : List.of(java.util.Map.entry(move.source, Optional.ofNullable(source)),
                java.util.Map.entry(move.destination, Optional.ofNullable(destination)))) {
            if (entry.getValue().isPresent() && entry.getValue().get().type() != move.type) {
                return reject(move.replyTo, op, wrongType(entry.getKey(), entry.getValue().get()));
            }
        }
        if (move.source.equals(move.destination)) {
            // SMOVE of a set onto itself moves nothing: 1 when it holds the member, as in Redis.
            boolean holds = ListValue.elements(source.value()).stream().anyMatch(m -> Arrays.equals(m, move.member));
            return respondCount(move.replyTo, holds ? 1 : 0);
        }
        if (log == null) {
            return firstWrite(move, move.replyTo, op);
        }
        TransactionBatch<Reply> running = new TransactionBatch<>(state, 2);
        batch = running;
        try {
            running.nextStep();
            onUpdateValue(new UpdateValue(move.source, list ? new ListChange.Pop(move.fromLeft, 1)
                    : new SetChange.Remove(List.of(move.member)), move.replyTo));
            if (running.replies().get(0) instanceof ValueUpdated taken && (list || taken.count() == 1)) {
                running.nextStep();
                onUpdateValue(new UpdateValue(move.destination, list ? new ListChange.Push(move.toLeft, taken.items(), false)
                        : new SetChange.Add(List.of(move.member)), move.replyTo));
            }
        } finally {
            batch = null;
        }
        Reply last = running.replies().get(running.replies().size() - 1);
        if (last instanceof Rejected refused) {
            running.rollBack();
            replies.respond(move.replyTo, refused);
            return Behaviors.same();
        }
        ValueUpdated taken = (ValueUpdated) running.replies().get(0);
        Reply done = list ? new ValueUpdated(((ValueUpdated) last).count(), null, null, taken.items(), state.seq())
                : new ValueUpdated(taken.count(), null, null, null, state.seq());
        return commit(running, move.replyTo, done, op);
    }

    /** One step of a transaction, run as the command itself would run (its replies go to the batch). */
    private void runStep(Command step) {
        if (step instanceof Put c) {
            onPut(c);
        } else if (step instanceof PutAll c) {
            onPutAll(c);
        } else if (step instanceof Get c) {
            onGet(c);
        } else if (step instanceof Delete c) {
            onDelete(c);
        } else if (step instanceof Incr c) {
            onIncr(c);
        } else if (step instanceof Update c) {
            onUpdate(c);
        } else if (step instanceof UpdateValue c) {
            onUpdateValue(c);
        } else if (step instanceof MultiGet c) {
            onMultiGet(c);
        } else if (step instanceof CopyKey c) {
            onCopyKey(c);
        } else {
            batch.reply(new Rejected("invalid_transaction", step.getClass().getSimpleName() + " cannot be a step of a transaction"));
        }
    }

    private Behavior<Command> onMultiGet(MultiGet multiGet) {
        long now = storage.clock().getAsLong();
        List<Found> found = new ArrayList<>();
        for (String key : multiGet.keys) {
            PartitionState.Entry e = state.live(key, now);
            if (e != null) {
                found.add(Found.of(key, e));
            }
        }
        storage.metrics().op("mget", "ok");
        respond(multiGet.replyTo, new MultiGetResult(found));
        return Behaviors.same();
    }

    private Behavior<Command> onListKeys(ListKeys list) {
        PartitionState.Listing listing = state.list(list.prefix, list.after, list.limit, storage.clock().getAsLong());
        storage.metrics().op("list", "ok");
        respond(list.replyTo, new KeyPage(listing.keys(), listing.more()));
        return Behaviors.same();
    }

    private Behavior<Command> onStats(Stats stats) {
        PartitionState.LiveStats live = state.liveStats(storage.clock().getAsLong());
        respond(stats.replyTo, new PartitionStats(live.keys(), live.valueBytes(), state.seq()));
        return Behaviors.same();
    }

    private Behavior<Command> onSweep() {
        int removed = state.sweepExpired(storage.clock().getAsLong());
        if (removed > 0) {
            storage.metrics().expired(removed);
            reportHeld();
        }
        return Behaviors.same();
    }

    // ---- Conditions, log, acknowledgement -----------------------------------------------------

    private static Rejected checkVersion(String key, PartitionState.Entry current, long expected) {
        if (expected == ANY_VERSION) {
            return null;
        }
        if (expected == MUST_NOT_EXIST) {
            return current == null ? null : mismatch(key, "must not exist but has version " + current.version());
        }
        if (current == null) {
            return mismatch(key, "does not exist");
        }
        if (expected != MUST_EXIST && current.version() != expected) {
            return mismatch(key, "has version " + current.version() + ", not " + expected);
        }
        return null;
    }

    private static Rejected mismatch(String key, String why) {
        return new Rejected("version_mismatch", "key '" + key + "' " + why);
    }

    private Behavior<Command> reject(ActorRef<Reply> replyTo, String op, Rejected rejected) {
        storage.metrics().op(op, rejected.code());
        respond(replyTo, rejected);
        return Behaviors.same();
    }

    /**
     * The first write of a partition never written: its log (its files) is opened on the blocking
     * pool, as a roll starts a file, while this write and every command after it wait, stashed;
     * then they run again in order. A refused open (no disk space) refuses the writes that waited,
     * and the next write tries again.
     */
    private Behavior<Command> firstWrite(Command write, ActorRef<Reply> replyTo, String op) {
        if (logOpenFailure != null) {
            StrataException refused = DiskSpace.refusal("the partition's log could not be started", logOpenFailure);
            return reject(replyTo, op, new Rejected(refused.code(), refused.getMessage()));
        }
        stash.stash(write);
        CompletableFuture<EntryLog<LogEntry>> opening = CompletableFuture.supplyAsync(this::openLog, storage.blockingIo());
        context.pipeToSelf(opening, LogOpened::new);
        return Behaviors.receive(Command.class)
                .onMessage(LogOpened.class, this::onLogOpened)
                .onAnyMessage(command -> {
                    if (stash.isFull()) {
                        rejectUnavailable(command, "partition " + id + " is starting its log");
                    } else {
                        stash.stash(command);
                    }
                    return Behaviors.same();
                })
                .onSignal(PostStop.class, signal -> {
                    unlist();
                    // Stopped before the log opened: it is closed as soon as it is.
                    opening.thenAccept(opened -> storage.closings().close(logDir(), CompletableFuture.completedFuture(null), opened));
                    storage.memory().held(-reportedHeld);
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Command> onLogOpened(LogOpened opened) {
        if (opened.failure == null) {
            log = opened.log;
            return stash.unstashAll(running());
        }
        Throwable cause = Futures.unwrap(opened.failure);
        if (!DiskSpace.isOutOfSpace(cause)) {
            context.getLog().error("partition {} cannot start its log", id, cause);
        }
        logOpenFailure = cause;
        try {
            return stash.unstashAll(running());
        } finally {
            logOpenFailure = null;
        }
    }

    /**
     * Appends to the log and returns empty; when it cannot, rejects the command and returns what
     * to become: the same partition when the disk has no room ({@code storage_full}: the log is
     * unchanged), stopped on any other failure, to recover from disk.
     */
    private Optional<Behavior<Command>> append(LogEntry entry, ActorRef<Reply> replyTo, String op) {
        return append(List.of(entry), replyTo, op);
    }

    /** As {@link #append(LogEntry, ActorRef, String)}, for entries written as one. */
    private Optional<Behavior<Command>> append(List<LogEntry> entries, ActorRef<Reply> replyTo, String op) {
        if (batch != null) {
            // A transaction's step: appended with the others when the transaction commits.
            batch.stage(entries);
            return Optional.empty();
        }
        try {
            log.appendAll(entries);
            for (LogEntry entry : entries) {
                int bytes = entry.getSerializedSize();
                storage.metrics().logAppend(bytes);
                loggedSinceSnapshot += bytes;
            }
            replies.appended(entries.get(entries.size() - 1).getSeq(), storage.committer().isPresent() ? log.currentFile() : null);
            return Optional.empty();
        } catch (StrataException full) {
            return Optional.of(reject(replyTo, op, new Rejected(full.code(), full.getMessage())));
        } catch (RuntimeException e) {
            context.getLog().error("partition {} cannot append to its log; stopping", id, e);
            storage.metrics().op(op, "storage_unavailable");
            replyTo.tell(new Rejected("storage_unavailable", "the write could not be made durable: " + e.getMessage()));
            replies.failAll(why -> new Rejected("storage_unavailable", why), "the partition's log failed");
            return Optional.of(failed("its log could not be written"));
        }
    }

    private Behavior<Command> onSynced(Synced synced) {
        if (synced.failure != null) {
            context.getLog().error("partition {}: fsync failed; stopping so the partition recovers from disk", id, synced.failure);
            // Unsynced writes were applied in memory but never acknowledged; the entity is rebuilt from disk.
            replies.failAll(why -> new Rejected("storage_unavailable", why), "fsync failed: " + synced.failure.getMessage());
            return failed("fsync failed");
        }
        replies.synced(synced.upToSeq);
        return Behaviors.same();
    }

    // ---- Memory ceiling -----------------------------------------------------------------------

    /** Whether the node's memory ceiling lets {@code key} take {@code value} in place of {@code current}. */
    private boolean admitted(String key, byte[] value, PartitionState.Entry current) {
        long growth = PartitionState.footprint(key, value) - (current == null ? 0 : PartitionState.footprint(key, current));
        return storage.memory().admits(growth);
    }

    private Rejected memoryFull() {
        return new Rejected("memory_full", storage.memory().describeRefusal());
    }

    /** Tells the memory ceiling how much this partition's keys take now. */
    private void reportHeld() {
        long held = state.heldBytes();
        storage.memory().held(held - reportedHeld);
        reportedHeld = held;
    }

    // ---- Snapshots ----------------------------------------------------------------------------

    private Behavior<Command> afterWrite() {
        return afterWrite(1);
    }

    /** Answers now (after what the reply may have seen is durable), or, in a transaction, as the running step's reply. */
    private void respond(ActorRef<Reply> replyTo, Reply reply) {
        if (batch != null) {
            batch.reply(reply);
        } else {
            replies.respond(replyTo, reply);
        }
    }

    /** Answers once the write at {@code seq} is durable, or, in a transaction, as the running step's reply. */
    private void acknowledge(long seq, ActorRef<Reply> replyTo, Reply reply) {
        if (batch != null) {
            batch.reply(reply);
        } else {
            replies.acknowledge(seq, replyTo, reply);
        }
    }

    private Behavior<Command> afterWrite(int writes) {
        if (batch != null) {
            return Behaviors.same();
        }
        reportHeld();
        writesSinceSnapshot += writes;
        if (writesSinceSnapshot >= settings.snapshotEveryWrites() && loggedSinceSnapshot >= state.heldBytes() / SNAPSHOT_LOG_SHARE) {
            startSnapshot();
        }
        return Behaviors.same();
    }

    private Behavior<Command> onSnapshotTick() {
        if (writesSinceSnapshot > 0) {
            startSnapshot();
        }
        return Behaviors.same();
    }

    private void startSnapshot() {
        if (snapshotRunning) {
            return;
        }
        snapshotRunning = true;
        long now = storage.clock().getAsLong();
        SnapshotHeader header = SnapshotHeader.newBuilder().setKeyspace(id.name()).setPartition(id.partition())
                .setSeq(state.seq()).setLogOffset(log.logEndOffset()).setTakenAtMs(now).build();
        Map<String, PartitionState.Entry> copy = state.copyLive(now);
        EntryLog<LogEntry> partitionLog = log;
        writesSinceSnapshot = 0;
        loggedSinceSnapshot = 0;
        CompletableFuture<Long> write = CompletableFuture.supplyAsync(() -> {
            storage.space().claim(SnapshotStore.estimatedBytes(copy));
            long bytes = snapshots.write(header, copy);
            // Whole files of entries before the snapshot's end are covered by it.
            partitionLog.deleteBefore(header.getLogOffset());
            return bytes;
        }, storage.blockingIo());
        storage.snapshotStarted(id, write);
        long start = System.nanoTime();
        context.pipeToSelf(write, (bytes, failure) ->
                new SnapshotDone(header.getSeq(), bytes == null ? 0 : bytes, System.nanoTime() - start, failure));
    }

    private Behavior<Command> onSnapshotDone(SnapshotDone done) {
        snapshotRunning = false;
        if (done.failure != null) {
            // The log still holds everything; the next snapshot will try again.
            if (DiskSpace.isOutOfSpace(done.failure)) {
                context.getLog().warn("partition {}: no disk space for the snapshot at seq {}; the log keeps everything",
                        id, done.seq);
            } else {
                context.getLog().warn("partition {}: snapshot at seq {} failed", id, done.seq, done.failure);
            }
            writesSinceSnapshot = Math.max(writesSinceSnapshot, 1);
        } else {
            storage.metrics().snapshot(done.nanos);
            context.getLog().debug("partition {}: snapshot at seq {} ({} bytes)", id, done.seq, done.bytes);
        }
        return Behaviors.same();
    }

    // ---- Deletion -----------------------------------------------------------------------------

    private Behavior<Command> onDrop(Drop drop) {
        String why = "keyspace '" + id.name() + "' is being deleted";
        unlist();
        timers.cancelAll();
        replies.failAll(reason -> new Rejected("keyspace_not_found", reason), why);
        // The keys go with the partition: the memory ceiling counts them no more.
        storage.memory().held(-reportedHeld);
        reportedHeld = 0;
        EntryLog<LogEntry> closing = log;
        context.pipeToSelf(CompletableFuture.runAsync(() -> {
                    // A snapshot still being written compacts this log: it must finish before the log closes.
                    storage.awaitSnapshot(id, PREVIOUS_SNAPSHOT_WAIT);
                    if (closing != null) {
                        closing.close();
                    }
                    deleteFiles();
                }, storage.blockingIo()),
                (ok, failure) -> new FilesDeleted(drop.replyTo, failure));
        return Behaviors.receive(Command.class)
                .onMessage(FilesDeleted.class, deleted -> {
                    if (deleted.failure != null) {
                        context.getLog().error("partition {}: could not delete its files; the node removes them when it"
                                + " next starts", id, deleted.failure);
                    }
                    deleted.replyTo.tell(new Dropped());
                    return passivated("keyspace_not_found", why);
                })
                .onAnyMessage(other -> {
                    reject(other, "keyspace_not_found", why);
                    return Behaviors.same();
                })
                .build();
    }

    /**
     * Closes the log, if open, on the blocking pool (a close flushes), after a snapshot in flight
     * that compacts it; the next incarnation waits for it before it opens the log.
     */
    private void closeLog() {
        if (log == null) {
            return;
        }
        EntryLog<LogEntry> closing = log;
        log = null;
        storage.closings().close(logDir(), CompletableFuture.completedFuture(null), () -> {
            storage.awaitSnapshot(id, PREVIOUS_SNAPSHOT_WAIT);
            closing.close();
        });
    }

    private Path logDir() {
        return storage.partitionDir(id).resolve("log");
    }

    private EntryLog<LogEntry> openLog() {
        return EntryLog.open(logDir(), settings.rollCycle(), LogEntry.parser(), storage.space());
    }

    /** Blocking: the partition's directory, and its keyspace's once no other partition has files in it. */
    private void deleteFiles() {
        Path dir = storage.partitionDir(id);
        Directories.deleteTree(dir);
        Directories.deleteIfEmpty(dir.getParent());
    }

    // ---- Helpers ------------------------------------------------------------------------------

    private void rejectUnavailable(Command command, String why) {
        reject(command, "storage_unavailable", why);
    }

    private static void reject(Command command, String code, String why) {
        ActorRef<Reply> replyTo = replyToOf(command);
        if (replyTo != null) {
            replyTo.tell(new Rejected(code, why));
        }
    }

    private static ActorRef<Reply> replyToOf(Command command) {
        if (command instanceof Put c) {
            return c.replyTo;
        } else if (command instanceof PutAll c) {
            return c.replyTo;
        } else if (command instanceof Get c) {
            return c.replyTo;
        } else if (command instanceof Delete c) {
            return c.replyTo;
        } else if (command instanceof Incr c) {
            return c.replyTo;
        } else if (command instanceof Update c) {
            return c.replyTo;
        } else if (command instanceof UpdateValue c) {
            return c.replyTo;
        } else if (command instanceof MoveElement c) {
            return c.replyTo;
        } else if (command instanceof CopyKey c) {
            return c.replyTo;
        } else if (command instanceof PutValue c) {
            return c.replyTo;
        } else if (command instanceof Transaction c) {
            return c.replyTo;
        } else if (command instanceof Batch c) {
            return c.replyTo;
        } else if (command instanceof MultiGet c) {
            return c.replyTo;
        } else if (command instanceof ListKeys c) {
            return c.replyTo;
        } else if (command instanceof Stats c) {
            return c.replyTo;
        } else if (command instanceof Drop c) {
            return c.replyTo;
        }
        return null;
    }

    /** Parses a strict decimal 64-bit signed integer, as Redis does for INCR; null when it is not one. */
    public static Long parseLong(byte[] value) {
        if (value.length == 0 || value.length > 20) {
            return null;
        }
        String s = new String(value, StandardCharsets.US_ASCII);
        if (!s.matches("-?(0|[1-9][0-9]*)") || s.equals("-0")) {
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
