package io.strata.node.cluster;

import io.strata.node.storage.CatalogStore;
import io.strata.node.storage.CatalogStores;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The catalogs of a cluster of a cluster file: each kind is a map from name to item (as JSON)
 * replicated over the nodes with Pekko Distributed Data, kept on every node's disk (LMDB under
 * {@code <data-dir>/ddata}). A keyspace, topic or table created through any node's gateway is
 * known on every node.
 *
 * <p>Consistency: changes pass through one {@link CatalogWriter} (a cluster singleton) and are on
 * a majority of the nodes before they are acknowledged; the node that made a change then reads it
 * back from a majority, so it sees its own change at once. Every node reads its own copy, which
 * gossip brings up to date within seconds; a name its copy lacks is looked up on a majority before
 * the node says it does not exist. Listings are of the node's copy.
 */
public final class ReplicatedCatalogs implements CatalogStores {

    private final ActorSystem<?> system;
    private final ActorRef<Replicator.Command> replicator;
    private final ActorRef<CatalogWriter.Command> writer;
    private final Duration timeout;
    private final List<ReplicatedCatalog<?>> opened = new CopyOnWriteArrayList<>();

    private ReplicatedCatalogs(ActorSystem<?> system, ActorRef<CatalogWriter.Command> writer, Duration timeout) {
        this.system = system;
        this.replicator = DistributedData.get(system).replicator();
        this.writer = writer;
        this.timeout = timeout;
    }

    /** Starts (or joins) the cluster's catalog writer; {@code timeout} bounds each majority read and write. */
    public static ReplicatedCatalogs start(ActorSystem<?> system, Duration timeout) {
        ActorRef<CatalogWriter.Command> writer = ClusterSingleton.get(system)
                .init(SingletonActor.of(CatalogWriter.create(timeout), "strata-catalog-writer"));
        return new ReplicatedCatalogs(system, writer, timeout);
    }

    @Override
    public <T> CatalogStore<T> open(String kind, Path localFile, Class<T> type, Function<T, String> nameOf) {
        ReplicatedCatalog<T> catalog = new ReplicatedCatalog<>(system, replicator, writer, kind, type, nameOf, timeout);
        opened.add(catalog);
        return catalog;
    }

    /** Completes when every catalog opened so far has been read from a majority of the nodes. */
    @Override
    public CompletionStage<Void> ready() {
        return CompletableFuture.allOf(opened.stream().map(c -> c.refresh().toCompletableFuture())
                .toArray(CompletableFuture[]::new));
    }
}
