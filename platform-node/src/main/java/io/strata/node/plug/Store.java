package io.strata.node.plug;

import io.strata.node.cluster.PartitionKind;
import org.apache.pekko.Done;
import org.apache.pekko.http.javadsl.server.Route;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A storage area of the node (KV, bus, tables, jobs) as the node composes it: the routes the
 * gateway serves, the kinds of partition it keeps on this node's disk (for moves between nodes),
 * what it starts once the node serves and what it stops before its partitions stop. The area
 * builds its own store, storage and sharded entities; the node only holds the list.
 *
 * <p>The node calls {@link #start} once, from the thread that starts it, after the doors are open
 * and the catalogs read; {@link #stop} once, in the shutdown's service-unbind phase.
 */
public interface Store {

    /** A short lower-case name ({@code kv}, {@code bus}, ...): it names the store's shutdown task. */
    String name();

    /** The area's HTTP routes, tried in order after those of the stores before it. */
    List<Route> routes();

    /** The kinds of partition the area keeps on this node's disk; none by default. */
    default List<PartitionKind> partitionKinds() {
        return List.of();
    }

    /**
     * Starts what the area runs once the node serves (opening or recovering its partitions,
     * restarting its jobs); long work goes on in the background and logs its outcome.
     */
    default void start() {
    }

    /** Stops what the area runs on its own, before its partitions stop; completes when stopped. */
    default CompletionStage<Done> stop() {
        return CompletableFuture.completedFuture(Done.getInstance());
    }
}
