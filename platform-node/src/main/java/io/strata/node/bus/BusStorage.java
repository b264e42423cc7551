package io.strata.node.bus;

import io.strata.node.common.PartitionId;
import io.strata.node.storage.Closings;
import io.strata.node.storage.DiskSpace;
import io.strata.node.storage.DataLayout;
import io.strata.node.storage.GroupCommitter;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * What a topic partition needs from its node besides settings.
 *
 * @param layout      where each partition keeps its files ({@link DataLayout#topicPartitionDir})
 * @param space       the data directory's free-space guard, which every log append claims from
 * @param committer   present in fsync durability
 * @param blockingIo  executor for reads and file deletion
 * @param retentionOf the current retention of a topic, empty once the topic is gone
 * @param topicOf     the topic of a name as a majority of the cluster's nodes knows it (blocking in
 *                    a cluster), empty once it is deleted: a partition opens only for a topic that exists
 * @param clock       epoch milliseconds
 * @param closings    the logs of stopped partitions still closing, which their next incarnation waits for
 * @param local       the logs of the partitions open on this node, which reads use directly
 */
public record BusStorage(DataLayout layout, DiskSpace space, Optional<GroupCommitter> committer, Executor blockingIo,
                         BusMetrics metrics,
                         Function<String, Optional<Retention>> retentionOf,
                         Function<String, Optional<TopicCatalog.Topic>> topicOf, LongSupplier clock,
                         Closings closings, LocalPartitions local) {

    public Path partitionDir(PartitionId id) {
        return layout.topicPartitionDir(id);
    }
}
