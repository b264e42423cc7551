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
        for (BusRecord record : records) {
            long timestamp = record.getTimestampMs() == 0 ? now : record.getTimestampMs();
            byte[] key = record.hasKey() ? record.getKey().getBytes(StandardCharsets.UTF_8) : null;
            byte[] value = record.getValue().toByteArray();
            Header[] headers = headersOf(record);
            if (builder != null && !builder.hasRoomFor(timestamp, key, value, headers)) {
                total += close(builder, batches);
                builder = null;
            }
            if (builder == null) {
                builder = MemoryRecords.builder(ByteBuffer.allocate(targetBatchBytes), Compression.NONE, TimestampType.CREATE_TIME, offset);
            }
            builder.appendWithOffset(offset++, timestamp, key, value, headers);
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

    private static int close(MemoryRecordsBuilder builder, List<ByteBuffer> batches) {
        ByteBuffer batch = builder.build().buffer();
        batches.add(batch);
        return batch.remaining();
    }

    private static Header[] headersOf(BusRecord record) {
        Map<String, String> map = record.getHeadersMap();
        boolean formatted = record.getFormat() == ValueFormat.TEXT || record.getFormat() == ValueFormat.JSON;
        if (map.isEmpty() && !formatted) {
            return Record.EMPTY_HEADERS;
        }
        List<Header> headers = new ArrayList<>(map.size() + 1);
        if (formatted) {
            headers.add(new RecordHeader(FORMAT_HEADER, record.getFormat() == ValueFormat.TEXT ? TEXT : JSON));
        }
        map.forEach((name, value) -> headers.add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8))));
        return headers.toArray(Header[]::new);
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
