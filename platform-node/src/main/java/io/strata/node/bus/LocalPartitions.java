package io.strata.node.bus;

import io.strata.node.common.PartitionId;
import io.strata.node.log.PartitionLog;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The topic partitions open on this node: their logs and their actors. A read of one of them
 * goes to its log directly, as Kafka's fetches do, instead of through the partition's actor
 * (three mailboxes and a reply for every read); a write goes to its actor directly, the single
 * writer, instead of through the shard region and the shard (two mailboxes fewer). A partition is
 * listed from the moment its log is open until it starts to close it; a read that meets a log
 * closing meanwhile is refused by the log and goes through the actor, which reaches the next
 * incarnation, and a command that reaches an actor that stopped meanwhile is sent on through
 * Cluster Sharding ({@link io.strata.node.storage.PartitionDeadLetters}).
 */
public final class LocalPartitions {

    /** An open partition: its log and the actor that writes it. */
    record Open(PartitionLog log, ActorRef<TopicPartition.Command> writer) {}

    private final ConcurrentHashMap<PartitionId, Open> open = new ConcurrentHashMap<>();

    void opened(PartitionId id, PartitionLog log, ActorRef<TopicPartition.Command> writer) {
        open.put(id, new Open(log, writer));
    }

    void closing(PartitionId id, PartitionLog log) {
        open.computeIfPresent(id, (key, entry) -> entry.log() == log ? null : entry);
    }

    /** The open log of partition {@code id} on this node, or null. */
    PartitionLog log(PartitionId id) {
        Open entry = open.get(id);
        return entry == null ? null : entry.log();
    }

    /** The actor of partition {@code id} when its log is open on this node, or null. */
    ActorRef<TopicPartition.Command> writer(PartitionId id) {
        Open entry = open.get(id);
        return entry == null ? null : entry.writer();
    }
}
