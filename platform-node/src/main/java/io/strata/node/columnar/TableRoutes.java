package io.strata.node.columnar;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.node.columnar.ingest.RowParser;
import io.strata.node.common.StrataException;
import io.strata.node.http.ErrorHandling;
import io.strata.node.http.Json;
import io.strata.node.http.StrataRoutes;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The table HTTP API:
 * <pre>
 * GET    /tables                              tables and their schemas
 * PUT    /tables/{t}                          {"columns": [{"name", "type", "nullable"}], "shards": N}
 * GET    /tables/{t}                          schema, rows, segments, bytes, compression per column
 * DELETE /tables/{t}
 * POST   /tables/{t}/rows[?atomic=true][&amp;dead_letter=TOPIC][&amp;producer=ID&amp;sequence=N]
 *                                             JSON array or object | NDJSON | CSV | Protobuf → accepted, rejected
 * POST   /tables/{t}/query[?format=csv|ndjson] a JSON query → {"columns", "rows", "stats"}, or the rows streamed
 * GET    /tables/{t}/export?format=csv|ndjson[&amp;columns=a,b]   every row, streamed
 * </pre>
 * CSV and NDJSON answers are also chosen by {@code Accept: text/csv} or {@code application/x-ndjson}.
 */
public final class TableRoutes extends StrataRoutes {

    private static final ContentType NDJSON = ContentTypes.create(MediaTypes.applicationWithOpenCharset("x-ndjson"), HttpCharsets.UTF_8);

    /** Formats a query answer or an export can be streamed in. */
    private enum Format { JSON, CSV, NDJSON }

    private final TableStore store;
    private final ActorSystem<?> system;

    public TableRoutes(TableStore store, ActorSystem<?> system) {
        this.store = store;
        this.system = system;
    }

