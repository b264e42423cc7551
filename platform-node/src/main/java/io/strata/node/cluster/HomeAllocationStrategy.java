package io.strata.node.cluster;

import io.strata.node.cluster.internal.ExpectedAllocationRefusals.PartitionNotPlaceable;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.dispatch.Futures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Allocates each shard (one partition) to the region of its home node as the
 * {@link PlacementTable} records it. A partition placed for the first time gets the home the
 * rendezvous hash picks among the Up, reachable data nodes, recorded on a majority before the
 * partition starts. While its home is not Up, or while it is moving, allocation fails: requests
 * for it wait and are refused, and it never starts on a node whose disk does not hold its files.
 *
 * <p>Rebalancing: a shard running anywhere but its recorded home is handed off (that is how a move
 * starts: the partition stops where it was, and its new home pulls its files). With
 * {@code strata.cluster.rebalance} on, partitions whose rendezvous winner among the Up data nodes
 * is another node (a node joined) are set moving there, a few at a time.
 */
final class HomeAllocationStrategy extends ShardCoordinator.AbstractShardAllocationStrategy
        implements ShardCoordinator.ActorSystemDependentAllocationStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(HomeAllocationStrategy.class);

    private final String type;
    private volatile Cluster cluster;
    private volatile PlacementTable table;
    private volatile boolean rebalance;
    private volatile int maxMoves;

    HomeAllocationStrategy(String type) {
        this.type = type;
    }

    @Override
    public void start(ActorSystem system) {
        cluster = Cluster.get(system);
        table = PlacementTable.get(Adapter.toTyped(system));
        rebalance = system.settings().config().getBoolean("strata.cluster.rebalance");
        maxMoves = system.settings().config().getInt("strata.cluster.max-concurrent-moves");
    }

    @Override
    public Future<ActorRef> allocateShard(ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> current) {
        String key = PlacementTable.keyOf(type, shardId);
        if (table.entry(key).isPresent()) {
            return FutureConverters.asScala(allocate(key, current));
        }
        // Not placed yet, or this node's copy lags: read a majority before placing it.
        return FutureConverters.asScala(table.refresh().thenCompose(read -> table.entry(key).isPresent()
                ? allocate(key, current) : place(key, shardId, current)));
    }

    private CompletionStage<ActorRef> allocate(String key, Map<ActorRef, IndexedSeq<String>> current) {
        PlacementTable.Entry entry = table.entry(key).orElseThrow();
        if (entry.isMoving()) {
            return CompletableFuture.failedFuture(new PartitionNotPlaceable("partition " + key + " is moving to node "
                    + entry.home() + " from node " + entry.movingFrom().get()));
        }
        return regionOf(entry.home(), current).<CompletionStage<ActorRef>>map(CompletableFuture::completedFuture)
                .orElseGet(() -> CompletableFuture.failedFuture(new PartitionNotPlaceable("partition " + key
                        + " lives on node " + entry.home() + ", which is not up with a shard region")));
    }

    private CompletionStage<ActorRef> place(String key, String shardId, Map<ActorRef, IndexedSeq<String>> current) {
        List<String> candidates = List.copyOf(DataNodes.placeable(cluster, table).keySet());
        if (candidates.isEmpty()) {
            return CompletableFuture.failedFuture(new PartitionNotPlaceable("no data node is up to place " + key));
        }
        String home = Placement.rendezvous(candidates, shardId);
        return table.write(key, PlacementTable.Entry.at(home)).thenCompose(confirmed -> confirmed
                ? allocate(key, current)
                : CompletableFuture.failedFuture(new PartitionNotPlaceable("the placement of " + key
                        + " was not confirmed by a majority of the nodes")));
    }

    @Override
    public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> current, Set<String> rebalanceInProgress) {
        Set<String> handOff = new HashSet<>();
        Map<String, Address> up = DataNodes.placeable(cluster, table);
        int moving = (int) table.entries().entrySet().stream()
                .filter(e -> e.getKey().startsWith(type + "/") && e.getValue().isMoving()).count();
        for (Map.Entry<ActorRef, IndexedSeq<String>> region : current.entrySet()) {
            Optional<String> node = DataNodes.nameAt(cluster, addressOf(region.getKey()));
            if (node.isEmpty()) {
                continue;
            }
            for (String shardId : scala.jdk.javaapi.CollectionConverters.asJava(region.getValue())) {
                String key = PlacementTable.keyOf(type, shardId);
                Optional<PlacementTable.Entry> entry = table.entry(key);
                if (entry.isEmpty() || rebalanceInProgress.contains(shardId)) {
                    continue;
                }
                if (!entry.get().home().equals(node.get())) {
                    handOff.add(shardId);
                } else if (rebalance && moving < maxMoves && up.containsKey(node.get())) {
                    String best = Placement.rendezvous(List.copyOf(up.keySet()), shardId);
                    if (!best.equals(node.get())) {
                        moving++;
                        LOG.info("moving partition {} from node {} to node {}", key, node.get(), best);
                        table.write(key, PlacementTable.Entry.moving(best, node.get()));
                    }
                }
            }
        }
        return Futures.successful(handOff);
    }

    private Optional<ActorRef> regionOf(String node, Map<ActorRef, IndexedSeq<String>> current) {
        Address address = DataNodes.upAndReachable(cluster).get(node);
        if (address == null) {
            return Optional.empty();
        }
        return current.keySet().stream().filter(region -> addressOf(region).equals(address)).findFirst();
    }

    /** A region's node address; a local region's path has no host, so it is this node's. */
    private Address addressOf(ActorRef region) {
        Address address = region.path().address();
        return address.hasLocalScope() ? cluster.selfAddress() : address;
    }
}
