package io.strata.node.bus;

import io.strata.node.cluster.PartitionHomes;
import io.strata.node.cluster.Placement;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.common.Futures;
import io.strata.node.common.Names;
import io.strata.node.common.StrataException;
import io.strata.node.storage.Closings;
import io.strata.node.storage.DiskSpace;
import io.strata.node.storage.DataLayout;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Consumer groups and dead-letter topics as the rest of the node sees them. Validates input
 * (failing with a {@link StrataException} before any group is asked), then asks the group's
 * {@link ConsumerGroup} entity. Thread-safe.
 */
public final class GroupStore {

    /** One partition's consumer lag: {@code committed} is null when the group has committed nothing there. */
    public record PartitionLag(int partition, Long committed, long logStartOffset, long endOffset, long lag) {}

    /** A topic's lag: the sum of its partitions' lags. */
    public record TopicLag(String topic, long lag, List<PartitionLag> partitions) {}

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final PartitionHomes homes;
    private final BusStore bus;
    private final DataLayout layout;
    private final Executor blockingIo;
    private final Duration askTimeout;

    private GroupStore(ActorSystem<?> system, ClusterSharding sharding, PartitionHomes homes, BusStore bus, DataLayout layout,
                       Executor blockingIo, Duration askTimeout) {
        this.system = system;
        this.sharding = sharding;
        this.homes = homes;
        this.bus = bus;
        this.layout = layout;
        this.blockingIo = blockingIo;
        this.askTimeout = askTimeout;
    }

    /** Registers the consumer group entity with Cluster Sharding and returns the store. */
    public static GroupStore start(ActorSystem<?> system, BusStore bus, GroupSettings settings, DataLayout layout,
                                   DiskSpace space, Executor blockingIo, Closings closings, Duration askTimeout) {
        ClusterSharding sharding = ClusterSharding.get(system);
        sharding.init(Placement.applyTo(system, Entity.of(ConsumerGroup.TYPE_KEY,
                        ctx -> ConsumerGroup.create(ctx.getEntityId(), bus, settings, layout, space, blockingIo, closings,
                                ctx.getShard()))
                .withEntityProps(DispatcherSelector.fromConfig("strata.entity-dispatcher"))));
        return new GroupStore(system, sharding, PartitionHomes.of(system, ConsumerGroup.TYPE_KEY.name()), bus, layout, blockingIo,
                askTimeout);
    }

    /** Group names: 1-120 letters, digits, '_', '.', '-', starting with a letter or digit. */
    public static void validateGroup(String group) {
        Names.validate("group", group, 120);
    }

    /** Member ids: as group names, up to 200 characters. */
    public static void validateMember(String member) {
        Names.validate("member", member, 200);
    }

    /**
     * Joins (or heartbeats) {@code member} and reads up to {@code maxRecords} records from its partitions.
     * Where the group has no committed offset a new owner starts at the log's end when
     * {@code resetToLatest}, else at its start.
     */
    public CompletionStage<ConsumerGroup.Polled> poll(String group, String topic, String member, int maxRecords,
                                                      boolean resetToLatest) {
        validateGroup(group);
        validateMember(member);
        return bus.topic(topic).thenCompose(t -> {
            if (maxRecords < 1) {
                throw StrataException.invalid("invalid_max", "max must be at least 1, got " + maxRecords);
            }
            int max = Math.min(maxRecords, bus.settings().maxReadRecords());
            return ask(group, r -> new ConsumerGroup.Poll(t.name(), t.partitions(), member, max, resetToLatest, r));
        }).thenApply(reply -> expect(reply, ConsumerGroup.Polled.class));
    }

    /** Removes {@code member} from the group's consumers of {@code topic}; its partitions go to the others. */
    public CompletionStage<ConsumerGroup.Left> leave(String group, String topic, String member) {
        validateGroup(group);
        validateMember(member);
        bus.validateTopicName(topic);
        return ask(group, r -> new ConsumerGroup.Leave(topic, member, r))
                .thenApply(reply -> expect(reply, ConsumerGroup.Left.class));
    }

    /**
     * Commits, per partition, the next offset to consume (Kafka semantics). Offsets must lie between 0
     * and the partition's end ({@code offset_out_of_range} otherwise); every partition must be
     * assigned to {@code member} ({@code not_assigned}). Completes once the offsets are durable.
     */
    public CompletionStage<ConsumerGroup.Committed> commit(String group, String topic, String member, Map<Integer, Long> offsets) {
        validateGroup(group);
        validateMember(member);
        return bus.topic(topic).thenCompose(t -> commit(group, t, member, offsets));
    }

