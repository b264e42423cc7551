package io.strata.node.cluster;

import io.strata.node.common.StrataException;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

import java.util.Optional;

/**
 * Where this node's stores find a partition's home in a cluster of a cluster file
 * ({@link Placement}): whether this node is the home (it recovers its own partitions at startup),
 * and whether the home is up, so a request for a partition whose home is down fails at once with
 * {@code partition_unavailable} (503) instead of waiting out the ask timeout. On a node on its own
 * every partition is at home and always available.
 */
public final class PartitionHomes {

    private final Optional<Placement> placement;
    private final String self;
    private final Cluster cluster;

    private PartitionHomes(Optional<Placement> placement, String self, Cluster cluster) {
        this.placement = placement;
        this.self = self;
        this.cluster = cluster;
    }

    /** The partition homes of {@code system}'s configuration. */
    public static PartitionHomes of(ActorSystem<?> system) {
        return new PartitionHomes(Placement.from(system.settings().config()),
                system.settings().config().getString("strata.cluster.node"), Cluster.get(Adapter.toClassic(system)));
    }

    /** Whether the partition (or group) {@code entityId} lives on this node. */
    public boolean isHere(String entityId) {
        return placement.map(p -> p.homeOf(entityId).equals(self)).orElse(true);
    }

    /** The home node of {@code entityId}, empty on a node on its own. */
    public Optional<String> homeOf(String entityId) {
        return placement.map(p -> p.homeOf(entityId));
    }

    /** Why {@code entityId} cannot be served now ({@code partition_unavailable}), empty when its home is up and reachable. */
    public Optional<StrataException> unavailable(String entityId) {
        if (placement.isEmpty()) {
            return Optional.empty();
        }
        String home = placement.get().homeOf(entityId);
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
