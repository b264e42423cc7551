package io.strata.node.log;

import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.Records;

import java.nio.ByteBuffer;

/**
 * The fields of a stored batch's header (Kafka's record batch v2 layout, big-endian), read from a
 * buffer that holds at least the header from index 0. Kafka's own {@code DefaultRecordBatch} reads
 * the same fields but only over a whole batch; recovery and lookups read headers alone.
 */
final class BatchHeader {

    private static final int PARTITION_LEADER_EPOCH_OFFSET = 12;
    private static final int MAGIC_OFFSET = 16;
    private static final int MAX_TIMESTAMP_OFFSET = 35;
    private static final int PRODUCER_ID_OFFSET = 43;
    private static final int PRODUCER_EPOCH_OFFSET = 51;
    private static final int BASE_SEQUENCE_OFFSET = 53;

    private BatchHeader() {}

    static long baseOffset(ByteBuffer header) {
        return header.getLong(0);
    }

    static long lastOffset(ByteBuffer header) {
        return baseOffset(header) + header.getInt(DefaultRecordBatch.LAST_OFFSET_DELTA_OFFSET);
    }

    /** The whole batch's size in bytes, as its length field gives it. */
    static int sizeInBytes(ByteBuffer header) {
        return Records.LOG_OVERHEAD + header.getInt(Records.SIZE_OFFSET);
    }

    static byte magic(ByteBuffer header) {
        return header.get(MAGIC_OFFSET);
    }

    static int partitionLeaderEpoch(ByteBuffer header) {
        return header.getInt(PARTITION_LEADER_EPOCH_OFFSET);
    }

    static long maxTimestamp(ByteBuffer header) {
        return header.getLong(MAX_TIMESTAMP_OFFSET);
    }

    /** The idempotent producer that wrote the batch, or {@code RecordBatch.NO_PRODUCER_ID}. */
    static long producerId(ByteBuffer header) {
        return header.getLong(PRODUCER_ID_OFFSET);
    }

    static short producerEpoch(ByteBuffer header) {
        return header.getShort(PRODUCER_EPOCH_OFFSET);
    }

    static int baseSequence(ByteBuffer header) {
        return header.getInt(BASE_SEQUENCE_OFFSET);
    }
}
