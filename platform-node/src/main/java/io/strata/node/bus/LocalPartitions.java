package io.strata.node.bus;

import io.strata.node.common.PartitionId;
import io.strata.node.log.PartitionLog;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The logs of the topic partitions open on this node. A read of one of them goes to its log
 * directly, as Kafka's fetches do, instead of through the partition's actor (three mailboxes and
 * a reply for every read); the actor stays the single writer. A partition is listed from the
 * moment its log is open until it starts to close it; a read that meets a log closing meanwhile
 * is refused by the log and goes through the actor, which reaches the next incarnation.
 */
public final class LocalPartitions {

    private final ConcurrentHashMap<PartitionId, PartitionLog> open = new ConcurrentHashMap<>();

    void opened(PartitionId id, PartitionLog log) {
        open.put(id, log);
    }

    void closing(PartitionId id, PartitionLog log) {
        open.remove(id, log);
    }

    /** The open log of partition {@code id} on this node, or null. */
    PartitionLog log(PartitionId id) {
        return open.get(id);
    }
}
