package io.strata.node.kv;

import io.strata.node.common.PartitionId;
import io.strata.node.common.StrataException;
import io.strata.node.kv.KeyspaceCatalog.Keyspace;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A transaction over one keyspace (Redis's MULTI / EXEC): the commands a door runs against
 * {@link #view()} are not sent but recorded as the steps of one {@link KvPartition.Transaction},
 * which {@link #commit} sends to their partition; each call's stage then completes with its step's
 * reply. Every step and every watched key must be in one partition (keys of one hash tag are),
 * else nothing runs ({@code cross_partition}, Redis Cluster's CROSSSLOT).
 *
 * <p>Not thread-safe: a door records the steps from one thread, then commits once.
 */
public final class KvTransaction {

    /** How a committed transaction ended. */
    public enum Outcome { DONE, ABORTED }

    private record Step(PartitionId partition, java.util.function.Function<ActorRef<KvPartition.Reply>, KvPartition.Command> command,
                        CompletableFuture<KvPartition.Reply> reply) {}

    private final KvStore store;
    private final Keyspace keyspace;
    private final KvStore view;
    private final List<Step> steps = new ArrayList<>();
    private boolean committed;

    KvTransaction(KvStore store, Keyspace keyspace) {
        this.store = store;
        this.keyspace = keyspace;
        this.view = store.capturing(this::keyspace, this::add);
    }

    /** The store whose key calls become steps of this transaction, in the order they are made. */
    public KvStore view() {
        return view;
    }

    /** The keyspace of a call through the view: the transaction's own, or {@code cross_partition}. */
    CompletionStage<Keyspace> keyspace(String name) {
        if (!name.equals(keyspace.name())) {
            return CompletableFuture.failedFuture(crossPartition("a transaction reads and writes one database"));
        }
        return CompletableFuture.completedFuture(keyspace);
    }

    /** Records a call through the view as the next step; its stage completes when the transaction has run. */
    CompletionStage<KvPartition.Reply> add(PartitionId partition,
                                           java.util.function.Function<ActorRef<KvPartition.Reply>, KvPartition.Command> command) {
        if (committed) {
            return CompletableFuture.failedFuture(new StrataException(StrataException.Kind.CONFLICT, "invalid_transaction",
                    "the command reads the store more than once, which a transaction cannot do"));
        }
        Step step = new Step(partition, command, new CompletableFuture<>());
        steps.add(step);
        return step.reply;
    }

    /**
     * Runs the recorded steps in their partition, first checking {@code watches}: {@link Outcome#DONE}
     * (each call's stage completed with its reply), {@link Outcome#ABORTED} (a watched key changed;
     * nothing ran), or failed: {@code cross_partition}, or the partition's refusal of the whole.
     */
    public CompletionStage<Outcome> commit(List<KvPartition.Watch> watches) {
        committed = true;
        Set<Integer> partitions = new LinkedHashSet<>();
        steps.forEach(step -> partitions.add(step.partition.partition()));
        watches.forEach(watch -> partitions.add(keyspace.partitionOf(watch.key())));
        if (partitions.isEmpty()) {
            return CompletableFuture.completedFuture(Outcome.DONE);
        }
        if (partitions.size() > 1) {
            StrataException cross = crossPartition("the transaction's keys are in " + partitions.size() + " partitions");
            steps.forEach(step -> step.reply.completeExceptionally(cross));
            return CompletableFuture.failedFuture(cross);
        }
        PartitionId partition = new PartitionId(keyspace.name(), partitions.iterator().next());
        return store.askPartition(partition, replyTo -> new KvPartition.Transaction(
                steps.stream().map(step -> step.command.apply(replyTo)).toList(), List.copyOf(watches), replyTo)).thenApply(reply -> {
                    if (reply instanceof KvPartition.TransactionDone done) {
                        for (int i = 0; i < steps.size(); i++) {
                            steps.get(i).reply.complete(done.replies().get(i));
                        }
                        return Outcome.DONE;
                    }
                    RuntimeException notRun = reply instanceof KvPartition.Rejected r ? r.toException()
                            : new StrataException(StrataException.Kind.CONFLICT, "transaction_aborted", "a watched key changed");
                    steps.forEach(step -> step.reply.completeExceptionally(notRun));
                    if (reply instanceof KvPartition.TransactionAborted) {
                        return Outcome.ABORTED;
                    }
                    throw notRun;
                });
    }

    private static StrataException crossPartition(String why) {
        return new StrataException(StrataException.Kind.CONFLICT, "cross_partition", why);
    }
}
