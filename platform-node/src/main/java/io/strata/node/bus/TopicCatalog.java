package io.strata.node.bus;

import io.strata.node.common.StrataException;
import io.strata.node.storage.CatalogStores;
import io.strata.node.storage.DataLayout;
import io.strata.node.storage.NamedCatalog;

import java.util.concurrent.CompletionStage;

/**
 * The topics, kept durably in {@link DataLayout#topicCatalog()} (replicated over the nodes in a
 * cluster). A topic's
 * partition count never changes (records are placed by {@code murmur3(key) mod partitions});
 * its retention is fixed at creation. Thread-safe.
 */
public final class TopicCatalog extends NamedCatalog<TopicCatalog.Topic> {

    /** A topic: name, partitions, retention in milliseconds and bytes (0 = no limit). */
    public record Topic(String name, int partitions, long retentionMs, long retentionBytes) {
        public Retention retention() {
            return new Retention(java.time.Duration.ofMillis(retentionMs), retentionBytes);
        }
    }

    private TopicCatalog(CatalogStores stores, DataLayout layout) {
        super(stores, layout.topicCatalog(), Topic.class, Topic::name, "topic", 120);
    }

    /** Opens the topic catalog from {@code stores} (in {@code layout} on a node on its own). */
    public static TopicCatalog load(CatalogStores stores, DataLayout layout) {
        return new TopicCatalog(stores, layout);
    }

    /**
     * Creates a topic, or completes with the existing one when it is the same.
     * Fails with {@code topic_exists} when it exists with other settings;
     * an invalid name or count is refused at once (thrown).
     */
    public CompletionStage<Topic> create(String name, int partitions, Retention retention) {
        validateName(name);
        if (partitions < 1 || partitions > BusSettings.MAX_PARTITIONS) {
            throw StrataException.invalid("invalid_partitions",
                    "partitions must be 1.." + BusSettings.MAX_PARTITIONS + ", got " + partitions);
        }
        return createOrGet(name, new Topic(name, partitions, retention.time().toMillis(), retention.bytes()),
                existing -> existing.partitions() + " partitions, retention " + existing.retentionMs() + " ms / "
                        + existing.retentionBytes() + " bytes");
    }
}
