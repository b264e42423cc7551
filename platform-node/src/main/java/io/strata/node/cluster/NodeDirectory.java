package io.strata.node.cluster;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP gateway of every node of the cluster, by node name: each node enters its own at
 * startup, and every node keeps a copy (replicated with Distributed Data, on disk with the
 * catalogs), so a node can forward a request, or pull a partition's files, from another node's
 * gateway, including a node that joined after it started.
 */
public final class NodeDirectory {

    /** The replicated map's key; it starts with {@code catalog-}, so it is kept on disk with the catalogs. */
    static final Key<LWWMap<String, String>> KEY = LWWMapKey.create("catalog-nodes");

    private final Map<String, String> gateways = new ConcurrentHashMap<>();

    private NodeDirectory() {}

    /** Starts this node's copy and enters {@code selfName} at {@code httpBase} (such as {@code http://127.0.0.1:8081}). */
    public static NodeDirectory start(ActorSystem<?> system, String selfName, String httpBase, Duration timeout) {
        NodeDirectory directory = new NodeDirectory();
        directory.gateways.put(selfName, httpBase);
        ActorRef<Replicator.Command> replicator = DistributedData.get(system).replicator();
        SelfUniqueAddress self = DistributedData.get(system).selfUniqueAddress();
        Behavior<Replicator.SubscribeResponse<LWWMap<String, String>>> subscriber = Behaviors.receive((context, response) -> {
            if (response instanceof Replicator.Changed<LWWMap<String, String>> changed) {
                directory.gateways.putAll(changed.dataValue().getEntries());
            }
            return Behaviors.same();
        });
        replicator.tell(new Replicator.Subscribe<>(KEY, system.systemActorOf(subscriber, "strata-node-directory", Props.empty())));
        ActorRef<Replicator.UpdateResponse<LWWMap<String, String>>> ignore = system.ignoreRef();
        replicator.tell(new Replicator.Update<>(KEY, LWWMap.create(), new Replicator.WriteMajority(timeout), ignore,
                map -> map.put(self, selfName, httpBase)));
        return directory;
    }

    /** The gateway of node {@code name}, such as {@code http://127.0.0.1:8081}, when known. */
    public Optional<String> gatewayOf(String name) {
        return Optional.ofNullable(gateways.get(name));
    }

    /** Every known node's gateway, by name. */
    public Map<String, String> gateways() {
        return new TreeMap<>(gateways);
    }
}
