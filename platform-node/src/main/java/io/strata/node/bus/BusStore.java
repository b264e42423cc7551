package io.strata.node.bus;

import io.strata.node.bus.TopicCatalog.Topic;
import io.strata.node.bus.internal.RecordBatches;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.cluster.PartitionHomes;
import io.strata.node.cluster.Placement;
import io.strata.node.common.Futures;
import io.strata.node.common.PartitionId;
import io.strata.node.common.Partitioner;
import io.strata.node.common.StrataException;
import io.strata.node.log.EpochEnd;
import io.strata.node.log.FetchData;
import io.strata.node.log.OffsetOutOfRange;
import io.strata.node.log.PartitionLog;
import io.strata.node.storage.Directories;
import io.strata.node.storage.PartitionDeadLetters;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * The message bus as the rest of the node sees it: topics, produce (partitioning records and
 * asking each partition to append its share), reads. Thread-safe; bad input fails with a
 * {@link StrataException} before anything is appended.
 */
public final class BusStore {

    /** Where a produced record went. */
    public record Position(int partition, long offset) {}

    /** A partition's offsets and size. */
    public record PartitionDescription(int partition, long firstOffset, long nextOffset, long bytes, int files) {}

    /** A topic and its partitions. */
    public record TopicDescription(String name, int partitions, long retentionMs, long retentionBytes, long bytes,
                                   List<PartitionDescription> offsets) {}

    private final ClusterSharding sharding;
    private final Scheduler scheduler;
    private final PartitionHomes homes;
    private final BusSettings settings;
    private final TopicCatalog catalog;
    private final BusStorage storage;
    private final Duration askTimeout;
    private final Map<String, AtomicInteger> roundRobin = new ConcurrentHashMap<>();

    private BusStore(ClusterSharding sharding, Scheduler scheduler, PartitionHomes homes, BusSettings settings, TopicCatalog catalog,
                     BusStorage storage, Duration askTimeout) {
        this.sharding = sharding;
        this.scheduler = scheduler;
        this.storage = storage;
        this.homes = homes;
        this.settings = settings;
        this.catalog = catalog;
        this.askTimeout = askTimeout;
    }

    /**
     * Registers the topic partition entity with Cluster Sharding and returns the store. Files of
     * topics no longer in the catalog (a deletion cut short by a crash, or made while this node was
     * down) are removed once the catalog is {@code catalogReady}: at once on a node on its own, in a
     * cluster once it has been read from a majority of the nodes.
     */
    public static BusStore start(ActorSystem<?> system, BusSettings settings, BusStorage storage, TopicCatalog catalog,
                                 CompletionStage<Void> catalogReady, Duration askTimeout) {
        catalog.removeUnlisted(storage.layout().busDir(), catalogReady, storage.blockingIo(), Directories::deleteTree);
        ClusterSharding sharding = ClusterSharding.get(system);
        sharding.init(Placement.applyTo(system, Entity.of(TopicPartition.TYPE_KEY,
                        ctx -> TopicPartition.create(PartitionId.fromEntityId(ctx.getEntityId()), settings, storage, ctx.getShard()))
                .withEntityProps(DispatcherSelector.fromConfig("strata.entity-dispatcher"))));
        PartitionDeadLetters.start(system, sharding, TopicPartition.TYPE_KEY, TopicPartition.Command.class,
                TopicPartition.Internal.class);
        return new BusStore(sharding, system.scheduler(), PartitionHomes.of(system, TopicPartition.TYPE_KEY.name()), settings, catalog,
                storage, askTimeout);
    }

    public BusSettings settings() {
        return settings;
    }

    /** The partitions open on this node (for tests in this package). */
    LocalPartitions localPartitions() {
        return storage.local();
    }

    // ---- Topics -------------------------------------------------------------------------------

    /** Creates a topic, or completes with the same one (see {@link TopicCatalog#create}). */
    public CompletionStage<Topic> createTopic(String name, int partitions, Retention retention) {
        return catalog.create(name, partitions, retention);
    }

