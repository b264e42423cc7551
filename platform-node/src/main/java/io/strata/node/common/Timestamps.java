package io.strata.node.common;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.OptionalLong;

/** The ISO-8601 timestamps Strata takes wherever a time is written as text. Stateless. */
public final class Timestamps {

    private Timestamps() {}

    /**
     * Epoch milliseconds of an ISO-8601 instant ({@code 2026-01-01T00:00:00Z}) or offset date-time
     * ({@code 2026-01-01T01:00:00+01:00}); empty when the text is neither or out of range.
     */
    public static OptionalLong parseIso(String text) {
        try {
            return OptionalLong.of(Instant.parse(text).toEpochMilli());
        } catch (DateTimeParseException notAnInstant) {
            try {
                return OptionalLong.of(OffsetDateTime.parse(text).toInstant().toEpochMilli());
            } catch (DateTimeParseException | ArithmeticException e) {
                return OptionalLong.empty();
            }
        } catch (ArithmeticException outOfRange) {
            return OptionalLong.empty();
        }
    }
}
