package io.strata.node.common;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/** Helpers for the futures that Pekko's Java API returns. */
public final class Futures {

    private Futures() {}

    /**
     * A plain {@link CompletableFuture} completed on the thread that completes {@code stage}.
     *
     * <p>Pekko's {@code ask} returns Scala's CompletableFuture adapter, which runs every
     * {@code thenApply}/{@code handle} callback asynchronously on the common pool; with fewer than
     * three cores the JDK then starts a new thread per callback. Callbacks on the returned future
     * run directly instead, so they must stay short and non-blocking.
     */
    public static <T> CompletableFuture<T> direct(CompletionStage<T> stage) {
        CompletableFuture<T> result = new CompletableFuture<>();
        stage.whenCompleteAsync((value, failure) -> {
            if (failure == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(failure);
            }
        }, Runnable::run);
        return result;
    }

    /**
     * Waits for {@code stage} and returns its value, or throws its failure as it was thrown (not
     * wrapped in a {@link CompletionException}). Blocks: only for the blocking-I/O executor or a
     * thread of the caller's own (node start, tests), never on a dispatcher thread.
     */
    public static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** The failure inside the {@link CompletionException}s and {@link ExecutionException}s wrapped around it. */
    public static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The stage {@code call} returns, or a failed one when it throws (a refusal of bad input). */
    public static <T> CompletableFuture<T> start(Supplier<? extends CompletionStage<T>> call) {
        try {
            return call.get().toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
