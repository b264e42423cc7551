package io.strata.node.columnar;

import io.strata.node.columnar.proto.RowBatch;
import io.strata.node.columnar.query.proto.PartialMsg;
import io.strata.node.columnar.shard.ShardSnapshot;
import io.strata.node.columnar.shard.ShardState;
import io.strata.node.common.Futures;
import io.strata.node.common.PartitionId;
import io.strata.node.common.StrataException;
import io.strata.node.storage.DiskSpace;
import io.strata.node.storage.EntryLog;
import io.strata.node.storage.DurableReplies;
import io.strata.node.storage.Passivation;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The Cluster Sharding entity that owns one shard of a table: the single writer of its log, its
 * in-memory tail and its segment files (the state itself is a {@link ShardState}).
 *
 * <p>An insert is appended to the log, then to the tail, and acknowledged per the durability
 * mode. When the tail reaches {@code segment-rows} it is sealed into a segment file on the
 * blocking-I/O pool while new rows go to a fresh log generation (opened on that pool first; the
 * actor only swaps it in); the sealed generation is deleted once the segment and the manifest
 * naming it are durable. Every file is opened, flushed and closed off the actor's thread. Scans and export pages never run on
 * the actor: each takes a snapshot (segments plus memory blocks) and runs on the query pool, so
 * reads never block writes. In fsync mode a snapshot holds only fsynced rows. If the log cannot be
 * written or a seal fails the entity stops; the next command recovers it from disk. A shard
 * recovers only for a table in the catalog ({@code table_not_found} otherwise). The entity never
 * stops itself: it asks its shard to passivate it and refuses commands until then
 * ({@link Passivation}), so none is lost.
 */
public final class TableShard {

