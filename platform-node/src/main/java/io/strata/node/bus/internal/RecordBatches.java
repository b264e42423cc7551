package io.strata.node.bus.internal;

import com.google.protobuf.ByteString;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.bus.proto.ValueFormat;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.ByteUtils;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bus's records as Kafka record batches (v2), the form a topic partition's log stores them
 * in: what HTTP produces is encoded here once, and what a read returns is decoded here from the
 * stored bytes. A record's key is its UTF-8 bytes, its headers' values are UTF-8, and how its
 * value was given (text or JSON; binary by default) travels in the reserved header
 * {@value #FORMAT_HEADER}, which reads take back out of the headers.
 */
public final class RecordBatches {

    /** The header that records a value's {@link ValueFormat} when it is not binary. */
    public static final String FORMAT_HEADER = "strata.format";
    /** The size produced records are cut into batches at. */
    public static final int TARGET_BATCH_BYTES = 1 << 20;
    /** A v2 batch's header. */
    private static final int BATCH_OVERHEAD = 61;
    private static final byte[] TEXT = "text".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JSON = "json".getBytes(StandardCharsets.US_ASCII);

    private RecordBatches() {}

    /** What a decode returns: records from the offset asked for, and where the next read starts. */
    public record Decoded(List<BusRecord> records, long nextOffset) {}

    /**
     * Encodes {@code records} in order into batches of about {@code targetBatchBytes} each (a
     * record larger than that gets a batch of its own); a record without a timestamp gets {@code now}.
     * The batches' offsets start at 0: the log assigns the real ones.
     */
    public static MemoryRecords encode(List<BusRecord> records, long now, int targetBatchBytes) {
        List<ByteBuffer> batches = new ArrayList<>(1);
        MemoryRecordsBuilder builder = null;
        long offset = 0;
        int total = 0;
        // Each record's headers and size once: a message's map field is costly to ask, even empty.
        Header[][] headersOf = new Header[records.size()][];
        long[] sizes = new long[records.size()];
        long left = 0;
        for (int i = 0; i < records.size(); i++) {
            headersOf[i] = headersOf(records.get(i));
            sizes[i] = estimatedSize(records.get(i), headersOf[i]);
            left += sizes[i];
        }
        for (int i = 0; i < records.size(); i++) {
            BusRecord record = records.get(i);
            long timestamp = record.getTimestampMs() == 0 ? now : record.getTimestampMs();
            ByteBuffer key = record.hasKey() ? ByteBuffer.wrap(record.getKey().getBytes(StandardCharsets.UTF_8)) : null;
            // A heap array: Kafka writes a buffer without one a byte at a time.
            ByteBuffer value = ByteBuffer.wrap(record.getValue().toByteArray());
            Header[] headers = headersOf[i];
            if (builder != null && !builder.hasRoomFor(timestamp, key, value, headers)) {
                total += close(builder, batches);
                builder = null;
            }
            if (builder == null) {
                builder = newBatch(offset, (int) Math.min(targetBatchBytes, left + BATCH_OVERHEAD), targetBatchBytes);
            }
            builder.appendWithOffset(offset++, timestamp, key, value, headers);
            left -= sizes[i];
        }
        if (builder != null) {
            total += close(builder, batches);
        }
        if (batches.size() == 1) {
            return MemoryRecords.readableRecords(batches.get(0));
        }
        ByteBuffer all = ByteBuffer.allocate(total);
        batches.forEach(all::put);
        return MemoryRecords.readableRecords(all.flip());
    }

    /** A batch builder whose buffer starts at about what it will hold (it grows if need be), cut at {@code limit} bytes. */
    private static MemoryRecordsBuilder newBatch(long baseOffset, int initialBytes, int limit) {
        return new MemoryRecordsBuilder(ByteBuffer.allocate(initialBytes), RecordBatch.MAGIC_VALUE_V2, Compression.NONE,
                TimestampType.CREATE_TIME, baseOffset, RecordBatch.NO_TIMESTAMP, RecordBatch.NO_PRODUCER_ID,
                RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, false, false, RecordBatch.NO_PARTITION_LEADER_EPOCH, limit);
    }

    /** About the bytes a record takes in a batch (a little more: varints at their widest). */
    private static long estimatedSize(BusRecord record, Header[] headers) {
        long size = 21 + record.getValue().size() + (record.hasKey() ? record.getKey().length() * 3L : 0);
        for (Header header : headers) {
            size += 10 + header.key().length() * 3L + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    private static int close(MemoryRecordsBuilder builder, List<ByteBuffer> batches) {
        ByteBuffer batch = builder.build().buffer();
        batches.add(batch);
        return batch.remaining();
    }

    private static Header[] headersOf(BusRecord record) {
        boolean formatted = record.getFormat() == ValueFormat.TEXT || record.getFormat() == ValueFormat.JSON;
        // The count, not the map: a message's map view is costly to ask even when empty.
        if (record.getHeadersCount() == 0 && !formatted) {
            return Record.EMPTY_HEADERS;
        }
        Map<String, String> map = record.getHeadersMap();
        List<Header> headers = new ArrayList<>(map.size() + 1);
        if (formatted) {
            headers.add(new RecordHeader(FORMAT_HEADER, record.getFormat() == ValueFormat.TEXT ? TEXT : JSON));
        }
        map.forEach((name, value) -> headers.add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8))));
        return headers.toArray(Header[]::new);
    }

    /**
     * The records of {@code batches} from offset {@code from} that a read returns (at most
     * {@code maxRecords}, and no more once their values reach {@code maxBytes}, always at least
     * one), not decoded yet: how many there are and where the next read starts come from the batch
     * headers alone when the batches are within {@code maxBytes}.
     */
    public static Slice slice(MemoryRecords batches, long from, int maxRecords, long maxBytes) {
        int count = 0;
        long next = from;
        long bytes = 0;
        for (RecordBatch batch : batches.batches()) {
            if (batch.lastOffset() < from) {
                continue;
            }
            bytes += batch.sizeInBytes();
            if (bytes > maxBytes) {
                // The value budget may end the read inside this batch: count record by record.
                Decoded decoded = decode(batches, from, maxRecords, maxBytes);
                return new Slice(batches, from, decoded.records().size(), decoded.nextOffset(), decoded);
            }
            long first = Math.max(from, batch.baseOffset());
            int take = (int) Math.min(batch.lastOffset() + 1 - first, maxRecords - count);
            count += take;
            next = first + take;
            if (count == maxRecords) {
                break;
            }
        }
        return new Slice(batches, from, count, next, null);
    }

    /** Takes a record's offset and value (a buffer over the stored bytes, valid during the call). */
    @FunctionalInterface
    public interface ValueConsumer {
        void accept(long offset, ByteBuffer value);
    }

    /** Records of stored batches from an offset, decoded on demand. */
    public static final class Slice {
        private final MemoryRecords batches;
        private final long from;
        private final int count;
        private final long nextOffset;
        private final Decoded decoded;

        private Slice(MemoryRecords batches, long from, int count, long nextOffset, Decoded decoded) {
            this.batches = batches;
            this.from = from;
            this.count = count;
            this.nextOffset = nextOffset;
            this.decoded = decoded;
        }

        public int count() {
            return count;
        }

        /** Where the next read starts: after the last record of the slice ({@code from} for an empty one). */
        public long nextOffset() {
            return nextOffset;
        }

        public List<BusRecord> decode() {
            return decoded != null ? decoded.records() : RecordBatches.decode(batches, from, count, Long.MAX_VALUE).records();
        }

        /** Calls {@code consumer} with each record's value (an empty buffer for a null value), in offset order. */
        public void forEachValue(java.util.function.Consumer<ByteBuffer> consumer) {
            forEachValue((offset, value) -> consumer.accept(value));
        }

        /**
         * As {@link #forEachValue(java.util.function.Consumer)}, with each record's offset. The
         * buffer handed over is only valid during the call: the next record's value reuses it.
         */
        public void forEachValue(ValueConsumer consumer) {
            int left = count;
            ByteBuffer stored = batches.buffer();
            ByteBuffer value = stored.duplicate();
            int position = stored.position();
            for (RecordBatch batch : batches.batches()) {
                int batchStart = position;
                position += batch.sizeInBytes();
                if (batch.lastOffset() < from) {
                    continue;
                }
                if (batch.magic() == RecordBatch.MAGIC_VALUE_V2 && !batch.isCompressed()) {
                    left = forEachValue(stored, batchStart, batch, value, left, consumer);
                } else {
                    for (Record record : batch) {
                        if (left == 0) {
                            return;
                        }
                        if (record.offset() >= from) {
                            consumer.accept(record.offset(), record.hasValue() ? record.value() : ByteBuffer.allocate(0));
                            left--;
                        }
                    }
                }
                if (left == 0) {
                    return;
                }
            }
        }

        /**
         * The values of an uncompressed v2 batch starting at {@code batchStart} of {@code stored},
         * read in place (Kafka's record iterator makes a record, its headers and two buffers for
         * each); returns how many records are left to hand over.
         */
        private int forEachValue(ByteBuffer stored, int batchStart, RecordBatch batch, ByteBuffer value, int left,
                                 ValueConsumer consumer) {
            ByteBuffer in = stored.duplicate();
            in.limit(batchStart + batch.sizeInBytes()).position(batchStart + BATCH_OVERHEAD);
            int records = batch.countOrNull();
            for (int i = 0; i < records && left > 0; i++) {
                int length = ByteUtils.readVarint(in);
                int end = in.position() + length;
                in.get();
                ByteUtils.readVarlong(in);
                long offset = batch.baseOffset() + ByteUtils.readVarint(in);
                int keyLength = ByteUtils.readVarint(in);
                if (keyLength > 0) {
                    in.position(in.position() + keyLength);
                }
                int valueLength = ByteUtils.readVarint(in);
                if (offset >= from) {
                    if (valueLength < 0) {
                        consumer.accept(offset, ByteBuffer.allocate(0));
                    } else {
                        value.limit(in.position() + valueLength).position(in.position());
                        consumer.accept(offset, value);
                    }
                    left--;
                }
                in.position(end);
            }
            return left;
        }
    }

    /**
     * Decodes the records of {@code batches} from offset {@code from}: at most {@code maxRecords},
     * and no more once their values reach {@code maxBytes} (always at least one).
     */
    public static Decoded decode(MemoryRecords batches, long from, int maxRecords, long maxBytes) {
        List<BusRecord> records = new ArrayList<>();
        long next = from;
        long bytes = 0;
        for (RecordBatch batch : batches.batches()) {
            if (batch.lastOffset() < from) {
                continue;
            }
            for (Record record : batch) {
                if (record.offset() < from) {
                    continue;
                }
                if (records.size() >= maxRecords || (bytes >= maxBytes && !records.isEmpty())) {
                    return new Decoded(records, next);
                }
                BusRecord decoded = toBusRecord(record);
                records.add(decoded);
                bytes += decoded.getValue().size();
                next = record.offset() + 1;
            }
        }
        return new Decoded(records, next);
    }

    private static BusRecord toBusRecord(Record record) {
        BusRecord.Builder out = BusRecord.newBuilder().setOffset(record.offset()).setTimestampMs(record.timestamp());
        if (record.hasKey()) {
            out.setKey(StandardCharsets.UTF_8.decode(record.key()).toString());
        }
        if (record.hasValue()) {
            out.setValue(ByteString.copyFrom(record.value()));
        }
        for (Header header : record.headers()) {
            String value = header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
            if (header.key().equals(FORMAT_HEADER)) {
                out.setFormat(value.equals("text") ? ValueFormat.TEXT : value.equals("json") ? ValueFormat.JSON : ValueFormat.BINARY);
            } else {
                out.putHeaders(header.key(), value);
            }
        }
        return out.build();
    }
}