    private CompletionStage<ConsumerGroup.Committed> commit(String group, TopicCatalog.Topic t, String member,
                                                           Map<Integer, Long> offsets) {
        if (offsets.isEmpty()) {
            throw StrataException.invalid("invalid_offsets", "offsets must name at least one partition");
        }
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        offsets.forEach((partition, offset) -> {
            if (partition < 0 || partition >= t.partitions()) {
                throw StrataException.invalid("invalid_partition", "partition " + partition + " does not exist; topic '"
                        + t.name() + "' has partitions 0.." + (t.partitions() - 1));
            }
            if (offset < 0) {
                throw StrataException.invalid("invalid_offset", "offset of partition " + partition
                        + " must be 0 or more (the next offset to consume), got " + offset);
            }
            checks.add(bus.partitionInfo(t.name(), partition).toCompletableFuture().thenAccept(info -> {
                if (offset > info.logEndOffset()) {
                    throw new StrataException(StrataException.Kind.RANGE, "offset_out_of_range", "offset " + offset
                            + " of partition " + partition + " is beyond its end " + info.logEndOffset()
                            + " (commit the next offset to consume: at most the end)");
                }
            }));
        });
        Map<Integer, Long> copy = Map.copyOf(offsets);
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
                .thenCompose(ok -> ask(group, r -> new ConsumerGroup.Commit(t.name(), member, copy, r)))
                .thenApply(reply -> expect(reply, ConsumerGroup.Committed.class));
    }

    /** The group's generation, members and offsets, or {@code group_not_found}. */
    public CompletionStage<ConsumerGroup.Description> describe(String group) {
        validateGroup(group);
        return ask(group, ConsumerGroup.Describe::new).thenApply(reply -> {
            ConsumerGroup.Description description = expect(reply, ConsumerGroup.Description.class);
            if (!description.known()) {
                throw new StrataException(StrataException.Kind.NOT_FOUND, "group_not_found", "group '" + group
                        + "' has no members and no committed offsets");
            }
            return description;
        });
    }

    /**
     * Per topic and partition: the committed offset, the end offset and the lag between them (from the
     * log start where nothing is committed). Topics deleted since are left out.
     */
    public CompletionStage<List<TopicLag>> lag(String group) {
        return describe(group).thenCompose(description -> {
            List<CompletableFuture<Optional<TopicLag>>> topics = new ArrayList<>();
            for (ConsumerGroup.TopicState state : description.topics()) {
                topics.add(Futures.start(() -> bus.topic(state.topic())).handle((topic, gone) -> topic)
                        .thenCompose(topic -> topic == null ? CompletableFuture.completedFuture(Optional.empty())
                                : lag(topic, state).thenApply(Optional::of)));
            }
            return CompletableFuture.allOf(topics.toArray(CompletableFuture[]::new))
                    .thenApply(done -> topics.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList());
        });
    }

