package io.strata.node.storage;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where a catalog of named items keeps them: a JSON file of one node ({@link JsonCatalog}), or a
 * map replicated over the nodes of a cluster ({@code io.strata.node.cluster.ReplicatedCatalogs}).
 *
 * <p>Thread-safe and non-blocking: what may wait on a file or on other nodes returns a stage,
 * completed on a thread of the blocking-I/O executor or of the actor system (so callbacks on it
 * must not block); {@link #peek} and {@link #list} read this node's copy and never wait.
 *
 * @param <T> an immutable item type Jackson can read and write (a record)
 */
public interface CatalogStore<T> {

    /** The item called {@code name}; a name this node's copy lacks may be looked up on other nodes. */
    CompletionStage<Optional<T>> get(String name);

    /** The item called {@code name} as this node knows it, without waiting (for actor threads). */
    Optional<T> peek(String name);

    /**
     * The item called {@code name} as the cluster knows it now, read from a majority of the nodes
     * (for starting a partition of it, which must not start for a dropped item).
     */
    default CompletionStage<Optional<T>> getConfirmed(String name) {
        return get(name);
    }

    /** All items of this node's copy, by name. */
    List<T> list();

    /** Adds {@code item} unless one of its name exists; completes with the item now in the catalog. */
    CompletionStage<T> putIfAbsent(T item);

    /** Removes the item called {@code name}; completes with whether there was one. */
    CompletionStage<Boolean> remove(String name);
}
