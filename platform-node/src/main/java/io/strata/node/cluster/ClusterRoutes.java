package io.strata.node.cluster;

import io.strata.node.common.Futures;
import io.strata.node.http.ErrorHandling;
import io.strata.node.http.Json;
import io.strata.node.kv.KvPartition;
import io.strata.node.common.StrataException;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;

/**
 * The cluster as this node sees it:
 * <pre>
 * GET  /cluster            members (address, status, roles), the leader, this node, KV shards per node and
 *                          here; in a cluster of a cluster file also each node's gateway and how many
 *                          partitions of each kind live on each node, and the moves in progress
 * GET  /cluster/placement  every partition's home ({@code kind/id}: node, or node (moving from node))
 * POST /cluster/leave      this node hands its partitions over to the other data nodes, then stops (202);
 *                          409 last_data_node when it homes partitions and no other data node is Up
 * </pre>
 */
public final class ClusterRoutes extends AllDirectives {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterRoutes.class);

    private final ActorSystem<?> system;
    private final Duration timeout;
    private final Optional<NodeDirectory> directory;
    private final Optional<PartitionMover> mover;
    private final Duration handoverTimeout;
    private final AtomicBoolean leaving = new AtomicBoolean();

    /** The routes of a node on its own. */
    public ClusterRoutes(ActorSystem<?> system, Duration timeout) {
        this(system, timeout, Optional.empty(), Optional.empty(), Duration.ZERO);
    }

    /** The routes of a node of a cluster file, whose {@code mover} hands its partitions over when it leaves. */
    public ClusterRoutes(ActorSystem<?> system, Duration timeout, Optional<NodeDirectory> directory,
                         Optional<PartitionMover> mover, Duration handoverTimeout) {
        this.system = system;
        this.timeout = timeout;
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

    private CompletionStage<Map<String, Object>> describe() {
        Cluster cluster = Cluster.get(system);
        ClusterSharding sharding = ClusterSharding.get(system);
        CompletionStage<ShardRegion.ClusterShardingStats> stats = Futures.direct(AskPattern.ask(sharding.shardState(),
                replyTo -> new GetClusterShardingStats(KvPartition.TYPE_KEY, timeout, replyTo), timeout, system.scheduler()));
        CompletionStage<ShardRegion.CurrentShardRegionState> local = Futures.direct(AskPattern.ask(sharding.shardState(),
                replyTo -> new GetShardRegionState(KvPartition.TYPE_KEY, replyTo), timeout, system.scheduler()));
        return stats.thenCombine(local, (clusterStats, localState) -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("self", cluster.selfMember().address().toString());
            body.put("leader", cluster.state().getLeader() == null ? null : cluster.state().getLeader().toString());
            List<Map<String, Object>> members = new ArrayList<>();
            for (Member m : cluster.state().getMembers()) {
                members.add(Map.of("address", m.address().toString(), "status", m.status().toString(),
                        "roles", m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList()));
            }
            body.put("members", members);
            Map<String, Object> regions = new TreeMap<>();
            clusterStats.getRegions().forEach((address, region) -> {
                int entities = region.getStats().values().stream().mapToInt(n -> ((Number) n).intValue()).sum();
                regions.put(address.toString(), Map.of("shards", region.getStats().size(), "partitions", entities));
            });
            Map<String, List<String>> localShards = new TreeMap<>();
            localState.getShards().forEach(shard -> localShards.put(shard.shardId(),
                    shard.getEntityIds().stream().sorted().toList()));
            body.put("kv_shards", Map.of("by_node", regions, "local", localShards));
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
            });
            return body;
        });
    }
}
