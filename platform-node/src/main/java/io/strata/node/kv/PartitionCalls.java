package io.strata.node.kv;

import io.strata.node.common.PartitionId;

import org.apache.pekko.actor.typed.ActorRef;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Calls to partitions held to be sent later, together ({@link KvBatch}, {@link GatheredCalls}), and
 * how a partition's calls go as one {@link KvPartition.Batch}.
 */
final class PartitionCalls {

    /** How a store asks a partition: a message for a reply address, answered by the stage of its reply. */
    interface Asker extends BiFunction<PartitionId, Function<ActorRef<KvPartition.Reply>, KvPartition.Command>,
            CompletionStage<KvPartition.Reply>> {}

    /** A call held: how to make its message for a reply address, whether a {@link KvPartition.Batch} may carry it, its reply. */
    record Call(Function<ActorRef<KvPartition.Reply>, KvPartition.Command> command, boolean asStep,
                CompletableFuture<KvPartition.Reply> reply) {

        static Call of(Function<ActorRef<KvPartition.Reply>, KvPartition.Command> command) {
            // Made once without a reply address only to see what it is: a step's own address is never used.
            return new Call(command, KvPartition.runsAsStep(command.apply(null)), new CompletableFuture<>());
        }
    }

    private PartitionCalls() {
    }

    /** Asks one call, its reply completing the call's. */
    static void ask(Asker asker, PartitionId partition, Call call) {
        forward(asker.apply(partition, call.command()), call.reply());
    }

    /** Asks {@code calls} (each {@link Call#asStep}) as one {@link KvPartition.Batch}: each call's reply is its step's. */
    static void askTogether(Asker asker, PartitionId partition, List<Call> calls) {
        asker.apply(partition, replyTo -> new KvPartition.Batch(calls.stream().map(call -> call.command().apply(replyTo)).toList(),
                replyTo)).whenComplete((reply, failure) -> {
                    if (failure != null) {
                        calls.forEach(call -> call.reply().completeExceptionally(failure));
                    } else if (reply instanceof KvPartition.TransactionDone done) {
                        for (int i = 0; i < calls.size(); i++) {
                            calls.get(i).reply().complete(done.replies().get(i));
                        }
                    } else {
                        // Refused whole (its writes could not be made durable, the partition is unavailable): each call is.
                        calls.forEach(call -> call.reply().complete(reply));
                    }
                });
    }

    static void forward(CompletionStage<KvPartition.Reply> from, CompletableFuture<KvPartition.Reply> to) {
        from.whenComplete((reply, failure) -> {
            if (failure != null) {
                to.completeExceptionally(failure);
            } else {
                to.complete(reply);
            }
        });
    }
}
