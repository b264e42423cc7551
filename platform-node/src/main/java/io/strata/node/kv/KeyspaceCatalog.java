package io.strata.node.kv;

import io.strata.node.common.Partitioner;
import io.strata.node.common.StrataException;
import io.strata.node.storage.CatalogStores;
import io.strata.node.storage.DataLayout;
import io.strata.node.storage.NamedCatalog;

import java.util.concurrent.CompletionStage;

/**
 * The keyspaces and their partition counts, kept durably in {@link DataLayout#keyspaceCatalog()}
 * (replicated over the nodes in a cluster). A keyspace's partition count never changes: keys are
 * placed by {@code murmur3(key) mod partitions}, or, in a keyspace with hash tags, by the part of
 * the key between its first {@code {} and the next {@code }} when that part is not empty, as
 * Redis Cluster places keys, so that keys such as {@code {user1}:a} and {@code {user1}:b} share a
 * partition. Thread-safe.
 */
public final class KeyspaceCatalog extends NamedCatalog<KeyspaceCatalog.Keyspace> {

    /**
     * A keyspace: its name, fixed number of partitions, and whether keys are placed by their hash
     * tag. Keyspaces created before hash tags (their catalog entry has no {@code hashTags}) place
     * every key by all of it, as they always did, so that their keys stay where they are.
     */
    public record Keyspace(String name, int partitions, boolean hashTags) {

        /** A keyspace that places keys by all of them (no hash tags). */
        public Keyspace(String name, int partitions) {
            this(name, partitions, false);
        }

        /** The partition {@code key} lives in. */
        public int partitionOf(String key) {
            return Partitioner.partitionFor(hashTags ? hashTag(key) : key, partitions);
        }

        /** What places {@code key} in a keyspace with hash tags: its non-empty {@code {tag}}, or all of it (Redis Cluster's rule). */
        public static String hashTag(String key) {
            int open = key.indexOf('{');
            if (open < 0) {
                return key;
            }
            int close = key.indexOf('}', open + 1);
            return close > open + 1 ? key.substring(open + 1, close) : key;
        }
    }

    private KeyspaceCatalog(CatalogStores stores, DataLayout layout) {
        super(stores, layout.keyspaceCatalog(), Keyspace.class, Keyspace::name, "keyspace", 64);
    }

    /** Opens the keyspace catalog from {@code stores} (in {@code layout} on a node on its own). */
    public static KeyspaceCatalog load(CatalogStores stores, DataLayout layout) {
        return new KeyspaceCatalog(stores, layout);
    }

    /**
     * Creates a keyspace (with hash tags), or completes with the existing one when it has the same
     * partition count, whether it has hash tags or not.
     * Fails with {@code keyspace_exists} (conflict) when it exists with another count;
     * an invalid name or count is refused at once (thrown).
     */
    public CompletionStage<Keyspace> create(String name, int partitions) {
        validateName(name);
        if (partitions < 1 || partitions > KvSettings.MAX_PARTITIONS) {
            throw StrataException.invalid("invalid_partitions",
                    "partitions must be 1.." + KvSettings.MAX_PARTITIONS + ", got " + partitions);
        }
        return createOrGet(name, new Keyspace(name, partitions, true),
                existing -> existing.partitions() + " partitions; partition counts never change",
                (existing, wanted) -> existing.partitions() == wanted.partitions());
    }
}
