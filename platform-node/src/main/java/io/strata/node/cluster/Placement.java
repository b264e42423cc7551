package io.strata.node.cluster;

import com.typesafe.config.Config;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Where partitions live in a cluster of a cluster file: each partition (KV partition, topic
 * partition, table shard, consumer group) is its own shard with a home node recorded in the
 * {@link PlacementTable} when it is first placed (the rendezvous hash's pick among the Up data
 * nodes). A partition's logs are on its home's disk, so it only ever runs there: while its home is
 * down it is unavailable, never recovered empty elsewhere; when the home returns, its partitions
 * come back from its disk. A partition moves (a node joined, or its home leaves gracefully) by
 * stopping, its new home pulling its directory from the old one, and the table changing.
 *
 * <p>A node started on its own (no cluster file) has no placement: Pekko's default strategy puts
 * every shard on it.
 */
public final class Placement {

    private final List<String> nodes;

    private Placement(List<String> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /** The placement {@code strata.cluster.nodes} describes (the data nodes of the cluster file), or none for a node on its own. */
    public static java.util.Optional<Placement> from(Config config) {
        List<String> nodes = config.getStringList("strata.cluster.nodes");
        return nodes.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(new Placement(nodes));
    }

    /**
     * The node the rendezvous hash picks for {@code id} among the file's data nodes: where a
     * partition not recorded in the {@link PlacementTable} (a stream job) lives.
     */
    public String homeOf(String id) {
        return rendezvous(nodes, id);
    }

    /** The highest-scoring of {@code nodes} for {@code id}: removing any other node never changes it. */
    public static String rendezvous(List<String> nodes, String id) {
        String best = null;
        long bestScore = Long.MIN_VALUE;
        for (String node : nodes) {
            long score = score(node, id);
            if (best == null || score > bestScore) {
                best = node;
                bestScore = score;
            }
        }
        return best;
    }

    /** {@code entity} placed as this node's configuration says: by home in a cluster of a cluster file, as is otherwise. */
    public static <M> Entity<M, ShardingEnvelope<M>> applyTo(org.apache.pekko.actor.typed.ActorSystem<?> system,
                                                             Entity<M, ShardingEnvelope<M>> entity) {
        return from(system.settings().config()).map(placement -> placement.apply(entity)).orElse(entity);
    }

    /** Registers {@code entity} with one shard per partition, each allocated to its home. */
    public <M> Entity<M, ShardingEnvelope<M>> apply(Entity<M, ShardingEnvelope<M>> entity) {
        return entity.withMessageExtractor(new OneShardPerPartition<M>())
                .withAllocationStrategy(new HomeAllocationStrategy(entity.typeKey().name()));
    }

    private static long score(String node, String id) {
        long h = 1125899906842597L;
        for (byte b : (node + '\u0000' + id).getBytes(StandardCharsets.UTF_8)) {
            h = 31 * h + b;
        }
        // A finalizer so similar names and ids spread evenly.
        h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
        h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    /** Each entity is its own shard: the shard id is the entity id. */
    static final class OneShardPerPartition<M> extends ShardingMessageExtractor<ShardingEnvelope<M>, M> {
        @Override
        public String entityId(ShardingEnvelope<M> envelope) {
            return envelope.entityId();
        }

        @Override
        public String shardId(String entityId) {
            return entityId;
        }

        @Override
        public M unwrapMessage(ShardingEnvelope<M> envelope) {
            return envelope.message();
        }
    }
}
