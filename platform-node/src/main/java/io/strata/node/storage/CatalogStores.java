package io.strata.node.storage;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Opens the catalogs of a node: each kind (keyspace, topic, table, job) in a JSON file of the node
 * ({@link #local}), or replicated over a cluster.
 */
public interface CatalogStores {

    /**
     * Catalogs in JSON files of this node's data directory; each change claims its bytes from
     * {@code space} and is written on {@code blockingIo}.
     */
    static CatalogStores local(DiskSpace space, Executor blockingIo) {
        return new CatalogStores() {
            @Override
            public <T> CatalogStore<T> open(String kind, Path localFile, Class<T> type, Function<T, String> nameOf) {
                return JsonCatalog.load(localFile, type, nameOf, space, blockingIo);
            }
        };
    }

    /**
     * Opens the catalog of {@code kind}.
     *
     * @param localFile where a node on its own keeps it
     */
    <T> CatalogStore<T> open(String kind, Path localFile, Class<T> type, Function<T, String> nameOf);

    /** Completes when the catalogs are as fresh as this node can make them (at once for local files). */
    default CompletionStage<Void> ready() {
        return CompletableFuture.completedFuture(null);
    }
}
