package io.strata.node.columnar;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;

/** The columnar store's meters. Thread-safe. */
public final class ColumnarMetrics {

    private final Counter logAppends;
    private final DistributionSummary appendBytes;
    private final Counter rowsAccepted;
    private final Counter rowsRejected;
    private final Timer seals;
    private final Counter sealedRows;
    private final Timer scans;
    private final Counter rowsScanned;

    public ColumnarMetrics(MeterRegistry registry) {
        this.logAppends = Counter.builder("strata.log.appends").description("Entries appended to partition logs")
                .tag("store", "columnar").register(registry);
        this.appendBytes = DistributionSummary.builder("strata.log.append.bytes").baseUnit("bytes")
                .description("Size of entries appended to partition logs").tag("store", "columnar").register(registry);
        this.rowsAccepted = Counter.builder("strata.columnar.rows.ingested").description("Rows appended to tables")
                .tag("outcome", "accepted").register(registry);
        this.rowsRejected = Counter.builder("strata.columnar.rows.ingested").description("Rows appended to tables")
                .tag("outcome", "rejected").register(registry);
        this.seals = Timer.builder("strata.columnar.seals").description("Tails sealed into segment files").register(registry);
        this.sealedRows = Counter.builder("strata.columnar.sealed.rows").description("Rows sealed into segment files")
                .register(registry);
        this.scans = Timer.builder("strata.columnar.shard.scans").description("Query scans of one shard").register(registry);
        this.rowsScanned = Counter.builder("strata.columnar.rows.scanned").description("Rows scanned by queries")
                .register(registry);
    }

    public void appended(int entries, long bytes) {
        logAppends.increment(entries);
        appendBytes.record(bytes);
    }

    public void ingested(long accepted, long rejected) {
        rowsAccepted.increment(accepted);
        rowsRejected.increment(rejected);
    }

    public void sealed(long rows, long nanos) {
        sealedRows.increment(rows);
        seals.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void scanned(long rows, long nanos) {
        rowsScanned.increment(rows);
        scans.record(nanos, TimeUnit.NANOSECONDS);
    }
}
