package io.strata.node.kv;

import io.strata.node.storage.Closings;

import io.strata.node.common.PartitionId;
import io.strata.node.kv.KeyspaceCatalog.Keyspace;
import io.strata.node.storage.DataLayout;
import io.strata.node.storage.DiskSpace;
import io.strata.node.limits.MemoryGuard;
import io.strata.node.storage.GroupCommitter;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * What a partition needs from its node besides settings: where its files live, the group
 * committer (fsync mode only), an executor for blocking file work, metrics, a clock and the
 * keyspace catalog.
 *
 * @param layout     where each partition keeps its files ({@link DataLayout#kvPartitionDir})
 * @param space      the data directory's free-space guard, which every log append claims from
 * @param clock      epoch milliseconds; injectable so tests can move time
 * @param keyspaceOf the keyspace of a name as a majority of the cluster's nodes knows it (blocking
 *                   in a cluster), empty once it is deleted: a partition starts only for a keyspace
 *                   that exists
 * @param snapshotsInFlight each partition's snapshot still being written, if any
 * @param memory     the node's memory ceiling: partitions report what they hold and ask it before growing
 * @param closings   the logs of stopped partitions still closing, which their next incarnation waits for
 * @param local      the partitions running on this node, which the store sends commands to directly
 */
public record KvStorage(DataLayout layout, DiskSpace space, Optional<GroupCommitter> committer, Executor blockingIo,
                        KvMetrics metrics, LongSupplier clock, Function<String, Optional<Keyspace>> keyspaceOf,
                        Map<PartitionId, CompletableFuture<?>> snapshotsInFlight, MemoryGuard memory, Closings closings,
                        LocalPartitions local) {

    /** Storage without a memory ceiling (every write admitted), for partitions run without a node. */
    public KvStorage(DataLayout layout, DiskSpace space, Optional<GroupCommitter> committer, Executor blockingIo,
                     KvMetrics metrics, LongSupplier clock, Function<String, Optional<Keyspace>> keyspaceOf) {
        this(layout, space, committer, blockingIo, metrics, clock, keyspaceOf, MemoryGuard.unlimited());
    }

    public KvStorage(DataLayout layout, DiskSpace space, Optional<GroupCommitter> committer, Executor blockingIo,
                     KvMetrics metrics, LongSupplier clock, Function<String, Optional<Keyspace>> keyspaceOf, MemoryGuard memory) {
        this(layout, space, committer, blockingIo, metrics, clock, keyspaceOf, new ConcurrentHashMap<>(), memory,
                new Closings(blockingIo), new LocalPartitions());
    }

    public KvStorage(DataLayout layout, DiskSpace space, Optional<GroupCommitter> committer, Executor blockingIo,
                     KvMetrics metrics, LongSupplier clock, Function<String, Optional<Keyspace>> keyspaceOf, MemoryGuard memory,
                     Closings closings) {
        this(layout, space, committer, blockingIo, metrics, clock, keyspaceOf, new ConcurrentHashMap<>(), memory, closings,
                new LocalPartitions());
    }

    /** Records that partition {@code id} is writing a snapshot, until {@code write} completes. */
    public void snapshotStarted(PartitionId id, CompletableFuture<?> write) {
        snapshotsInFlight.put(id, write);
        write.whenComplete((done, failure) -> snapshotsInFlight.remove(id, write));
    }

    /**
     * Waits (on the blocking pool, where recovery runs) for a snapshot that an earlier incarnation
     * of partition {@code id} is still writing: it deletes the log cycles it covers, which must not
     * happen under a recovery reading them.
     */
    public void awaitSnapshot(PartitionId id, Duration limit) {
        CompletableFuture<?> write = snapshotsInFlight.get(id);
        if (write != null) {
            try {
                write.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // A failed or stuck snapshot deleted nothing it should not have; recovery reads what is there.
            }
        }
    }

    public Path partitionDir(PartitionId id) {
        return layout.kvPartitionDir(id);
    }
}
