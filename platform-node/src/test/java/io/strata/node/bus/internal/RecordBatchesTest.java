package io.strata.node.bus.internal;

import com.google.protobuf.ByteString;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.bus.proto.ValueFormat;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bus records to Kafka record batches and back. */
class RecordBatchesTest {

    @Test
    void recordsRoundTripThroughBatches() {
        List<BusRecord> records = List.of(
                BusRecord.newBuilder().setKey("k").setValue(ByteString.copyFromUtf8("text")).setFormat(ValueFormat.TEXT)
                        .putHeaders("h", "é").setTimestampMs(5).build(),
                BusRecord.newBuilder().setValue(ByteString.copyFrom(new byte[] {0, (byte) 0xff})).build(),
                BusRecord.newBuilder().setValue(ByteString.copyFromUtf8("[1,2]")).setFormat(ValueFormat.JSON).setTimestampMs(7).build());
        MemoryRecords batches = RecordBatches.encode(records, 99, 1 << 20);
        RecordBatches.Decoded decoded = RecordBatches.decode(batches, 0, 100, Long.MAX_VALUE);
        assertEquals(3, decoded.nextOffset());
        for (int i = 0; i < records.size(); i++) {
            BusRecord expected = records.get(i).toBuilder().setOffset(i)
                    .setTimestampMs(records.get(i).getTimestampMs() == 0 ? 99 : records.get(i).getTimestampMs()).build();
            assertEquals(expected, decoded.records().get(i));
        }
    }

    @Test
    void batchesAreCutAtTheirTargetSizeAndDecodesKeepToTheirLimits() {
        List<BusRecord> records = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            records.add(BusRecord.newBuilder().setValue(ByteString.copyFromUtf8("x".repeat(100))).setTimestampMs(1).build());
        }
        MemoryRecords batches = RecordBatches.encode(records, 0, 1024);
        int count = 0;
        for (RecordBatch batch : batches.batches()) {
            assertTrue(batch.isValid());
            count++;
        }
        assertTrue(count >= 10, "100 records of 100 B in batches of about 1 KiB: " + count);
        assertEquals(5, RecordBatches.decode(batches, 10, 5, Long.MAX_VALUE).records().size());
        assertEquals(15, RecordBatches.decode(batches, 10, 5, Long.MAX_VALUE).nextOffset());
        assertEquals(3, RecordBatches.decode(batches, 0, 100, 250).records().size(), "values up to 250 bytes: three of 100");
    }

    @Test
    void aSliceCountsFromTheBatchHeadersWhatADecodeReturns() {
        List<BusRecord> records = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            BusRecord.Builder record = BusRecord.newBuilder().setValue(ByteString.copyFromUtf8("v".repeat(1 + i % 50) + i)).setTimestampMs(1);
            if (i % 3 == 1) {
                // Keys and headers sit between a record's offset and its value, and after it.
                record.setKey("k" + i).putHeaders("h", "x".repeat(i % 7)).setFormat(ValueFormat.JSON);
            } else if (i % 3 == 2) {
                record.clearValue();
            }
            records.add(record.build());
        }
        MemoryRecords batches = RecordBatches.encode(records, 0, 700);
        for (long from : new long[] {0, 3, 17, 50, 99, 100}) {
            for (int max : new int[] {1, 7, 30, 1000}) {
                for (long maxBytes : new long[] {1, 200, 2_000, Long.MAX_VALUE}) {
                    RecordBatches.Decoded decoded = RecordBatches.decode(batches, from, max, maxBytes);
                    RecordBatches.Slice slice = RecordBatches.slice(batches, from, max, maxBytes);
                    String at = "from " + from + ", max " + max + ", maxBytes " + maxBytes;
                    assertEquals(decoded.records().size(), slice.count(), at);
                    assertEquals(decoded.nextOffset(), slice.nextOffset(), at);
                    assertEquals(decoded.records(), slice.decode(), at);
                    List<ByteString> values = new ArrayList<>();
                    slice.forEachValue(v -> values.add(ByteString.copyFrom(v)));
                    assertEquals(decoded.records().stream().map(BusRecord::getValue).toList(), values, at);
                }
            }
        }
    }
}
