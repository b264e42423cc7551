package io.strata.node.kv;

import io.strata.node.common.PartitionId;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The KV partitions running on this node, by their actors: {@link KvStore} sends a command to one
 * of them directly instead of through the shard region and the shard (two mailboxes fewer per
 * command). A partition is listed from the moment it has recovered until it starts to stop
 * (passivation, a failed log, a drop, its shard stopping it); a command that reaches its actor
 * after it stopped is sent on through Cluster Sharding
 * ({@link io.strata.node.storage.PartitionDeadLetters}). Thread-safe.
 */
public final class LocalPartitions {

    private final ConcurrentHashMap<PartitionId, ActorRef<KvPartition.Command>> running = new ConcurrentHashMap<>();

    void started(PartitionId id, ActorRef<KvPartition.Command> actor) {
        running.put(id, actor);
    }

    /** The partition's actor {@code actor} is stopping; a later incarnation already listed stays. */
    void stopping(PartitionId id, ActorRef<KvPartition.Command> actor) {
        running.remove(id, actor);
    }

    /** The actor of partition {@code id} when it runs on this node, or null. */
    ActorRef<KvPartition.Command> actor(PartitionId id) {
        return running.get(id);
    }
}
