package io.strata.node.cluster.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Keeps the shard coordinator's "allocation failed" errors out of the log when the refusal is
 * expected: a partition whose home is down, or that is moving, is refused on every retry (every
 * few hundred milliseconds) until it can start, and Pekko logs each refusal as an error. Refusals
 * are marked by their exception type, {@link PartitionNotPlaceable}; every other error passes.
 * Installed in {@code logback.xml}.
 */
public final class ExpectedAllocationRefusals extends TurboFilter {

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        return t instanceof PartitionNotPlaceable ? FilterReply.DENY : FilterReply.NEUTRAL;
    }

    /** Why a partition cannot be allocated now (its home is not up, or it is moving); the coordinator retries. */
    public static final class PartitionNotPlaceable extends IllegalStateException {
        public PartitionNotPlaceable(String message) {
            super(message);
        }
    }
}
