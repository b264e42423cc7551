package io.strata.node.storage;

import org.apache.pekko.actor.ActorPath;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Sends on through Cluster Sharding the commands that reached a partition's actor after it
 * stopped (they become dead letters): a command sent to the actor directly, as a store does to a
 * partition open on its node (the bus's and the KV store's {@code LocalPartitions}), just as the
 * partition moved to another node, was deleted or was stopped with its shard, and a command still
 * in the actor's mailbox when it stopped. Sharding delivers it to the partition's next
 * incarnation, here or on its new home, which replies to the command's sender as the first would
 * have, instead of the sender waiting out its ask timeout. Commands the actor sends itself
 * (timers, completions) die with it.
 */
public final class PartitionDeadLetters {

    private PartitionDeadLetters() {}

    /**
     * Starts the actor that listens on {@code system}'s event stream for the dead letters of
     * {@code type}'s entities: each of {@code commands} that is not one of {@code internal} (the
     * messages an actor sends itself) is sent on to its entity through {@code sharding}.
     */
    public static <C> void start(ActorSystem<?> system, ClusterSharding sharding, EntityTypeKey<C> type, Class<C> commands,
                                 Class<? extends C> internal) {
        ActorRef<DeadLetter> listener = system.systemActorOf(behavior(sharding, type, commands, internal), type.name() + "-dead-letters",
                Props.empty());
        system.eventStream().tell(new EventStream.Subscribe<>(DeadLetter.class, listener));
    }

    private static <C> Behavior<DeadLetter> behavior(ClusterSharding sharding, EntityTypeKey<C> type, Class<C> commands,
                                                     Class<? extends C> internal) {
        return Behaviors.receive(DeadLetter.class).onMessage(DeadLetter.class, dead -> {
            Object message = dead.message();
            if (commands.isInstance(message) && !internal.isInstance(message) && isEntity(type, dead.recipient().path())) {
                // A sharded entity's actor is named after its entity id, URL-encoded.
                String entityId = URLDecoder.decode(dead.recipient().path().name(), StandardCharsets.UTF_8);
                sharding.entityRefFor(type, entityId).tell(commands.cast(message));
            }
            return Behaviors.same();
        }).build();
    }

    /** Whether {@code path} is an entity of {@code type}'s region: {@code /system/sharding/<type>/<shard>/<entity>}. */
    private static boolean isEntity(EntityTypeKey<?> type, ActorPath path) {
        ActorPath shard = path.parent();
        return shard != null && shard.parent() != null && type.name().equals(shard.parent().name());
    }
}
