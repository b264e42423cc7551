package io.strata.node.kv;

import io.strata.node.common.PartitionId;

import org.apache.pekko.actor.typed.ActorRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The partition calls one thread makes in one pass of its work, sent together when the pass ends:
 * a door's event loop reads from every connection that has input, runs what it read, and the calls
 * of all those commands to one partition go as one {@link KvPartition.Batch} message (its writes
 * one log append) instead of one message each. At 50 clients each waiting on one command, that is
 * a message per partition per pass rather than per command: fewer mailbox handoffs, fewer appends,
 * and the partition's replies come back together.
 *
 * <p>Calls of different connections to one partition may so run in either order, as separate asks
 * may; the calls a connection makes keep its order, as they are sent in the order they were made.
 * Each call is answered on its own (a refused step refuses only itself), as from a separate ask.
 * A call made on another thread (a command that ran once an earlier one finished) is asked at
 * once. Not thread-safe beyond that: {@link #add} gathers only on the loop's own thread.
 */
public final class GatheredCalls {

    private final KvStore store;
    private final Executor loop;
    private final BooleanSupplier onLoop;
    private Map<PartitionId, List<PartitionCalls.Call>> byPartition = new LinkedHashMap<>();
    private boolean sendScheduled;

    /**
     * Calls gathered on the thread where {@code onLoop} is true; {@code loop} runs the send once the
     * pass that gathered them is done (a Netty event loop runs its tasks after the reads of a pass).
     */
    public GatheredCalls(KvStore store, Executor loop, BooleanSupplier onLoop) {
        this.store = store;
        this.loop = loop;
        this.onLoop = onLoop;
    }

    CompletionStage<KvPartition.Reply> add(PartitionId partition, Function<ActorRef<KvPartition.Reply>, KvPartition.Command> command) {
        if (!onLoop.getAsBoolean()) {
            return store.askNow(partition, command);
        }
        if (!sendScheduled) {
            sendScheduled = true;
            loop.execute(this::send);
        }
        PartitionCalls.Call call = PartitionCalls.Call.of(command);
        byPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(call);
        return call.reply();
    }

    /** Sends what was gathered: per partition, each run of calls a batch may carry as one message, any other call alone, in order. */
    private void send() {
        Map<PartitionId, List<PartitionCalls.Call>> gathered = byPartition;
        byPartition = new LinkedHashMap<>();
        sendScheduled = false;
        gathered.forEach((partition, calls) -> {
            int from = 0;
            while (from < calls.size()) {
                int to = from;
                while (to < calls.size() && calls.get(to).asStep()) {
                    to++;
                }
                if (to - from > 1) {
                    PartitionCalls.askTogether(store::askNow, partition, calls.subList(from, to));
                } else {
                    to = from + 1;
                    PartitionCalls.ask(store::askNow, partition, calls.get(from));
                }
                from = to;
            }
        });
    }
}
