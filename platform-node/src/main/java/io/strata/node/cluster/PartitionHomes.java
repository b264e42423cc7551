package io.strata.node.cluster;

import io.strata.node.common.PartitionId;
import io.strata.node.common.StrataException;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where this node's stores find a partition's home in a cluster of a cluster file
 * ({@link Placement}): whether this node is the home (it recovers its own partitions at startup),
 * and whether the home is up, so a request for a partition whose home is down fails at once with
 * {@code partition_unavailable} (503) instead of waiting out the ask timeout. On a node on its own
 * every partition is at home and always available.
 */
public final class PartitionHomes {

    private final Optional<Placement> placement;
    private final Optional<String> type;
    private final Optional<PlacementTable> table;
    private final String self;
    private final Cluster cluster;

    private PartitionHomes(Optional<Placement> placement, Optional<String> type, Optional<PlacementTable> table, String self,
                           Cluster cluster) {
        this.placement = placement;
        this.type = type;
        this.table = table;
        this.self = self;
        this.cluster = cluster;
    }

    /** Homes by the rendezvous hash over the cluster file's data nodes, for things the placement table does not record (stream jobs). */
    public static PartitionHomes of(ActorSystem<?> system) {
        return new PartitionHomes(Placement.from(system.settings().config()), Optional.empty(), Optional.empty(),
                system.settings().config().getString("strata.cluster.node"), Cluster.get(Adapter.toClassic(system)));
    }

    /** Homes of the partitions of sharded entity type {@code type}, as the {@link PlacementTable} records them. */
    public static PartitionHomes of(ActorSystem<?> system, String type) {
        Optional<Placement> placement = Placement.from(system.settings().config());
        return new PartitionHomes(placement, Optional.of(type), placement.map(p -> PlacementTable.get(system)),
                system.settings().config().getString("strata.cluster.node"), Cluster.get(Adapter.toClassic(system)));
    }

    /** Whether the partition (or group) {@code entityId} lives on this node (recorded here and not moving). */
    public boolean isHere(String entityId) {
        if (placement.isEmpty()) {
            return true;
        }
        if (table.isPresent()) {
            return recorded(entityId).filter(e -> !e.isMoving()).map(e -> e.home().equals(self)).orElse(false);
        }
        return placement.get().homeOf(entityId).equals(self);
    }

    /** The home node of {@code entityId}, empty on a node on its own or while it is not placed yet. */
    public Optional<String> homeOf(String entityId) {
        if (table.isPresent()) {
            return recorded(entityId).map(PlacementTable.Entry::home);
        }
        return placement.map(p -> p.homeOf(entityId));
    }

    private Optional<PlacementTable.Entry> recorded(String entityId) {
        return table.get().entry(PlacementTable.keyOf(type.orElseThrow(), entityId));
    }

    /** Why {@code entityId} cannot be served now ({@code partition_unavailable}), empty when its home is up and reachable. */
    public Optional<StrataException> unavailable(String entityId) {
        if (placement.isEmpty()) {
            return Optional.empty();
        }
        String home;
        if (table.isPresent()) {
            Optional<PlacementTable.Entry> entry = recorded(entityId);
            if (entry.isEmpty()) {
                return Optional.empty();  // placed on first use
            }
            if (entry.get().isMoving()) {
                return Optional.of(new StrataException(StrataException.Kind.UNAVAILABLE, "partition_moving",
                        "partition " + entityId + " is moving to node " + entry.get().home() + " from node "
                                + entry.get().movingFrom().get() + "; try again shortly"));
            }
            home = entry.get().home();
        } else {
            home = placement.get().homeOf(entityId);
        }
        ClusterEvent.CurrentClusterState state = cluster.state();
        Optional<Member> member = memberOf(state, home);
        String why;
        if (member.isEmpty()) {
            why = "is not a member of the cluster (down or not started)";
        } else if (member.get().status() != MemberStatus.up()) {
            why = "is " + member.get().status();
        } else if (state.getUnreachable().contains(member.get())) {
            why = "is unreachable";
        } else {
            return Optional.empty();
        }
        return Optional.of(new StrataException(StrataException.Kind.UNAVAILABLE, "partition_unavailable",
                "partition " + entityId + " lives on node " + home + ", which " + why
                        + "; it is back when that node is (its data is on that node's disk)"));
    }

    /**
     * Completes when {@code entityId} can be asked for now; fails at once with
     * {@code partition_unavailable} or {@code partition_moving} otherwise. This node's copy of the
     * placement table may lag a move, so before refusing it reads the table from a majority.
     */
    public CompletionStage<Void> whenAvailable(String entityId) {
        if (unavailable(entityId).isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        if (table.isEmpty()) {
            return CompletableFuture.failedFuture(unavailable(entityId).get());
        }
        return table.get().refresh().exceptionally(unread -> null).thenCompose(read -> unavailable(entityId)
                .<CompletionStage<Void>>map(CompletableFuture::failedFuture)
                .orElseGet(() -> CompletableFuture.completedFuture(null)));
    }

    /** Completes when every one of {@code partitions} can be asked for now; fails as {@link #whenAvailable} does. */
    public CompletionStage<Void> whenAllAvailable(List<PartitionId> partitions) {
        return CompletableFuture.allOf(partitions.stream().map(p -> whenAvailable(p.entityId()).toCompletableFuture())
                .toArray(CompletableFuture[]::new));
    }

    /** The address of node {@code name} when it is an Up member. */
    static Optional<Address> upAddress(Cluster cluster, String name) {
        return memberOf(cluster.state(), name).filter(m -> m.status() == MemberStatus.up()).map(Member::address);
    }

    /** The member of node {@code name}: its Up incarnation when a restarted node still has an old one listed. */
    private static Optional<Member> memberOf(ClusterEvent.CurrentClusterState state, String name) {
        String role = ClusterSpec.NODE_ROLE_PREFIX + name;
        Member found = null;
        for (Member member : state.getMembers()) {
            if (member.hasRole(role) && (found == null || member.status() == MemberStatus.up())) {
                found = member;
            }
        }
        return Optional.ofNullable(found);
    }
}
