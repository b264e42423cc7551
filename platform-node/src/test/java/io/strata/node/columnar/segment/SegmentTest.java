package io.strata.node.columnar.segment;

import io.strata.node.columnar.Column;
import io.strata.node.columnar.ColumnBuilder;
import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.Schema;
import io.strata.node.columnar.query.Partial;
import io.strata.node.columnar.query.Query;
import io.strata.node.columnar.query.QueryResult;
import io.strata.node.http.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Segments on disk: every value comes back, queries over a segment equal queries over the same rows in memory, zone maps skip blocks. */
class SegmentTest {

    private static final Schema SCHEMA = new Schema(List.of(
            new Column("k", ColumnType.INT64, false),
            new Column("v", ColumnType.FLOAT64, true),
            new Column("city", ColumnType.STRING, true),
            new Column("ok", ColumnType.BOOL, true),
            new Column("ts", ColumnType.TIMESTAMP, false)));
    private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final String[] CITIES = {"Oslo", "Lima", "Pune", "Kyiv"};

    @TempDir
    Path dir;

    /** Blocks of {@code rows} rows with time increasing by a second per row. */
    private static List<ColumnVector[]> blocks(int count, int rows, long seed) {
        Random random = new Random(seed);
        List<ColumnVector[]> blocks = new ArrayList<>();
        long t = T0;
        for (int b = 0; b < count; b++) {
            ColumnBuilder[] builders = SCHEMA.columns().stream().map(c -> ColumnBuilder.of(c.type())).toArray(ColumnBuilder[]::new);
            for (int r = 0; r < rows; r++) {
                ((ColumnBuilder.Longs) builders[0]).append(random.nextInt(1000));
                if (random.nextInt(10) == 0) {
                    builders[1].appendNull();
                } else {
                    ((ColumnBuilder.Doubles) builders[1]).append(Math.round(random.nextDouble() * 10_000) / 100.0);
                }
                if (random.nextInt(20) == 0) {
                    builders[2].appendNull();
                } else {
                    ((ColumnBuilder.Strings) builders[2]).append(CITIES[random.nextInt(CITIES.length)]);
                }
                ((ColumnBuilder.Bools) builders[3]).append(random.nextBoolean());
                ((ColumnBuilder.Longs) builders[4]).append(t);
                t += 1000;
            }
            ColumnVector[] vectors = new ColumnVector[builders.length];
            for (int c = 0; c < builders.length; c++) {
                vectors[c] = builders[c].build();
            }
            blocks.add(vectors);
        }
        return blocks;
    }

    private static QueryResult inMemory(Query query, List<ColumnVector[]> blocks) {
        Partial partial = Partial.of(query);
        blocks.forEach(partial::add);
        return partial.finish();
    }

    private static Query query(String json) {
        return Query.parse(Json.parse(json.getBytes()), SCHEMA);
    }

    @Test
    void everyValueComesBack() throws IOException {
        List<ColumnVector[]> blocks = blocks(3, 1000, 1);
        Path file = dir.resolve("s1.seg");
        Segment.write(file, SCHEMA, blocks);
        try (Segment segment = Segment.open(file)) {
            assertEquals(SCHEMA, segment.schema());
            assertEquals(3000, segment.rows());
            assertEquals(3, segment.blocks());
            for (int b = 0; b < 3; b++) {
                for (int c = 0; c < SCHEMA.size(); c++) {
                    ColumnVector expected = blocks.get(b)[c];
                    ColumnVector actual = segment.read(b, c);
                    assertEquals(expected.size(), actual.size());
                    for (int r = 0; r < expected.size(); r++) {
                        assertEquals(expected.isNull(r), actual.isNull(r));
                        if (!expected.isNull(r)) {
                            assertEquals(value(expected, r), value(actual, r), "block " + b + " column " + c + " row " + r);
                        }
                    }
                }
            }
            long[] ts = segment.columnBytes(4);
            assertTrue(ts[1] * 4 < ts[0], "one-second timestamps compress well: " + ts[0] + " -> " + ts[1]);
        }
    }

    private static Object value(ColumnVector vector, int row) {
        if (vector instanceof ColumnVector.LongVector v) {
            return v.values()[row];
        } else if (vector instanceof ColumnVector.DoubleVector v) {
            return v.values()[row];
        } else if (vector instanceof ColumnVector.StringVector v) {
            return v.value(row);
        }
        return ((ColumnVector.BoolVector) vector).values()[row];
    }

