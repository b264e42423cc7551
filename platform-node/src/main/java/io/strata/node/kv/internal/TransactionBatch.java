package io.strata.node.kv.internal;

import io.strata.node.kv.proto.LogEntry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The writes of a transaction's steps while they run, before the transaction commits: their log
 * entries, to be appended as one batch (all or none on recovery), and each key's entry from before
 * the transaction, so that the state can be put back if that append is refused. Steps apply their
 * writes to the state as they go, so a later step sees an earlier one's.
 *
 * <p>Not thread-safe: owned by the partition actor for the length of one message.
 */
public final class TransactionBatch<R> {

    private final PartitionState state;
    private final long startSeq;
    private final List<LogEntry> entries = new ArrayList<>();
    private final Map<String, PartitionState.Entry> before = new HashMap<>();
    private final List<R> replies;
    private int step;

    public TransactionBatch(PartitionState state, int steps) {
        this.state = state;
        this.startSeq = state.seq();
        this.replies = new ArrayList<>(steps);
    }

    /** Starts the next step: the replies it records are its. */
    public void nextStep() {
        step = replies.size();
    }

    /** Records the running step's reply; a step replies once. */
    public void reply(R reply) {
        if (replies.size() != step) {
            throw new IllegalStateException("step " + step + " replied twice");
        }
        replies.add(reply);
    }

    public List<R> replies() {
        return replies;
    }

    /** Adds a step's entries to the batch, remembering the entry each key had before the transaction. */
    public void stage(List<LogEntry> staged) {
        for (LogEntry entry : staged) {
            String key = ProtoKeys.key(switch (entry.getOpCase()) {
                case PUT -> entry.getPut().getKey();
                case CHANGE -> entry.getChange().getUpdate().getKey();
                default -> entry.getDelete().getKey();
            });
            if (!before.containsKey(key)) {
                before.put(key, state.raw(key));
            }
        }
        entries.addAll(staged);
    }

    public List<LogEntry> entries() {
        return entries;
    }

    /** Puts every key the steps wrote back as it was, and the sequence number. */
    public void rollBack() {
        before.forEach((key, entry) -> {
            if (entry == null) {
                state.remove(key);
            } else {
                state.restore(key, entry);
            }
        });
        state.seq(startSeq);
    }
}
