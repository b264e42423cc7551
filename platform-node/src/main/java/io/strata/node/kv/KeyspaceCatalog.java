package io.strata.node.kv;

import io.strata.node.common.StrataException;
import io.strata.node.storage.CatalogStores;
import io.strata.node.storage.DataLayout;
import io.strata.node.storage.NamedCatalog;

import java.util.concurrent.CompletionStage;

/**
 * The keyspaces and their partition counts, kept durably in {@link DataLayout#keyspaceCatalog()}
 * (replicated over the nodes in a cluster). A keyspace's partition count never changes: keys are
 * placed by {@code murmur3(key) mod partitions}. Thread-safe.
 */
public final class KeyspaceCatalog extends NamedCatalog<KeyspaceCatalog.Keyspace> {

    /** A keyspace: its name and fixed number of partitions. */
    public record Keyspace(String name, int partitions) {}

    private KeyspaceCatalog(CatalogStores stores, DataLayout layout) {
        super(stores, layout.keyspaceCatalog(), Keyspace.class, Keyspace::name, "keyspace", 64);
    }

    /** Opens the keyspace catalog from {@code stores} (in {@code layout} on a node on its own). */
    public static KeyspaceCatalog load(CatalogStores stores, DataLayout layout) {
        return new KeyspaceCatalog(stores, layout);
    }

    /**
     * Creates a keyspace, or completes with the existing one when it has the same partition count.
     * Fails with {@code keyspace_exists} (conflict) when it exists with another count;
     * an invalid name or count is refused at once (thrown).
     */
    public CompletionStage<Keyspace> create(String name, int partitions) {
        validateName(name);
        if (partitions < 1 || partitions > KvSettings.MAX_PARTITIONS) {
            throw StrataException.invalid("invalid_partitions",
                    "partitions must be 1.." + KvSettings.MAX_PARTITIONS + ", got " + partitions);
        }
        return createOrGet(name, new Keyspace(name, partitions),
                existing -> existing.partitions() + " partitions; partition counts never change");
    }
}
