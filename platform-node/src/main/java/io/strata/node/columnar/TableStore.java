package io.strata.node.columnar;

import io.strata.node.cluster.PartitionHomes;
import io.strata.node.cluster.Placement;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.strata.node.bus.BusStore;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.bus.proto.ValueFormat;
import io.strata.node.columnar.TableCatalog.Table;
import io.strata.node.columnar.ingest.RowParser;
import io.strata.node.columnar.proto.RowBatch;
import io.strata.node.columnar.query.Partial;
import io.strata.node.columnar.query.Query;
import io.strata.node.columnar.query.QueryResult;
import io.strata.node.columnar.shard.ShardState;
import io.strata.node.common.Futures;
import io.strata.node.common.PartitionId;
import io.strata.node.common.StrataException;
import io.strata.node.http.Json;
import io.strata.node.storage.DataLayout;
import io.strata.node.storage.EntryLog;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * The columnar store as the rest of the node sees it: tables, ingest (spreading validated rows
 * over shards), queries (scatter to every shard, gather and merge the partial answers) and
 * streamed exports. Thread-safe; bad input fails with a {@link StrataException} before anything
 * is stored.
 */
public final class TableStore {

    /** Rows per logged batch at most; an insert of more rows is logged as several batches. */
    private static final int CHUNK_ROWS = 16_384;
    /** Serialized size a logged batch must stay under (a Chronicle entry must fit well within a block). */
    private static final long MAX_CHUNK_BYTES = EntryLog.maxEntryBytes() - 64 * 1024;
    /** Rejections listed in an ingest answer at most; the count is always exact. */
    private static final int MAX_LISTED_REJECTIONS = 100;
    /** Time a shard's answer may take beyond the query's own limit (messaging, merging). */
    private static final Duration ASK_MARGIN = Duration.ofSeconds(5);

    /**
     * What an ingest did: rows appended, rows rejected (the first ones listed), where the rejected
     * went, and whether it was an idempotent insert already applied (then nothing was appended).
     */
    public record IngestResult(long accepted, long rejected, List<RowParser.Rejection> rejections, String deadLetterTopic,
                               boolean duplicate) {}

    /**
     * Makes an insert idempotent, as Kafka's idempotent producer does: a shard applies an insert
     * of {@code producer} only if {@code sequence} is above the last one it applied for it, so a
     * retried insert is never applied twice.
     */
    public record Producer(String id, long sequence) {

        /** Longest producer id. */
        public static final int MAX_ID_LENGTH = 128;

