package io.strata.node.columnar;

import io.strata.node.common.Names;
import io.strata.node.common.StrataException;
import io.strata.node.storage.JsonCatalog;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The tables of this node, kept durably in {@code <data-dir>/tables/tables.json}: each table's
 * schema (its data contract) and number of shards, both fixed at creation. Thread-safe.
 */
public final class TableCatalog {

    /** Most shards a table may have. */
    public static final int MAX_SHARDS = 256;

    /** A table: name, schema and shard count. */
    public record Table(String name, Schema schema, int shards) {}

    private final JsonCatalog<Table> catalog;

    private TableCatalog(JsonCatalog<Table> catalog) {
        this.catalog = catalog;
    }

    public static TableCatalog load(Path tablesDir) {
        return new TableCatalog(JsonCatalog.load(tablesDir.resolve("tables.json"), Table.class, Table::name));
    }

    /** Table names: 1-64 letters, digits, '_', '.', '-', starting with a letter or digit. */
    public static void validateName(String name) {
        Names.validate("table", name, 64);
    }

    public Optional<Table> get(String name) {
        return catalog.get(name);
    }

    /** The table, or {@code table_not_found} (404). */
    public Table table(String name) {
        validateName(name);
        return get(name).orElseThrow(() -> new StrataException(StrataException.Kind.NOT_FOUND, "table_not_found",
                "table '" + name + "' does not exist"));
    }

    public List<Table> list() {
        return catalog.list();
    }

    /**
     * Creates a table, or returns the existing one when it is the same.
     *
     * @throws StrataException {@code table_exists} when it exists with another schema or shard count
     */
    public Table create(String name, Schema schema, int shards) {
        validateName(name);
        if (shards < 1 || shards > MAX_SHARDS) {
            throw StrataException.invalid("invalid_shards", "shards must be 1.." + MAX_SHARDS + ", got " + shards);
        }
        Table wanted = new Table(name, schema, shards);
        Table stored;
        try {
            stored = catalog.putIfAbsent(wanted);
        } catch (UncheckedIOException e) {
            throw new StrataException(StrataException.Kind.UNAVAILABLE, "storage_unavailable", e.getMessage());
        }
        if (!stored.equals(wanted)) {
            throw new StrataException(StrataException.Kind.CONFLICT, "table_exists",
                    "table '" + name + "' exists with another schema or shard count; a table's contract never changes");
        }
        return stored;
    }

    /** Removes a table; returns whether it existed. */
    public boolean remove(String name) {
        try {
            return catalog.remove(name);
        } catch (UncheckedIOException e) {
            throw new StrataException(StrataException.Kind.UNAVAILABLE, "storage_unavailable", e.getMessage());
        }
    }
}
