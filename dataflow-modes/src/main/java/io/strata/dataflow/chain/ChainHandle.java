package io.strata.dataflow.chain;

import java.util.concurrent.CompletableFuture;

/**
 * A running chain, as the experiment sees it: in this JVM ({@link Chain}) or one process per
 * service ({@link ProcessChain}).
 */
public interface ChainHandle extends AutoCloseable {

    ChainSettings settings();

    /** Where requests go: the first service's {@code /process}. */
    String entryUrl();

    /** Starts every service's fault schedule at {@code startNanos} ({@link System#nanoTime()} of this JVM). */
    void startClock(long startNanos);

    /** The backlog over all services (db and bus modes), -1 in the rpc mode. */
    CompletableFuture<Long> backlog();

    /** Results the db mode's entry has seen appear in the store (-1 in the other modes). */
    long dbCompleted();

    /** The rpc mode's breaker open time, summed over the services, in milliseconds. */
    long breakerOpenMillis();

    /** The topic where the bus mode's completions appear. */
    default String completionTopic() {
        return BusService.topic(settings(), settings().hops() - 1);
    }

    @Override
    void close();
}
