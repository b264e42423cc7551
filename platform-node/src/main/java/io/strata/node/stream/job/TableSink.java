package io.strata.node.stream.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.columnar.Column;
import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.Schema;
import io.strata.node.columnar.TableCatalog;
import io.strata.node.columnar.TableStore;
import io.strata.node.columnar.ingest.RowParser;
import io.strata.node.common.Futures;
import io.strata.node.common.StrataException;
import io.strata.node.stream.window.AggregateSpec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Writes final window results to a columnar table, one row per key and window: the key column
 * (named as the key field, a string), {@code window_start}, {@code window_end} (timestamps) and
 * one nullable column per aggregate. The job creates the table if absent. Rows go as idempotent
 * inserts (producer {@code job:<name>:<incarnation>}, sequence = the checkpoint epoch they belong
 * to), so writing a checkpoint's rows again after a restart never adds them twice. A row the table
 * refuses (a sum that overflowed a float64 column) goes to the job's dead-letter topic instead.
 */
final class TableSink {

    private final TableStore tables;
    private final String table;
    private final String keyField;
    private final List<AggregateSpec> aggregates;
    private final DeadLetters deadLetters;

    TableSink(TableStore tables, String table, String keyField, List<AggregateSpec> aggregates, DeadLetters deadLetters) {
        this.tables = tables;
        this.table = table;
        this.keyField = keyField;
        this.aggregates = aggregates;
        this.deadLetters = deadLetters;
    }

    /** The schema a table sink writes: key, window bounds, one column per aggregate. */
    static Schema schema(String keyField, List<AggregateSpec> aggregates) {
        List<Column> columns = new ArrayList<>();
        columns.add(new Column(keyField, ColumnType.STRING, false));
        columns.add(new Column("window_start", ColumnType.TIMESTAMP, false));
        columns.add(new Column("window_end", ColumnType.TIMESTAMP, false));
        for (AggregateSpec a : aggregates) {
            columns.add(new Column(a.as(), typeOf(a.fn()), true));
        }
        return new Schema(columns);
    }

    static ColumnType typeOf(AggregateSpec.AggregateFn fn) {
        return switch (fn) {
            case COUNT, COUNT_DISTINCT, APPROX_COUNT_DISTINCT -> ColumnType.INT64;
            case SUM, AVG, MIN, MAX -> ColumnType.FLOAT64;
            // A last value may be of any JSON type: it is kept as its JSON text.
            case LAST -> ColumnType.STRING;
        };
    }

    /**
     * Creates the table of a sink when absent; fails with {@code invalid_sink} when a table of that
     * name has another schema.
     */
    static void ensureTable(TableStore tables, String table, String keyField, List<AggregateSpec> aggregates, int shards) {
        Schema schema = schema(keyField, aggregates);
        Optional<TableCatalog.Table> existing = tables.tables().stream().filter(t -> t.name().equals(table)).findFirst();
        if (existing.isEmpty()) {
            // Runs on the blocking-I/O pool, within a job's submit.
            Futures.join(tables.create(table, schema, shards));
        } else if (!existing.get().schema().equals(schema)) {
            throw StrataException.invalid("invalid_sink", "table '" + table + "' exists with another schema; a job's table sink"
                    + " needs " + schema.columns());
        }
    }

    /**
     * Inserts the rows of one checkpoint epoch, idempotently: as {@code producer}, with the epoch as
     * its sequence. Rows the table refuses go to the dead-letter topic first.
     */
    CompletionStage<Void> write(List<ResultRow> rows, String producer, long epoch) {
        if (rows.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<DeadLetters.Unstorable> refused = new ArrayList<>();
        List<ResultRow> fit = new ArrayList<>(rows.size());
        for (ResultRow row : rows) {
            row.unstorable().ifPresentOrElse(why -> refused.add(new DeadLetters.Unstorable(row, why)), () -> fit.add(row));
        }
        StringBuilder ndjson = new StringBuilder();
        for (ResultRow row : fit) {
            var json = row.toJson(keyField);
            for (AggregateSpec a : aggregates) {
                JsonNode v = json.get(a.as());
                if (a.fn() == AggregateSpec.AggregateFn.LAST && v != null && !v.isNull()) {
                    json.put(a.as(), v.isTextual() ? v.textValue() : v.toString());
                }
            }
            ndjson.append(json).append('\n');
        }
        RowParser.Parsed parsed = fit.isEmpty() ? null
                : RowParser.parseNdjson(ndjson.toString().getBytes(StandardCharsets.UTF_8), schema(keyField, aggregates));
        if (parsed != null) {
            parsed.rejections().forEach(r -> refused.add(new DeadLetters.Unstorable(fit.get(r.row()),
                    "table '" + table + "' refuses it: " + r.reason())));
        }
        // Rows are inserted after their dead letters are sent, as a checkpoint's rows are after the checkpoint.
        return deadLetters.results("table:" + table, refused).thenCompose(sent -> parsed == null || parsed.accepted() == 0
                ? CompletableFuture.completedFuture(null)
                : tables.insert(table, parsed, false, Optional.empty(), Optional.of(new TableStore.Producer(producer, epoch)))
                        .thenApply(result -> null));
    }

    String table() {
        return table;
    }
}
