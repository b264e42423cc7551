package io.strata.node.kv;

/**
 * Names one partition of a keyspace; its {@link #entityId()} is the Cluster Sharding entity id of
 * the {@link KvPartition} that owns it.
 */
public record PartitionId(String keyspace, int partition) {

    public String entityId() {
        return keyspace + "-" + partition;
    }

    /** Parses an entity id made by {@link #entityId()}; keyspace names may contain dashes. */
    public static PartitionId fromEntityId(String entityId) {
        int dash = entityId.lastIndexOf('-');
        if (dash <= 0 || dash == entityId.length() - 1) {
            throw new IllegalArgumentException("not a KV partition entity id: " + entityId);
        }
        return new PartitionId(entityId.substring(0, dash), Integer.parseInt(entityId.substring(dash + 1)));
    }

    @Override
    public String toString() {
        return entityId();
    }
}
