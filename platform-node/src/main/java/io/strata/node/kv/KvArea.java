package io.strata.node.kv;

import io.strata.node.cluster.PartitionKind;
import io.strata.node.common.PartitionId;
import io.strata.node.plug.NodeContext;
import io.strata.node.plug.Store;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The KV store as the node composes it: {@link KvRoutes}, KV partitions for moves, and the
 * recovery of every partition at start. Thread-safe.
 */
public final class KvArea implements Store {

    private static final Logger LOG = LoggerFactory.getLogger(KvArea.class);
    /** Longest a move waits for a stopped partition's snapshot in flight. */
    private static final Duration SNAPSHOT_WAIT = Duration.ofSeconds(30);

    private final KvStore store;
    private final PartitionKind partitionKind;
    private final CompletableFuture<Long> recovered = new CompletableFuture<>();

    /**
     * Reads the keyspace catalog and starts the KV store on the node's shared storage: its partitions'
     * logs go through the node's committer when KV fsyncs, and close with the node's other logs.
     */
    public static KvArea create(NodeContext ctx) {
        KeyspaceCatalog keyspaces = KeyspaceCatalog.load(ctx.catalogs(), ctx.layout());
        KvSettings settings = ctx.settings().kv();
        KvStorage storage = new KvStorage(ctx.layout(), ctx.space(), ctx.committerFor(settings.durability()), ctx.blockingIo(),
                new KvMetrics(ctx.registry()), System::currentTimeMillis, keyspaces::awaitConfirmed, ctx.memory(),
                ctx.closings());
        return new KvArea(KvStore.start(ctx.system(), settings, storage, keyspaces, ctx.catalogsReady(), ctx.askTimeout()),
                storage);
    }

    private KvArea(KvStore store, KvStorage storage) {
        this.store = store;
        this.partitionKind = new PartitionKind(KvPartition.TYPE_KEY, id -> storage.partitionDir(PartitionId.fromEntityId(id)),
                id -> storage.awaitSnapshot(PartitionId.fromEntityId(id), SNAPSHOT_WAIT));
    }

    public KvStore store() {
        return store;
    }

    @Override
    public String name() {
        return "kv";
    }

    @Override
    public List<Route> routes() {
        return List.of(new KvRoutes(store).routes());
    }

    /** KV partitions: the kind whose shards {@code GET /cluster} lists. */
    public PartitionKind partitionKind() {
        return partitionKind;
    }

    @Override
    public List<PartitionKind> partitionKinds() {
        return List.of(partitionKind);
    }

    /** Recovers every partition of the catalog in the background; {@link #recovered} tells when. */
    @Override
    public void start() {
        long recoveryStart = System.nanoTime();
        store.recoverAll().whenComplete((stats, failure) -> {
            long millis = (System.nanoTime() - recoveryStart) / 1_000_000;
            if (failure != null) {
                LOG.error("KV recovery failed after {} ms; affected partitions refuse requests until they recover", millis, failure);
                recovered.completeExceptionally(failure);
            } else {
                LOG.info("KV recovered: {} partitions, {} keys in {} ms", stats.partitions(), stats.keys(), millis);
                recovered.complete(millis);
            }
        });
    }

    /** Completes with the recovery time in milliseconds once every partition has recovered. */
    public CompletionStage<Long> recovered() {
        return recovered;
    }

    /** Whether every partition has recovered, without failure. */
    public boolean isRecovered() {
        return recovered.isDone() && !recovered.isCompletedExceptionally();
    }
}
