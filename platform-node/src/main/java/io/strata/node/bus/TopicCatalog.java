package io.strata.node.bus;

import io.strata.node.common.Names;
import io.strata.node.common.StrataException;
import io.strata.node.storage.JsonCatalog;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The topics of this node, kept durably in {@code <data-dir>/bus/topics.json}. A topic's
 * partition count never changes (records are placed by {@code murmur3(key) mod partitions});
 * its retention is fixed at creation. Thread-safe.
 */
public final class TopicCatalog {

    /** A topic: name, partitions, retention in milliseconds and bytes (0 = no limit). */
    public record Topic(String name, int partitions, long retentionMs, long retentionBytes) {
        public Retention retention() {
            return new Retention(java.time.Duration.ofMillis(retentionMs), retentionBytes);
        }
    }

    private final JsonCatalog<Topic> catalog;

    private TopicCatalog(JsonCatalog<Topic> catalog) {
        this.catalog = catalog;
    }

    public static TopicCatalog load(Path busDir) {
        return new TopicCatalog(JsonCatalog.load(busDir.resolve("topics.json"), Topic.class, Topic::name));
    }

    /** Topic names: 1-120 letters, digits, '_', '.', '-', starting with a letter or digit. */
    public static void validateName(String name) {
        Names.validate("topic", name, 120);
    }

    public Optional<Topic> get(String name) {
        return catalog.get(name);
    }

    public List<Topic> list() {
        return catalog.list();
    }

    /**
     * Creates a topic, or returns the existing one when it is the same.
     *
     * @throws StrataException {@code topic_exists} when it exists with other settings
     */
    public Topic create(String name, int partitions, Retention retention) {
        validateName(name);
        if (partitions < 1 || partitions > BusSettings.MAX_PARTITIONS) {
            throw StrataException.invalid("invalid_partitions",
                    "partitions must be 1.." + BusSettings.MAX_PARTITIONS + ", got " + partitions);
        }
        Topic wanted = new Topic(name, partitions, retention.time().toMillis(), retention.bytes());
        Topic stored;
        try {
            stored = catalog.putIfAbsent(wanted);
        } catch (UncheckedIOException e) {
            throw new StrataException(StrataException.Kind.UNAVAILABLE, "storage_unavailable", e.getMessage());
        }
        if (!stored.equals(wanted)) {
            throw new StrataException(StrataException.Kind.CONFLICT, "topic_exists", "topic '" + name
                    + "' exists with other settings (" + stored.partitions() + " partitions, retention "
                    + stored.retentionMs() + " ms / " + stored.retentionBytes() + " bytes)");
        }
        return stored;
    }

    /** Removes a topic from the catalog; returns whether it existed. */
    public boolean remove(String name) {
        try {
            return catalog.remove(name);
        } catch (UncheckedIOException e) {
            throw new StrataException(StrataException.Kind.UNAVAILABLE, "storage_unavailable", e.getMessage());
        }
    }
}
