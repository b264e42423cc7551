package io.strata.dataflow.chain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.dataflow.store.StrataClient;

import java.net.http.HttpClient;
import java.util.concurrent.CompletableFuture;

/**
 * A service of an rpc chain: does its work, then calls the next service over HTTP and waits for
 * its answer, which it passes back; the last one stores the result in the node's KV store and
 * answers. A failure anywhere travels back up as the answer of every service before it.
 */
final class RpcService extends ChainService {

    private final HopClient next;

    RpcService(ChainSettings settings, int index, StrataClient store, String nextUrl, HttpClient http,
               org.apache.pekko.actor.Scheduler scheduler) {
        super(settings, index, store);
        this.next = nextUrl == null ? null
                : new HopClient(name, ChainSettings.serviceName(index + 1), nextUrl, settings.rpc(), http, scheduler);
    }

    @Override
    protected CompletableFuture<ObjectNode> process(ObjectNode request, long id, long attempt) {
        return admit(id, attempt).thenCompose(ignored -> {
            Work.apply(request, index, settings.hops(), name);
            if (next == null) {
                return Results.store(this, request, id).thenApply(stored -> request);
            }
            return next.call(request, id, attempt).thenApply(answer -> (ObjectNode) answer);
        });
    }

    @Override
    protected boolean takesRequestsFromCallers() {
        return true;
    }

    @Override
    protected void addStats(ObjectNode stats) {
        if (next != null) {
            next.addStats(stats);
        }
    }

    /** Milliseconds this service's breaker to the next has been open. */
    long breakerOpenMillis() {
        return next == null ? 0 : next.breakerOpenMillis();
    }
}
