package io.strata.node.columnar;

import io.strata.node.common.Names;
import io.strata.node.common.StrataException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A table's schema: its data contract. Column names are unique, 1-64 letters, digits, '_', '.' or
 * '-', starting with a letter or digit. Immutable.
 */
public record Schema(List<Column> columns) {

    /** Most columns a table may have. */
    public static final int MAX_COLUMNS = 1024;

    public Schema {
        columns = List.copyOf(columns);
        if (columns.isEmpty() || columns.size() > MAX_COLUMNS) {
            throw StrataException.invalid("invalid_schema", "a schema needs 1.." + MAX_COLUMNS + " columns, got " + columns.size());
        }
        Map<String, Integer> seen = new HashMap<>();
        for (Column c : columns) {
            Names.validate("column", c.name(), 64);
            if (c.type() == null) {
                throw StrataException.invalid("invalid_schema", "column '" + c.name() + "' has no type");
            }
            if (seen.put(c.name(), 0) != null) {
                throw StrataException.invalid("invalid_schema", "column '" + c.name() + "' appears twice");
            }
        }
    }

    /** The position of a column, or empty. */
    public Optional<Integer> indexOf(String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    /** The column called {@code name}, or {@code unknown_column} (400). */
    public Column column(String name) {
        return indexOf(name).map(columns::get).orElseThrow(() -> StrataException.invalid("unknown_column",
                "column '" + name + "' is not in the schema (columns: "
                        + String.join(", ", columns.stream().map(Column::name).toList()) + ")"));
    }

    public int size() {
        return columns.size();
    }
}
