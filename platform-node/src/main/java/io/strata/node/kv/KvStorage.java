package io.strata.node.kv;

import io.strata.node.common.PartitionId;
import io.strata.node.storage.GroupCommitter;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * What a partition needs from its node besides settings: where its files live, the group
 * committer (fsync mode only), an executor for blocking file work, metrics and a clock.
 *
 * @param kvDir      directory under which each partition keeps {@code <keyspace>/<partition>/}
 * @param clock      epoch milliseconds; injectable so tests can move time
 */
public record KvStorage(Path kvDir, Optional<GroupCommitter> committer, Executor blockingIo,
                        KvMetrics metrics, LongSupplier clock) {

    public Path partitionDir(PartitionId id) {
        return kvDir.resolve(id.name()).resolve(Integer.toString(id.partition()));
    }
}
