package io.strata.node.columnar;

import io.strata.node.storage.Closings;

import io.strata.node.common.PartitionId;
import io.strata.node.storage.DataLayout;
import io.strata.node.storage.DiskSpace;
import io.strata.node.limits.MemoryGuard;
import io.strata.node.storage.GroupCommitter;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * What a table shard needs from its node besides settings.
 *
 * @param layout     where each shard keeps its files ({@link DataLayout#tableShardDir})
 * @param space      the data directory's free-space guard, which every log append and seal claims from
 * @param committer  present in fsync durability
 * @param blockingIo executor for recovery, sealing and file deletion
 * @param closings   the files of stopped shards still closing, which their next incarnation waits for
 * @param queries    executor that scans shards for queries and exports
 * @param tableOf    the current definition of a table, empty once it is gone
 * @param memory     the node's memory ceiling: shards report the rows they hold in memory and ask it before taking more
 */
public record ColumnarStorage(DataLayout layout, DiskSpace space, Optional<GroupCommitter> committer, Executor blockingIo,
                              Executor queries, ColumnarMetrics metrics, Function<String, Optional<TableCatalog.Table>> tableOf,
                              MemoryGuard memory, Closings closings) {

    public Path shardDir(PartitionId id) {
        return layout.tableShardDir(id);
    }
}
