package io.strata.dataflow.fault;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fault on one service for part of a run, as given on the command line:
 * {@code SERVICE:KIND=VALUE[@START]}, such as {@code C:error-rate=0.05}, {@code B:latency=50ms},
 * {@code B:latency=lognormal:20ms:400ms}, {@code D:capacity=200}, {@code C:store-latency=20ms} or
 * {@code C:down=10s@5s} (down for 10 s from 5 s into the run; {@code down=forever} lasts the run).
 * A fault without {@code @START} holds from the start; every kind but {@code down} then lasts the run.
 * The service {@code *} means every service of the chain.
 *
 * @param service  the service's name (A, B, ...) or {@code *}
 * @param kind     the fault's kind
 * @param value    the value as given
 * @param start    when it starts, from the start of the run
 * @param duration how long it lasts, or null for the rest of the run
 * @param apply    what it adds to a service's faults while it holds
 */
public record ScheduledFault(String service, Kind kind, String value, Duration start, Duration duration, Overlay apply) {

    /** The kinds of fault, by their command-line names. */
    public enum Kind {
        ERROR_RATE("error-rate"), LATENCY("latency"), DOWN("down"), CAPACITY("capacity"), STORE_LATENCY("store-latency");

        private final String cliName;

        Kind(String cliName) {
            this.cliName = cliName;
        }

        public String cliName() {
            return cliName;
        }

        static Kind of(String name) {
            for (Kind kind : values()) {
                if (kind.cliName.equals(name)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown fault kind '" + name
                    + "'; the kinds are error-rate, latency, down, capacity and store-latency");
        }
    }

    /** What a fault adds to the faults already in force. */
    @FunctionalInterface
    public interface Overlay {
        FaultSpec on(FaultSpec faults);
    }

    private static final Pattern FORM = Pattern.compile("([A-Za-z*]+):([a-z-]+)=([^@]+)(?:@(.+))?");

    /** Parses {@code SERVICE:KIND=VALUE[@START]}; anything malformed is an {@link IllegalArgumentException} that says how to write it. */
    public static ScheduledFault parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("a fault is SERVICE:KIND=VALUE[@START], such as C:error-rate=0.05, "
                    + "B:latency=50ms or C:down=10s@5s; got '" + text + "'");
        }
        String service = m.group(1).toUpperCase(Locale.ROOT);
        Kind kind = Kind.of(m.group(2));
        String value = m.group(3).trim();
        Duration start = m.group(4) == null ? Duration.ZERO : Durations.parse("the start of fault '" + text + "'", m.group(4));
        return switch (kind) {
            case ERROR_RATE -> {
                double rate = parseRate(value);
                yield new ScheduledFault(service, kind, value, start, null, f -> f.withErrorRate(combine(f.errorRate(), rate)));
            }
            case LATENCY -> {
                LatencySpec latency = LatencySpec.parse(value);
                yield new ScheduledFault(service, kind, value, start, null, f -> f.withLatency(latency));
            }
            case STORE_LATENCY -> {
                LatencySpec latency = LatencySpec.parse(value);
                yield new ScheduledFault(service, kind, value, start, null, f -> f.withStoreLatency(latency));
            }
            case CAPACITY -> {
                int perSecond = parseCapacity(value);
                yield new ScheduledFault(service, kind, value, start, null, f -> f.withCapacity(perSecond));
            }
            case DOWN -> {
                Duration duration = value.equals("forever") ? null : Durations.parse("the length of outage '" + text + "'", value);
                yield new ScheduledFault(service, kind, value, start, duration, f -> f.withDown(true));
            }
        };
    }

    /** The same fault on another service (used to expand {@code *}). */
    public ScheduledFault on(String otherService) {
        return new ScheduledFault(otherService, kind, value, start, duration, apply);
    }

    /** Whether it holds {@code elapsed} after the start of the run. */
    public boolean holdsAt(Duration elapsed) {
        return elapsed.compareTo(start) >= 0 && (duration == null || elapsed.compareTo(start.plus(duration)) < 0);
    }

    /** When it stops holding, from the start of the run, or null if it lasts the run. */
    public Duration end() {
        return duration == null ? null : start.plus(duration);
    }

    @Override
    public String toString() {
        return service + ":" + kind.cliName() + "=" + value + (start.isZero() ? "" : "@" + Durations.format(start));
    }

    /** Parses an error rate, a fraction in [0, 1]. */
    public static double parseRate(String value) {
        double rate;
        try {
            rate = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("an error rate is a fraction in [0, 1] such as 0.01, got '" + value + "'");
        }
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("an error rate is a fraction in [0, 1] such as 0.01, got " + value);
        }
        return rate;
    }

    private static int parseCapacity(String value) {
        String number = value.endsWith("/s") ? value.substring(0, value.length() - 2) : value;
        try {
            int perSecond = Integer.parseInt(number.trim());
            if (perSecond >= 1) {
                return perSecond;
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException("a capacity is a whole number of requests per second >= 1, such as 200 or 200/s, got '" + value + "'");
    }

    /** Two independent error sources fail a request unless neither does. */
    private static double combine(double a, double b) {
        return 1 - (1 - a) * (1 - b);
    }
}
