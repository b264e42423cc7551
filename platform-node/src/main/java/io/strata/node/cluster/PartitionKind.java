package io.strata.node.cluster;

import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A kind of partition a node keeps on its disk (KV partition, topic partition, table shard,
 * consumer group), as a move sees it: the sharded entity type, where a partition's files are (a
 * directory, or one file), and how to wait until a stopped partition has finished writing them.
 *
 * @param typeKey     the sharded entity type; its name is the kind's name in the placement table
 * @param filesOf     the directory (or file) holding the files of the partition with this entity id
 * @param awaitClosed blocks until the stopped partition of this entity id has no write in flight
 */
public record PartitionKind(EntityTypeKey<?> typeKey, Function<String, Path> filesOf, Consumer<String> awaitClosed) {

    public String name() {
        return typeKey.name();
    }
}
