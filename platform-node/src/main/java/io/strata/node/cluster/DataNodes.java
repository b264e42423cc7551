package io.strata.node.cluster;

import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The data nodes of a cluster of a cluster file as the cluster sees them now: members by node name. */
final class DataNodes {

    private static final String DATA_ROLE = "data";

    private DataNodes() {}

    /** The node name of {@code member} (its {@code node:<name>} role), if it has one. */
    static Optional<String> nameOf(Member member) {
        return member.getRoles().stream().filter(r -> r.startsWith(ClusterSpec.NODE_ROLE_PREFIX))
                .map(r -> r.substring(ClusterSpec.NODE_ROLE_PREFIX.length())).findFirst();
    }

    /** Data nodes that are Up and reachable: where partitions may be placed or moved now, by name. */
    static Map<String, Address> upAndReachable(Cluster cluster) {
        ClusterEvent.CurrentClusterState state = cluster.state();
        Map<String, Address> nodes = new TreeMap<>();
        for (Member member : state.getMembers()) {
            if (member.status() == MemberStatus.up() && member.hasRole(DATA_ROLE) && !state.getUnreachable().contains(member)) {
                nameOf(member).ifPresent(name -> nodes.put(name, member.address()));
            }
        }
        return nodes;
    }

    /** Data nodes a partition may be placed or moved onto now: Up, reachable and not leaving, by name. */
    static Map<String, Address> placeable(Cluster cluster, PlacementTable table) {
        Map<String, Address> nodes = upAndReachable(cluster);
        nodes.keySet().removeAll(table.leavingNodes());
        return nodes;
    }

    /** The node name of the member at {@code address}. */
    static Optional<String> nameAt(Cluster cluster, Address address) {
        for (Member member : cluster.state().getMembers()) {
            if (member.address().equals(address)) {
                return nameOf(member);
            }
        }
        return Optional.empty();
    }
}