    /** The lag of the group's {@code state} of {@code topic}. */
    private CompletableFuture<TopicLag> lag(TopicCatalog.Topic topic, ConsumerGroup.TopicState state) {
        List<CompletableFuture<PartitionLag>> partitions = new ArrayList<>();
        for (int p = 0; p < topic.partitions(); p++) {
            int partition = p;
            Long committed = state.committed().get(p);
            partitions.add(bus.partitionInfo(topic.name(), p).toCompletableFuture().thenApply(info -> {
                long from = committed == null ? info.logStartOffset() : Math.max(committed, info.logStartOffset());
                return new PartitionLag(partition, committed, info.logStartOffset(), info.logEndOffset(),
                        Math.max(0, info.logEndOffset() - from));
            }));
        }
        return CompletableFuture.allOf(partitions.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<PartitionLag> lags = partitions.stream().map(CompletableFuture::join).toList();
            return new TopicLag(topic.name(), lags.stream().mapToLong(PartitionLag::lag).sum(), lags);
        });
    }

    /** The dead-letter topic of {@code topic}. */
    public static String deadLetterTopic(String topic) {
        return topic + ".dlq";
    }

    /**
     * Copies the record at {@code offset} of {@code topic}'s {@code partition} to {@code <topic>.dlq}
     * (created on demand with the default partitions and retention), keeping its key, value, format
     * and headers and adding {@code dlq.reason}, {@code dlq.topic}, {@code dlq.partition},
     * {@code dlq.offset} and {@code dlq.group}. Completes with where the copy went.
     */
    public CompletionStage<BusStore.Position> deadLetter(String group, String topic, int partition, long offset, String reason) {
        validateGroup(group);
        return bus.topic(topic).thenCompose(source -> {
            String dlq = deadLetterTopic(source.name());
            bus.validateTopicName(dlq);
            return bus.read(source.name(), partition, offset, 1).thenCompose(read -> {
                if (read.records().isEmpty() || read.records().get(0).getOffset() != offset) {
                    throw new StrataException(StrataException.Kind.RANGE, "offset_out_of_range", "partition " + partition
                            + " of '" + source.name() + "' has no record at offset " + offset + " (offsets "
                            + read.logStartOffset() + ".." + (read.logEndOffset() - 1) + ")");
                }
                BusRecord copy = read.records().get(0).toBuilder().clearOffset().clearTimestampMs().clearPartition()
                        .putHeaders("dlq.reason", reason)
                        .putHeaders("dlq.topic", source.name())
                        .putHeaders("dlq.partition", Integer.toString(partition))
                        .putHeaders("dlq.offset", Long.toString(offset))
                        .putHeaders("dlq.group", group)
                        .build();
                // A dead-letter topic created meanwhile with other settings is used as it is.
                return bus.ensureTopic(dlq, bus.settings().defaultPartitions())
                        .thenCompose(created -> bus.produce(dlq, List.of(copy)));
            });
        }).thenApply(positions -> positions.get(0));
    }

    /**
     * Sends a message of Kafka's classic group protocol to {@code group} (validated first) and
     * completes with its reply; {@code mayWait} is how long the group may hold it (a JoinGroup
     * waits for the rebalance), on top of the node's ask timeout.
     */
    public CompletionStage<ConsumerGroup.Reply> classic(String group, Duration mayWait,
                                                        Function<ActorRef<ConsumerGroup.Reply>, ConsumerGroup.Command> message) {
        validateGroup(group);
        return ask(group, message, askTimeout.plus(mayWait));
    }

    /**
     * Deletes the committed offsets of a group that has no members: {@code group_not_found} when
     * it has none, {@code group_not_empty} while consumers are in it. Completes once durable.
     */
    public CompletionStage<Void> delete(String group) {
        validateGroup(group);
        return ask(group, ConsumerGroup.Delete::new).thenApply(reply -> {
            String error = expect(reply, ConsumerGroup.Answered.class).error();
            switch (error) {
                case "NONE" -> {
                    return null;
                }
                case "GROUP_ID_NOT_FOUND" -> throw new StrataException(StrataException.Kind.NOT_FOUND, "group_not_found",
                        "group '" + group + "' has no committed offsets to delete");
                case "NON_EMPTY_GROUP" -> throw new StrataException(StrataException.Kind.CONFLICT, "group_not_empty",
                        "group '" + group + "' has consumers; it can be deleted once they have left");
                default -> throw new StrataException(StrataException.Kind.UNAVAILABLE, "storage_unavailable",
                        "group '" + group + "' could not make the deletion of its offsets durable");
            }
        });
    }

    /** The group's description, known or not (Kafka describes an unknown group as Dead). */
    public CompletionStage<ConsumerGroup.Description> describeAny(String group) {
        validateGroup(group);
        return ask(group, ConsumerGroup.Describe::new).thenApply(reply -> expect(reply, ConsumerGroup.Description.class));
    }

    /**
     * The groups this node coordinates: those running here and those whose committed offsets are
     * in its data directory (Kafka's ListGroups is per broker too).
     */
    public CompletionStage<List<String>> localGroups() {
        CompletionStage<List<String>> onDisk = CompletableFuture.supplyAsync(layout::groupsWithOffsets, blockingIo);
        CompletionStage<ShardRegion.CurrentShardRegionState> running =
                AskPattern.ask(sharding.shardState(),
                        replyTo -> new GetShardRegionState(ConsumerGroup.TYPE_KEY, replyTo),
                        askTimeout, system.scheduler());
        return onDisk.thenCombine(running, (stored, state) -> {
            TreeSet<String> names = new TreeSet<>(stored);
            state.getShards().forEach(shard -> names.addAll(shard.getEntityIds()));
            return List.copyOf(names);
        });
    }

    private CompletableFuture<ConsumerGroup.Reply> ask(String group,
                                                       Function<ActorRef<ConsumerGroup.Reply>, ConsumerGroup.Command> message) {
        return ask(group, message, askTimeout);
    }

    private CompletableFuture<ConsumerGroup.Reply> ask(String group,
                                                       Function<ActorRef<ConsumerGroup.Reply>, ConsumerGroup.Command> message,
                                                       Duration timeout) {
        return homes.whenAvailable(group).thenCompose(available ->
                Futures.direct(sharding.entityRefFor(ConsumerGroup.TYPE_KEY, group).ask(message::apply, timeout))).toCompletableFuture();
    }

    private static <T extends ConsumerGroup.Reply> T expect(ConsumerGroup.Reply reply, Class<T> type) {
        if (type.isInstance(reply)) {
            return type.cast(reply);
        }
        if (reply instanceof ConsumerGroup.Rejected r) {
            StrataException.Kind kind = switch (r.code()) {
                case "not_assigned", "inconsistent_group_protocol" -> StrataException.Kind.CONFLICT;
                case "topic_not_found", "invalid_partition" -> StrataException.Kind.NOT_FOUND;
                case "offset_out_of_range" -> StrataException.Kind.RANGE;
                default -> StrataException.kindOf(r.code(), StrataException.Kind.UNAVAILABLE);
            };
            throw new StrataException(kind, r.code(), r.message());
        }
        throw new IllegalStateException("unexpected reply " + reply);
    }
}
