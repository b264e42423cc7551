package io.strata.node.bus;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.strata.node.common.StrataException;

import java.time.Duration;

/**
 * How long and how much a topic keeps: whole log files older than {@code time} are deleted, and
 * the oldest files go while the topic's partition is over {@code bytes}. Zero disables a limit.
 * The newest file of a partition is always kept.
 */
public record Retention(Duration time, long bytes) {

    public static final Retention FOREVER = new Retention(Duration.ZERO, 0);

    private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);

    /** Parses a duration such as {@code 7d}, {@code 12h}, {@code 30 minutes}; {@code forever} or {@code 0} is no limit. */
    public static Duration parseTime(String spec, String what) {
        String s = spec.trim();
        if (s.equals("forever") || s.equals("0")) {
            return Duration.ZERO;
        }
        try {
            Duration d = ConfigFactory.empty().withValue("d", ConfigValueFactory.fromAnyRef(s)).getDuration("d");
            if (d.isNegative() || d.isZero()) {
                throw StrataException.invalid("invalid_retention", what + " must be positive or 'forever', got '" + spec + "'");
            }
            // The config library caps what it reads at the longest duration in nanoseconds (about 292
            // years): a longer one would be kept shorter than asked.
            if (d.compareTo(LONGEST) >= 0) {
                throw StrataException.invalid("invalid_retention", what + " must be under 292 years (or 'forever'), got '" + spec + "'");
            }
            return d;
        } catch (ConfigException e) {
            throw StrataException.invalid("invalid_retention", what + " must be a duration such as 7d, 12h or 30m, or 'forever'; got '" + spec + "'");
        }
    }

    /** Parses a size such as {@code 10g}, {@code 500MiB} or a number of bytes; {@code 0} is no limit. */
    public static long parseBytes(String spec, String what) {
        try {
            long bytes = ConfigFactory.empty().withValue("b", ConfigValueFactory.fromAnyRef(spec.trim())).getBytes("b");
            if (bytes < 0) {
                throw StrataException.invalid("invalid_retention", what + " must not be negative, got '" + spec + "'");
            }
            return bytes;
        } catch (ConfigException e) {
            throw StrataException.invalid("invalid_retention", what + " must be a size such as 10g or 500m, got '" + spec + "'");
        }
    }
}