    @Override
    public Route routes() {
        return pathPrefix("tables", () -> concat(
                pathEndOrSingleSlash(() -> get(() -> complete(Json.ok(Map.of("tables", store.tables()))))),
                pathPrefix(PathMatchers.segment(), table -> concat(
                        pathEnd(() -> concat(
                                put(() -> createTable(table)),
                                get(() -> respond(store.describe(table), Json::ok)),
                                delete(() -> respond(store.drop(table), done -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT))))),
                        path("rows", () -> post(() -> ingest(table))),
                        path("query", () -> post(() -> query(table))),
                        path("export", () -> get(() -> export(table)))))));
    }

    // ---- Tables -------------------------------------------------------------------------------

    private Route createTable(String table) {
        return entity(Unmarshaller.entityToByteArray(), body -> {
            store.validateName(table);
            TableSpec spec = TableSpec.of(body);
            int shards = spec.shards() == null ? store.settings().defaultShards() : spec.shards();
            Schema schema = spec.schema();
            boolean existed = store.tables().stream().anyMatch(t -> t.name().equals(table));
            return respondCreated(existed, store.create(table, schema, shards));
        });
    }

    /**
     * The body of {@code PUT /tables/{table}}: its columns, required, and its number of shards,
     * optional.
     *
     * @param columns each bound into a {@link ColumnSpec} in turn, so a refusal names the column at fault
     */
    record TableSpec(Integer shards, List<JsonNode> columns) {

        static TableSpec of(byte[] body) {
            JsonNode json = Json.parse(body);
            if (!json.isObject()) {
                throw StrataException.invalid("invalid_schema", "a table is a JSON object: {\"columns\": [...], \"shards\": N}");
            }
            Json.requireKnownFields(json, TableSpec.class, "invalid_schema", "table field");
            return Json.bind(json, TableSpec.class, field -> field.equals("shards")
                    ? StrataException.invalid("invalid_shards", "shards must be a whole number") : notColumns());
        }

        Schema schema() {
            if (columns == null) {
                throw notColumns();
            }
            return new Schema(columns.stream().map(c -> ColumnSpec.of(c).column()).toList());
        }

        private static StrataException notColumns() {
            return StrataException.invalid("invalid_schema", "columns must be an array of {\"name\", \"type\", \"nullable\"}");
        }
    }

    /** A column of {@link TableSpec}: its name and type, required, and whether it takes nulls (false by default). */
    record ColumnSpec(String name, String type, Boolean nullable) {

        static ColumnSpec of(JsonNode json) {
            if (!json.isObject()) {
                throw StrataException.invalid("invalid_schema", "each column is an object {\"name\", \"type\", \"nullable\"}");
            }
            Json.requireKnownFields(json, ColumnSpec.class, "invalid_schema", "column field");
            // A column is named in a refusal of its nullable only once its name and type are known good.
            boolean named = json.path("name").isTextual() && json.path("type").isTextual();
            return Json.bind(json, ColumnSpec.class, field -> field.equals("nullable") && named
                    ? StrataException.invalid("invalid_schema", "column '" + json.get("name").textValue()
                            + "': nullable must be true or false")
                    : unnamed());
        }

        Column column() {
            if (name == null || type == null) {
                throw unnamed();
            }
            return new Column(name, ColumnType.fromJson(type), nullable != null && nullable);
        }

        private static StrataException unnamed() {
            return StrataException.invalid("invalid_schema", "each column needs a \"name\" and a \"type\" (strings)");
        }
    }

    // ---- Ingest -------------------------------------------------------------------------------

    private Route ingest(String table) {
        return extractRequest(request -> parameterOptional("atomic", atomic -> parameterOptional("dead_letter", deadLetter ->
                parameterOptional("producer", producerId -> parameterOptional("sequence", sequence ->
                entity(Unmarshaller.entityToByteArray(), body -> {
                    Optional<TableStore.Producer> producer = producer(producerId, sequence);
                    String mediaType = request.entity().getContentType().mediaType().toString();
                    return respond(store.table(table).thenCompose(found -> {
                        Schema schema = found.schema();
                        RowParser.Parsed parsed = switch (mediaType) {
                            case "application/x-protobuf" -> RowParser.parseProtobuf(body, schema);
                            case "application/x-ndjson", "application/jsonl", "application/x-jsonlines" -> RowParser.parseNdjson(body, schema);
                            case "text/csv" -> RowParser.parseCsv(body, schema);
                            default -> RowParser.parseJson(body, schema);
                        };
                        return store.insert(table, parsed, flag(atomic, "atomic"), deadLetter.filter(t -> !t.isEmpty()), producer);
                    }), Json::ok);
                }))))));
    }

    private static Optional<TableStore.Producer> producer(Optional<String> id, Optional<String> sequence) {
        if (id.isEmpty() && sequence.isEmpty()) {
            return Optional.empty();
        }
        if (id.isEmpty() || sequence.isEmpty()) {
            throw StrataException.invalid("invalid_producer", "an idempotent insert names both producer and sequence");
        }
        try {
            return Optional.of(new TableStore.Producer(id.get(), Long.parseLong(sequence.get())));
        } catch (NumberFormatException e) {
            throw StrataException.invalid("invalid_producer", "sequence must be a whole number, got '" + sequence.get() + "'");
        }
    }

    private static boolean flag(Optional<String> value, String name) {
        if (value.isEmpty() || value.get().equals("false")) {
            return false;
        }
        if (value.get().equals("true") || value.get().isEmpty()) {
            return true;
        }
        throw StrataException.invalid("invalid_parameter", name + " must be true or false, got '" + value.get() + "'");
    }

    // ---- Queries and exports ------------------------------------------------------------------

    private Route query(String table) {
        return extractRequest(request -> parameterOptional("format", format -> entity(Unmarshaller.entityToByteArray(), body -> {
            JsonNode json = Json.parse(body);
            return respond(store.prepare(table, json).thenCompose(prepared -> {
                Format out = format(format, request);
                return out == Format.JSON ? store.query(prepared).thenApply(result -> Json.ok(result.toMap()))
                        : startStream(prepared, out);
            }), response -> response);
        })));
    }

    private Route export(String table) {
        return extractRequest(request -> parameterOptional("format", format -> parameterOptional("columns", columns -> {
            Format out = format(format, request);
            CompletionStage<TableStore.PreparedQuery> prepared = store.table(table).thenCompose(found -> {
                ObjectNode query = Json.MAPPER.createObjectNode();
                var select = query.putArray("select");
                if (columns.isPresent()) {
                    for (String c : columns.get().split(",")) {
                        select.add(c.trim());
                    }
                } else {
                    found.schema().columns().forEach(c -> select.add(c.name()));
                }
                return store.prepare(table, query);
            });
            return stream(prepared, out == Format.JSON ? Format.NDJSON : out);
        })));
    }

    private static Format format(Optional<String> format, HttpRequest request) {
        if (format.isPresent()) {
            return switch (format.get()) {
                case "csv" -> Format.CSV;
                case "ndjson" -> Format.NDJSON;
                case "json" -> Format.JSON;
                default -> throw StrataException.invalid("invalid_format", "format must be csv, ndjson or json, got '" + format.get() + "'");
            };
        }
        String accept = request.getHeader("Accept").map(h -> h.value()).orElse("");
        if (accept.contains("text/csv")) {
            return Format.CSV;
        }
        if (accept.contains("application/x-ndjson")) {
            return Format.NDJSON;
        }
        return Format.JSON;
    }

    /**
     * Streams a query's rows as CSV (a header line, then one line per row) or NDJSON (one object
     * per row). The response starts once the first page is in, so an error there (a timeout, a
     * shard that cannot open) still gets its status and error shape; a failure later cuts the
     * stream short.
     */
    private Route stream(CompletionStage<TableStore.PreparedQuery> preparing, Format format) {
        return respond(preparing.thenCompose(prepared -> startStream(prepared, format)), response -> response);
    }

    private CompletionStage<HttpResponse> startStream(TableStore.PreparedQuery prepared, Format format) {
        List<String> columns = prepared.query().outputNames();
        ContentType type = format == Format.CSV ? ContentTypes.TEXT_CSV_UTF8 : NDJSON;
        return store.export(prepared).prefixAndTail(1).runWith(Sink.head(), system).thenApply(split -> {
            Source<ByteString, NotUsed> lines = Source.from(split.first()).concat(split.second()).mapConcat(rows -> {
                List<ByteString> out = new ArrayList<>(rows.size());
                for (List<Object> row : rows) {
                    out.add(ByteString.fromString(format == Format.CSV ? csvLine(row) : jsonLine(columns, row)));
                }
                return out;
            });
            Source<ByteString, NotUsed> body = format == Format.CSV
                    ? Source.single(ByteString.fromString(csvLine(new ArrayList<>(columns)))).concat(lines)
                    : lines;
            return HttpResponse.create().withEntity(HttpEntities.create(type, body));
        });
    }

    private static String csvLine(List<Object> row) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.size(); i++) {
            if (i > 0) {
                line.append(',');
            }
            Object v = row.get(i);
            if (v == null) {
                continue;
            }
            String text = v.toString();
            if (text.isEmpty() || text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0
                    || text.indexOf('\r') >= 0 || !text.equals(text.strip())) {
                line.append('"').append(text.replace("\"", "\"\"")).append('"');
            } else {
                line.append(text);
            }
        }
        return line.append('\n').toString();
    }

    private static String jsonLine(List<String> columns, List<Object> row) {
        ObjectNode object = Json.MAPPER.createObjectNode();
        for (int i = 0; i < columns.size(); i++) {
            object.set(columns.get(i), Json.MAPPER.valueToTree(row.get(i)));
        }
        try {
            return Json.MAPPER.writeValueAsString(object) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a row cannot be written as JSON", e);
        }
    }
}
