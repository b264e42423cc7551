package io.strata.node.kafka;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.strata.node.bus.TopicPartition;
import io.strata.node.cluster.ClusterSpec;
import io.strata.node.cluster.PartitionHomes;
import io.strata.node.cluster.Placement;
import io.strata.node.common.PartitionId;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who is which Kafka broker in a cluster, and which broker leads each topic partition.
 *
 * <p>Each node with a Kafka door announces itself in a cluster role, {@code kafka:<id>:<host>:<port>}
 * (its broker id and advertised address), set before its actor system starts; roles travel with
 * cluster membership, so every node knows every Up member's broker without a protocol of its own,
 * and a member that leaves or is downed stops being a broker at once. A partition's leader is its
 * home node as the replicated {@code PlacementTable} records it ({@link PartitionHomes}); its only
 * replica is its leader (a partition's log lives on one node's disk).
 *
 * <p>A partition not placed yet (no write or read has reached it) is led by the node asked: its
 * first request through any node places it, and the next Metadata names its home. A partition
 * whose home has no broker now (down, or a door not announced) has no leader
 * ({@code LEADER_NOT_AVAILABLE}): clients wait and ask again, as they do while a Kafka partition
 * elects a leader.
 *
 * <p>On a node on its own (no cluster file) this node is the only broker and leads everything, as
 * before clusters. Every answer is read from the cluster's current state and this node's copy of
 * the placement table, both kept up to date by their own subscriptions: nothing here blocks or
 * asks. Thread-safe.
 */
final class KafkaBrokers {

    /** The role prefix of a node's Kafka broker: {@code kafka:<id>:<host>:<port>}. */
    static final String ROLE_PREFIX = "kafka:";

    /** A broker as Metadata gives it to clients. */
    record Broker(int id, String host, int port) {}

    /** The leader of a partition: a broker id, or {@link #NONE} when its home has no broker now. */
    record Leader(int id, Optional<String> home) {
        static final int NONE = -1;

        boolean isKnown() {
            return id != NONE;
        }
    }

    private final int selfId;
    private final String selfName;
    private final Optional<PartitionHomes> homes;
    private final Optional<Cluster> cluster;

    private KafkaBrokers(int selfId, String selfName, Optional<PartitionHomes> homes, Optional<Cluster> cluster) {
        this.selfId = selfId;
        this.selfName = selfName;
        this.homes = homes;
        this.cluster = cluster;
    }

    /** The brokers of {@code system}'s cluster when it is one of a cluster file; this node alone otherwise. */
    static KafkaBrokers of(ActorSystem<?> system, KafkaSettings settings) {
        Config config = system.settings().config();
        if (Placement.from(config).isEmpty()) {
            return alone(settings.nodeId());
        }
        return new KafkaBrokers(settings.nodeId(), config.getString("strata.cluster.node"),
                Optional.of(PartitionHomes.of(system, TopicPartition.TYPE_KEY.name())),
                Optional.of(Cluster.get(Adapter.toClassic(system))));
    }

    /** This node as the only broker, leading every partition. */
    static KafkaBrokers alone(int nodeId) {
        return new KafkaBrokers(nodeId, "", Optional.empty(), Optional.empty());
    }

    /**
     * {@code config} with this node's broker role added to {@code pekko.cluster.roles}, when its
     * Kafka door is on and its advertised port is known before it binds (a fixed port, or an
     * advertised one); unchanged otherwise (a port picked at bind time cannot be announced, so other
     * nodes do not name this one in Metadata).
     */
    static Config withBrokerRole(Config config, KafkaSettings settings, String clusterHost) {
        Optional<String> role = roleOf(settings, clusterHost);
        if (role.isEmpty()) {
            return config;
        }
        List<String> roles = new ArrayList<>(config.getStringList("pekko.cluster.roles"));
        roles.add(role.get());
        return config.withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles));
    }

    /** The role announcing {@code settings}' door, if it can be announced before binding. */
    static Optional<String> roleOf(KafkaSettings settings, String clusterHost) {
        int port = settings.advertisedPort() != 0 ? settings.advertisedPort() : settings.port();
        if (!settings.enabled() || port == 0) {
            return Optional.empty();
        }
        return Optional.of(ROLE_PREFIX + settings.nodeId() + ":" + advertisedHost(settings, clusterHost) + ":" + port);
    }

    /** The host clients are told: the advertised one, else the bound one, else (a wildcard) the cluster host. */
    static String advertisedHost(KafkaSettings settings, String clusterHost) {
        if (!settings.advertisedHost().isEmpty()) {
            return settings.advertisedHost();
        }
        return settings.host().equals("0.0.0.0") || settings.host().equals("::") ? clusterHost : settings.host();
    }

    /** The broker a role announces, if {@code role} is a broker role. */
    static Optional<Broker> parseRole(String role) {
        if (!role.startsWith(ROLE_PREFIX)) {
            return Optional.empty();
        }
        String rest = role.substring(ROLE_PREFIX.length());
        int idEnd = rest.indexOf(':');
        int portStart = rest.lastIndexOf(':');
        if (idEnd < 0 || portStart <= idEnd) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Broker(Integer.parseInt(rest.substring(0, idEnd)), rest.substring(idEnd + 1, portStart),
                    Integer.parseInt(rest.substring(portStart + 1))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** This node's broker id. */
    int selfId() {
        return selfId;
    }

    /**
     * The brokers now, by node name: every Up member that announces a door, and this node at
     * {@code self} (also while it is joining or leaving, since it still answers).
     */
    Map<String, Broker> brokers(KafkaApis.BrokerAddress self) {
        Map<String, Broker> brokers = new LinkedHashMap<>();
        brokers.put(selfName, new Broker(selfId, self.host(), self.port()));
        cluster.ifPresent(c -> {
            ClusterEvent.CurrentClusterState state = c.state();
            for (Member member : state.getMembers()) {
                if (member.status() != MemberStatus.up() || state.getUnreachable().contains(member)) {
                    continue;
                }
                Optional<String> name = member.getRoles().stream().filter(r -> r.startsWith(ClusterSpec.NODE_ROLE_PREFIX))
                        .map(r -> r.substring(ClusterSpec.NODE_ROLE_PREFIX.length())).findFirst();
                Optional<Broker> broker = member.getRoles().stream().map(KafkaBrokers::parseRole).flatMap(Optional::stream)
                        .findFirst();
                if (name.isPresent() && broker.isPresent() && !name.get().equals(selfName)) {
                    brokers.put(name.get(), broker.get());
                }
            }
        });
        return brokers;
    }

    /** The leader of {@code topic}'s {@code partition} among {@code brokers} (from {@link #brokers}). */
    Leader leaderOf(String topic, int partition, Map<String, Broker> brokers) {
        Optional<String> home = homeOf(topic, partition);
        if (home.isEmpty()) {
            return new Leader(selfId, Optional.empty());
        }
        Broker broker = brokers.get(home.get());
        return new Leader(broker == null ? Leader.NONE : broker.id(), home);
    }

    /**
     * The node other than this one that {@code topic}'s {@code partition} lives on, if it lives
     * elsewhere: a Kafka client must send its produces and fetches there, not here.
     */
    Optional<String> elsewhere(String topic, int partition) {
        return homeOf(topic, partition).filter(home -> !home.equals(selfName));
    }

    private Optional<String> homeOf(String topic, int partition) {
        return homes.flatMap(h -> h.homeOf(new PartitionId(topic, partition).entityId()));
    }
}
