package io.strata.node.kv;

import io.strata.node.common.Names;
import io.strata.node.common.StrataException;
import io.strata.node.storage.JsonCatalog;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The keyspaces of this node and their partition counts, kept durably in
 * {@code <data-dir>/kv/keyspaces.json}. A keyspace's partition count never changes: keys are
 * placed by {@code murmur3(key) mod partitions}. Thread-safe.
 */
public final class KeyspaceCatalog {

    /** A keyspace: its name and fixed number of partitions. */
    public record Keyspace(String name, int partitions) {}

    private final JsonCatalog<Keyspace> catalog;

    private KeyspaceCatalog(JsonCatalog<Keyspace> catalog) {
        this.catalog = catalog;
    }

    /** Loads the catalog of {@code kvDir}, empty when there is none yet. */
    public static KeyspaceCatalog load(Path kvDir) {
        return new KeyspaceCatalog(JsonCatalog.load(kvDir.resolve("keyspaces.json"), Keyspace.class, Keyspace::name));
    }

    /** Checks a keyspace name: 1-64 characters of letters, digits, '_', '.', '-', starting with a letter or digit. */
    public static void validateName(String name) {
        Names.validate("keyspace", name, 64);
    }

    public Optional<Keyspace> get(String name) {
        return catalog.get(name);
    }

    /** All keyspaces, by name. */
    public List<Keyspace> list() {
        return catalog.list();
    }

    /**
     * Creates a keyspace, or returns the existing one when it has the same partition count.
     *
     * @throws StrataException {@code keyspace_exists} (conflict) when it exists with another count
     */
    public Keyspace create(String name, int partitions) {
        validateName(name);
        if (partitions < 1 || partitions > KvSettings.MAX_PARTITIONS) {
            throw StrataException.invalid("invalid_partitions",
                    "partitions must be 1.." + KvSettings.MAX_PARTITIONS + ", got " + partitions);
        }
        Keyspace stored;
        try {
            stored = catalog.putIfAbsent(new Keyspace(name, partitions));
        } catch (UncheckedIOException e) {
            throw new StrataException(StrataException.Kind.UNAVAILABLE, "storage_unavailable", e.getMessage());
        }
        if (stored.partitions() != partitions) {
            throw new StrataException(StrataException.Kind.CONFLICT, "keyspace_exists", "keyspace '" + name
                    + "' exists with " + stored.partitions() + " partitions; partition counts never change");
        }
        return stored;
    }
}
