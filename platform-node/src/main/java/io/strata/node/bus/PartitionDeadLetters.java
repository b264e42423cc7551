package io.strata.node.bus;

import org.apache.pekko.actor.ActorPath;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Sends on through Cluster Sharding the commands that reached a topic partition's actor after it
 * stopped (they become dead letters): a command sent to the actor directly ({@link LocalPartitions})
 * just as the partition moved to another node, was deleted or was stopped with its shard, and a
 * command still in the actor's mailbox when it stopped. Sharding delivers it to the partition's
 * next incarnation, here or on its new home, which replies to the command's sender as the first
 * would have, instead of the sender waiting out its ask timeout. Commands the actor sends itself
 * (timers, completions) die with it.
 */
final class PartitionDeadLetters {

    private PartitionDeadLetters() {}

    /** Starts the actor that listens for the partitions' dead letters on {@code system}'s event stream. */
    static void start(ActorSystem<?> system, ClusterSharding sharding) {
        ActorRef<DeadLetter> listener = system.systemActorOf(behavior(sharding), "bus-partition-dead-letters", Props.empty());
        system.eventStream().tell(new EventStream.Subscribe<>(DeadLetter.class, listener));
    }

    private static Behavior<DeadLetter> behavior(ClusterSharding sharding) {
        return Behaviors.receive(DeadLetter.class).onMessage(DeadLetter.class, dead -> {
            if (dead.message() instanceof TopicPartition.Command command && !(command instanceof TopicPartition.Internal)
                    && isPartitionActor(dead.recipient().path())) {
                // A sharded entity's actor is named after its entity id, URL-encoded.
                String entityId = URLDecoder.decode(dead.recipient().path().name(), StandardCharsets.UTF_8);
                sharding.entityRefFor(TopicPartition.TYPE_KEY, entityId).tell(command);
            }
            return Behaviors.same();
        }).build();
    }

    /** Whether {@code path} is an entity of the topic partitions' region: {@code /system/sharding/bus-partition/<shard>/<entity>}. */
    private static boolean isPartitionActor(ActorPath path) {
        ActorPath shard = path.parent();
        return shard != null && shard.parent() != null && TopicPartition.TYPE_KEY.name().equals(shard.parent().name());
    }
}
