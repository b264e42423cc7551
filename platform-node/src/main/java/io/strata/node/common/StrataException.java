package io.strata.node.common;

/**
 * A request Strata refuses, with a stable snake_case {@code code} and a message that says what
 * and why. The gateway maps the {@link Kind} to an HTTP status; other doors (RESP) map it their way.
 */
public class StrataException extends RuntimeException {

    /** What sort of refusal this is; decides the HTTP status. */
    public enum Kind {
        /** The request itself is malformed or out of limits (400). */
        INVALID,
        /** A named thing does not exist (404). */
        NOT_FOUND,
        /** The request conflicts with what exists (409). */
        CONFLICT,
        /** A condition the client set does not hold (412). */
        PRECONDITION_FAILED,
        /** An offset or position outside what exists (416). */
        RANGE,
        /** The body is larger than allowed (413). */
        TOO_LARGE,
        /** The request is well-formed but cannot be processed as asked (422). */
        UNPROCESSABLE,
        /** The store cannot serve the request now; retrying later may work (503). */
        UNAVAILABLE,
        /**
         * The write cannot be stored: the disk is past its free-space reserve ({@code storage_full})
         * or the node past its memory ceiling ({@code memory_full}) (507). Reads keep working;
         * writes work again once space is freed, without a restart.
         */
        INSUFFICIENT_STORAGE,
        /** The request ran past its time limit and was cancelled (504). */
        TIMEOUT
    }

    private final Kind kind;
    private final String code;

    public StrataException(Kind kind, String code, String message) {
        super(message);
        this.kind = kind;
        this.code = code;
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }

    /**
     * The kind of a refusal code every store shares — the disk or memory is full (507), the store
     * is unavailable (503) — or {@code otherwise} for a code of the store's own.
     */
    public static Kind kindOf(String code, Kind otherwise) {
        return switch (code) {
            case "storage_full", "memory_full" -> Kind.INSUFFICIENT_STORAGE;
            case "storage_unavailable" -> Kind.UNAVAILABLE;
            default -> otherwise;
        };
    }

    public static StrataException invalid(String code, String message) {
        return new StrataException(Kind.INVALID, code, message);
    }
}