    /**
     * Creates {@code name} with the default retention unless it exists, whatever its settings (a
     * topic of the name created meanwhile with others is used as it is).
     */
    public CompletionStage<Topic> ensureTopic(String name, int partitions) {
        Optional<Topic> existing = catalog.peek(name);
        if (existing.isPresent()) {
            return CompletableFuture.completedFuture(existing.get());
        }
        return createTopic(name, partitions, settings.defaultRetention()).exceptionallyCompose(failure -> {
            if (Futures.unwrap(failure) instanceof StrataException e && e.code().equals("topic_exists")) {
                return topic(name);
            }
            return CompletableFuture.failedFuture(failure);
        });
    }

    public List<Topic> topics() {
        return catalog.list();
    }

    /** The topic, or {@code topic_not_found}; an invalid name is refused at once. */
    public CompletionStage<Topic> topic(String name) {
        return catalog.require(name);
    }

    /** Checks a topic name, or {@code invalid_topic}. */
    public void validateTopicName(String name) {
        catalog.validateName(name);
    }

    private CompletionStage<Topic> topicForProduce(String name) {
        catalog.validateName(name);
        return catalog.get(name).thenCompose(found -> {
            if (found.isPresent()) {
                return CompletableFuture.completedFuture(found.get());
            }
            if (!settings.autoCreateTopics()) {
                throw new StrataException(StrataException.Kind.NOT_FOUND, "topic_not_found",
                        "topic '" + name + "' does not exist; create it with PUT /topics/" + name);
            }
            return catalog.create(name, settings.defaultPartitions(), settings.defaultRetention());
        });
    }

    /** The topic with each partition's offsets and size. */
    public CompletionStage<TopicDescription> describe(String name) {
        return topic(name).thenCompose(this::describe);
    }