        public Producer {
            if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
                throw StrataException.invalid("invalid_producer", "a producer id is 1.." + MAX_ID_LENGTH + " characters");
            }
            if (sequence < 0) {
                throw StrataException.invalid("invalid_producer", "a producer sequence is 0 or more, got " + sequence);
            }
        }
    }

    /** One shard's size in a describe. */
    public record ShardDescription(int shard, long rows, long memoryRows, int segments, long segmentBytes, long logBytes,
                                   long memoryBytes) {}

    /** One column's bytes in segments, before and after encoding. */
    public record ColumnDescription(String name, String type, boolean nullable, long rawBytes, long encodedBytes,
                                    Double compressionRatio) {}

    /** A table with its size. */
    public record TableDescription(String name, int shards, long rows, long memoryRows, int segments, long segmentBytes,
                                   long logBytes, long memoryBytes, List<ColumnDescription> columns,
                                   List<ShardDescription> shardSizes) {}

    private final ClusterSharding sharding;
    private final PartitionHomes homes;
    private final ColumnarSettings settings;
    private final TableCatalog catalog;
    private final DataLayout layout;
    private final Executor blockingIo;
    private final BusStore bus;
    private final Duration askTimeout;
    private final Map<String, AtomicInteger> roundRobin = new ConcurrentHashMap<>();

    private TableStore(ClusterSharding sharding, PartitionHomes homes, ColumnarSettings settings, TableCatalog catalog, DataLayout layout,
                       Executor blockingIo, BusStore bus, Duration askTimeout) {
        this.sharding = sharding;
        this.homes = homes;
        this.settings = settings;
        this.catalog = catalog;
        this.layout = layout;
        this.blockingIo = blockingIo;
        this.bus = bus;
        this.askTimeout = askTimeout;
    }

    /**
     * Registers the table shard entity with Cluster Sharding and returns the store. Files of
     * tables no longer in the catalog (a drop cut short by a crash, or made while this node was
     * down) are removed once the catalog is ready: at once on a node on its own, in a cluster once
     * it has been read from a majority of the nodes.
     */
    public static TableStore start(ActorSystem<?> system, ColumnarSettings settings, ColumnarStorage storage,
                                   TableCatalog catalog, CompletionStage<Void> catalogReady, BusStore bus, Duration askTimeout) {
        catalog.removeUnlisted(storage.layout().tablesDir(), catalogReady, storage.blockingIo(), ShardState::deleteFiles);
        ClusterSharding sharding = ClusterSharding.get(system);
        sharding.init(Placement.applyTo(system, Entity.of(TableShard.TYPE_KEY,
                        ctx -> TableShard.create(PartitionId.fromEntityId(ctx.getEntityId()), settings, storage, ctx.getShard()))
                .withEntityProps(DispatcherSelector.fromConfig("strata.entity-dispatcher"))));
        return new TableStore(sharding, PartitionHomes.of(system, TableShard.TYPE_KEY.name()), settings, catalog, storage.layout(),
                storage.blockingIo(), bus, askTimeout);
    }

    public ColumnarSettings settings() {
        return settings;
    }

    // ---- Tables -------------------------------------------------------------------------------

    /** Creates a table, or completes with the same one (see {@link TableCatalog#create}). */
    public CompletionStage<Table> create(String name, Schema schema, int shards) {
        return catalog.create(name, schema, shards);
    }

    public List<Table> tables() {
        return catalog.list();
    }

    /** The table, or {@code table_not_found}; an invalid name is refused at once. */
    public CompletionStage<Table> table(String name) {
        return catalog.require(name);
    }

    /** Checks a table name, or {@code invalid_table}. */
    public void validateName(String name) {
        catalog.validateName(name);
    }

    /** The table with its rows, segments, bytes and compression per column. */
    public CompletionStage<TableDescription> describe(String name) {
        return table(name).thenCompose(this::describe);
    }

    private CompletionStage<TableDescription> describe(Table table) {
        String name = table.name();
        List<CompletableFuture<TableShard.Reply>> infos = new ArrayList<>();
        for (int s = 0; s < table.shards(); s++) {
            infos.add(ask(name, s, TableShard.Describe::new, askTimeout));
        }
        return CompletableFuture.allOf(infos.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<ShardDescription> shards = new ArrayList<>();
            long[] raw = new long[table.schema().size()];
            long[] encoded = new long[raw.length];
            long rows = 0, memoryRows = 0, segmentBytes = 0, logBytes = 0, memoryBytes = 0;
            int segments = 0;
            for (int s = 0; s < infos.size(); s++) {
                TableShard.ShardInfo info = expect(infos.get(s).join(), TableShard.ShardInfo.class);
                shards.add(new ShardDescription(s, info.rows(), info.tailRows(), info.segments(), info.segmentBytes(),
                        info.logBytes(), info.memoryBytes()));
                rows += info.rows();
                memoryRows += info.tailRows();
                segments += info.segments();
                segmentBytes += info.segmentBytes();
                logBytes += info.logBytes();
                memoryBytes += info.memoryBytes();
                for (int c = 0; c < raw.length && c < info.columns().size(); c++) {
                    raw[c] += info.columns().get(c).raw();
                    encoded[c] += info.columns().get(c).encoded();
                }
            }
            List<ColumnDescription> columns = new ArrayList<>();
            for (int c = 0; c < raw.length; c++) {
                Column column = table.schema().columns().get(c);
                Double ratio = encoded[c] == 0 ? null : Math.round(100.0 * raw[c] / encoded[c]) / 100.0;
                columns.add(new ColumnDescription(column.name(), column.type().jsonName(), column.nullable(), raw[c],
                        encoded[c], ratio));
            }
            return new TableDescription(name, table.shards(), rows, memoryRows, segments, segmentBytes, logBytes,
                    memoryBytes, columns, shards);
        });
    }

    /**
     * Drops a table: once every shard's home is up, it leaves the catalog, then every shard (on
     * whichever node holds it) deletes its files and stops. An insert racing the drop is refused
     * ({@code table_not_found}), or dropped with the shard it reached first; a shard never recovers
     * for a table that is not in the catalog, so the name can be created again and starts empty.
     */
    public CompletionStage<Void> drop(String name) {
        return table(name).thenCompose(this::drop);
    }

    private CompletionStage<Void> drop(Table table) {
        String name = table.name();
        List<PartitionId> shards = IntStream.range(0, table.shards()).mapToObj(s -> new PartitionId(name, s)).toList();
        return catalog.delete(name, homes.whenAllAvailable(shards), () -> {
            roundRobin.remove(name);
            List<CompletableFuture<TableShard.Reply>> drops = new ArrayList<>();
            for (int s = 0; s < table.shards(); s++) {
                drops.add(ask(name, s, TableShard.Drop::new, askTimeout));
            }
            return CompletableFuture.allOf(drops.toArray(CompletableFuture[]::new)).thenRunAsync(() -> {
                for (CompletableFuture<TableShard.Reply> drop : drops) {
                    expect(drop.join(), TableShard.Dropped.class);
                }
                // The shards removed their own directories; what is left is the table's, now empty.
                ShardState.deleteFiles(layout.tableDir(name));
            }, blockingIo);
        });
    }

    // ---- Ingest -------------------------------------------------------------------------------

    /**
     * Appends the accepted rows of a validated batch. Rows are spread over the shards in
     * contiguous runs (a small batch, or an atomic one, goes whole to one shard, round-robin);
     * each shard appends its run atomically. With {@code atomic} a batch with any rejected row
     * is refused whole ({@code rows_rejected}, 422) and nothing is stored. With a
     * {@code deadLetterTopic} (created if absent) every rejected row is first produced to it as
     * {@code {"table", "row", "reason"}}.
     */
    public CompletionStage<IngestResult> insert(String name, RowParser.Parsed parsed, boolean atomic,
                                                Optional<String> deadLetterTopic) {
        return insert(name, parsed, atomic, deadLetterTopic, Optional.empty());
    }

    /**
     * As {@link #insert(String, RowParser.Parsed, boolean, Optional)}; with a {@code producer} the
     * accepted rows go whole to one shard (chosen by producer and sequence, so a retry finds the
     * same one) as one idempotent insert.
     */
    public CompletionStage<IngestResult> insert(String name, RowParser.Parsed parsed, boolean atomic,
                                                Optional<String> deadLetterTopic, Optional<Producer> producer) {
        return table(name).thenCompose(table -> insert(table, parsed, atomic, deadLetterTopic, producer));
    }

    private CompletionStage<IngestResult> insert(Table table, RowParser.Parsed parsed, boolean atomic,
                                                 Optional<String> deadLetterTopic, Optional<Producer> producer) {
        String name = table.name();
        int accepted = parsed.accepted();
        List<RowParser.Rejection> rejections = parsed.rejections();
        if (accepted + rejections.size() > settings.maxBatchRows()) {
            throw StrataException.invalid("batch_too_large", (accepted + rejections.size())
                    + " rows exceed the batch limit of " + settings.maxBatchRows());
        }
        if (atomic && !rejections.isEmpty()) {
            throw new StrataException(StrataException.Kind.UNPROCESSABLE, "rows_rejected", rejections.size()
                    + " of " + (accepted + rejections.size()) + " rows break the table's contract, so none was stored (atomic batch); first: "
                    + rejections.get(0).describe());
        }
        deadLetterTopic.ifPresent(bus::validateTopicName);
        CompletionStage<Void> deadLettered = deadLetterTopic.isPresent() && !rejections.isEmpty()
                ? deadLetter(name, deadLetterTopic.get(), rejections)
                : CompletableFuture.completedFuture(null);
        List<RowParser.Rejection> listed = rejections.subList(0, Math.min(rejections.size(), MAX_LISTED_REJECTIONS));
        return deadLettered.thenCompose(done -> append(table, parsed.columns(), accepted, atomic, producer))
                .thenApply(appended -> new IngestResult(appended, rejections.size(), listed, deadLetterTopic.orElse(null),
                        appended < accepted));
    }

    /** Appends the rows and completes with how many were appended (0 for a duplicate idempotent insert). */
    private CompletionStage<Long> append(Table table, ColumnVector[] columns, int rows, boolean atomic, Optional<Producer> producer) {
        if (rows == 0) {
            return CompletableFuture.completedFuture(0L);
        }
        int runs = atomic || producer.isPresent() || rows < settings.blockRows() ? 1
                : Math.min(table.shards(), (rows + settings.blockRows() - 1) / settings.blockRows());
        int first = producer.isPresent()
                ? Math.floorMod(producer.get().id().hashCode() + producer.get().sequence(), table.shards())
                : Math.floorMod(roundRobin.computeIfAbsent(table.name(), t -> new AtomicInteger()).getAndAdd(runs), table.shards());
        int perRun = (rows + runs - 1) / runs;
        List<CompletableFuture<TableShard.Reply>> inserts = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            int from = run * perRun;
            int to = Math.min(rows, from + perRun);
            List<RowBatch> chunks = new ArrayList<>();
            for (int start = from; start < to; start += CHUNK_ROWS) {
                addChunks(columns, start, Math.min(to, start + CHUNK_ROWS), chunks);
            }
            if (producer.isPresent()) {
                int last = chunks.size() - 1;
                chunks.set(last, chunks.get(last).toBuilder()
                        .setProducer(producer.get().id()).setSequence(producer.get().sequence()).build());
            }
            int shard = (first + run) % table.shards();
            inserts.add(ask(table.name(), shard, replyTo -> new TableShard.Insert(List.copyOf(chunks), replyTo), askTimeout));
        }
        return CompletableFuture.allOf(inserts.toArray(CompletableFuture[]::new)).thenApply(done -> {
            long appended = 0;
            for (CompletableFuture<TableShard.Reply> insert : inserts) {
                appended += expect(insert.join(), TableShard.Inserted.class).rows();
            }
            return appended;
        });
    }

    private static void addChunks(ColumnVector[] columns, int from, int to, List<RowBatch> chunks) {
        RowBatch batch = RowBatches.toProto(columns, from, to);
        if (batch.getSerializedSize() <= MAX_CHUNK_BYTES) {
            chunks.add(batch);
        } else if (to - from == 1) {
            throw new StrataException(StrataException.Kind.TOO_LARGE, "row_too_large", "a row takes "
                    + batch.getSerializedSize() + " bytes; the limit is " + MAX_CHUNK_BYTES);
        } else {
            int middle = from + (to - from) / 2;
            addChunks(columns, from, middle, chunks);
            addChunks(columns, middle, to, chunks);
        }
    }

    private CompletionStage<Void> deadLetter(String table, String topic, List<RowParser.Rejection> rejections) {
        CompletionStage<?> created = bus.topics().stream().noneMatch(t -> t.name().equals(topic))
                ? bus.createTopic(topic, bus.settings().defaultPartitions(), bus.settings().defaultRetention())
                : CompletableFuture.completedFuture(null);
        List<BusRecord> records = new ArrayList<>(rejections.size());
        for (RowParser.Rejection r : rejections) {
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("table", table);
            value.put("row", r.row());
            value.put("reason", r.reason());
            records.add(BusRecord.newBuilder().setKey(table).setFormat(ValueFormat.JSON)
                    .setValue(ByteString.copyFrom(Json.MAPPER.valueToTree(value).toString(), StandardCharsets.UTF_8)).build());
        }
        return created.thenCompose(done -> bus.produceInBatches(topic, records));
    }

    // ---- Queries ------------------------------------------------------------------------------

    /** A parsed query with its table. */
    public record PreparedQuery(Table table, Query query, String json, long timeoutMillis) {}

    /**
     * Parses a query against the table's schema ({@code invalid_query} and the other 400 codes of
     * {@link Query#parse}). {@code timeout_ms}, when present, lowers the configured time limit.
     */
    public CompletionStage<PreparedQuery> prepare(String name, JsonNode json) {
        return table(name).thenApply(table -> prepare(table, json));
    }

    private PreparedQuery prepare(Table table, JsonNode json) {
        long timeout = settings.queryTimeout().toMillis();
        if (json != null && json.isObject() && json.has("timeout_ms")) {
            JsonNode t = json.get("timeout_ms");
            if (!t.isIntegralNumber() || t.longValue() < 1) {
                throw StrataException.invalid("invalid_timeout", "timeout_ms must be a positive whole number of milliseconds");
            }
            timeout = Math.min(timeout, t.longValue());
            json = ((com.fasterxml.jackson.databind.node.ObjectNode) json.deepCopy()).without("timeout_ms");
        }
        return new PreparedQuery(table, Query.parse(json, table.schema()), json.toString(), timeout);
    }

    /**
     * Runs a query on every shard at once and merges their partial answers. Fails with
     * {@code query_timeout} (504) past the time limit and {@code result_too_large} (422) when
     * the answer would exceed {@code max-result-rows}.
     */
    public CompletionStage<QueryResult> query(PreparedQuery prepared) {
        long start = System.nanoTime();
        Duration timeout = Duration.ofMillis(prepared.timeoutMillis).plus(ASK_MARGIN);
        List<CompletableFuture<TableShard.Reply>> scans = new ArrayList<>();
        for (int s = 0; s < prepared.table.shards(); s++) {
            scans.add(ask(prepared.table.name(), s, r -> new TableShard.Scan(prepared.json, prepared.timeoutMillis, r), timeout));
        }
        return CompletableFuture.allOf(scans.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Partial merged = null;
            long shardsScanned = 0;
            for (CompletableFuture<TableShard.Reply> scan : scans) {
                Partial partial = Partial.fromProto(expect(scan.join(), TableShard.Scanned.class).partial(), prepared.query);
                shardsScanned += partial.stats().blocksScanned > 0 ? 1 : 0;
                if (merged == null) {
                    merged = partial;
                } else {
                    merged.merge(partial);
                }
                if (merged.held() > settings.maxResultRows()) {
                    throw tooLarge();
                }
            }
            QueryResult result = merged.finish();
            result.stats().shardsScanned = shardsScanned;
            result.stats().shardsSkipped = scans.size() - shardsScanned;
            result.stats().nanos = System.nanoTime() - start;
            return result;
        });
    }

    private StrataException tooLarge() {
        return new StrataException(StrataException.Kind.UNPROCESSABLE, "result_too_large", "the answer would hold more than "
                + settings.maxResultRows() + " rows or groups; add a limit or filter, or export the result as CSV or NDJSON");
    }

    /**
     * The answer of a query as a stream of row pages, for export. A plain scan (no aggregate, no
     * ORDER BY) is read shard by shard, page by page ({@code export-page-rows} at a time, each
     * page asked for only when the stream wants more), so it has no size limit and holds one page
     * at a time; its rows are those visible when each shard's first page is read. Any other query
     * is answered whole first (within {@code max-result-rows}).
     */
    public Source<List<List<Object>>, NotUsed> export(PreparedQuery prepared) {
        if (prepared.query.aggregating() || !prepared.query.orderBy().isEmpty()) {
            return Source.completionStage(query(prepared)).map(QueryResult::rows);
        }
        long limit = prepared.query.limit();
        Duration timeout = Duration.ofMillis(prepared.timeoutMillis).plus(ASK_MARGIN);
        record Cursor(int shard, long fromRow, long untilRow, long emitted) {}
        return Source.unfoldAsync(new Cursor(0, 0, -1, 0), cursor -> {
            if (cursor.shard >= prepared.table.shards() || (limit >= 0 && cursor.emitted >= limit)) {
                return CompletableFuture.completedFuture(Optional.<Pair<Cursor, List<List<Object>>>>empty());
            }
            return ask(prepared.table.name(), cursor.shard, r -> new TableShard.Page(prepared.json, cursor.fromRow,
                    cursor.untilRow, settings.exportPageRows(), prepared.timeoutMillis, r), timeout).thenApply(reply -> {
                TableShard.PageRead page = expect(reply, TableShard.PageRead.class);
                List<List<Object>> rows = Partial.fromProto(page.partial(), prepared.query).finish().rows();
                if (limit >= 0 && cursor.emitted + rows.size() > limit) {
                    rows = rows.subList(0, (int) (limit - cursor.emitted));
                }
                Cursor next = page.nextRow() >= page.untilRow()
                        ? new Cursor(cursor.shard + 1, 0, -1, cursor.emitted + rows.size())
                        : new Cursor(cursor.shard, page.nextRow(), page.untilRow(), cursor.emitted + rows.size());
                return Optional.of(Pair.create(next, rows));
            });
        });
    }

    // ---- Asking shards ------------------------------------------------------------------------

    private CompletableFuture<TableShard.Reply> ask(String table, int shard,
                                                    Function<ActorRef<TableShard.Reply>, TableShard.Command> message,
                                                    Duration timeout) {
        String entityId = new PartitionId(table, shard).entityId();
        return homes.whenAvailable(entityId).thenCompose(available ->
                Futures.direct(sharding.entityRefFor(TableShard.TYPE_KEY, entityId).ask(message::apply, timeout))).toCompletableFuture();
    }

    private static <T extends TableShard.Reply> T expect(TableShard.Reply reply, Class<T> type) {
        if (type.isInstance(reply)) {
            return type.cast(reply);
        }
        if (reply instanceof TableShard.Rejected r) {
            throw new StrataException(kindOf(r.code()), r.code(), r.message());
        }
        throw new IllegalStateException("unexpected reply " + reply);
    }

    private static StrataException.Kind kindOf(String code) {
        return switch (code) {
            case "query_timeout" -> StrataException.Kind.TIMEOUT;
            case "result_too_large", "sum_overflow" -> StrataException.Kind.UNPROCESSABLE;
            case "table_not_found" -> StrataException.Kind.NOT_FOUND;
            default -> StrataException.kindOf(code, StrataException.Kind.INVALID);
        };
    }
}
