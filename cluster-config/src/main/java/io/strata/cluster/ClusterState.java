package io.strata.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.cluster.ClusterSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a node's {@code GET /cluster} says: the members, each with the name of its node (from its
 * {@code node:<name>} role), the leader, and how many KV shards and partitions each member hosts.
 *
 * @param self    the address of the node that answered
 * @param leader  the leader's address, or null while there is none
 * @param members the members, in the order the node listed them
 * @param shards  per member address: {@code [shards, partitions]}
 */
record ClusterState(String self, String leader, List<Member> members, Map<String, int[]> shards) {

    /**
     * One member of the cluster.
     *
     * @param node    the node's name in the cluster file, or null if the member carries no {@code node:} role
     * @param address its cluster address
     * @param status  Up, Joining, Leaving, ...
     * @param roles   its roles, {@code node:<name>} included
     */
    record Member(String node, String address, String status, List<String> roles) {}

    static ClusterState of(JsonNode body) {
        List<Member> members = new ArrayList<>();
        for (JsonNode m : body.path("members")) {
            List<String> roles = new ArrayList<>();
            m.path("roles").forEach(r -> roles.add(r.asText()));
            String node = roles.stream().filter(r -> r.startsWith(ClusterSpec.NODE_ROLE_PREFIX))
                    .map(r -> r.substring(ClusterSpec.NODE_ROLE_PREFIX.length())).findFirst().orElse(null);
            members.add(new Member(node, m.path("address").asText(), m.path("status").asText(), List.copyOf(roles)));
        }
        Map<String, int[]> shards = new LinkedHashMap<>();
        body.path("kv_shards").path("by_node").fields().forEachRemaining(e -> shards.put(e.getKey(),
                new int[] {e.getValue().path("shards").asInt(), e.getValue().path("partitions").asInt()}));
        String leader = body.path("leader").isTextual() ? body.path("leader").asText() : null;
        return new ClusterState(body.path("self").asText(), leader, List.copyOf(members), shards);
    }

    Optional<Member> member(String nodeName) {
        return members.stream().filter(m -> nodeName.equals(m.node())).findFirst();
    }

    boolean isUp(String nodeName) {
        return member(nodeName).map(m -> m.status().equals("Up")).orElse(false);
    }

    /** The node name of the member at {@code address}, or the address itself if no member has it. */
    String nodeAt(String address) {
        // A node lists its own shard region under its local address, which has no host and port.
        String full = address.contains("@") ? address : self;
        return members.stream().filter(m -> m.address().equals(full) && m.node() != null)
                .map(Member::node).findFirst().orElse(address);
    }
}
