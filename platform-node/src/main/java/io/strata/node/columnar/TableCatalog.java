package io.strata.node.columnar;

import io.strata.node.common.StrataException;
import io.strata.node.storage.CatalogStores;
import io.strata.node.storage.DataLayout;
import io.strata.node.storage.NamedCatalog;

import java.util.concurrent.CompletionStage;

/**
 * The tables, kept durably in {@link DataLayout#tableCatalog()} (replicated over the nodes in a
 * cluster): each table's
 * schema (its data contract) and number of shards, both fixed at creation. Thread-safe.
 */
public final class TableCatalog extends NamedCatalog<TableCatalog.Table> {

    /** Most shards a table may have. */
    public static final int MAX_SHARDS = 256;

    /** A table: name, schema and shard count. */
    public record Table(String name, Schema schema, int shards) {}

    private TableCatalog(CatalogStores stores, DataLayout layout) {
        super(stores, layout.tableCatalog(), Table.class, Table::name, "table", 64);
    }

    /** Opens the table catalog from {@code stores} (in {@code layout} on a node on its own). */
    public static TableCatalog load(CatalogStores stores, DataLayout layout) {
        return new TableCatalog(stores, layout);
    }

    /**
     * Creates a table, or completes with the existing one when it is the same.
     * Fails with {@code table_exists} when it exists with another schema or shard count;
     * an invalid name or count is refused at once (thrown).
     */
    public CompletionStage<Table> create(String name, Schema schema, int shards) {
        validateName(name);
        if (shards < 1 || shards > MAX_SHARDS) {
            throw StrataException.invalid("invalid_shards", "shards must be 1.." + MAX_SHARDS + ", got " + shards);
        }
        return createOrGet(name, new Table(name, schema, shards),
                existing -> existing.shards() + " shards and its own schema; a table's contract never changes");
    }
}
