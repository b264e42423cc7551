package io.strata.dataflow.fault;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them on a command line: {@code 250ms}, {@code 10s}, {@code 1.5s}, {@code 2m}, {@code 800us}. */
public final class Durations {

    private static final Pattern DURATION = Pattern.compile("(-?[0-9]+(?:\\.[0-9]+)?)\\s*(us|ms|s|m)");

    private Durations() {}

    /** Parses {@code text}; a negative duration or a missing unit is an {@link IllegalArgumentException} that says so. */
    public static Duration parse(String what, String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(what + " must be a duration such as 50ms, 2s or 1.5s, got '" + text + "'");
        }
        double amount = Double.parseDouble(m.group(1));
        if (amount < 0) {
            throw new IllegalArgumentException(what + " must not be negative, got '" + text + "'");
        }
        double nanosPerUnit = switch (m.group(2)) {
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            default -> 60e9;
        };
        return Duration.ofNanos(Math.round(amount * nanosPerUnit));
    }

    /** The shortest faithful way to write {@code d}: {@code 250ms}, {@code 10s}, {@code 1.5s}. */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        if (nanos % 1_000L == 0) {
            return nanos / 1_000L + "us";
        }
        return String.format(Locale.ROOT, "%.3fms", nanos / 1e6);
    }
}
