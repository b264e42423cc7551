package io.strata.node.cluster;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import scala.collection.immutable.IndexedSeq;
import org.apache.pekko.dispatch.Futures;
import scala.concurrent.Future;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Allocates each shard (one partition) to the region of its home node ({@link Placement}), found
 * by the member's {@code node:<name>} role. When the home is not an Up member, allocation fails:
 * the coordinator retries it, requests for the partition wait and time out (503), and it never
 * starts on a node whose disk does not hold its logs. Never rebalances: a partition stays home.
 */
final class HomeAllocationStrategy extends ShardCoordinator.AbstractShardAllocationStrategy
        implements ShardCoordinator.ActorSystemDependentAllocationStrategy {

    private final Placement placement;
    private volatile Cluster cluster;

    HomeAllocationStrategy(Placement placement) {
        this.placement = placement;
    }

    @Override
    public void start(ActorSystem system) {
        cluster = Cluster.get(system);
    }

    @Override
    public Future<ActorRef> allocateShard(ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> current) {
        String home = placement.homeOf(shardId);
        Optional<Address> homeAddress = PartitionHomes.upAddress(cluster, home);
        if (homeAddress.isPresent()) {
            for (ActorRef region : current.keySet()) {
                if (addressOf(region).equals(homeAddress.get())) {
                    return Futures.successful(region);
                }
            }
        }
        return Futures.failed(new IllegalStateException("partition " + shardId + " lives on node " + home
                + ", which is " + (homeAddress.isPresent() ? "up but has no shard region yet" : "not an up member of the cluster")));
    }

    @Override
    public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> current, Set<String> rebalanceInProgress) {
        return Futures.successful(Set.of());
    }

    /** A region's node address; a local region's path has no host, so it is this node's. */
    private Address addressOf(ActorRef region) {
        Address address = region.path().address();
        return address.hasLocalScope() ? cluster.selfAddress() : address;
    }
}
