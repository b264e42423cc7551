package io.strata.node.columnar;

import io.strata.node.cluster.PartitionKind;
import io.strata.node.common.PartitionId;
import io.strata.node.bus.BusStore;
import io.strata.node.plug.NodeContext;
import io.strata.node.plug.Store;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.Route;

import java.util.List;

/**
 * The columnar store as the node composes it: {@link TableRoutes} and table shards for moves;
 * a shard recovers on its first request. Thread-safe.
 */
public final class TableArea implements Store {

    private final TableStore tables;
    private final ActorSystem<?> system;
    private final PartitionKind shards;

    /**
     * Reads the table catalog and starts the columnar store on the node's shared storage: shard logs
     * go through the node's committer when tables fsync, scans run on the query dispatcher, and
     * tables fed from {@code bus} read its topics.
     */
    public static TableArea create(NodeContext ctx, BusStore bus) {
        TableCatalog catalog = TableCatalog.load(ctx.catalogs(), ctx.layout());
        ColumnarSettings settings = ctx.settings().columnar();
        ColumnarStorage storage = new ColumnarStorage(ctx.layout(), ctx.space(), ctx.committerFor(settings.durability()),
                ctx.blockingIo(), ctx.system().dispatchers().lookup(DispatcherSelector.fromConfig("strata.query-dispatcher")),
                new ColumnarMetrics(ctx.registry()), catalog::awaitConfirmed, ctx.memory(), ctx.closings());
        TableStore tables = TableStore.start(ctx.system(), settings, storage, catalog, ctx.catalogsReady(), bus,
                ctx.askTimeout());
        return new TableArea(tables, storage, ctx.system());
    }

    private TableArea(TableStore tables, ColumnarStorage storage, ActorSystem<?> system) {
        this.tables = tables;
        this.system = system;
        this.shards = new PartitionKind(TableShard.TYPE_KEY, id -> storage.shardDir(PartitionId.fromEntityId(id)), id -> { });
    }

    public TableStore store() {
        return tables;
    }

    @Override
    public String name() {
        return "tables";
    }

    @Override
    public List<Route> routes() {
        return List.of(new TableRoutes(tables, system).routes());
    }

    @Override
    public List<PartitionKind> partitionKinds() {
        return List.of(shards);
    }
}
