package io.strata.node.columnar;

import io.strata.node.cluster.PartitionKind;
import io.strata.node.common.PartitionId;
import io.strata.node.plug.Store;
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

    public TableArea(TableStore tables, ColumnarStorage storage, ActorSystem<?> system) {
        this.tables = tables;
        this.system = system;
        this.shards = new PartitionKind(TableShard.TYPE_KEY, id -> storage.shardDir(PartitionId.fromEntityId(id)), id -> { });
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