    @Test
    void queriesOverASegmentEqualQueriesInMemoryAndSkipBlocks() throws IOException {
        List<ColumnVector[]> blocks = blocks(10, 1000, 2);
        Path file = dir.resolve("s2.seg");
        Segment.write(file, SCHEMA, blocks);
        List<String> queries = List.of(
                "{\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}]}",
                "{\"select\":[\"city\"],\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"avg\",\"column\":\"v\",\"as\":\"a\"},"
                        + "{\"fn\":\"count_distinct\",\"column\":\"k\",\"as\":\"d\"}],\"group_by\":[\"city\"],"
                        + "\"order_by\":[{\"column\":\"city\"}]}",
                "{\"aggregates\":[{\"fn\":\"sum\",\"column\":\"k\",\"as\":\"s\"},{\"fn\":\"max\",\"column\":\"v\",\"as\":\"m\"}],"
                        + "\"where\":{\"column\":\"ts\",\"op\":\"between\",\"value\":[\"2026-01-01T01:00:00Z\",\"2026-01-01T01:30:00Z\"]}}",
                "{\"select\":[\"k\",\"ts\"],\"where\":{\"and\":[{\"column\":\"ok\",\"op\":\"=\",\"value\":true},"
                        + "{\"column\":\"k\",\"op\":\"<\",\"value\":5}]},\"order_by\":[{\"column\":\"ts\",\"desc\":true}],\"limit\":7}");
        try (Segment segment = Segment.open(file)) {
            for (String json : queries) {
                Query query = query(json);
                Partial partial = Partial.of(query);
                segment.scan(partial);
                QueryResult fromDisk = partial.finish();
                QueryResult expected = inMemory(query, blocks);
                assertEquals(expected.toJson().get("rows"), fromDisk.toJson().get("rows"), json);
                assertEquals(expected.toJson().get("columns"), fromDisk.toJson().get("columns"), json);
            }

            // 30 minutes of one-second rows out of 10,000 seconds: most blocks cannot match.
            Partial range = Partial.of(query(queries.get(2)));
            segment.scan(range);
            assertTrue(range.stats().blocksSkipped >= 7, "zone maps skip blocks outside the time range: " + range.stats().toMap());
            assertTrue(range.stats().bytesRead > 0 && range.stats().bytesRead < segment.bytesOnDisk() / 4,
                    "only the needed columns of the matching blocks are read: " + range.stats().toMap());
            assertEquals(1, range.stats().segmentsScanned);

            Partial none = Partial.of(query("{\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}],"
                    + "\"where\":{\"column\":\"ts\",\"op\":\"<\",\"value\":\"2025-01-01T00:00:00Z\"}}"));
            segment.scan(none);
            assertEquals(1, none.stats().segmentsSkipped, "a segment none of whose blocks can match is skipped");
            assertEquals(0, none.stats().bytesRead);
        }
    }

    @Test
    void blocksOfVaryingSizesFromALazyIterableScanAsInMemory() throws IOException {
        // Sizes that grow and shrink, so a scan's reused buffers and arrays are sometimes larger than the block.
        int[] sizes = {1000, 7, 2500, 1, 1000, 300};
        List<ColumnVector[]> blocks = new ArrayList<>();
        for (int b = 0; b < sizes.length; b++) {
            blocks.addAll(blocks(1, sizes[b], 10 + b));
        }
        Path file = dir.resolve("s3.seg");
        // An Iterable that is not a List, handing out each block only when asked.
        Segment.write(file, SCHEMA, () -> blocks.iterator());
        List<String> queries = List.of(
                "{\"select\":[\"k\"],\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"sum\",\"column\":\"v\",\"as\":\"s\"},"
                        + "{\"fn\":\"min\",\"column\":\"v\",\"as\":\"lo\"},{\"fn\":\"max\",\"column\":\"v\",\"as\":\"hi\"}],"
                        + "\"group_by\":[\"k\"],\"order_by\":[\"k\"]}",
                "{\"aggregates\":[{\"fn\":\"sum\",\"column\":\"v\",\"as\":\"s\"},{\"fn\":\"count\",\"as\":\"n\"}],"
                        + "\"where\":{\"column\":\"k\",\"op\":\"<\",\"value\":100}}",
                "{\"select\":[\"city\",\"ok\"],\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}],\"group_by\":[\"city\",\"ok\"],"
                        + "\"order_by\":[\"city\",\"ok\"]}",
                "{\"select\":[\"k\",\"v\",\"city\"],\"where\":{\"column\":\"v\",\"op\":\">=\",\"value\":99.5},\"order_by\":[\"k\",\"v\"]}");
        try (Segment segment = Segment.open(file)) {
            assertEquals(sizes.length, segment.blocks());
            for (String json : queries) {
                Query query = query(json);
                Partial partial = Partial.of(query);
                segment.scan(partial);
                assertEquals(inMemory(query, blocks).toJson().get("rows"), partial.finish().toJson().get("rows"), json);
            }
        }
    }

    @Test
    void damagedFilesAreRefused() throws IOException {
        Path file = dir.resolve("s3.seg");
        Segment.write(file, SCHEMA, blocks(1, 100, 3));
        byte[] good = Files.readAllBytes(file);

        Files.write(dir.resolve("short.seg"), java.util.Arrays.copyOf(good, 6));
        assertThrows(IOException.class, () -> Segment.open(dir.resolve("short.seg")));

        byte[] noTrailer = good.clone();
        noTrailer[noTrailer.length - 1] = 'X';
        Files.write(dir.resolve("trailer.seg"), noTrailer);
        assertThrows(IOException.class, () -> Segment.open(dir.resolve("trailer.seg")));

        Path truncated = dir.resolve("truncated.seg");
        Files.write(truncated, good);
        try (FileChannel ch = FileChannel.open(truncated, StandardOpenOption.WRITE)) {
            ch.truncate(good.length - 20);
        }
        assertThrows(IOException.class, () -> Segment.open(truncated));

        byte[] flipped = good.clone();
        flipped[10] ^= 0x40; // inside the first chunk: its checksum catches it on read
        Files.write(dir.resolve("flipped.seg"), flipped);
        try (Segment segment = Segment.open(dir.resolve("flipped.seg"))) {
            assertThrows(RuntimeException.class, () -> segment.read(0, 0));
        }
    }
}
