package io.strata.node.cluster;

import io.strata.node.common.Futures;
import io.strata.node.http.ErrorHandling;
import io.strata.node.http.Json;
import io.strata.node.kv.KvPartition;
import org.apache.pekko.actor.typed.ActorSystem;
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
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /cluster}: the members of the cluster (address, status, roles), the leader, this
 * node, and the placement of KV shards: how many shards and partitions each node hosts, and for
 * this node which partitions live in which shard.
 */
public final class ClusterRoutes extends AllDirectives {

    private final ActorSystem<?> system;
    private final Duration timeout;

    public ClusterRoutes(ActorSystem<?> system, Duration timeout) {
        this.system = system;
        this.timeout = timeout;
    }

    public Route routes() {
        return path("cluster", () -> get(() -> completeWithFuture(describe().handle((body, failure) ->
                failure == null ? Json.ok(body) : ErrorHandling.toResponse(failure)))));
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
            return body;
        });
    }
}
