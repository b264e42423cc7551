package io.strata.node.kv.internal;

import io.strata.node.kv.KvPartition;
import io.strata.node.kv.ValueChange;
import io.strata.node.kv.proto.ChangeOp;
import io.strata.node.kv.proto.LogEntry;

import java.io.NotSerializableException;

/**
 * The log entry of a change to a large value ({@link io.strata.node.kv.LargeValue}): the change
 * itself, in the form a partition's command carries it, rather than the value it leaves.
 */
public final class LoggedChanges {

    private LoggedChanges() {}

    /** Entry {@code seq}: {@code change} to {@code key}, which then expires at {@code expiresAtMillis} (0: never). */
    public static LogEntry entry(long seq, String key, ValueChange change, long expiresAtMillis) {
        return LogEntry.newBuilder().setSeq(seq).setChange(ChangeOp.newBuilder()
                .setUpdate(HashMessages.command(new KvPartition.UpdateValue(key, change, null), ""))
                .setExpiresAtMs(expiresAtMillis)).build();
    }

    /** The change an entry records. */
    static ValueChange change(ChangeOp op) {
        try {
            return HashMessages.change(op.getUpdate());
        } catch (NotSerializableException e) {
            throw new IllegalStateException("a logged change cannot be read: " + e.getMessage(), e);
        }
    }
}
