package io.strata.node.log;

import java.nio.ByteBuffer;

/**
 * A control entry of a {@link PartitionLog}, stored between its batches so that a change to the
 * log's bounds is as durable as an append and replayed in order at open. It begins with a base
 * offset of -1, which no stored batch has, followed by its type.
 *
 * <ul>
 *   <li>{@code TRUNCATE}: the batches stored from Chronicle index {@code fromPosition} up to this
 *       marker are dead, and the log ends at {@code offset} (Chronicle cannot cut a file, so a
 *       truncation is recorded rather than done; retention frees the dead bytes with their file).</li>
 *   <li>{@code LOG_START}: records before {@code offset} are deleted (Kafka's DeleteRecords).</li>
 * </ul>
 *
 * @param logEndOffset the log's end when the marker was written, so a log whose batches retention
 *                     has all deleted still knows where it ends
 */
record LogMarker(Type type, long offset, long logEndOffset, long fromPosition) {

    /** What a marker records. */
    enum Type { TRUNCATE, LOG_START }

    static final long MARKER_BASE_OFFSET = -1L;
    static final int SIZE = 8 + 1 + 8 + 8 + 8;

    static LogMarker truncate(long offset, long fromPosition) {
        return new LogMarker(Type.TRUNCATE, offset, offset, fromPosition);
    }

    static LogMarker logStart(long offset, long logEndOffset) {
        return new LogMarker(Type.LOG_START, offset, logEndOffset, -1);
    }

    ByteBuffer encode() {
        ByteBuffer buffer = ByteBuffer.allocate(SIZE);
        buffer.putLong(MARKER_BASE_OFFSET).put((byte) type.ordinal()).putLong(offset).putLong(logEndOffset).putLong(fromPosition);
        return buffer.flip();
    }

    /** Decodes a marker; {@code entry} holds one entry from its start. */
    static LogMarker decode(ByteBuffer entry) {
        if (entry.remaining() < SIZE || entry.getLong(entry.position()) != MARKER_BASE_OFFSET) {
            throw new IllegalArgumentException("not a log marker");
        }
        int at = entry.position() + 8;
        int type = entry.get(at);
        if (type < 0 || type >= Type.values().length) {
            throw new IllegalArgumentException("unknown log marker type " + type);
        }
        return new LogMarker(Type.values()[type], entry.getLong(at + 1), entry.getLong(at + 9), entry.getLong(at + 17));
    }
}
