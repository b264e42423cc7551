package io.strata.node.plug;

import io.micrometer.core.instrument.MeterRegistry;
import io.strata.node.NodeSettings;
import io.strata.node.cluster.NodeDirectory;
import io.strata.node.limits.ConnectionLimits;
import io.strata.node.limits.MemoryGuard;
import io.strata.node.metrics.NodeMetrics;
import io.strata.node.storage.CatalogStores;
import io.strata.node.storage.Closings;
import io.strata.node.storage.DataLayout;
import io.strata.node.storage.DiskSpace;
import io.strata.node.storage.Durability;
import io.strata.node.storage.GroupCommitter;
import org.apache.pekko.actor.typed.ActorSystem;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * What the node shares with every store and door it composes: each area's static {@code start}
 * builds its storage, catalog and sharded entities from it, each door's opening binds from it.
 * The node builds one context once its actor system runs and its catalogs are opened, and owns
 * everything in it: a store or door closes none of it, but registers what it opens itself with
 * {@link #closings}.
 *
 * @param settings         the node's validated settings; each area reads its own part
 * @param system           the node's actor system, a cluster member once doors open
 * @param layout           where each store keeps its files under the data directory
 * @param space            the free-space reserve every write checks
 * @param committer        the node's one group committer, present when any store fsyncs; see {@link #committerFor}
 * @param blockingIo       the executor for file I/O that can block
 * @param closings         logs and files closed before the node releases its storage at shutdown
 * @param metrics          the node's meters
 * @param memory           the node's memory ceiling
 * @param connectionLimits how many connections each door may hold, within the process's file descriptors
 * @param catalogs         where the catalogs of keyspaces, topics, tables and jobs are kept
 * @param catalogsReady    completes once the catalogs are whole (read from a majority in a cluster); a store
 *                         removes the files of names no longer listed only then
 * @param directory        the cluster's nodes and their HTTP addresses, in a cluster of a cluster file
 */
public record NodeContext(NodeSettings settings, ActorSystem<Void> system, DataLayout layout, DiskSpace space,
                          Optional<GroupCommitter> committer, Executor blockingIo, Closings closings, NodeMetrics metrics,
                          MemoryGuard memory, ConnectionLimits connectionLimits, CatalogStores catalogs,
                          CompletionStage<Void> catalogsReady, Optional<NodeDirectory> directory) {

    /** The committer a store of this durability hands its logs: the node's one, so stores share fsyncs; none for mmap. */
    public Optional<GroupCommitter> committerFor(Durability durability) {
        return durability == Durability.FSYNC ? committer : Optional.empty();
    }

    /** How long an edge (a route, a door) waits for an entity's reply. */
    public Duration askTimeout() {
        return settings.askTimeout();
    }

    /** The registry every store's and door's meters go in: {@code GET /metrics} serves it. */
    public MeterRegistry registry() {
        return metrics.registry();
    }
}
