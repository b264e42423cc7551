package io.strata.node.common;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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
}
