package io.strata.node.kv;

import io.strata.node.common.PartitionId;
import io.strata.node.common.StrataException;
import io.strata.node.kv.KeyspaceCatalog.Keyspace;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Calls to one keyspace sent together, as a door sends the commands of a pipeline: the calls made
 * through {@link #view()} are not sent at once but recorded, and {@link #send()} sends those of
 * each partition as one {@link KvPartition.Batch} (a partition with one call gets it as it is);
 * each call's stage then completes with its own reply, as if it had been asked alone. The calls of
 * a partition run in the order they were made, so a read sees the writes to its key made before
 * it through the view; calls to different partitions run in no particular order, as separate
 * asks do. A batch is not a transaction: each call succeeds or fails on its own, except that the
 * writes a partition takes in one message are made durable, or refused, together.
 *
 * <p>A call made after {@link #send()} (a command that calls the store again once it has a reply)
 * is asked on its own at once. Not thread-safe: a door makes its calls from one thread, then sends.
 */
public final class KvBatch {

    private final KvStore store;
    private final Keyspace keyspace;
    private final KvStore view;
    private final Map<PartitionId, List<PartitionCalls.Call>> byPartition = new LinkedHashMap<>();
    private boolean sent;

    KvBatch(KvStore store, Keyspace keyspace) {
        this.store = store;
        this.keyspace = keyspace;
        this.view = store.capturing(this::keyspace, this::add);
    }

    /** The store whose key calls join this batch, in the order they are made. */
    public KvStore view() {
        return view;
    }

    /** Calls recorded and not sent yet. */
    public int size() {
        return byPartition.values().stream().mapToInt(List::size).sum();
    }

    private CompletionStage<Keyspace> keyspace(String name) {
        if (!name.equals(keyspace.name())) {
            return CompletableFuture.failedFuture(new StrataException(StrataException.Kind.CONFLICT, "invalid_batch",
                    "a batch reads and writes one database, '" + keyspace.name() + "', not '" + name + "'"));
        }
        return CompletableFuture.completedFuture(keyspace);
    }

    private CompletionStage<KvPartition.Reply> add(PartitionId partition,
                                                   Function<ActorRef<KvPartition.Reply>, KvPartition.Command> command) {
        if (sent) {
            return store.askPartition(partition, command);
        }
        PartitionCalls.Call call = PartitionCalls.Call.of(command);
        byPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(call);
        return call.reply();
    }

    /** Sends the recorded calls: one message per partition. Calls made through the view from now on are asked at once. */
    public void send() {
        sent = true;
        if (store.gathers()) {
            // The store sends the calls of its thread's pass per partition as one message, with other connections' calls.
            byPartition.forEach((partition, steps) -> steps.forEach(step -> PartitionCalls.ask(store::askPartition, partition, step)));
            byPartition.clear();
            return;
        }
        byPartition.forEach((partition, steps) -> {
            if (steps.size() == 1) {
                PartitionCalls.ask(store::askPartition, partition, steps.get(0));
            } else if (steps.stream().allMatch(PartitionCalls.Call::asStep)) {
                PartitionCalls.askTogether(store::askPartition, partition, steps);
            } else {
                sendInTurn(partition, steps, 0);
            }
        });
        byPartition.clear();
    }

    /** Asks the calls one after the other, each once the one before is answered: a call no batch carries keeps its place. */
    private void sendInTurn(PartitionId partition, List<PartitionCalls.Call> steps, int from) {
        PartitionCalls.Call step = steps.get(from);
        CompletionStage<KvPartition.Reply> reply = store.askPartition(partition, step.command());
        PartitionCalls.forward(reply, step.reply());
        if (from + 1 < steps.size()) {
            reply.whenComplete((r, failure) -> sendInTurn(partition, steps, from + 1));
        }
    }
}