    /** The sharding entity type of table shards. */
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "table-shard");

    /** Messages a shard accepts. Public ones cross nodes (Protobuf, see TableSerializer). */
    public sealed interface Command permits Insert, Scan, Page, Describe, Drop, Internal {}

    /**
     * Appends validated rows, as one or more batches in schema order, atomically: after a crash
     * either all of them are there or none. When the last batch names a producer and sequence
     * number, the insert is idempotent: one whose sequence is not above the last applied for that
     * producer changes nothing and replies {@code Inserted(0)}. Replies {@link Inserted} or
     * {@link Rejected}.
     */
    public record Insert(List<RowBatch> chunks, ActorRef<Reply> replyTo) implements Command {}

    /**
     * Runs a query (its JSON text) over every row of the shard and replies the partial answer
     * ({@link Scanned}), or {@link Rejected} ({@code query_timeout}, {@code result_too_large},
     * {@code invalid_query}...).
     */
    public record Scan(String queryJson, long timeoutMillis, ActorRef<Reply> replyTo) implements Command {}

    /**
     * Reads one page of an export: the query's matching rows among rows {@code [fromRow, untilRow)}
     * ({@code untilRow} -1: the rows visible now). Replies {@link PageRead}.
     */
    public record Page(String queryJson, long fromRow, long untilRow, int maxRows, long timeoutMillis,
                       ActorRef<Reply> replyTo) implements Command {}

    /** Asks for the shard's size. Replies {@link ShardInfo}. */
    public record Describe(ActorRef<Reply> replyTo) implements Command {}

    /**
     * Deletes the shard's files (its table is being dropped) and stops; refuses every other
     * command meanwhile, and inserts not yet acknowledged ({@code table_not_found}). Replies {@link Dropped}.
     */
    public record Drop(ActorRef<Reply> replyTo) implements Command {}

    /** Replies of a shard. */
    public sealed interface Reply permits Inserted, Scanned, PageRead, ShardInfo, Dropped, Rejected {}

    public record Inserted(long rows) implements Reply {}

    public record Scanned(PartialMsg partial) implements Reply {}

    /** A page's partial answer; the next page starts at {@code nextRow}, and the export ends at {@code untilRow}. */
    public record PageRead(PartialMsg partial, long nextRow, long untilRow) implements Reply {}

    /** Bytes of one column in the shard's segments, before and after encoding. */
    public record ColumnBytes(long raw, long encoded) {}

    /**
     * The shard's size: rows (all, and those still in memory), segments (count, rows, bytes),
     * log bytes since the last seal, heap bytes of the rows in memory, and per column its bytes
     * in segments.
     */
    public record ShardInfo(long rows, long tailRows, int segments, long segmentRows, long segmentBytes, long logBytes,
                            long memoryBytes, List<ColumnBytes> columns) implements Reply {}

    public record Dropped() implements Reply {}

    /**
     * Refused, changing nothing. Codes: {@code storage_unavailable}, {@code table_not_found}, and
     * the query errors ({@code query_timeout}, {@code result_too_large}, the 400 codes of
     * {@link io.strata.node.columnar.query.Query#parse}).
     */
    public record Rejected(String code, String message) implements Reply {}

    sealed interface Internal extends Command, NoSerializationVerificationNeeded {}

    private record Recovered(ShardState state, long nanos) implements Internal {}

    private record RecoveryFailed(Throwable cause) implements Internal {}

    private record Synced(long upTo, Throwable failure) implements Internal {}

    private record NextLogOpened(ShardState.NextLog next, EntryLog<RowBatch> log, Throwable failure) implements Internal {}

    private record Sealed(ShardState.SealResult result, Throwable failure) implements Internal {}

    private record Deleted(ActorRef<Reply> replyTo, Throwable failure) implements Internal {}

    // ---- Behaviour ----------------------------------------------------------------------------

    private static final int STASH_CAPACITY = 10_000;
    /** Longest an opening shard waits for its previous incarnation's files to close. */
    private static final java.time.Duration PREVIOUS_CLOSE_WAIT = java.time.Duration.ofSeconds(30);
    /** Most blocks one export page reads, so a page over rows that rarely match still returns soon. */
    private static final int MAX_PAGE_BLOCKS = 64;

    private final PartitionId id;
    private final ColumnarSettings settings;
    private final ColumnarStorage storage;
    private final ActorContext<Command> context;
    private final StashBuffer<Command> stash;
    private final Passivation<Command> passivation;
    private final DurableReplies<Reply> replies;
    private ShardState state;
    /** Rows readers may see: every row in mmap mode, fsynced rows in fsync mode. */
    private long visibleRows;
    /** Logged bytes of the rows in the tail, and of those being sealed: what this shard reports to the memory ceiling. */
    private long tailBytes;
    private long sealingBytes;
    /** The next seal's log generation is being opened on the blocking pool. */
    private boolean openingNextLog;
    /** The next seal's log generation, opened ahead of time so a seal starts the moment the tail is full. */
    private ShardState.NextLog spare;
    private EntryLog<RowBatch> spareLog;

    /**
     * Creates the behaviour of the shard {@code id}; {@code shard} is its sharding shard's (an
     * actor of Cluster Sharding), which it asks to passivate it when it has to stop.
     */
    public static Behavior<Command> create(PartitionId id, ColumnarSettings settings, ColumnarStorage storage,
                                           ActorRef<ClusterSharding.ShardCommand> shard) {
        return Behaviors.setup(ctx -> Behaviors.withStash(STASH_CAPACITY, stash ->
                new TableShard(id, settings, storage, ctx, stash, shard).recovering()));
    }

    private TableShard(PartitionId id, ColumnarSettings settings, ColumnarStorage storage, ActorContext<Command> context,
                       StashBuffer<Command> stash, ActorRef<ClusterSharding.ShardCommand> shard) {
        this.id = id;
        this.settings = settings;
        this.storage = storage;
        this.context = context;
        this.stash = stash;
        this.passivation = new Passivation<>(shard, context.getSelf(), this::refuse);
        this.replies = new DurableReplies<>(storage.committer(),
                (sync, upTo) -> context.pipeToSelf(sync, (ok, failure) -> new Synced(upTo, failure)));
    }

    private Behavior<Command> recovering() {
        long start = System.nanoTime();
        context.pipeToSelf(CompletableFuture.supplyAsync(() -> {
                    TableCatalog.Table table = storage.tableOf().apply(id.name()).orElseThrow(() -> new StrataException(
                            StrataException.Kind.NOT_FOUND, "table_not_found", "table '" + id.name() + "' does not exist"));
                    storage.closings().awaitClosed(storage.shardDir(id), PREVIOUS_CLOSE_WAIT);
                    return ShardState.recover(storage.shardDir(id), table.schema(), settings, storage.space());
                }, storage.blockingIo()),
                (recovered, failure) -> failure == null ? new Recovered(recovered, System.nanoTime() - start) : new RecoveryFailed(failure));
        return Behaviors.receive(Command.class)
                .onMessage(Recovered.class, this::onRecovered)
                .onMessage(RecoveryFailed.class, this::onRecoveryFailed)
                .onAnyMessage(command -> {
                    if (stash.isFull()) {
                        reject(command, "storage_unavailable", "table shard " + id + " is still recovering");
                    } else {
                        stash.stash(command);
                    }
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Command> onRecoveryFailed(RecoveryFailed failed) {
        return passivation.startFailed("table shard " + id + " cannot open", failed.cause, stash, context.getLog());
    }

    /** Refuses a command with {@code code}; a {@link Drop} is done all the same: a dropped table's shard need not open. */
    private void refuse(Command command, String code, String why) {
        if (command instanceof NextLogOpened opened && opened.log != null) {
            closeUnused(opened.log);
        } else if (command instanceof Drop drop) {
            CompletableFuture.runAsync(() -> ShardState.deleteShard(storage.shardDir(id)), storage.blockingIo())
                    .whenComplete((ok, e) -> drop.replyTo.tell(new Dropped()));
        } else {
            reject(command, code, why);
        }
    }

    /**
     * The log or a seal failed: the shard releases its files and is passivated, refusing commands
     * meanwhile ({@code storage_unavailable}); the next command recovers it from disk.
     */
    private Behavior<Command> failed(String why) {
        release();
        return passivation.failed("table shard " + id, why);
    }

    /**
     * Closes the shard's files, if still open, on the blocking pool (a close flushes), and gives the
     * memory its rows took back to the ceiling; once.
     */
    private void release() {
        // One close for the shard's files and its spare generation: the next incarnation waits for both.
        ShardState closing = state;
        EntryLog<RowBatch> unused = spareLog;
        state = null;
        spareLog = null;
        spare = null;
        if (closing != null || unused != null) {
            storage.closings().close(storage.shardDir(id), CompletableFuture.completedFuture(null), () -> {
                if (unused != null) {
                    unused.close();
                }
                if (closing != null) {
                    closing.close();
                }
            });
        }
        storage.memory().held(-(tailBytes + sealingBytes));
        tailBytes = 0;
        sealingBytes = 0;
    }

    private Behavior<Command> onRecovered(Recovered recovered) {
        state = recovered.state;
        visibleRows = state.rows();
        tailBytes = state.info().logBytes();
        storage.memory().held(tailBytes);
        replies.recovered(state.rows());
        maybeSeal();
        context.getLog().info("table shard {} recovered: {} rows ({} in segments, {} replayed from the log) in {} ms", id,
                state.rows(), state.segmentRows(), state.memoryRows(), recovered.nanos / 1_000_000);
        return stash.unstashAll(running());
    }

    private Behavior<Command> running() {
        return Behaviors.receive(Command.class)
                .onMessage(Insert.class, this::onInsert)
                .onMessage(Scan.class, this::onScan)
                .onMessage(Page.class, this::onPage)
                .onMessage(Describe.class, describe -> {
                    replies.respond(describe.replyTo, state.info());
                    return Behaviors.same();
                })
                .onMessage(Synced.class, this::onSynced)
                .onMessage(NextLogOpened.class, this::onNextLogOpened)
                .onMessage(Sealed.class, this::onSealed)
                .onMessage(Drop.class, this::onDrop)
                .onSignal(PostStop.class, signal -> {
                    release();
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Command> onInsert(Insert insert) {
        if (!storage.memory().admits(insert.chunks.stream().mapToLong(RowBatch::getSerializedSize).sum())) {
            insert.replyTo.tell(new Rejected("memory_full", storage.memory().describeRefusal()));
            return Behaviors.same();
        }
        long bytes;
        try {
            bytes = state.append(insert.chunks);
        } catch (StrataException invalid) {
            insert.replyTo.tell(new Rejected(invalid.code(), invalid.getMessage()));
            return Behaviors.same();
        } catch (RuntimeException e) {
            context.getLog().error("table shard {} cannot append to its log; stopping", id, e);
            StrataException refusal = DiskSpace.refusal("the rows could not be made durable", e);
            insert.replyTo.tell(new Rejected(refusal.code(), refusal.getMessage()));
            replies.failAll(why -> new Rejected("storage_unavailable", why), "the shard's log failed");
            return failed("its log could not be written");
        }
        if (bytes < 0) {
            // A duplicate of an idempotent insert already applied: acknowledged, nothing added.
            replies.respond(insert.replyTo, new Inserted(0));
            return Behaviors.same();
        }
        long rows = insert.chunks.stream().mapToLong(RowBatch::getRows).sum();
        tailBytes += bytes;
        storage.memory().held(bytes);
        storage.metrics().appended(insert.chunks.size(), bytes);
        replies.appended(state.rows(), storage.committer().isPresent() ? state.logFile() : null);
        if (storage.committer().isEmpty()) {
            visibleRows = state.rows();
        }
        replies.acknowledge(state.rows(), insert.replyTo, new Inserted(rows));
        maybeSeal();
        return Behaviors.same();
    }

    private Behavior<Command> onSynced(Synced synced) {
        if (synced.failure != null) {
            context.getLog().error("table shard {}: fsync failed; stopping so the shard recovers from disk", id, synced.failure);
            replies.failAll(why -> new Rejected("storage_unavailable", why), "fsync failed: " + synced.failure.getMessage());
            return failed("fsync failed");
        }
        visibleRows = Math.max(visibleRows, synced.upTo);
        replies.synced(synced.upTo);
        maybeSeal();
        return Behaviors.same();
    }

    /**
     * Starts sealing the tail when it is full, no seal runs, and every row is visible (in fsync
     * mode, sealing waits for the fsync: a snapshot shows every row being sealed).
     */
    private void maybeSeal() {
        if (state.sealing() || visibleRows < state.rows()) {
            return;
        }
        if (state.tailRows() >= settings.segmentRows() / 2) {
            prepareNextLog();
        }
        if (state.tailRows() < settings.segmentRows() || spareLog == null) {
            return;
        }
        ShardState.Seal seal;
        try {
            seal = state.startSeal(spare, spareLog);
        } catch (RuntimeException e) {
            // The spare generation stays ready for the next try.
            cannotSeal(e);
            return;
        }
        spare = null;
        spareLog = null;
        sealingBytes = tailBytes;
        tailBytes = 0;
        context.pipeToSelf(CompletableFuture.supplyAsync(seal::write, storage.blockingIo()), Sealed::new);
    }

    /**
     * Opens the next seal's log generation ahead of time, on the blocking pool (opening a log makes
     * files, and fsyncs the directory in fsync mode): once the tail is half full, so the seal starts
     * when it is full, with no file work on the actor's thread.
     */
    private void prepareNextLog() {
        if (spareLog != null || openingNextLog) {
            return;
        }
        openingNextLog = true;
        ShardState.NextLog next = state.nextLog();
        context.pipeToSelf(CompletableFuture.supplyAsync(next::open, storage.blockingIo()),
                (log, failure) -> new NextLogOpened(next, log, failure));
    }

    private Behavior<Command> onNextLogOpened(NextLogOpened opened) {
        openingNextLog = false;
        if (opened.failure != null) {
            cannotSeal(opened.failure);
            return Behaviors.same();
        }
        spare = opened.next;
        spareLog = opened.log;
        maybeSeal();
        return Behaviors.same();
    }

    /** The rows stay in the current log generation; the next insert tries again. */
    private void cannotSeal(Throwable failure) {
        Throwable cause = Futures.unwrap(failure);
        if (DiskSpace.isOutOfSpace(cause)) {
            context.getLog().debug("table shard {} waits for disk space to seal its tail", id);
        } else {
            context.getLog().error("table shard {} cannot start a new log generation to seal its tail", id, cause);
        }
    }

    /** Closes a log generation a seal opened but did not use, on the blocking pool (a close flushes). */
    private void closeUnused(EntryLog<RowBatch> log) {
        storage.closings().close(log.dir(), CompletableFuture.completedFuture(null), log);
    }

    private Behavior<Command> onSealed(Sealed sealed) {
        if (sealed.failure != null) {
            context.getLog().error("table shard {}: sealing failed; stopping so the shard recovers its rows from its log",
                    id, sealed.failure);
            replies.failAll(why -> new Rejected("storage_unavailable", why), "sealing failed: " + sealed.failure.getMessage());
            return failed("sealing failed");
        }
        state.finishSeal(sealed.result);
        // Sealed rows live in the segment file now, not in the heap.
        storage.memory().held(-sealingBytes);
        sealingBytes = 0;
        storage.metrics().sealed(sealed.result.rows(), sealed.result.nanos());
        context.getLog().debug("table shard {} sealed {} rows into {}", id, sealed.result.rows(), sealed.result.segmentNames());
        maybeSeal();
        return Behaviors.same();
    }

    private Behavior<Command> onScan(Scan scan) {
        var snapshot = state.snapshot(visibleRows);
        var schema = state.schema();
        var limits = limits(scan.timeoutMillis);
        CompletableFuture.supplyAsync(() -> {
                    var partial = ShardState.newPartial(scan.queryJson, schema);
                    long start = System.nanoTime();
                    snapshot.scan(partial, limits);
                    storage.metrics().scanned(partial.stats().rowsScanned, System.nanoTime() - start);
                    return (Reply) new Scanned(partial.toProto());
                }, storage.queries())
                .whenComplete((reply, failure) -> scan.replyTo.tell(failure == null ? reply : rejection(failure)));
        return Behaviors.same();
    }

    private Behavior<Command> onPage(Page page) {
        var snapshot = state.snapshot(visibleRows);
        var schema = state.schema();
        long until = page.untilRow < 0 ? snapshot.rows() : Math.min(page.untilRow, snapshot.rows());
        // A page is bounded by its own row count, not by the answer limit: exports have none.
        var limits = new ShardSnapshot.Limits(limits(page.timeoutMillis).deadlineNanos(), Long.MAX_VALUE);
        CompletableFuture.supplyAsync(() -> {
                    var partial = ShardState.newPartial(page.queryJson, schema);
                    var read = snapshot.page(partial, page.fromRow, until, page.maxRows, MAX_PAGE_BLOCKS, limits);
                    return (Reply) new PageRead(read.partial().toProto(), read.nextRow(), until);
                }, storage.queries())
                .whenComplete((reply, failure) -> page.replyTo.tell(failure == null ? reply : rejection(failure)));
        return Behaviors.same();
    }

    private ShardSnapshot.Limits limits(long timeoutMillis) {
        long timeout = timeoutMillis > 0 ? Math.min(timeoutMillis, settings.queryTimeout().toMillis()) : settings.queryTimeout().toMillis();
        return new ShardSnapshot.Limits(System.nanoTime() + timeout * 1_000_000, settings.maxResultRows());
    }

    private Rejected rejection(Throwable failure) {
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof StrataException s) {
            return new Rejected(s.code(), s.getMessage());
        }
        context.getLog().warn("table shard {}: a scan failed", id, cause);
        return new Rejected("storage_unavailable", "the scan failed: " + cause.getMessage());
    }

    private Behavior<Command> onDrop(Drop drop) {
        String why = "table '" + id.name() + "' is being dropped";
        replies.failAll(reason -> new Rejected("table_not_found", reason), why);
        ShardState dropping = state;
        EntryLog<RowBatch> unused = spareLog;
        // Closed and deleted below; the memory goes back now.
        state = null;
        spareLog = null;
        spare = null;
        release();
        context.pipeToSelf(CompletableFuture.runAsync(() -> {
                    if (unused != null) {
                        unused.close();
                    }
                    dropping.delete();
                }, storage.blockingIo()),
                (ok, failure) -> new Deleted(drop.replyTo, failure));
        return Behaviors.receive(Command.class)
                .onMessage(Deleted.class, deleted -> {
                    if (deleted.failure != null) {
                        context.getLog().error("table shard {}: could not delete its files", id, deleted.failure);
                    }
                    deleted.replyTo.tell(new Dropped());
                    return passivation.refuseUntilStopped("table_not_found", why);
                })
                .onMessage(NextLogOpened.class, opened -> {
                    if (opened.log != null) {
                        closeUnused(opened.log);
                    }
                    return Behaviors.same();
                })
                .onMessage(Internal.class, internal -> Behaviors.same())
                .onAnyMessage(other -> {
                    reject(other, "table_not_found", why);
                    return Behaviors.same();
                })
                .build();
    }

    private static void reject(Command command, String code, String why) {
        ActorRef<Reply> replyTo = null;
        if (command instanceof Insert c) {
            replyTo = c.replyTo;
        } else if (command instanceof Scan c) {
            replyTo = c.replyTo;
        } else if (command instanceof Page c) {
            replyTo = c.replyTo;
        } else if (command instanceof Describe c) {
            replyTo = c.replyTo;
        } else if (command instanceof Drop c) {
            replyTo = c.replyTo;
        }
        if (replyTo != null) {
            replyTo.tell(new Rejected(code, why));
        }
    }
}
