package io.strata.node.storage;

import io.strata.node.common.Names;
import io.strata.node.common.StrataException;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A durable catalog of named things of one kind (keyspaces, topics, tables), with the refusals
 * every such catalog gives: invalid names ({@code invalid_<kind>}), unknown names
 * ({@code <kind>_not_found}), different settings under an existing name ({@code <kind>_exists}),
 * and storage failures ({@code storage_unavailable}). Thread-safe.
 *
 * @param <T> an immutable item type Jackson can read and write (a record)
 */
public class NamedCatalog<T> {

    private final CatalogStore<T> catalog;
    private final String kind;
    private final int maxNameLength;

    protected NamedCatalog(CatalogStores stores, Path localFile, Class<T> type, Function<T, String> nameOf, String kind,
                           int maxNameLength) {
        this.catalog = stores.open(kind, localFile, type, nameOf);
        this.kind = kind;
        this.maxNameLength = maxNameLength;
    }

    /** Checks a name: 1..max letters, digits, '_', '.', '-', starting with a letter or digit. */
    public void validateName(String name) {
        Names.validate(kind, name, maxNameLength);
    }

    public Optional<T> get(String name) {
        return catalog.get(name);
    }

    /** The item called {@code name} as this node knows it, without waiting on other nodes (see {@link CatalogStore#peek}). */
    public Optional<T> peek(String name) {
        return catalog.peek(name);
    }

    /** The item called {@code name} as a majority of the cluster's nodes know it (see {@link CatalogStore#getConfirmed}). */
    public Optional<T> getConfirmed(String name) {
        return catalog.getConfirmed(name);
    }

    /** The item called {@code name}, or {@code <kind>_not_found} (404). */
    public T require(String name) {
        validateName(name);
        return get(name).orElseThrow(() -> new StrataException(StrataException.Kind.NOT_FOUND, kind + "_not_found",
                kind + " '" + name + "' does not exist"));
    }

    /** All items, by name. */
    public List<T> list() {
        return catalog.list();
    }

    /**
     * Adds {@code wanted}, or returns the existing item of its name when it equals it.
     *
     * @throws StrataException {@code <kind>_exists} (409) when an item of that name exists with other settings
     */
    protected T createOrGet(String name, T wanted, Function<T, String> describeExisting) {
        T stored;
        try {
            stored = catalog.putIfAbsent(wanted);
        } catch (UncheckedIOException e) {
            throw DiskSpace.refusal(kind + " '" + name + "' could not be stored", e);
        }
        if (!stored.equals(wanted)) {
            throw new StrataException(StrataException.Kind.CONFLICT, kind + "_exists",
                    kind + " '" + name + "' exists with other settings (" + describeExisting.apply(stored) + ")");
        }
        return stored;
    }

    /** Removes an item; returns whether it existed. */
    public boolean remove(String name) {
        try {
            return catalog.remove(name);
        } catch (UncheckedIOException e) {
            throw DiskSpace.refusal(kind + " '" + name + "' could not be removed", e);
        }
    }
}
