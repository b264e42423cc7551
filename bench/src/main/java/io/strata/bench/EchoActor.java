package io.strata.bench;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * The in-process anchor: an actor that answers every ask at once, on the dispatcher KV partitions
 * run on. The ratio to it isolates what a KV call adds (sharding's routing, the partition's work,
 * the log append) from what any ask costs on this machine.
 */
final class EchoActor {

    /** The anchor's name in the results. */
    static final String NAME = "pekko-ask-echo";

    private record Ping(ActorRef<Pong> replyTo) {}

    /** The echo's reply. */
    enum Pong { INSTANCE }

    private final ActorSystem<?> system;
    private final ActorRef<Ping> ref;
    private final Duration timeout;

    private EchoActor(ActorSystem<?> system, ActorRef<Ping> ref, Duration timeout) {
        this.system = system;
        this.ref = ref;
        this.timeout = timeout;
    }

    /** Spawns the echo on {@code dispatcher} (a config path) of {@code system}; it stops with the system. */
    static EchoActor start(ActorSystem<?> system, String dispatcher, Duration askTimeout) {
        Behavior<Ping> echo = Behaviors.receiveMessage(ping -> {
            ping.replyTo().tell(Pong.INSTANCE);
            return Behaviors.same();
        });
        return new EchoActor(system, system.systemActorOf(echo, "bench-echo", DispatcherSelector.fromConfig(dispatcher)), askTimeout);
    }

    CompletionStage<Pong> ask() {
        return AskPattern.ask(ref, Ping::new, timeout, system.scheduler());
    }
}
