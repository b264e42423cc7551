package io.strata.node.bus;

import io.strata.node.bus.proto.BusRecord;
import io.strata.node.common.Futures;
import io.strata.node.common.StrataException;
import io.strata.node.bus.internal.GroupOffsetsLog;
import io.strata.node.storage.Closings;
import io.strata.node.storage.DiskSpace;
import io.strata.node.storage.DataLayout;
import io.strata.node.storage.Passivation;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.time.Duration;
import java.time.InstantSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The Cluster Sharding entity of one consumer group (entity id = group name): its members per
 * topic, which member owns which partition, each owner's fetch position, and the group's committed
 * offsets.
 *
 * <p>Members join by polling and stay while they poll or commit within the session timeout. Every
 * change of membership raises the group's generation and reassigns the topic's partitions in
 * ranges over the sorted member names. A member's fetch position starts at the committed offset
 * (else at the log start or end, per its {@code auto_offset_reset}) and advances in memory as it
 * polls; a partition that changes owner starts again from the committed offset, so records polled
 * but not committed are delivered again (at least once, never skipped).
 *
 * <p>Committed offsets are Kafka's: the next offset to consume. They are written atomically to
 * {@code <groups-dir>/<group>.json} on the blocking-I/O executor before the commit is
 * acknowledged. Membership and fetch positions are soft state: after a restart members rejoin
 * with their next poll. Reads run on the bus (asynchronously, piped back), never on this actor.
 */
public final class ConsumerGroup {

    static final Logger LOG = LoggerFactory.getLogger(ConsumerGroup.class);

