package io.strata.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.cluster.ClusterSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a node's {@code GET /cluster} says: the members, each with the name of its node (from its
 * {@code node:<name>} role) and whether the answering node reaches it, the leader, how many partitions of each kind each node homes, and the
 * moves in progress.
 *
 * @param self             the address of the node that answered
 * @param leader           the leader's address, or null while there is none
 * @param members          the members, in the order the node listed them
 * @param partitionsByNode per node name: per kind ({@code kv-partition}, {@code table-shard}, ...) how many it homes
 * @param moving           the moves in progress, such as {@code kv-partition/items-3: n3 (moving from n1)}
 */
record ClusterState(String self, String leader, List<Member> members, Map<String, Map<String, Integer>> partitionsByNode,
                    List<String> moving) {

    /**
     * One member of the cluster.
     *
     * @param node    the node's name in the cluster file, or null if the member carries no {@code node:} role
     * @param address its cluster address
     * @param status    Up, Joining, Leaving, Down, ...
     * @param reachable whether the node that answered reaches it (a member killed stays Up but unreachable
     *                  until the split-brain resolver downs it)
     * @param roles     its roles, {@code node:<name>} included
     */
    record Member(String node, String address, String status, boolean reachable, List<String> roles) {

        /** Its status, and "unreachable" after it when it is. */
        String describe() {
            return reachable ? status : status + ", unreachable";
        }
    }

    static ClusterState of(JsonNode body) {
        List<Member> members = new ArrayList<>();
        for (JsonNode m : body.path("members")) {
            List<String> roles = new ArrayList<>();
            m.path("roles").forEach(r -> roles.add(r.asText()));
            String node = roles.stream().filter(r -> r.startsWith(ClusterSpec.NODE_ROLE_PREFIX))
                    .map(r -> r.substring(ClusterSpec.NODE_ROLE_PREFIX.length())).findFirst().orElse(null);
            members.add(new Member(node, m.path("address").asText(), m.path("status").asText(),
                    m.path("reachable").asBoolean(true), List.copyOf(roles)));
        }
        Map<String, Map<String, Integer>> partitions = new TreeMap<>();
        for (Map.Entry<String, JsonNode> node : body.path("partitions_by_node").properties()) {
            Map<String, Integer> kinds = new TreeMap<>();
            node.getValue().properties().forEach(kind -> kinds.put(kind.getKey(), kind.getValue().asInt()));
            partitions.put(node.getKey(), kinds);
        }
        List<String> moving = new ArrayList<>();
        body.path("moving").forEach(m -> moving.add(m.asText()));
        String leader = body.path("leader").isTextual() ? body.path("leader").asText() : null;
        return new ClusterState(body.path("self").asText(), leader, List.copyOf(members), partitions, List.copyOf(moving));
    }

    /** How many partitions {@code nodeName} homes, of every kind. */
    int partitionsOn(String nodeName) {
        return partitionsByNode.getOrDefault(nodeName, Map.of()).values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The member of node {@code nodeName}: its Up incarnation when a restarted node still has an old one listed. */
    Optional<Member> member(String nodeName) {
        return members.stream().filter(m -> nodeName.equals(m.node()))
                .reduce((a, b) -> b.status().equals("Up") ? b : a);
    }

    /** Whether the node is an Up member that the node which answered reaches. */
    boolean isUp(String nodeName) {
        return member(nodeName).map(m -> m.status().equals("Up") && m.reachable()).orElse(false);
    }

    /** The node name of the member at {@code address}, or the address itself if no member has it. */
    String nodeAt(String address) {
        return members.stream().filter(m -> m.address().equals(address) && m.node() != null)
                .map(Member::node).findFirst().orElse(address);
    }
}
