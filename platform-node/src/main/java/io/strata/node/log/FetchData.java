package io.strata.node.log;

import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * What a read returns: whole stored batches, exactly as they are on disk (a batch may begin before
 * the offset asked for; a reader skips its earlier records, as Kafka's consumers do), and the
 * log's bounds at the time of the read.
 *
 * @param records        the batches, possibly none
 * @param nextOffset     where the next sequential read starts (the offset after the last batch returned)
 * @param logStartOffset the first offset the log still holds
 * @param highWatermark  the end of what readers may see
 * @param logEndOffset   the offset the next appended record gets
 */
public record FetchData(MemoryRecords records, long nextOffset, long logStartOffset, long highWatermark, long logEndOffset) {

    public boolean isEmpty() {
        return records.sizeInBytes() == 0;
    }
}
