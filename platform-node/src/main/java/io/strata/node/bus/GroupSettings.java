package io.strata.node.bus;

import com.typesafe.config.Config;

import java.time.Duration;

/**
 * The {@code strata.bus.group} and {@code strata.bus.stream} configuration: consumer group
 * sessions and live partition streams. Parsed and validated once at startup.
 *
 * @param sessionTimeout     a member that neither polls nor commits for this long leaves its group
 * @param streamPollInterval how long a caught-up stream waits before reading its partition again
 * @param streamBatchRecords most records a stream reads from its partition at a time
 * @param initialRebalanceDelay how long a group of Kafka consumers forming from empty waits for
 *                              more members before its first generation (Kafka's
 *                              {@code group.initial.rebalance.delay.ms})
 */
public record GroupSettings(Duration sessionTimeout, Duration streamPollInterval, int streamBatchRecords,
                            Duration initialRebalanceDelay) {

    public GroupSettings {
        if (sessionTimeout.isNegative() || sessionTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("strata.bus.group.session-timeout must be at least 100ms");
        }
        if (streamPollInterval.isNegative() || streamPollInterval.isZero()) {
            throw new IllegalArgumentException("strata.bus.stream.poll-interval must be positive");
        }
        if (initialRebalanceDelay.isNegative()) {
            throw new IllegalArgumentException("strata.bus.group.initial-rebalance-delay must be 0 or more");
        }
        if (streamBatchRecords < 1) {
            throw new IllegalArgumentException("strata.bus.stream.batch-records must be positive");
        }
    }

    public static GroupSettings from(Config root) {
        Config bus = root.getConfig("strata.bus");
        return new GroupSettings(bus.getDuration("group.session-timeout"), bus.getDuration("stream.poll-interval"),
                bus.getInt("stream.batch-records"), bus.getDuration("group.initial-rebalance-delay"));
    }
}
