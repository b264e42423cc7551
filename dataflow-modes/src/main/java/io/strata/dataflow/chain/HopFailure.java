package io.strata.dataflow.chain;

/**
 * A request failed at some service of the chain: the HTTP status and error code the entry answers
 * with, kept as the failure travels back up the chain so the entry reports the root cause
 * ({@code injected_fault}, {@code timeout}, {@code circuit_open}, ...). No stack trace: failures
 * are expected, counted and frequent.
 */
public final class HopFailure extends RuntimeException {

    private final int status;
    private final String code;

    public HopFailure(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** The failure a throwable stands for: itself, a wrapped HopFailure, or an unexpected error (500). */
    public static HopFailure of(Throwable t) {
        Throwable cause = t;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof HopFailure failure) {
            return failure;
        }
        if (cause instanceof io.strata.dataflow.store.StoreException store) {
            return new HopFailure(503, "store_" + store.code(), store.getMessage());
        }
        return new HopFailure(500, "internal_error", String.valueOf(cause));
    }
}
