package io.strata.dataflow.chain;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.concurrent.CompletableFuture;

/**
 * Where chains keep their data in the node: one KV keyspace, {@value #KEYSPACE}, every key
 * prefixed with the chain's run id and expiring after {@value #TTL_SECONDS} s, so experiments
 * against a long-running node do not fill it up.
 */
final class Results {

    static final String KEYSPACE = "dataflow";
    static final int PARTITIONS = 8;
    static final int TTL_SECONDS = 3600;

    private Results() {}

    /** The last service's store step: the request's final state under {@code RUN.result.ID}. */
    static CompletableFuture<Void> store(ChainService service, ObjectNode request, long id) {
        return service.storeCall(id, 0, () -> service.store.put(KEYSPACE,
                service.settings.runId() + ".result." + id, request.toString(), TTL_SECONDS));
    }
}
