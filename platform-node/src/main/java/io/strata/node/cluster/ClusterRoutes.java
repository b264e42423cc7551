package io.strata.node.cluster;

import io.strata.node.common.Futures;
import io.strata.node.http.ErrorHandling;
import io.strata.node.http.Json;
import io.strata.node.common.StrataException;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;

/**
 * The cluster as this node sees it:
 * <pre>
 * GET  /cluster            members (address, node name, status, reachable, roles), the unreachable ones, the
 *                          leader, KV shards per node and here; in a cluster of a cluster file also each
 *                          node's gateway and how many partitions of each kind live on each node, the
 *                          moves in progress, and per node of the file its status, reachability and
 *                          whether its partitions can be served. Always 200 at once from this node's
 *                          own view (see {@link #describe})
 * GET  /cluster/placement  every partition's home ({@code kind/id}: node, or node (moving from node))
 * POST /cluster/leave      this node hands its partitions over to the other data nodes, then stops (202);
 *                          409 last_data_node when it homes partitions and no other data node is Up
 * </pre>
 */
public final class ClusterRoutes extends AllDirectives {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterRoutes.class);

    private final ActorSystem<?> system;
    private final Duration timeout;
    private final PartitionKind shardsShown;
    private final Optional<NodeDirectory> directory;
    private final Optional<PartitionMover> mover;
    private final Duration handoverTimeout;
    private final AtomicBoolean leaving = new AtomicBoolean();

    /**
     * @param shardsShown the kind of partition whose shards {@code GET /cluster} lists (as {@code kv_shards})
     * @param directory   the node directory, in a cluster of a cluster file; empty on a node on its own
     * @param mover       hands this node's partitions over when it leaves, in a cluster of a cluster file
     */
    public ClusterRoutes(ActorSystem<?> system, Duration timeout, PartitionKind shardsShown, Optional<NodeDirectory> directory,
                         Optional<PartitionMover> mover, Duration handoverTimeout) {
        this.system = system;
        this.timeout = timeout;
        this.shardsShown = shardsShown;
        this.directory = directory;
        this.mover = mover;
        this.handoverTimeout = handoverTimeout;
    }

    public Route routes() {
        return pathPrefix("cluster", () -> concat(
                pathEnd(() -> get(() -> completeWithFuture(describe().handle((body, failure) ->
                        failure == null ? Json.ok(body) : ErrorHandling.toResponse(failure))))),
                path("placement", () -> get(() -> complete(Json.ok(placement())))),
                path("leave", () -> post(this::leave))));
    }

    private Map<String, Object> placement() {
        Map<String, Object> entries = new TreeMap<>();
        if (directory.isPresent()) {
            PlacementTable.get(system).entries().forEach((key, entry) -> entries.put(key, entry.toString()));
        }
        return Map.of("partitions", entries);
    }

    private Route leave() {
        if (mover.isEmpty()) {
            return complete(ErrorHandling.toResponse(StrataException.invalid("not_in_a_cluster",
                    "this node is on its own: there is no other node to hand its partitions to; stop it instead")));
        }
        long homed = homedHere();
        // The same nodes the handover would pick from: Up, reachable and not leaving themselves.
        boolean othersUp = DataNodes.placeable(org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system)),
                PlacementTable.get(system)).keySet().stream().anyMatch(node -> !node.equals(selfName()));
        // Leaving anyway would stop the node with its partitions still on its disk: a stop, not a handover.
        if (homed > 0 && !othersUp && !leaving.get()) {
            return complete(ErrorHandling.toResponse(new StrataException(StrataException.Kind.CONFLICT, "last_data_node",
                    "no other data node is Up to take this node's " + homed + " partitions; start another node first,"
                            + " or stop this one (its partitions stay on its disk until it returns)")));
        }
        if (leaving.compareAndSet(false, true)) {
            Thread handover = new Thread(() -> {
                try {
                    int left = mover.get().handOver(handoverTimeout);
                    LOG.info("leaving the cluster: {} partitions not handed over", left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    CoordinatedShutdown.get(Adapter.toClassic(system)).runAll(CoordinatedShutdown.clusterLeavingReason());
                }
            }, "strata-handover");
            handover.start();
        }
        return complete(Json.response(StatusCodes.ACCEPTED, Map.of("leaving", true, "partitions", homed)));
    }

    private long homedHere() {
        return PlacementTable.get(system).entries().values().stream().filter(e -> e.home().equals(selfName())).count();
    }

    private String selfName() {
        return system.settings().config().getString("strata.cluster.node");
    }

    /**
     * The cluster as this node sees it now, from its own copy of the membership, reachability and
     * placement, so it answers at once while a member is unreachable or down. Only the other
     * nodes' shard statistics are asked for, within {@code timeout}, and not at all while a member
     * is unreachable: the coordinator that gathers them waits for every region it knows.
     */
    private CompletionStage<Map<String, Object>> describe() {
        ClusterEvent.CurrentClusterState state = org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system)).state();
        ClusterSharding sharding = ClusterSharding.get(system);
        CompletionStage<Optional<ShardRegion.ClusterShardingStats>> stats = state.getUnreachable().isEmpty()
                ? optional(AskPattern.ask(sharding.shardState(),
                        replyTo -> new GetClusterShardingStats(shardsShown.typeKey(), timeout, replyTo), timeout, system.scheduler()))
                : CompletableFuture.completedFuture(Optional.empty());
        CompletionStage<Optional<ShardRegion.CurrentShardRegionState>> local = optional(AskPattern.ask(sharding.shardState(),
                replyTo -> new GetShardRegionState(shardsShown.typeKey(), replyTo), timeout, system.scheduler()));
        return stats.thenCombine(local, (clusterStats, localState) -> body(state, clusterStats, localState));
    }

    /** The answer of {@code ask}, or empty when it fails or times out. */
    private static <T> CompletionStage<Optional<T>> optional(CompletionStage<T> ask) {
        return Futures.direct(ask).thenApply(Optional::of).exceptionally(failure -> Optional.empty());
    }

    private Map<String, Object> body(ClusterEvent.CurrentClusterState state, Optional<ShardRegion.ClusterShardingStats> clusterStats,
                                     Optional<ShardRegion.CurrentShardRegionState> localState) {
        Set<Member> unreachable = state.getUnreachable();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("self", Cluster.get(system).selfMember().address().toString());
        body.put("leader", state.getLeader() == null ? null : state.getLeader().toString());
        List<Map<String, Object>> members = new ArrayList<>();
        for (Member m : state.getMembers()) {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("address", m.address().toString());
            DataNodes.nameOf(m).ifPresent(name -> member.put("node", name));
            member.put("status", m.status().toString());
            member.put("reachable", !unreachable.contains(m));
            member.put("roles", m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList());
            members.add(member);
        }
        body.put("members", members);
        body.put("unreachable", unreachable.stream().map(m -> m.address().toString()).sorted().toList());
        Map<String, Object> regions = new TreeMap<>();
        clusterStats.ifPresent(cs -> cs.getRegions().forEach((address, region) -> {
            int entities = region.getStats().values().stream().mapToInt(n -> ((Number) n).intValue()).sum();
            regions.put(address.toString(), Map.of("shards", region.getStats().size(), "partitions", entities));
        }));
        Map<String, List<String>> localShards = new TreeMap<>();
        localState.ifPresent(ls -> ls.getShards().forEach(shard -> localShards.put(shard.shardId(),
                shard.getEntityIds().stream().sorted().toList())));
        // The coordinator answers an empty map when a region did not answer in time.
        body.put("kv_shards", Map.of("by_node", regions, "local", localShards, "complete", !regions.isEmpty() && localState.isPresent()));
        directory.ifPresent(d -> {
            body.put("node", selfName());
            body.put("gateways", d.gateways());
            Map<String, Map<String, Integer>> byNode = new TreeMap<>();
            List<String> moving = new ArrayList<>();
            PlacementTable.get(system).entries().forEach((key, entry) -> {
                byNode.computeIfAbsent(entry.home(), n -> new TreeMap<>())
                        .merge(key.substring(0, key.indexOf('/')), 1, Integer::sum);
                if (entry.isMoving()) {
                    moving.add(key + ": " + entry);
                }
            });
            body.put("partitions_by_node", byNode);
            body.put("moving", moving);
            body.put("nodes", nodes(state, d, byNode));
        });
        return body;
    }

    /**
     * Each node of the cluster file (and any other member with a node name): its member status
     * ({@code absent} when it is not a member: not started, or down and removed), whether this node
     * reaches it, its gateway, how many partitions it homes and whether they can be served now.
     */
    private Map<String, Object> nodes(ClusterEvent.CurrentClusterState state, NodeDirectory directory,
                                      Map<String, Map<String, Integer>> partitionsByNode) {
        Map<String, Member> members = new TreeMap<>();
        for (Member m : state.getMembers()) {
            // A restarted node may still be listed in its old incarnation too: the Up one is the node.
            DataNodes.nameOf(m).ifPresent(name -> members.merge(name, m, (a, b) -> b.status() == MemberStatus.up() ? b : a));
        }
        Set<String> names = new TreeSet<>(system.settings().config().getStringList("strata.cluster.nodes"));
        names.addAll(members.keySet());
        Map<String, Object> nodes = new LinkedHashMap<>();
        for (String name : names) {
            Optional<Member> member = Optional.ofNullable(members.get(name));
            boolean reachable = member.isPresent() && !state.getUnreachable().contains(member.get());
            boolean up = member.isPresent() && member.get().status() == MemberStatus.up();
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("status", member.map(m -> m.status().toString()).orElse("absent"));
            node.put("reachable", reachable);
            node.put("gateway", directory.gatewayOf(name).orElse(null));
            node.put("partitions", partitionsByNode.getOrDefault(name, Map.of()).values().stream().mapToInt(Integer::intValue).sum());
            node.put("partitions_available", up && reachable);
            nodes.put(name, node);
        }
        return nodes;
    }
}