    /** The sharding entity type of consumer groups. */
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "bus-group");

    /** Messages a group accepts. Public ones cross nodes (Protobuf, see GroupSerializer). */
    public sealed interface Command permits Poll, Leave, Commit, Describe, Delete, Join, Sync, Heartbeat, LeaveMembers,
            CommitOffsets, Internal {}

    /**
     * Joins {@code member} to the group's consumers of {@code topic} (which has {@code partitions}
     * partitions) if it is new, counts as its heartbeat, and reads up to {@code maxRecords} records
     * from the partitions assigned to it. Replies {@link Polled} or {@link Rejected}.
     */
    public record Poll(String topic, int partitions, String member, int maxRecords, boolean resetToLatest,
                       ActorRef<Reply> replyTo) implements Command {}

    /** Removes {@code member} from the consumers of {@code topic}. Replies {@link Left}. */
    public record Leave(String topic, String member, ActorRef<Reply> replyTo) implements Command {}

    /**
     * Commits, for each partition, the next offset to consume; every partition must be assigned to
     * {@code member}. Replies {@link Committed} once durable, or {@link Rejected}
     * ({@code not_assigned}, {@code storage_unavailable}).
     */
    public record Commit(String topic, String member, Map<Integer, Long> offsets, ActorRef<Reply> replyTo) implements Command {}

    /** Asks for the group's generation, members, assignments and committed offsets. Replies {@link Description}. */
    public record Describe(ActorRef<Reply> replyTo) implements Command {}

    /**
     * Deletes the group's committed offsets, durably, when it has no members. Replies {@link Answered}:
     * {@code NONE}, {@code NON_EMPTY_GROUP}, {@code GROUP_ID_NOT_FOUND} (nothing to delete) or
     * {@code COORDINATOR_NOT_AVAILABLE} (the deletion could not be made durable).
     */
    public record Delete(ActorRef<Reply> replyTo) implements Command {}

    // ---- Kafka's classic group protocol (see ClassicGroup); errors are names of Kafka's error codes ----

    /** One protocol a member can use (an assignor, for consumers) and its metadata for it. */
    public record ClassicProtocol(String name, byte[] metadata) {}

    /**
     * A JoinGroup: {@code memberId} is empty for a new member, which gets its id in the reply (with
     * {@code MEMBER_ID_REQUIRED} first when {@code requireKnownMemberId}). Replies {@link Joined}
     * when the rebalance completes.
     */
    public record Join(String memberId, String clientId, String clientHost, int sessionTimeoutMs, int rebalanceTimeoutMs,
                       String protocolType, List<ClassicProtocol> protocols, boolean requireKnownMemberId,
                       ActorRef<Reply> replyTo) implements Command {}

    /** A SyncGroup: the leader's {@code assignments} (member id to bytes) are empty for the others. Replies {@link Synced}. */
    public record Sync(String memberId, int generation, String protocolType, String protocolName,
                       Map<String, byte[]> assignments, ActorRef<Reply> replyTo) implements Command {}

    /** A Heartbeat. Replies {@link Answered}: {@code REBALANCE_IN_PROGRESS} tells the member to rejoin. */
    public record Heartbeat(String memberId, int generation, ActorRef<Reply> replyTo) implements Command {}

    /** A LeaveGroup of one or more members. Replies {@link MembersLeft}. */
    public record LeaveMembers(List<String> memberIds, ActorRef<Reply> replyTo) implements Command {}

    /**
     * An OffsetCommit: per topic, per partition the next offset to consume. A member commits with
     * its generation; a client outside the group protocol (generation -1, no member id) only while
     * the group has no members. Replies {@link Answered} once durable.
     */
    public record CommitOffsets(String memberId, int generation, Map<String, Map<Integer, Long>> offsets,
                                ActorRef<Reply> replyTo) implements Command {}

    /** Replies of a group. */
    public sealed interface Reply permits Polled, Committed, Left, Description, Rejected, Joined, Synced, Answered,
            MembersLeft {}

    /** A member of a completed join; only the leader's reply lists them, with their metadata for the chosen protocol. */
    public record JoinedMember(String memberId, byte[] metadata) {}

    /** The end of a join: the generation, the chosen protocol, the leader and this member's id, or an error. */
    public record Joined(String error, int generation, String protocolType, String protocolName, String leader,
                         String memberId, List<JoinedMember> members) implements Reply {}

    /** The end of a sync: this member's assignment, or an error. */
    public record Synced(String error, String protocolType, String protocolName, byte[] assignment) implements Reply {}

    /** The outcome of a heartbeat or an offset commit: {@code NONE} or the error. */
    public record Answered(String error) implements Reply {}

    /** Each leaving member's outcome. */
    public record MembersLeft(Map<String, String> errors) implements Reply {}

    /** A classic-protocol member as DescribeGroups shows it. */
    public record ClassicMember(String memberId, String clientId, String clientHost, byte[] metadata, byte[] assignment) {}

    /** The group's classic-protocol members: Kafka's state name, the protocol type and chosen protocol. */
    public record ClassicState(String state, String protocolType, String protocol, int generation,
                               List<ClassicMember> members) {}

    /** Records for the member (each with its {@code partition} set) and the member's current assignment. */
    public record Polled(long generation, List<Integer> assignment, List<BusRecord> records) implements Reply {}

    /** The offsets are durable. */
    public record Committed(long generation) implements Reply {}

    /** The member is no longer a consumer of the topic (or never was). */
    public record Left(long generation) implements Reply {}

    /** One topic the group consumes or has offsets for: members with their partitions, committed offsets. */
    public record TopicState(String topic, int partitions, Map<String, List<Integer>> assignment,
                             Map<Integer, Long> committed) {}

    /**
     * The group; {@code known} is false when it has neither members nor committed offsets.
     * {@code classic} is null unless members use Kafka's classic group protocol.
     */
    public record Description(boolean known, long generation, List<TopicState> topics, ClassicState classic) implements Reply {}

    /** Refused, changing nothing. Codes: {@code not_assigned}, {@code storage_unavailable}, and read failures. */
    public record Rejected(String code, String message) implements Reply {}

    sealed interface Internal extends Command, NoSerializationVerificationNeeded {}

    private record Loaded(GroupOffsetsLog log, Throwable failure) implements Internal {}

    private record PartitionRead(int partition, Fetch startedAt, TopicPartition.Records records) {}

    private record PollRead(Poll poll, List<PartitionRead> reads, Throwable failure) implements Internal {}

    /**
     * A commit's flush finished; its records start at {@code logOffset} of the offsets log. The
     * requester gets {@code success}, or what {@code refusal} makes of the failure.
     */
    private record OffsetsWritten(Map<String, Map<Integer, Long>> offsets, ActorRef<Reply> replyTo, Reply success,
                                  Function<StrataException, Reply> refusal, long logOffset, Throwable failure)
            implements Internal {}

    private enum SessionTick implements Internal { INSTANCE }

    /** A deletion's flush finished. */
    private record DeleteWritten(Delete delete, Throwable failure) implements Internal {}

    /** Drives the classic protocol's deadlines (session expiry, rebalance timeouts) while it has members. */
    private enum ClassicTick implements Internal { INSTANCE }

    private static final Duration CLASSIC_TICK = Duration.ofMillis(100);

    /** A partition's fetch position, owned by one member. */
    private record Fetch(String member, long offset) {}

    /** The group's consumers of one topic. */
    private static final class Consumers {
        int partitions;
        final TreeMap<String, Long> lastSeen = new TreeMap<>();
        final Map<String, List<Integer>> assignment = new TreeMap<>();
        final Map<Integer, Fetch> fetch = new HashMap<>();

        Consumers(int partitions) {
            this.partitions = partitions;
        }

        String owner(int partition) {
            for (var e : assignment.entrySet()) {
                if (e.getValue().contains(partition)) {
                    return e.getKey();
                }
            }
            return null;
        }

        /** Range assignment: sorted members each get a contiguous run, the first ones one more. */
        void reassign() {
            assignment.clear();
            List<String> members = new ArrayList<>(lastSeen.keySet());
            int n = members.size();
            int next = 0;
            for (int i = 0; i < n; i++) {
                int count = partitions / n + (i < partitions % n ? 1 : 0);
                List<Integer> mine = new ArrayList<>(count);
                for (int j = 0; j < count; j++) {
                    mine.add(next++);
                }
                assignment.put(members.get(i), List.copyOf(mine));
            }
            fetch.entrySet().removeIf(e -> !e.getValue().member().equals(owner(e.getKey())));
        }
    }

    // ---- Behaviour ----------------------------------------------------------------------------

    private static final int STASH_CAPACITY = 10_000;
    /** Longest a loading group waits for its previous incarnation's offsets log to close. */
    private static final Duration PREVIOUS_CLOSE_WAIT = Duration.ofSeconds(30);

    private final String group;
    private final BusStore bus;
    private final GroupSettings settings;
    private final Path dir;
    private final Path legacyFile;
    private final DiskSpace space;
    private final Executor blockingIo;
    private final Closings closings;
    private final ActorContext<Command> context;
    private final StashBuffer<Command> stash;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private final Map<String, Consumers> topics = new TreeMap<>();
    /** The members that use Kafka's classic group protocol; a group has these or HTTP members, not both at once. */
    private final ClassicGroup classic;
    private TimerScheduler<Command> timers;
    /** The committed offsets: only those of commits made durable. */
    private final Map<String, Map<Integer, Long>> committed = new TreeMap<>();
    private long generation;
    private GroupOffsetsLog offsets;
    /** The last flush of the offsets log: each waits for the one before, and a failure fails the ones after it. */
    private CompletableFuture<Void> writes = CompletableFuture.completedFuture(null);
    private int writesPending;
    /** Whether the flushes under way failed: the commits appended since the first that failed are cut off the log. */
    private boolean writesFailed;

    /**
     * Creates the behaviour of the group {@code group}; {@code shard} is its shard's, which it asks
     * to passivate it when it cannot load its offsets; {@code closings} holds the offsets logs of
     * stopped groups still closing.
     */
    public static Behavior<Command> create(String group, BusStore bus, GroupSettings settings, DataLayout layout,
                                           DiskSpace space, Executor blockingIo, Closings closings,
                                           ActorRef<ClusterSharding.ShardCommand> shard) {
        return Behaviors.setup(ctx -> Behaviors.withStash(STASH_CAPACITY, stash -> Behaviors.withTimers(timers ->
                new ConsumerGroup(group, bus, settings, layout, space, blockingIo, closings, ctx, stash, shard).loading(timers))));
    }

    private ConsumerGroup(String group, BusStore bus, GroupSettings settings, DataLayout layout, DiskSpace space,
                          Executor blockingIo, Closings closings, ActorContext<Command> context,
                          StashBuffer<Command> stash, ActorRef<ClusterSharding.ShardCommand> shard) {
        this.group = group;
        this.bus = bus;
        this.settings = settings;
        this.dir = layout.groupOffsetsLog(group);
        this.legacyFile = layout.groupOffsets(group);
        this.space = space;
        this.blockingIo = blockingIo;
        this.closings = closings;
        this.context = context;
        this.stash = stash;
        this.shard = shard;
        this.classic = new ClassicGroup(group, settings.initialRebalanceDelay().toMillis());
    }

    private Behavior<Command> loading(TimerScheduler<Command> timers) {
        this.timers = timers;
        InstantSource clock = InstantSource.system();
        context.pipeToSelf(CompletableFuture.supplyAsync(() -> {
                    closings.awaitClosed(dir, PREVIOUS_CLOSE_WAIT);
                    return GroupOffsetsLog.open(dir, legacyFile, space, clock);
                }, blockingIo),
                (log, failure) -> new Loaded(log, failure));
        return Behaviors.receive(Command.class)
                .onMessage(Loaded.class, loaded -> {
                    if (loaded.failure != null) {
                        return new Passivation<Command>(shard, context.getSelf(), ConsumerGroup::reject)
                                .startFailed("group '" + group + "' cannot read its committed offsets in " + dir, loaded.failure,
                                        stash, context.getLog());
                    }
                    offsets = loaded.log;
                    offsets.recovered().forEach((topic, partitions) -> committed.put(topic, new TreeMap<>(partitions)));
                    Duration tick = settings.sessionTimeout().dividedBy(4);
                    timers.startTimerWithFixedDelay(SessionTick.INSTANCE, tick);
                    return stash.unstashAll(running());
                })
                .onAnyMessage(command -> {
                    if (stash.isFull()) {
                        reject(command, "storage_unavailable", "group '" + group + "' is still loading");
                    } else {
                        stash.stash(command);
                    }
                    return Behaviors.same();
                })
                .build();
    }


    private Behavior<Command> running() {
        return Behaviors.receive(Command.class)
                .onMessage(Poll.class, this::onPoll)
                .onMessage(PollRead.class, this::onPollRead)
                .onMessage(Commit.class, this::onCommit)
                .onMessage(OffsetsWritten.class, this::onOffsetsWritten)
                .onMessage(Leave.class, this::onLeave)
                .onMessage(Describe.class, this::onDescribe)
                .onMessage(Delete.class, this::onDelete)
                .onMessage(DeleteWritten.class, this::onDeleteWritten)
                .onMessageEquals(SessionTick.INSTANCE, this::onSessionTick)
                .onMessage(Join.class, this::onJoin)
                .onMessage(Sync.class, this::onSync)
                .onMessage(Heartbeat.class, this::onHeartbeat)
                .onMessage(LeaveMembers.class, this::onLeaveMembers)
                .onMessage(CommitOffsets.class, this::onCommitOffsets)
                .onMessageEquals(ClassicTick.INSTANCE, this::onClassicTick)
                .onSignal(PostStop.class, stopped -> {
                    // The close fsyncs: on the blocking-I/O pool, after the flushes under way.
                    closings.close(dir, writes, offsets);
                    return Behaviors.same();
                })
                .build();
    }

    private static long now() {
        return System.nanoTime() / 1_000_000;
    }

    private Behavior<Command> onPoll(Poll poll) {
        if (!classic.isEmpty()) {
            poll.replyTo.tell(new Rejected("inconsistent_group_protocol", "group '" + group
                    + "' is in use by Kafka consumers; poll it when they have left, or use another group"));
            return Behaviors.same();
        }
        Consumers consumers = topics.computeIfAbsent(poll.topic, t -> new Consumers(poll.partitions));
        boolean joined = consumers.lastSeen.put(poll.member, now()) == null;
        if (joined || consumers.partitions != poll.partitions) {
            consumers.partitions = poll.partitions;
            rebalance(poll.topic, consumers, joined ? "member " + poll.member + " joined" : "partition count changed");
        }
        List<Integer> assigned = consumers.assignment.getOrDefault(poll.member, List.of());
        if (assigned.isEmpty()) {
            poll.replyTo.tell(new Polled(generation, assigned, List.of()));
            return Behaviors.same();
        }
        long reset = poll.resetToLatest ? TopicPartition.LATEST : TopicPartition.EARLIEST;
        Map<Integer, Long> topicCommitted = committed.getOrDefault(poll.topic, Map.of());
        List<CompletableFuture<PartitionRead>> reads = new ArrayList<>();
        // Each partition's share of the poll, so one poll never holds partitions x max records.
        int share = (poll.maxRecords + assigned.size() - 1) / assigned.size();
        for (int partition : assigned) {
            Fetch fetch = consumers.fetch.get(partition);
            long from = fetch != null ? fetch.offset : topicCommitted.getOrDefault(partition, reset);
            reads.add(read(poll.topic, partition, from, reset, share)
                    .thenApply(records -> new PartitionRead(partition, fetch, records)));
        }
        context.pipeToSelf(CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                        .thenApply(done -> reads.stream().map(CompletableFuture::join).toList()),
                (done, failure) -> new PollRead(poll, done, failure));
        return Behaviors.same();
    }

    /** Reads from {@code from}; an offset retention has deleted (or never existed) falls back to {@code reset}. */
    private CompletableFuture<TopicPartition.Records> read(String topic, int partition, long from, long reset, int max) {
        return Futures.start(() -> bus.read(topic, partition, from, max)).exceptionallyCompose(failure -> {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            if (from >= 0 && cause instanceof StrataException e && e.code().equals("offset_out_of_range")) {
                return Futures.start(() -> bus.read(topic, partition, reset, max));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    private Behavior<Command> onPollRead(PollRead read) {
        Poll poll = read.poll;
        if (read.failure != null) {
            Throwable cause = read.failure.getCause() != null ? read.failure.getCause() : read.failure;
            String code = cause instanceof StrataException e ? e.code() : "storage_unavailable";
            poll.replyTo.tell(new Rejected(code, "poll of '" + poll.topic + "' failed: " + cause.getMessage()));
            return Behaviors.same();
        }
        Consumers consumers = topics.get(poll.topic);
        List<BusRecord> records = new ArrayList<>();
        int room = poll.maxRecords;
        for (PartitionRead partitionRead : read.reads) {
            int partition = partitionRead.partition;
            // Records of a partition that moved meanwhile go to its new owner, from the committed offset.
            if (consumers == null || !poll.member.equals(consumers.owner(partition))) {
                continue;
            }
            TopicPartition.Records slice = partitionRead.records;
            int taken = Math.min(room, slice.records().size());
            for (int i = 0; i < taken; i++) {
                records.add(slice.records().get(i).toBuilder().setPartition(partition).build());
            }
            room -= taken;
            long next = taken == slice.records().size() ? slice.nextOffset() : slice.records().get(taken).getOffset();
            // Advance only from where this read started: a concurrent poll that moved the position
            // already delivered these records, and moving it back would be pointless, forward a skip.
            if (Objects.equals(consumers.fetch.get(partition), partitionRead.startedAt)) {
                consumers.fetch.put(partition, new Fetch(poll.member, next));
            }
        }
        List<Integer> assignment = consumers == null ? List.of() : consumers.assignment.getOrDefault(poll.member, List.of());
        poll.replyTo.tell(new Polled(generation, assignment, records));
        return Behaviors.same();
    }

    private Behavior<Command> onCommit(Commit commit) {
        Consumers consumers = topics.get(commit.topic);
        if (consumers == null || !consumers.lastSeen.containsKey(commit.member)) {
            commit.replyTo.tell(new Rejected("not_assigned", "member '" + commit.member + "' is not a consumer of '"
                    + commit.topic + "' in group '" + group + "' (generation " + generation + "); poll to join"));
            return Behaviors.same();
        }
        for (int partition : commit.offsets.keySet()) {
            if (!commit.member.equals(consumers.owner(partition))) {
                commit.replyTo.tell(new Rejected("not_assigned", "partition " + partition + " of '" + commit.topic
                        + "' is not assigned to member '" + commit.member + "' in generation " + generation
                        + " (its assignment: " + consumers.assignment.getOrDefault(commit.member, List.of()) + ")"));
                return Behaviors.same();
            }
        }
        consumers.lastSeen.put(commit.member, now());
        writeOffsets(Map.of(commit.topic, commit.offsets), commit.replyTo, new Committed(generation),
                refused -> new Rejected(refused.code(), refused.getMessage()));
        return Behaviors.same();
    }

    /** Appends a commit to the offsets log and flushes it; the offsets apply, and the reply goes, once durable. */
    private void writeOffsets(Map<String, Map<Integer, Long>> commit, ActorRef<Reply> replyTo, Reply success,
                              Function<StrataException, Reply> refusal) {
        long logOffset = offsets.endOffset();
        try {
            // One batch: the commit is in the log whole or not at all; applied only once durable.
            offsets.append(commit);
        } catch (StrataException refused) {
            replyTo.tell(refusal.apply(refused));
            return;
        }
        // Chained without recovering: after a failed flush the later ones fail too.
        GroupOffsetsLog log = offsets;
        writes = writes.thenRunAsync(log::flush, blockingIo);
        writesPending++;
        context.pipeToSelf(writes, (ok, failure) -> new OffsetsWritten(commit, replyTo, success, refusal, logOffset, failure));
    }

    private Behavior<Command> onOffsetsWritten(OffsetsWritten written) {
        writesPending--;
        if (written.failure != null) {
            context.getLog().error("consumer group {} cannot make its offsets durable in {}", group, dir, written.failure);
            if (!writesFailed) {
                writesFailed = true;
                // The refused commit, and every one appended after it, leave the log: a restart must not apply them.
                offsets.truncateTo(written.logOffset);
            }
            StrataException refusal = DiskSpace.refusal("the commit could not be made durable", written.failure);
            written.replyTo.tell(written.refusal.apply(refusal));
        } else {
            written.offsets.forEach((topic, partitions) ->
                    committed.computeIfAbsent(topic, t -> new TreeMap<>()).putAll(partitions));
            written.replyTo.tell(written.success);
        }
        if (writesPending == 0) {
            // The chain is done; new commits start one of their own.
            writes = CompletableFuture.completedFuture(null);
            writesFailed = false;
            compactIfLarge();
        }
        return Behaviors.same();
    }

    /** With no commit waiting for its flush, replaces a long log by a snapshot of the offsets. */
    private void compactIfLarge() {
        try {
            if (offsets.compactIfLarge(committed)) {
                GroupOffsetsLog log = offsets;
                writes = writes.thenRunAsync(log::releaseCompacted, blockingIo).exceptionally(failure -> {
                    LOG.warn("consumer group {}: the compacted offsets log could not free its old files yet", group, failure);
                    return null;
                });
            }
        } catch (StrataException full) {
            context.getLog().warn("consumer group {}: cannot compact its offsets log now: {}", group, full.getMessage());
        }
    }

    private Behavior<Command> onLeave(Leave leave) {
        Consumers consumers = topics.get(leave.topic);
        if (consumers != null && consumers.lastSeen.remove(leave.member) != null) {
            rebalance(leave.topic, consumers, "member " + leave.member + " left");
        }
        leave.replyTo.tell(new Left(generation));
        return Behaviors.same();
    }

    private Behavior<Command> onSessionTick() {
        long deadline = now() - settings.sessionTimeout().toMillis();
        topics.forEach((topic, consumers) -> {
            List<String> expired = consumers.lastSeen.entrySet().stream()
                    .filter(e -> e.getValue() < deadline).map(Map.Entry::getKey).toList();
            if (!expired.isEmpty()) {
                expired.forEach(consumers.lastSeen::remove);
                rebalance(topic, consumers, "session timeout of " + expired);
            }
        });
        return Behaviors.same();
    }

    private void rebalance(String topic, Consumers consumers, String why) {
        generation++;
        consumers.reassign();
        context.getLog().info("consumer group {} topic {}: generation {} ({}): {}", group, topic, generation, why,
                consumers.assignment);
    }

    private Behavior<Command> onDescribe(Describe describe) {
        TreeSet<String> names = new TreeSet<>(topics.keySet());
        names.addAll(committed.keySet());
        List<TopicState> states = new ArrayList<>();
        boolean hasMembers = false;
        for (String topic : names) {
            Consumers consumers = topics.get(topic);
            Map<String, List<Integer>> assignment = consumers == null ? Map.of() : new TreeMap<>(consumers.assignment);
            hasMembers |= !assignment.isEmpty();
            states.add(new TopicState(topic, consumers == null ? 0 : consumers.partitions, assignment,
                    new TreeMap<>(committed.getOrDefault(topic, Map.of()))));
        }
        ClassicState classicState = classic.describe();
        describe.replyTo.tell(new Description(hasMembers || classicState != null || !committed.isEmpty(), generation, states,
                classicState));
        return Behaviors.same();
    }

    private Behavior<Command> onDelete(Delete delete) {
        if (hasHttpMembers() || !classic.isEmpty()) {
            delete.replyTo.tell(new Answered("NON_EMPTY_GROUP"));
        } else if (committed.isEmpty() && writesPending == 0) {
            delete.replyTo.tell(new Answered("GROUP_ID_NOT_FOUND"));
        } else {
            // After the commits under way: their offsets are gone with the rest.
            offsets.clear();
            committed.clear();
            topics.clear();
            GroupOffsetsLog log = offsets;
            writes = writes.thenRunAsync(log::releaseCompacted, blockingIo);
            writesPending++;
            context.pipeToSelf(writes, (ok, failure) -> new DeleteWritten(delete, failure));
        }
        return Behaviors.same();
    }

    private Behavior<Command> onDeleteWritten(DeleteWritten written) {
        writesPending--;
        if (written.failure != null) {
            context.getLog().error("consumer group {} cannot make the deletion of its offsets durable in {}", group, dir,
                    written.failure);
            written.delete.replyTo.tell(new Answered("COORDINATOR_NOT_AVAILABLE"));
        } else {
            context.getLog().info("consumer group {}: its committed offsets were deleted", group);
            written.delete.replyTo.tell(new Answered("NONE"));
        }
        if (writesPending == 0) {
            writes = CompletableFuture.completedFuture(null);
            writesFailed = false;
        }
        return Behaviors.same();
    }

    // ---- Kafka's classic group protocol ------------------------------------------------------------

    private boolean hasHttpMembers() {
        return topics.values().stream().anyMatch(consumers -> !consumers.lastSeen.isEmpty());
    }

    private Behavior<Command> onJoin(Join join) {
        if (hasHttpMembers()) {
            // Kafka's answer to a member whose protocol the group's current members do not share.
            join.replyTo.tell(new Joined("INCONSISTENT_GROUP_PROTOCOL", -1, "", "", "", join.memberId, List.of()));
            return Behaviors.same();
        }
        classic.join(join, now());
        classicTicking();
        return Behaviors.same();
    }

    private Behavior<Command> onSync(Sync sync) {
        classic.sync(sync, now());
        return Behaviors.same();
    }

    private Behavior<Command> onHeartbeat(Heartbeat heartbeat) {
        heartbeat.replyTo.tell(new Answered(classic.heartbeat(heartbeat.memberId, heartbeat.generation, now())));
        return Behaviors.same();
    }

    private Behavior<Command> onLeaveMembers(LeaveMembers leave) {
        leave.replyTo.tell(new MembersLeft(classic.leave(leave.memberIds, now())));
        classicTicking();
        return Behaviors.same();
    }

    private Behavior<Command> onCommitOffsets(CommitOffsets commit) {
        String error = classic.checkCommit(commit.memberId, commit.generation);
        if (error == null && commit.memberId.isEmpty() && commit.offsets.keySet().stream().anyMatch(topic -> {
            Consumers consumers = topics.get(topic);
            return consumers != null && !consumers.lastSeen.isEmpty();
        })) {
            // Members of the HTTP protocol own these partitions: a commit from outside would move their offsets.
            error = "UNKNOWN_MEMBER_ID";
        }
        if (error != null) {
            commit.replyTo.tell(new Answered(error));
            return Behaviors.same();
        }
        Map<String, Map<Integer, Long>> copy = new TreeMap<>();
        commit.offsets.forEach((topic, partitions) -> copy.put(topic, Map.copyOf(partitions)));
        writeOffsets(copy, commit.replyTo, new Answered("NONE"), refused -> {
            context.getLog().warn("consumer group {}: offset commit refused: {}", group, refused.getMessage());
            return new Answered("COORDINATOR_NOT_AVAILABLE");
        });
        return Behaviors.same();
    }

    private Behavior<Command> onClassicTick() {
        classic.tick(now());
        classicTicking();
        return Behaviors.same();
    }

    /** Keeps the classic protocol's timer running exactly while the protocol has members. */
    private void classicTicking() {
        boolean running = timers.isTimerActive(ClassicTick.INSTANCE);
        if (classic.isEmpty() && running) {
            timers.cancel(ClassicTick.INSTANCE);
        } else if (!classic.isEmpty() && !running) {
            timers.startTimerWithFixedDelay(ClassicTick.INSTANCE, CLASSIC_TICK);
        }
    }

    private static void reject(Command command, String code, String why) {
        ActorRef<Reply> replyTo = null;
        if (command instanceof Poll c) {
            replyTo = c.replyTo;
        } else if (command instanceof Leave c) {
            replyTo = c.replyTo;
        } else if (command instanceof Commit c) {
            replyTo = c.replyTo;
        } else if (command instanceof Describe c) {
            replyTo = c.replyTo;
        } else if (command instanceof Join c) {
            c.replyTo.tell(new Joined("COORDINATOR_LOAD_IN_PROGRESS", -1, "", "", "", c.memberId, List.of()));
        } else if (command instanceof Sync c) {
            c.replyTo.tell(new Synced("COORDINATOR_LOAD_IN_PROGRESS", "", "", new byte[0]));
        } else if (command instanceof Heartbeat c) {
            c.replyTo.tell(new Answered("COORDINATOR_LOAD_IN_PROGRESS"));
        } else if (command instanceof CommitOffsets c) {
            c.replyTo.tell(new Answered("COORDINATOR_LOAD_IN_PROGRESS"));
        } else if (command instanceof LeaveMembers c) {
            replyTo = c.replyTo;
        } else if (command instanceof Delete c) {
            c.replyTo.tell(new Answered("COORDINATOR_NOT_AVAILABLE"));
        }
        if (replyTo != null) {
            replyTo.tell(new Rejected(code, why));
        }
    }
}
