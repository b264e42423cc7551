package io.strata.node.storage;

import java.util.List;
import java.util.Optional;

/**
 * Where a catalog of named items keeps them: a JSON file of one node ({@link JsonCatalog}), or a
 * map replicated over the nodes of a cluster ({@code io.strata.node.cluster.ReplicatedCatalogs}).
 * Thread-safe.
 *
 * @param <T> an immutable item type Jackson can read and write (a record)
 */
public interface CatalogStore<T> {

    /** The item called {@code name}, if there is one. */
    Optional<T> get(String name);

    /**
     * The item called {@code name} as this node knows it, without waiting on other nodes (for
     * actor threads); {@link #get} may ask them about a name this node does not know.
     */
    default Optional<T> peek(String name) {
        return get(name);
    }

    /**
     * The item called {@code name} as the cluster knows it now, read from a majority of the nodes
     * (for starting a partition of it, which must not start for a dropped item).
     */
    default Optional<T> getConfirmed(String name) {
        return get(name);
    }

    /** All items, by name. */
    List<T> list();

    /** Adds {@code item} unless one of its name exists; returns the item now in the catalog. */
    T putIfAbsent(T item);

    /** Removes the item called {@code name}; returns whether there was one. */
    boolean remove(String name);
}
