package io.strata.node.bus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

/** The bus's meters. Thread-safe. */
public final class BusMetrics {

    private final Counter logAppends;
    private final DistributionSummary appendBytes;
    private final Counter produced;
    private final Counter read;
    private final Counter retentionDeletes;

    public BusMetrics(MeterRegistry registry) {
        this.logAppends = Counter.builder("strata.log.appends").description("Entries appended to partition logs")
                .tag("store", "bus").register(registry);
        this.appendBytes = DistributionSummary.builder("strata.log.append.bytes").baseUnit("bytes")
                .description("Size of entries appended to partition logs").tag("store", "bus").register(registry);
        this.produced = Counter.builder("strata.bus.records.produced").description("Records appended to topics").register(registry);
        this.read = Counter.builder("strata.bus.records.read").description("Records returned by reads and polls").register(registry);
        this.retentionDeletes = Counter.builder("strata.bus.retention.deleted.files")
                .description("Log files deleted by retention").register(registry);
    }

    public void appended(int records, long bytes) {
        logAppends.increment(records);
        appendBytes.record(bytes);
        produced.increment(records);
    }

    public void read(int records) {
        read.increment(records);
    }

    public void retentionDeleted(int files) {
        retentionDeletes.increment(files);
    }
}
