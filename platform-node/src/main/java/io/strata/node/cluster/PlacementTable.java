package io.strata.node.cluster;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each partition of the cluster lives: partition ({@code <entity type>/<shard id>}) to home
 * node, recorded when the partition is first placed and changed only by a move, replicated over the
 * nodes with Distributed Data and kept on each node's disk with the catalogs. A partition being
 * moved has a new home and the node it is moving from, whose disk still holds its files until the
 * new home has pulled them.
 *
 * <p>Every node reads its own copy; changes are written to a majority of the nodes.
 */
public final class PlacementTable implements Extension {

    /** The replicated map's key; it starts with {@code catalog-}, so it is kept on disk. */
    static final Key<LWWMap<String, String>> KEY = LWWMapKey.create("catalog-placement");

    /** The nodes handing their partitions over before they leave: node name to "true" or "false". */
    static final Key<LWWMap<String, String>> LEAVING_KEY = LWWMapKey.create("catalog-leaving");

    private static final String MOVING_FROM = "<";

    /** A partition's home, and while it moves, the node its files are still on. */
    public record Entry(String home, Optional<String> movingFrom) {

        static Entry at(String home) {
            return new Entry(home, Optional.empty());
        }

        static Entry moving(String to, String from) {
            return new Entry(to, Optional.of(from));
        }

        boolean isMoving() {
            return movingFrom.isPresent();
        }

        static Entry parse(String text) {
            int from = text.indexOf(MOVING_FROM);
            return from < 0 ? at(text) : moving(text.substring(0, from), text.substring(from + 1));
        }

        String format() {
            return movingFrom.map(from -> home + MOVING_FROM + from).orElse(home);
        }

        @Override
        public String toString() {
            return movingFrom.map(from -> home + " (moving from " + from + ")").orElse(home);
        }
    }

    private final ActorSystem<?> system;
    private final ActorRef<Replicator.Command> replicator;
    private final SelfUniqueAddress self;
    private final Duration timeout;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Set<String> leaving = ConcurrentHashMap.newKeySet();

    private PlacementTable(ActorSystem<?> system) {
        this.system = system;
        this.replicator = DistributedData.get(system).replicator();
        this.self = DistributedData.get(system).selfUniqueAddress();
        this.timeout = system.settings().config().getDuration("strata.cluster.catalog-timeout");
        Behavior<Replicator.SubscribeResponse<LWWMap<String, String>>> subscriber = Behaviors.receive((context, response) -> {
            if (response instanceof Replicator.Changed<LWWMap<String, String>> changed) {
                if (changed.key().equals(KEY)) {
                    replaceWith(changed.dataValue());
                } else {
                    Set<String> now = new HashSet<>();
                    changed.dataValue().getEntries().forEach((node, flag) -> {
                        if (Boolean.parseBoolean(flag)) {
                            now.add(node);
                        }
                    });
                    leaving.retainAll(now);
                    leaving.addAll(now);
                }
            }
            return Behaviors.same();
        });
        ActorRef<Replicator.SubscribeResponse<LWWMap<String, String>>> subscriberRef =
                system.systemActorOf(subscriber, "strata-placement-table", Props.empty());
        replicator.tell(new Replicator.Subscribe<>(KEY, subscriberRef));
        replicator.tell(new Replicator.Subscribe<>(LEAVING_KEY, subscriberRef));
    }

    /** The table of {@code system}'s cluster. */
    public static PlacementTable get(ActorSystem<?> system) {
        return Id.INSTANCE.apply(system);
    }

    /** The key of partition {@code shardId} of entity type {@code type}. */
    public static String keyOf(String type, String shardId) {
        return type + "/" + shardId;
    }

    /** The recorded entry of {@code key}, as this node's copy has it. */
    public Optional<Entry> entry(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    /** Every recorded entry, by key. */
    public Map<String, Entry> entries() {
        return new TreeMap<>(entries);
    }

    /** Records {@code entry} for {@code key} on a majority of the nodes. Completes with whether a majority confirmed it. */
    public CompletionStage<Boolean> write(String key, Entry entry) {
        return put(KEY, key, entry.format()).thenApply(confirmed -> {
            if (confirmed) {
                entries.put(key, entry);
            }
            return confirmed;
        });
    }

    /**
     * Nodes handing their partitions over before they leave: no partition is placed or moved onto
     * them. A node clears its mark when it starts.
     */
    public Set<String> leavingNodes() {
        return Set.copyOf(leaving);
    }

    /** Marks node {@code name} as leaving (or not) on a majority of the nodes. */
    public CompletionStage<Boolean> markLeaving(String name, boolean isLeaving) {
        return put(LEAVING_KEY, name, Boolean.toString(isLeaving)).thenApply(confirmed -> {
            if (confirmed && isLeaving) {
                leaving.add(name);
            } else if (confirmed) {
                leaving.remove(name);
            }
            return confirmed;
        });
    }

    private CompletionStage<Boolean> put(Key<LWWMap<String, String>> mapKey, String key, String value) {
        return AskPattern.<Replicator.Command, Replicator.UpdateResponse<LWWMap<String, String>>>ask(replicator,
                        replyTo -> new Replicator.Update<>(mapKey, LWWMap.create(), new Replicator.WriteMajority(timeout), replyTo,
                                map -> map.put(self, key, value)),
                        timeout.plusSeconds(1), system.scheduler())
                .thenApply(response -> response instanceof Replicator.UpdateSuccess<LWWMap<String, String>>);
    }

    /** Reads the table from a majority of the nodes into this node's copy. */
    public CompletionStage<Void> refresh() {
        return AskPattern.<Replicator.Command, Replicator.GetResponse<LWWMap<String, String>>>ask(replicator,
                        replyTo -> new Replicator.Get<>(KEY, new Replicator.ReadMajority(timeout), replyTo),
                        timeout.plusSeconds(1), system.scheduler())
                .thenAccept(response -> {
                    if (response instanceof Replicator.GetSuccess<LWWMap<String, String>> success) {
                        replaceWith(success.dataValue());
                    } else if (!(response instanceof Replicator.NotFound<LWWMap<String, String>>)) {
                        throw new IllegalStateException("the placement table could not be read from a majority of the nodes");
                    }
                });
    }

    private void replaceWith(LWWMap<String, String> map) {
        Map<String, String> current = map.getEntries();
        entries.keySet().retainAll(current.keySet());
        current.forEach((key, text) -> entries.put(key, Entry.parse(text)));
    }

    private static final class Id extends ExtensionId<PlacementTable> {
        static final Id INSTANCE = new Id();

        @Override
        public PlacementTable createExtension(ActorSystem<?> system) {
            return new PlacementTable(system);
        }
    }
}
