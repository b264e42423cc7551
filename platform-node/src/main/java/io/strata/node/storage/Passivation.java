package io.strata.node.storage;

import io.strata.node.common.StrataException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.Logger;

/**
 * How a sharded entity that owns files (KV partition, topic partition, table shard, consumer
 * group) stops itself without losing a message. An entity that returns {@code Behaviors.stopped()}
 * loses what its shard has already handed it and what the shard hands it before it learns of the
 * stop: those asks time out. One that asks its shard to passivate it goes on answering until the
 * shard stops it, and the shard keeps every later message for the entity's next incarnation.
 * One per entity, used on its actor only.
 *
 * @param <C> the entity's message type
 */
public final class Passivation<C> {

    /** How the entity refuses one of its messages: answers it with {@code code} and {@code why}, or ignores one of its own. */
    @FunctionalInterface
    public interface Refusal<C> {
        void refuse(C message, String code, String why);
    }

    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private final ActorRef<C> self;
    private final Refusal<C> refusal;

    public Passivation(ActorRef<ClusterSharding.ShardCommand> shard, ActorRef<C> self, Refusal<C> refusal) {
        this.shard = shard;
        this.self = self;
        this.refusal = refusal;
    }

    /**
     * Asks the shard to passivate the entity, and returns the behaviour to have until it does:
     * every message is refused with {@code code} and {@code why}. The entity must have released
     * its files and memory before.
     */
    public Behavior<C> refuseUntilStopped(String code, String why) {
        shard.tell(new ClusterSharding.Passivate<>(self));
        return Behaviors.receiveMessage(message -> {
            refusal.refuse(message, code, why);
            return Behaviors.same();
        });
    }

    /**
     * The entity's files failed ({@code why}) and it released them: every message is refused
     * ({@code storage_unavailable}) until the shard stops it; the next one starts it from its files.
     */
    public Behavior<C> failed(String what, String why) {
        return refuseUntilStopped("storage_unavailable", what + " is starting again from its files after a failure (" + why
                + "); try again");
    }

    /**
     * The entity could not start ({@code what}): the messages it stashed, and every later one
     * until the shard stops it, are refused. A refusal keeps its code (its keyspace, topic or table
     * is not in the catalog; {@code storage_full}); a fault is {@code storage_full} or
     * {@code storage_unavailable}, and is logged.
     */
    public Behavior<C> startFailed(String what, Throwable failure, StashBuffer<C> stashed, Logger log) {
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        StrataException refused;
        if (cause instanceof StrataException e) {
            refused = new StrataException(e.kind(), e.code(), what + ": " + e.getMessage());
        } else {
            log.error("{}; its requests are refused until it does", what, cause);
            refused = DiskSpace.refusal(what, cause);
        }
        stashed.forEach(message -> refusal.refuse(message, refused.code(), refused.getMessage()));
        return refuseUntilStopped(refused.code(), refused.getMessage());
    }
}
