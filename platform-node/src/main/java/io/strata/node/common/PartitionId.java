package io.strata.node.common;

/**
 * Names one partition of a keyspace or topic; its {@link #entityId()} is the Cluster Sharding
 * entity id of the actor that owns it.
 *
 * @param name      the keyspace or topic
 * @param partition 0 .. partitions-1
 */
public record PartitionId(String name, int partition) {

    public String entityId() {
        return name + "-" + partition;
    }

    /** Parses an entity id made by {@link #entityId()}; names may contain dashes. */
    public static PartitionId fromEntityId(String entityId) {
        int dash = entityId.lastIndexOf('-');
        if (dash <= 0 || dash == entityId.length() - 1) {
            throw new IllegalArgumentException("not a partition entity id: " + entityId);
        }
        return new PartitionId(entityId.substring(0, dash), Integer.parseInt(entityId.substring(dash + 1)));
    }

    @Override
    public String toString() {
        return entityId();
    }
}
