package io.strata.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.bench.Rounds.Step;
import io.strata.node.columnar.Column;
import io.strata.node.columnar.ColumnBuilder;
import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.Schema;
import io.strata.node.columnar.query.Partial;
import io.strata.node.columnar.query.Query;
import io.strata.node.columnar.query.QueryResult;
import io.strata.node.columnar.query.QueryStats;
import io.strata.node.columnar.segment.Segment;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The columnar benchmark, at engine level: the same generated rows written as one Strata
 * {@link Segment} and loaded into a DuckDB database file, then the same queries on both, one thread
 * each side ({@code SET threads TO 1}; a Strata scan is single-threaded). Every run is one ingest
 * or one query; runs alternate Strata and DuckDB for the rounds after an uncounted warm-up pass,
 * and figures are medians in rows per second: rows in the table over the time the run took.
 * Answers must agree (counts exactly, other values within a relative {@value #TOLERANCE}), else
 * the benchmark fails.
 */
final class ColumnarBench {

    /** Rows per segment block. */
    static final int BLOCK_ROWS = 65_536;
    /** The anchor of every figure. */
    static final String ANCHOR = "duckdb";

    private static final String SCRATCH_PREFIX = "strata-bench-columnar-";
    private static final int FILTER_KEYS_BELOW = 100;
    private static final double TOLERANCE = 1e-9;
    private static final Schema SCHEMA = new Schema(List.of(new Column("k", ColumnType.INT64, false),
            new Column("v", ColumnType.FLOAT64, false), new Column("ts", ColumnType.TIMESTAMP, false)));
    private static final DateTimeFormatter DUCKDB_TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the benchmark gives: figures, notes for the table, and the same sizes and scan counts for the JSON. */
    record Outcome(List<Figure> figures, List<String> notes, Map<String, Object> details) {}

    /** One query as each side spells it. */
    private record Workload(String name, String strataJson, String sql) {}

    private final int rows;
    private final Rounds rounds;
    /** The rows, generated anew by every pass that reads them: nothing holds the whole table in memory. */
    private final ColumnarRows source;
    /** The time range's bounds: the timestamps of rows {@code rows / 2} and 1% of the rows later. */
    private final long rangeLow;
    private final long rangeHigh;
    /** How long one pass generating the rows took, a part of both sides' ingest times. */
    private final long generateNanos;
    /** The last answer of every step, by step name, compared across sides once the rounds are done. */
    private final Map<String, List<List<Object>>> answers = new LinkedHashMap<>();
    private QueryStats lastTimeRangeStats;

    /**
     * @param warmup how long each run repeats, uncounted, before the rounds (at least once; none when zero)
     * @param progress where a line per run goes as the benchmark proceeds
     */
    ColumnarBench(int rows, int rounds, Duration warmup, long seed, PrintWriter progress) {
        this.rows = rows;
        // A measured run is one ingest or one query (a zero duration); Rounds' uncounted first pass
        // gives each run the warm-up as its duration, which repeats it until that time is spent.
        this.rounds = new Rounds(new Window(warmup, Duration.ZERO), rounds, progress);
        this.source = new ColumnarRows(rows, BLOCK_ROWS, seed);
        int from = rows / 2;
        int to = Math.min(rows - 1, from + Math.max(1, rows / 100) - 1);
        long low = 0;
        long high = 0;
        long start = System.nanoTime();
        ColumnarRows.Cursor cursor = source.cursor();
        for (int n = cursor.next(); n > 0; n = cursor.next()) {
            int first = cursor.done() - n;
            if (from >= first && from < first + n) {
                low = cursor.ts[from - first];
            }
            if (to >= first && to < first + n) {
                high = cursor.ts[to - first];
            }
        }
        this.generateNanos = System.nanoTime() - start;
        this.rangeLow = low;
        this.rangeHigh = high;
    }

    Outcome run() throws Exception {
        try (ScratchDir dir = ScratchDir.create(SCRATCH_PREFIX)) {
            Path segmentFile = dir.path().resolve("table.segment");
            Path duckFile = dir.path().resolve("table.duckdb");
            rounds.report("[columnar] %,d rows in %s", rows, dir.path());

            Step strataIngest = new Step("columnar.ingest", window -> timed(window, () -> writeSegment(segmentFile)));
            Step duckIngest = new Step("duckdb.ingest", window -> timed(window, () -> loadDuckDb(duckFile)));
            Map<String, List<RunResult>> ingest = rounds.run("ingest", List.of(strataIngest, duckIngest));
            List<Figure> figures = new ArrayList<>();
            figures.add(Figure.of(strataIngest.name(), ingest.get(strataIngest.name()), ANCHOR, ingest.get(duckIngest.name())));

            List<Workload> workloads = workloads();
            Map<String, Object> details = new LinkedHashMap<>();
            List<String> notes = new ArrayList<>();
            try (Segment segment = Segment.open(segmentFile); Connection duck = openDuckDb(duckFile)) {
                List<Step> round = new ArrayList<>();
                for (Workload w : workloads) {
                    Query query = Query.parse(JSON.readTree(w.strataJson()), SCHEMA);
                    round.add(new Step(w.name(), window -> timed(window, () -> strataQuery(w.name(), segment, query))));
                    round.add(new Step(duckName(w), window -> timed(window, () -> duckQuery(duckName(w), duck, w.sql()))));
                }
                Map<String, List<RunResult>> results = rounds.run("queries", round);
                for (Workload w : workloads) {
                    figures.add(Figure.of(w.name(), results.get(w.name()), ANCHOR, results.get(duckName(w))));
                    agree(w, answers.get(w.name()), answers.get(duckName(w)));
                }
                details.put("answers_agree", true);
                describeSizes(segment, duckFile, details, notes);
            }
            details.put("time_range", lastTimeRangeStats.toMap());
            notes.add(String.format(Locale.ROOT, "columnar.time_range: Strata skipped %d of %d blocks by zone maps, scanned %,d rows, read %,d bytes",
                    lastTimeRangeStats.blocksSkipped, lastTimeRangeStats.blocksSkipped + lastTimeRangeStats.blocksScanned,
                    lastTimeRangeStats.rowsScanned, lastTimeRangeStats.bytesRead));
            notes.add(String.format(Locale.ROOT, "rows are generated as each ingest reads them, a block at a time (no side holds the table in"
                    + " memory); both ingest figures include generating them, which alone ran at %,d rows/s (one cold pass)",
                    Math.round(rows / (generateNanos / 1e9))));
            notes.add("answers agreed on every query (counts exactly, sums, averages, min and max within a relative 1e-9)");
            notes.add("rows/s = rows in the table / time of one ingest or query; p50_us, p99_us = median, slowest time of those runs."
                    + " Engine level: no node, no HTTP; one thread each side (DuckDB SET threads TO 1)");
            return new Outcome(figures, notes, details);
        }
    }

    private List<Workload> workloads() {
        Instant low = Instant.ofEpochMilli(rangeLow);
        Instant high = Instant.ofEpochMilli(rangeHigh);
        return List.of(
                new Workload("columnar.groupby",
                        "{\"select\":[\"k\"],\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"sum\",\"column\":\"v\",\"as\":\"s\"},"
                                + "{\"fn\":\"avg\",\"column\":\"v\",\"as\":\"a\"},{\"fn\":\"min\",\"column\":\"v\",\"as\":\"lo\"},"
                                + "{\"fn\":\"max\",\"column\":\"v\",\"as\":\"hi\"}],\"group_by\":[\"k\"],\"order_by\":[\"k\"]}",
                        "SELECT k, count(*), sum(v), avg(v), min(v), max(v) FROM t GROUP BY k ORDER BY k"),
                new Workload("columnar.filter_agg",
                        "{\"aggregates\":[{\"fn\":\"sum\",\"column\":\"v\",\"as\":\"s\"},{\"fn\":\"count\",\"as\":\"n\"}],"
                                + "\"where\":{\"column\":\"k\",\"op\":\"<\",\"value\":" + FILTER_KEYS_BELOW + "}}",
                        "SELECT sum(v), count(*) FROM t WHERE k < " + FILTER_KEYS_BELOW),
                new Workload("columnar.time_range",
                        "{\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"avg\",\"column\":\"v\",\"as\":\"a\"}],"
                                + "\"where\":{\"column\":\"ts\",\"op\":\"between\",\"value\":[\"" + low + "\",\"" + high + "\"]}}",
                        "SELECT count(*), avg(v) FROM t WHERE ts BETWEEN TIMESTAMP '" + DUCKDB_TIMESTAMP.format(low)
                                + "' AND TIMESTAMP '" + DUCKDB_TIMESTAMP.format(high) + "'"));
    }

    private static String duckName(Workload w) {
        return ANCHOR + w.name().substring(w.name().indexOf('.'));
    }

    /**
     * Builds the blocks with {@link ColumnBuilder}s, as ingest does, and writes them as one segment,
     * a block at a time: each is generated, built and written before the next.
     */
    private void writeSegment(Path file) throws Exception {
        Segment.write(file, SCHEMA, () -> new Iterator<ColumnVector[]>() {
            private final ColumnarRows.Cursor cursor = source.cursor();
            private int n = cursor.next();

            @Override
            public boolean hasNext() {
                return n > 0;
            }

            @Override
            public ColumnVector[] next() {
                if (n == 0) {
                    throw new NoSuchElementException();
                }
                ColumnBuilder.Longs keys = (ColumnBuilder.Longs) ColumnBuilder.of(ColumnType.INT64);
                ColumnBuilder.Doubles values = (ColumnBuilder.Doubles) ColumnBuilder.of(ColumnType.FLOAT64);
                ColumnBuilder.Longs times = (ColumnBuilder.Longs) ColumnBuilder.of(ColumnType.TIMESTAMP);
                for (int i = 0; i < n; i++) {
                    keys.append(cursor.k[i]);
                    values.append(cursor.v[i]);
                    times.append(cursor.ts[i]);
                }
                n = cursor.next();
                return new ColumnVector[]{keys.build(), values.build(), times.build()};
            }
        });
    }

    /** Loads the rows into a fresh DuckDB file through its appender, and checkpoints them into the file. */
    private void loadDuckDb(Path file) throws Exception {
        Files.deleteIfExists(file);
        Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".wal"));
        try (Connection connection = openDuckDb(file); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE t (k BIGINT NOT NULL, v DOUBLE NOT NULL, ts TIMESTAMP NOT NULL)");
            try (DuckDBAppender appender = connection.unwrap(DuckDBConnection.class).createAppender("t")) {
                ColumnarRows.Cursor c = source.cursor();
                for (int n = c.next(); n > 0; n = c.next()) {
                    for (int i = 0; i < n; i++) {
                        // DuckDB's TIMESTAMP counts microseconds; Strata's milliseconds fit exactly.
                        appender.beginRow().append(c.k[i]).append(c.v[i]).appendEpochMicros(c.ts[i] * 1000).endRow();
                    }
                }
            }
            // Segment.write fsyncs its file: the load is done when DuckDB's file holds the rows too.
            statement.execute("CHECKPOINT");
        }
    }

    private static Connection openDuckDb(Path file) throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath());
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET threads TO 1");
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    private void strataQuery(String name, Segment segment, Query query) {
        Partial partial = Partial.of(query);
        segment.scan(partial);
        QueryResult result = partial.finish();
        answers.put(name, result.rows());
        if (name.equals("columnar.time_range")) {
            lastTimeRangeStats = result.stats();
        }
    }

    private void duckQuery(String name, Connection connection, String sql) throws SQLException {
        List<List<Object>> rowsOut = new ArrayList<>();
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>(columns);
                for (int c = 1; c <= columns; c++) {
                    row.add(rs.getObject(c));
                }
                rowsOut.add(row);
            }
        }
        answers.put(name, rowsOut);
    }

    /** A step's action, timed: one run of the whole table. */
    private interface Action {
        void run() throws Exception;
    }

    /** Runs {@code action} until {@code window}'s duration is spent, at least once; the result is the last run's. */
    private RunResult timed(Window window, Action action) throws Exception {
        // An ingest leaves tens of MB of garbage per run: collected here, the next run does not pay for it.
        System.gc();
        long deadline = System.nanoTime() + window.duration().toNanos();
        long nanos;
        do {
            long start = System.nanoTime();
            action.run();
            nanos = System.nanoTime() - start;
        } while (System.nanoTime() < deadline);
        double seconds = nanos / 1e9;
        long micros = Math.max(1, Math.round(nanos / 1000.0));
        return new RunResult(rows, seconds, Math.max(1, Math.round(rows / seconds)), micros, micros);
    }

    /** Fails the benchmark unless both sides gave the same answer. */
    private static void agree(Workload w, List<List<Object>> strata, List<List<Object>> duck) {
        if (strata.size() != duck.size()) {
            throw disagree(w, "Strata gave " + strata.size() + " rows, DuckDB " + duck.size());
        }
        for (int r = 0; r < strata.size(); r++) {
            List<Object> a = strata.get(r);
            List<Object> b = duck.get(r);
            if (a.size() != b.size()) {
                throw disagree(w, "row " + r + " has " + a.size() + " values in Strata, " + b.size() + " in DuckDB");
            }
            for (int c = 0; c < a.size(); c++) {
                if (!same(a.get(c), b.get(c))) {
                    throw disagree(w, "row " + r + " column " + c + ": Strata " + a.get(c) + ", DuckDB " + b.get(c)
                            + " (Strata row " + a + ", DuckDB row " + b + ")");
                }
            }
        }
    }

    private static boolean same(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (!(a instanceof Number x) || !(b instanceof Number y)) {
            return a.equals(b);
        }
        if (x instanceof Double || y instanceof Double) {
            double p = x.doubleValue();
            double q = y.doubleValue();
            return p == q || Math.abs(p - q) <= TOLERANCE * Math.max(Math.abs(p), Math.abs(q));
        }
        return x.longValue() == y.longValue();
    }

    private static IllegalStateException disagree(Workload w, String what) {
        return new IllegalStateException(w.name() + ": Strata and DuckDB disagree: " + what + "\n  Strata: " + w.strataJson()
                + "\n  DuckDB: " + w.sql());
    }

    /** Bytes per row: the segment (and each of its columns), the DuckDB file, and the rows as CSV. */
    private void describeSizes(Segment segment, Path duckFile, Map<String, Object> details, List<String> notes) throws Exception {
        Map<String, Object> sizes = new LinkedHashMap<>();
        long segmentBytes = segment.bytesOnDisk();
        long duckBytes = Files.size(duckFile);
        long csvBytes = csvBytes();
        sizes.put("strata_segment_bytes", segmentBytes);
        sizes.put("strata_segment_bytes_per_row", perRow(segmentBytes));
        Map<String, Object> columns = new LinkedHashMap<>();
        StringBuilder columnNote = new StringBuilder();
        for (int c = 0; c < SCHEMA.size(); c++) {
            long[] rawAndEncoded = segment.columnBytes(c);
            String name = SCHEMA.columns().get(c).name();
            columns.put(name, Map.of("raw_bytes", rawAndEncoded[0], "encoded_bytes", rawAndEncoded[1],
                    "encoded_bytes_per_row", perRow(rawAndEncoded[1])));
            columnNote.append(String.format(Locale.ROOT, " %s %.2f", name, perRow(rawAndEncoded[1])));
        }
        sizes.put("strata_columns", columns);
        sizes.put("duckdb_file_bytes", duckBytes);
        sizes.put("duckdb_file_bytes_per_row", perRow(duckBytes));
        sizes.put("csv_bytes", csvBytes);
        sizes.put("csv_bytes_per_row", perRow(csvBytes));
        details.put("sizes", sizes);
        notes.add(String.format(Locale.ROOT, "bytes/row on disk: Strata segment %.2f (%d blocks; by column:%s), DuckDB file %.2f,"
                        + " CSV %.2f (the same rows as text, for reference); raw in memory 24.00",
                perRow(segmentBytes), segment.blocks(), columnNote, perRow(duckBytes), perRow(csvBytes)));
    }

    private double perRow(long bytes) {
        return Math.round(bytes * 100.0 / rows) / 100.0;
    }

    /**
     * The size of the rows as a CSV file with a header line ({@code k,v,ts}, ISO-8601 instants):
     * every row formatted and counted, not written.
     */
    private long csvBytes() {
        long bytes = "k,v,ts\n".length();
        StringBuilder line = new StringBuilder(64);
        ColumnarRows.Cursor c = source.cursor();
        for (int n = c.next(); n > 0; n = c.next()) {
            for (int i = 0; i < n; i++) {
                line.setLength(0);
                line.append(c.k[i]).append(',').append(c.v[i]).append(',').append(Instant.ofEpochMilli(c.ts[i])).append('\n');
                bytes += line.length();
            }
        }
        return bytes;
    }
}