    private CompletionStage<TopicDescription> describe(Topic topic) {
        String name = topic.name();
        List<CompletableFuture<TopicPartition.Reply>> infos = new ArrayList<>();
        for (int p = 0; p < topic.partitions(); p++) {
            infos.add(ask(name, p, TopicPartition.Info::new));
        }
        return CompletableFuture.allOf(infos.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<PartitionDescription> partitions = new ArrayList<>();
            long bytes = 0;
            for (int p = 0; p < infos.size(); p++) {
                TopicPartition.PartitionInfo info = expect(infos.get(p).join(), TopicPartition.PartitionInfo.class);
                partitions.add(new PartitionDescription(p, info.logStartOffset(), info.logEndOffset(), info.bytes(), info.files()));
                bytes += info.bytes();
            }
            return new TopicDescription(topic.name(), topic.partitions(), topic.retentionMs(), topic.retentionBytes(), bytes, partitions);
        });
    }

    /**
     * Deletes a topic: once every partition's home is up, it leaves the catalog, then every
     * partition (on whichever node holds it) deletes its log and stops. An append racing the
     * deletion is refused ({@code topic_not_found}), or deleted with the partition it reached
     * first; a partition never opens for a topic that is not in the catalog, so the name can be
     * created again and starts empty.
     */
    public CompletionStage<Void> deleteTopic(String name) {
        return topic(name).thenCompose(this::deleteTopic);
    }

    private CompletionStage<Void> deleteTopic(Topic topic) {
        String name = topic.name();
        List<PartitionId> partitions = IntStream.range(0, topic.partitions()).mapToObj(p -> new PartitionId(name, p)).toList();
        return catalog.delete(name, homes.whenAllAvailable(partitions), () -> {
            roundRobin.remove(name);
            List<CompletableFuture<TopicPartition.Reply>> drops = new ArrayList<>();
            for (int p = 0; p < topic.partitions(); p++) {
                drops.add(ask(name, p, TopicPartition.Drop::new));
            }
            return CompletableFuture.allOf(drops.toArray(CompletableFuture[]::new))
                    .thenRun(() -> drops.forEach(drop -> expect(drop.join(), TopicPartition.Dropped.class)));
        });
    }

    /**
     * Opens every partition of every topic that lives on this node (so retention runs) and
     * completes with their number; in a cluster, other nodes open theirs.
     */
    public CompletionStage<Integer> openAll() {
        List<CompletableFuture<TopicPartition.Reply>> infos = new ArrayList<>();
        for (Topic topic : catalog.list()) {
            for (int p = 0; p < topic.partitions(); p++) {
                if (homes.isHere(new PartitionId(topic.name(), p).entityId())) {
                    infos.add(ask(topic.name(), p, TopicPartition.Info::new));
                }
            }
        }
        return CompletableFuture.allOf(infos.toArray(CompletableFuture[]::new)).thenApply(done -> infos.size());
    }

    // ---- Records ------------------------------------------------------------------------------

    /**
     * Appends a batch: each record goes to its explicit partition, else {@code murmur3(key) mod N},
     * else round-robin. The whole batch is validated first; a bad record refuses the batch with its
     * index. Per partition the batch is appended atomically and in order; the positions follow the
     * order of {@code records}.
     */
    public CompletionStage<List<Position>> produce(String topicName, List<BusRecord> records) {
        if (records.isEmpty()) {
            throw StrataException.invalid("invalid_batch", "the batch holds no records");
        }
        if (records.size() > settings.maxBatchRecords()) {
            throw StrataException.invalid("invalid_batch", records.size() + " records exceed the batch limit of "
                    + settings.maxBatchRecords());
        }
        return topicForProduce(topicName).thenCompose(topic -> produce(topic, records));
    }

    private CompletionStage<List<Position>> produce(Topic topic, List<BusRecord> records) {
        int[] partitionOf = new int[records.size()];
        for (int i = 0; i < records.size(); i++) {
            BusRecord r = records.get(i);
            if (r.getValue().size() > settings.maxRecordBytes()) {
                throw new StrataException(StrataException.Kind.TOO_LARGE, "record_too_large", "record " + i + ": value of "
                        + r.getValue().size() + " bytes exceeds the limit of " + settings.maxRecordBytes());
            }
            if (r.hasPartition() && (r.getPartition() < 0 || r.getPartition() >= topic.partitions())) {
                throw StrataException.invalid("invalid_partition", "record " + i + ": partition " + r.getPartition()
                        + " is out of range; topic '" + topic.name() + "' has partitions 0.." + (topic.partitions() - 1));
            }
            partitionOf[i] = partitionFor(topic, r);
        }
        Map<Integer, List<BusRecord>> byPartition = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            byPartition.computeIfAbsent(partitionOf[i], p -> new ArrayList<>()).add(records.get(i));
        }
        Map<Integer, CompletableFuture<TopicPartition.Reply>> appends = new LinkedHashMap<>();
        long now = storage.clock().getAsLong();
        byPartition.forEach((p, batch) -> {
            // Encoded here, on the producer's thread: the partition's actor only stores the bytes.
            MemoryRecords batches = RecordBatches.encode(batch, now, RecordBatches.TARGET_BATCH_BYTES);
            appends.put(p, ask(topic.name(), p, r -> new TopicPartition.Append(batches, batch.size(), r)));
        });
        return CompletableFuture.allOf(appends.values().toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<Integer, Long> next = new java.util.HashMap<>();
            appends.forEach((p, append) -> next.put(p, expect(append.join(), TopicPartition.Appended.class).firstOffset()));
            List<Position> positions = new ArrayList<>(records.size());
            for (int p : partitionOf) {
                long offset = next.get(p);
                next.put(p, offset + 1);
                positions.add(new Position(p, offset));
            }
            return positions;
        });
    }

    /**
     * Produces any number of records, in batches of at most {@code max-batch-records}, one batch
     * after another (so per partition they keep their order). Not atomic as a whole.
     */
    public CompletionStage<Void> produceInBatches(String topicName, List<BusRecord> records) {
        CompletionStage<Void> produced = CompletableFuture.completedFuture(null);
        int batch = settings.maxBatchRecords();
        for (int from = 0; from < records.size(); from += batch) {
            List<BusRecord> slice = records.subList(from, Math.min(records.size(), from + batch));
            produced = produced.thenCompose(done -> produce(topicName, slice).thenApply(positions -> null));
        }
        return produced;
    }

    private int partitionFor(Topic topic, BusRecord record) {
        if (record.hasPartition()) {
            return record.getPartition();
        }
        if (record.hasKey()) {
            return Partitioner.partitionFor(record.getKey(), topic.partitions());
        }
        int n = roundRobin.computeIfAbsent(topic.name(), t -> new AtomicInteger()).getAndIncrement();
        return Math.floorMod(n, topic.partitions());
    }

    /**
     * Reads a partition from {@code offset} ({@link TopicPartition#EARLIEST}, {@link TopicPartition#LATEST} or
     * an offset). Fails with {@code offset_out_of_range} (naming the earliest offset) or
     * {@code invalid_partition}.
     */
    public CompletionStage<TopicPartition.Records> read(String topicName, int partition, long offset, int maxRecords) {
        return read(topicName, partition, offset, maxRecords, Duration.ZERO);
    }

    /**
     * As {@link #read(String, int, long, int)}, but a read at the partition's end waits up to
     * {@code maxWait} for a record (a long poll; at most half the ask timeout) and answers as soon as one is there.
     */
    public CompletionStage<TopicPartition.Records> read(String topicName, int partition, long offset, int maxRecords, Duration maxWait) {
        return topic(topicName).thenCompose(topic -> read(topic, partition, offset, maxRecords, maxWait));
    }

    private CompletionStage<TopicPartition.Records> read(Topic topic, int partition, long offset, int maxRecords, Duration maxWait) {
        checkPartition(topic, partition);
        if (offset < TopicPartition.EARLIEST) {
            throw StrataException.invalid("invalid_offset", "offset must be 0 or more, 'earliest' or 'latest'; got " + offset);
        }
        if (maxRecords < 1) {
            throw StrataException.invalid("invalid_max", "max must be at least 1, got " + maxRecords);
        }
        long waitMs = Math.max(0, Math.min(maxWait.toMillis(), askTimeout.toMillis() / 2));
        PartitionLog local = storage.local().log(new PartitionId(topic.name(), partition));
        if (local != null) {
            // The partition is open on this node: read its log directly; a log closing meanwhile
            // refuses, and the read goes to the partition's next incarnation through its actor.
            return TopicPartition.readLog(local, offset, Math.min(maxRecords, settings.maxReadRecords()), settings.maxReadBytes(),
                    waitMs, storage).thenCompose(reply -> reply instanceof TopicPartition.Rejected rejected
                            && rejected.code().equals("storage_unavailable")
                    ? readThroughActor(topic, partition, offset, maxRecords, waitMs)
                    : CompletableFuture.completedFuture(expect(reply, TopicPartition.Records.class)));
        }
        return readThroughActor(topic, partition, offset, maxRecords, waitMs);
    }

    private CompletableFuture<TopicPartition.Records> readThroughActor(Topic topic, int partition, long offset, int maxRecords,
                                                                        long waitMs) {
        return ask(topic.name(), partition, r -> new TopicPartition.Read(offset, maxRecords, settings.maxReadBytes(), waitMs, r))
                .thenApply(reply -> expect(reply, TopicPartition.Records.class));
    }

    // ---- Stored batches (the Kafka door) --------------------------------------------------------

    /**
     * Appends record batches as a client sent them (Kafka's record batch v2, any compression) to
     * one partition: the log gives them the next offsets and keeps their bytes. A batch an
     * idempotent producer sent before is answered with its first offset and not stored again.
     * Fails with {@code invalid_record_batch}, {@code out_of_order_sequence},
     * {@code invalid_producer_epoch}, {@code record_batch_too_large}, {@code storage_full}, ...
     */
    public CompletionStage<TopicPartition.Appended> appendBatches(String topicName, int partition, MemoryRecords batches) {
        return topic(topicName).thenCompose(topic -> {
            checkPartition(topic, partition);
            int count = 0;
            for (RecordBatch batch : batches.batches()) {
                count += (int) (batch.lastOffset() - batch.baseOffset() + 1);
            }
            int records = count;
            return ask(topic.name(), partition, r -> new TopicPartition.Append(batches, records, r))
                    .thenApply(reply -> expect(reply, TopicPartition.Appended.class));
        });
    }

    /**
     * The stored batches of a partition from the one holding {@code offset}, up to {@code maxBytes}
     * (at least one batch), exactly as stored, with the log's bounds: what a Kafka fetch returns.
     * Only for a partition this node holds ({@code not_leader} otherwise).
     * Fails with {@code offset_out_of_range} for an offset outside the log.
     */
    public CompletionStage<FetchData> fetchBatches(String topicName, int partition, long offset, int maxBytes) {
        return localLog(topicName, partition).thenCompose(log -> {
            // A reader following the end reads in place (PartitionLog.readInPlace); other reads go to the blocking pool.
            Optional<FetchData> inPlace = fetch(() -> log.readInPlace(offset, maxBytes, Long.MAX_VALUE));
            return inPlace.isPresent() ? CompletableFuture.completedFuture(inPlace.get())
                    : CompletableFuture.supplyAsync(() -> fetch(() -> log.read(offset, maxBytes)), storage.blockingIo());
        });
    }

    private static <T> T fetch(Supplier<T> read) {
        try {
            return read.get();
        } catch (OffsetOutOfRange e) {
            throw new StrataException(StrataException.Kind.RANGE, "offset_out_of_range", e.getMessage());
        }
    }

    /**
     * Completes once the partition has records at {@code offset} or past it for readers, or after
     * {@code maxWait} (a Kafka fetch's long poll), with the high watermark then.
     */
    public CompletionStage<Long> awaitRecords(String topicName, int partition, long offset, Duration maxWait) {
        return localLog(topicName, partition).thenCompose(log -> log.awaitHighWatermarkAbove(offset, maxWait));
    }

    /** The first offset whose record has a timestamp at or after {@code timestamp}, if any (Kafka's ListOffsets by time). */
    public CompletionStage<java.util.OptionalLong> offsetForTimestamp(String topicName, int partition, long timestamp) {
        return localLog(topicName, partition).thenApplyAsync(log -> log.offsetForTimestamp(timestamp), storage.blockingIo());
    }

    /**
     * Where leader epoch {@code epoch} ends in a partition this node holds (Kafka's
     * OffsetsForLeaderEpoch, see {@link PartitionLog#epochEnd}); {@code not_leader} for one held elsewhere.
     */
    public CompletionStage<EpochEnd> epochEnd(String topicName, int partition, int epoch) {
        return localLog(topicName, partition).thenApply(log -> log.epochEnd(epoch));
    }

    /** The open log of a partition of this node, opening the partition first if it is not yet. */
    private CompletionStage<PartitionLog> localLog(String topicName, int partition) {
        return topic(topicName).thenCompose(topic -> {
            checkPartition(topic, partition);
            PartitionId id = new PartitionId(topic.name(), partition);
            PartitionLog open = storage.local().log(id);
            if (open != null) {
                return CompletableFuture.completedFuture(open);
            }
            return ask(topic.name(), partition, TopicPartition.Info::new).thenApply(reply -> {
                expect(reply, TopicPartition.PartitionInfo.class);
                PartitionLog opened = storage.local().log(id);
                if (opened == null) {
                    throw new StrataException(StrataException.Kind.UNAVAILABLE, "not_leader",
                            "partition " + partition + " of topic '" + topic.name() + "' is held by another node");
                }
                return opened;
            });
        });
    }

    /** A partition's first retained offset and end offset. */
    public CompletionStage<TopicPartition.PartitionInfo> partitionInfo(String topicName, int partition) {
        return topic(topicName).thenCompose(topic -> {
            checkPartition(topic, partition);
            return ask(topic.name(), partition, TopicPartition.Info::new)
                    .thenApply(reply -> expect(reply, TopicPartition.PartitionInfo.class));
        });
    }

    /**
     * Deletes a partition's records before {@code before} ({@link TopicPartition#LATEST}: before its
     * high watermark), as Kafka's DeleteRecords: the partition's log start moves there, for every
     * reader (HTTP, Kafka, stream jobs), and whole files below it are deleted by the next retention
     * check. Completes with the partition's offsets after it; an offset at or below the log start
     * changes nothing. Fails with {@code offset_out_of_range} past the high watermark or below -1,
     * {@code topic_not_found}, {@code invalid_partition}.
     */
    public CompletionStage<TopicPartition.PartitionInfo> deleteRecords(String topicName, int partition, long before) {
        return topic(topicName).thenCompose(topic -> {
            checkPartition(topic, partition);
            if (before < TopicPartition.LATEST) {
                throw new StrataException(StrataException.Kind.RANGE, "offset_out_of_range",
                        "records can be deleted before an offset of 0 or more, or -1 for the high watermark; got " + before);
            }
            return ask(topic.name(), partition, r -> new TopicPartition.DeleteRecords(before, r))
                    .thenApply(reply -> expect(reply, TopicPartition.PartitionInfo.class));
        });
    }

    private static void checkPartition(Topic topic, int partition) {
        if (partition < 0 || partition >= topic.partitions()) {
            throw new StrataException(StrataException.Kind.NOT_FOUND, "invalid_partition", "partition " + partition
                    + " does not exist; topic '" + topic.name() + "' has partitions 0.." + (topic.partitions() - 1));
        }
    }

    private CompletableFuture<TopicPartition.Reply> ask(String topic, int partition,
                                                        java.util.function.Function<ActorRef<TopicPartition.Reply>, TopicPartition.Command> message) {
        PartitionId id = new PartitionId(topic, partition);
        String entityId = id.entityId();
        return homes.whenAvailable(entityId).thenCompose(available -> {
            // The partition's actor, when it is open here, is asked directly rather than through its region and shard.
            ActorRef<TopicPartition.Command> writer = storage.local().writer(id);
            if (writer != null) {
                CompletableFuture<TopicPartition.Reply> direct = Futures.direct(
                        AskPattern.<TopicPartition.Command, TopicPartition.Reply>ask(writer, message::apply, askTimeout, scheduler));
                // An ask of an actor that has stopped fails at once, the command unsent: it goes through sharding then.
                if (!direct.isCompletedExceptionally()) {
                    return direct;
                }
            }
            return Futures.direct(sharding.entityRefFor(TopicPartition.TYPE_KEY, entityId).ask(message::apply, askTimeout));
        }).toCompletableFuture();
    }

    private static <T extends TopicPartition.Reply> T expect(TopicPartition.Reply reply, Class<T> type) {
        if (type.isInstance(reply)) {
            return type.cast(reply);
        }
        if (reply instanceof TopicPartition.Rejected r) {
            // Deleted, or being deleted, as the partition found.
            if (r.code().equals("topic_not_found")) {
                throw new StrataException(StrataException.Kind.NOT_FOUND, r.code(), r.message());
            }
            if (r.code().equals("offset_out_of_range")) {
                throw new StrataException(StrataException.Kind.RANGE, r.code(), r.message());
            }
            throw new StrataException(StrataException.kindOf(r.code(), StrataException.Kind.UNAVAILABLE), r.code(), r.message());
        }
        throw new IllegalStateException("unexpected reply " + reply);
    }
}
