package io.strata.node.demo;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Columnar tables: a million generated events ingested as CSV in chunks, a bad row rejected (and
 * an atomic batch refused whole), a GROUP BY over every row, a time-range query that zone maps
 * answer from a few blocks, the table's compression per column, and a KV point lookup (OLTP)
 * against a column scan (OLAP) for the same question. Every answer is checked against what the
 * chapter's own seeded generator produced. After the crash, the same rows and the same GROUP BY.
 */
public final class TableChapter implements DemoChapter {

    private static final String TABLE = "/tables/events";
    private static final String CSV = "text/csv";
    private static final int CHUNK_ROWS = 20_000;
    private static final int USER = 4242;
    private static final int LOOKUPS = 20;
    private static final int SCANS = 3;
    private static final String WINDOW_FROM = "2026-01-15T00:00:00Z";
    private static final String WINDOW_TO = "2026-01-15T06:00:00Z";
    private static final String GROUP_BY = "{\"select\":[\"kind\"],\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},"
            + "{\"fn\":\"sum\",\"column\":\"amount\",\"as\":\"revenue\"},{\"fn\":\"avg\",\"column\":\"amount\",\"as\":\"avg_amount\"}],"
            + "\"group_by\":[\"kind\"],\"order_by\":[{\"column\":\"n\",\"desc\":true}]}";

    private final Events events = new Events();
    /** The GROUP BY's rows as the tour got them, compared again after the crash. */
    private JsonNode groupedRows;

    @Override
    public String title() {
        return "Columnar tables";
    }

    @Override
    public void tour(DemoTour tour) throws Exception {
        tour.step("Create a table: typed columns, two shards");
        tour.put(TABLE, "{\"columns\":[{\"name\":\"user\",\"type\":\"int64\"},{\"name\":\"kind\",\"type\":\"string\"},"
                + "{\"name\":\"amount\",\"type\":\"float64\",\"nullable\":true},{\"name\":\"ts\",\"type\":\"timestamp\"}],"
                + "\"shards\":2}").expect(201);

        badRows(tour);
        ingest(tour);
        groupBy(tour);
        timeRange(tour);
        describe(tour);
        oltpVersusOlap(tour);
    }

    private void badRows(DemoTour tour) throws Exception {
        tour.step("Every row is checked against the schema; a bad row is rejected with its number and reason");
        tour.say("The first three generated events, with a line whose amount is not a number slipped in as row 1.");
        String batch = events.csv(0, 1) + "42,click,twelve,2026-01-01T00:00:01Z\n" + events.csv(1, 3).substring(Events.HEADER.length());
        tour.say("With ?atomic=true the batch is all-or-nothing: one bad row refuses it whole.");
        tour.post(TABLE + "/rows?atomic=true", batch, "Content-Type", CSV).expectError(422, "rows_rejected");
        tour.check(tour.get(TABLE).expect(200).json().path("rows").asLong() == 0, "the refused atomic batch to store no row");
        tour.say("Without it, the good rows go in and the bad one is reported:");
        JsonNode answer = tour.post(TABLE + "/rows", batch, "Content-Type", CSV).expect(200).json();
        JsonNode rejection = answer.path("rejections").path(0);
        tour.check(answer.path("accepted").asLong() == 3 && answer.path("rejected").asLong() == 1,
                "3 rows accepted and 1 rejected, got " + answer);
        tour.check(rejection.path("row").asInt() == 1 && rejection.path("reason").asText().contains("amount"),
                "the rejection to name row 1 and the amount column, got " + rejection);
    }

    private void ingest(DemoTour tour) throws Exception {
        int total = Events.COUNT;
        tour.step("Ingest the other " + (total - 3) + " events as CSV, " + CHUNK_ROWS + " rows a request");
        tour.say("A seeded generator (so every run is the same): " + Events.USERS + " users, kinds "
                + String.join("/", Events.KINDS) + ", an amount for money events, ts rising over 30 days from "
                + Instant.ofEpochMilli(Events.START) + ".");
        tour.say("A request body is at most strata.http.max-body-bytes (1 MiB by default), hence the chunks. The first lines of a chunk:");
        String first = events.csv(3, Math.min(total, 3 + CHUNK_ROWS));
        first.lines().limit(4).forEach(line -> tour.say("  " + line));
        long start = System.nanoTime();
        int chunks = 0;
        for (int from = 3; from < total; from += CHUNK_ROWS) {
            int to = Math.min(total, from + CHUNK_ROWS);
            String body = from == 3 ? first : events.csv(from, to);
            String file = String.format("events-%03d.csv", ++chunks);
            DemoTour.Exchange sent = from == 3
                    ? tour.postFile(TABLE + "/rows", file, body, "Content-Type", CSV)
                    : tour.quietly("POST", TABLE + "/rows", body, "Content-Type", CSV);
            JsonNode answer = sent.expect(200).json();
            tour.check(answer.path("accepted").asLong() == to - from && answer.path("rejected").asLong() == 0,
                    "all " + (to - from) + " rows of " + file + " accepted, got " + answer);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        tour.say(String.format("... %d requests in all: %,d rows in %.1f s, %,.0f rows/s (building the CSV here included).",
                chunks, total - 3, seconds, (total - 3) / seconds));
        tour.check(tour.get(TABLE).expect(200).json().path("rows").asLong() == total, "the table to hold " + total + " rows");
    }

    private void groupBy(DemoTour tour) throws Exception {
        tour.step("GROUP BY: count, sum and average amount per kind, over every row");
        JsonNode answer = tour.post(TABLE + "/query", GROUP_BY).expect(200).json();
        groupedRows = answer.path("rows");
        long counted = 0;
        for (JsonNode row : groupedRows) {
            int kind = Arrays.asList(Events.KINDS).indexOf(row.path(0).asText());
            tour.check(kind >= 0, "a known kind, got " + row);
            long n = row.path(1).asLong();
            counted += n;
            tour.check(n == events.kindCount[kind], row.path(0).asText() + " to count " + events.kindCount[kind] + " events, got " + n);
            tour.check(sameAmount(row.path(2), events.kindCents[kind], events.kindAmounts[kind]),
                    row.path(0).asText() + " to sum to " + amount(events.kindCents[kind], events.kindAmounts[kind]) + ", got " + row.path(2));
        }
        tour.check(counted == Events.COUNT && groupedRows.size() == Events.KINDS.length,
                Events.KINDS.length + " groups counting " + Events.COUNT + " events in all, got " + counted);
        JsonNode stats = answer.path("stats");
        tour.say(String.format("Counts and sums match the generator's. The scan read %,d rows in %d ms, and of the sealed"
                        + " segments only the kind and amount columns: %,d KiB.", stats.path("rows_scanned").asLong(),
                stats.path("millis").asLong(), stats.path("bytes_read").asLong() / 1024));
        tour.check(stats.path("rows_scanned").asLong() == Events.COUNT, "a GROUP BY over the whole table to scan every row");
    }

    private void timeRange(DemoTour tour) throws Exception {
        tour.step("A time-range query: zone maps skip the blocks that cannot match");
        tour.say("Each block of 16384 rows keeps every column's min and max; ts rises, so only the blocks"
                + " around the window are read.");
        String query = "{\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"sum\",\"column\":\"amount\",\"as\":\"revenue\"}],"
                + "\"where\":{\"and\":[{\"column\":\"ts\",\"op\":\">=\",\"value\":\"" + WINDOW_FROM + "\"},"
                + "{\"column\":\"ts\",\"op\":\"<\",\"value\":\"" + WINDOW_TO + "\"}]}}";
        JsonNode answer = tour.post(TABLE + "/query", query).expect(200).json();
        long from = Instant.parse(WINDOW_FROM).toEpochMilli();
        long to = Instant.parse(WINDOW_TO).toEpochMilli();
        long[] expected = events.window(from, to);
        JsonNode row = answer.path("rows").path(0);
        tour.check(row.path(0).asLong() == expected[0], expected[0] + " events between " + WINDOW_FROM + " and " + WINDOW_TO
                + ", got " + row.path(0));
        tour.check(sameAmount(row.path(1), expected[1], expected[2]), "their revenue to be " + amount(expected[1], expected[2])
                + ", got " + row.path(1));
        JsonNode stats = answer.path("stats");
        long skipped = stats.path("blocks_skipped").asLong();
        long scanned = stats.path("blocks_scanned").asLong();
        long rows = stats.path("rows_scanned").asLong();
        tour.check(skipped > 0 && rows < Events.COUNT / 10, "zone maps to skip blocks and leave under a tenth of the rows to scan, got " + stats);
        tour.say(String.format("%d events match. %d of %d blocks skipped, %,d rows scanned of %,d (%.1f%%).",
                expected[0], skipped, skipped + scanned, rows, Events.COUNT, 100.0 * rows / Events.COUNT));
        tour.say("The block still being filled in a shard's memory has no zone map yet, so it is always scanned.");
    }

    private void describe(DemoTour tour) throws Exception {
        tour.step("Describe the table: segments on disk and compression per column");
        JsonNode table = tour.get(TABLE).expect(200).json();
        long sealed = table.path("rows").asLong() - table.path("memory_rows").asLong();
        tour.check(table.path("segments").asInt() >= 2 && sealed > 0,
                "each shard to have sealed a segment (segment-rows is 262144), got " + table.path("segments"));
        tour.say(String.format("%,d rows: %,d sealed in %d immutable segment files, %,d still in the shards' memory tails (their log replays them on restart).",
                table.path("rows").asLong(), sealed, table.path("segments").asInt(), table.path("memory_rows").asLong()));
        tour.say("Compression of the sealed rows (raw: 8 bytes a number, a string's UTF-8 bytes):");
        long raw = 0;
        for (JsonNode column : table.path("columns")) {
            double ratio = column.path("compression_ratio").asDouble();
            tour.check(ratio > 1, "column " + column.path("name").asText() + " to compress, got " + column);
            raw += column.path("raw_bytes").asLong();
            tour.say(String.format("  %-7s %-10s %,12d bytes raw -> %,11d encoded   %6.2fx", column.path("name").asText(),
                    column.path("type").asText(), column.path("raw_bytes").asLong(), column.path("encoded_bytes").asLong(), ratio));
        }
        long disk = table.path("segment_bytes").asLong();
        tour.say(String.format("On disk: %.2f bytes a row in segments (zone maps and headers included) against %.2f raw: %.1fx smaller.",
                (double) disk / sealed, (double) raw / sealed, (double) raw / disk));
    }

    private void oltpVersusOlap(DemoTour tour) throws Exception {
        tour.step("OLTP against OLAP: one user's event count, from a KV profile and from a column scan");
        long count = events.userCount(USER);
        tour.say("An application keeps user " + USER + "'s profile in the key-value store, its event counter up to date:");
        String profile = "{\"user\":" + USER + ",\"events\":" + count + "}";
        String key = "/kv/profiles/user-" + USER;
        tour.put(key, profile).expect(201);
        tour.get(key).expect(200, profile);
        double lookup = medianMillis(LOOKUPS, () -> tour.quietly("GET", key, null).expect(200, profile));
        tour.say("The table answers the same question by scanning the user column of every row:");
        String query = "{\"aggregates\":[{\"fn\":\"count\",\"as\":\"events\"}],\"where\":{\"column\":\"user\",\"op\":\"=\",\"value\":" + USER + "}}";
        JsonNode answer = tour.post(TABLE + "/query", query).expect(200).json();
        tour.check(answer.path("rows").path(0).path(0).asLong() == count,
                "the scan to count the " + count + " events the profile holds, got " + answer.path("rows"));
        double scan = medianMillis(SCANS, () -> tour.quietly("POST", TABLE + "/query", query).expect(200));
        long rows = answer.path("stats").path("rows_scanned").asLong();
        tour.check(rows == Events.COUNT, "users are spread over every block, so the scan reads every row, got " + rows);
        tour.say(String.format("Both say %d events. KV point lookup: %.2f ms (median of %d), reads 1 key.", count, lookup, LOOKUPS));
        tour.say(String.format("Column scan: %.1f ms (median of %d), reads %,d rows: %.0fx slower for one user.", scan, SCANS, rows, scan / lookup));
        tour.say(String.format("The other way round, the GROUP BY above in point lookups would take %,d of them, about %.0f s.",
                Events.COUNT, Events.COUNT * lookup / 1000));
        tour.say("Keys for serving one thing fast (OLTP); columns for questions over everything (OLAP).");
    }

    @Override
    public void afterCrash(DemoTour tour) throws Exception {
        tour.step("The table came back: segments from disk, memory tails replayed from their logs");
        JsonNode table = tour.get(TABLE).expect(200).json();
        tour.check(table.path("rows").asLong() == Events.COUNT, "the table to hold " + Events.COUNT + " rows again, got " + table.path("rows"));
        JsonNode answer = tour.post(TABLE + "/query", GROUP_BY).expect(200).json();
        tour.check(answer.path("rows").equals(groupedRows), "the GROUP BY to answer as before the crash: " + groupedRows);
    }

    /** Whether a sum answered as JSON is {@code cents / 100}, or null when no value was summed. */
    private static boolean sameAmount(JsonNode answered, long cents, long values) {
        return values == 0 ? answered.isNull() : answered.isNumber() && Math.abs(answered.asDouble() - cents / 100.0) < 0.005;
    }

    private static String amount(long cents, long values) {
        return values == 0 ? "null" : String.format("%.2f", cents / 100.0);
    }

    /** A request that {@link #medianMillis} times. */
    private interface Call {
        void run() throws Exception;
    }

    /** Runs {@code call} {@code times} times (quietly, its checks counting) and answers the median in milliseconds. */
    private static double medianMillis(int times, Call call) throws Exception {
        long[] nanos = new long[times];
        for (int i = 0; i < times; i++) {
            long start = System.nanoTime();
            call.run();
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return nanos[times / 2] / 1e6;
    }

    /**
     * The chapter's events, generated once from a fixed seed: a user, a kind, an amount in cents
     * (none for views and clicks) and a timestamp that rises with the event's number.
     */
    static final class Events {
        static final int COUNT = 1_000_000;
        static final int USERS = 10_000;
        static final String[] KINDS = {"view", "click", "cart", "purchase", "refund"};
        /** Percent of events of each kind. */
        private static final int[] PERCENT = {50, 30, 12, 6, 2};
        static final long START = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        /** 30 days over the events. */
        private static final long STEP_MS = 30L * 24 * 3600 * 1000 / COUNT;
        static final String HEADER = "user,kind,amount,ts\n";

        private final int[] user = new int[COUNT];
        private final byte[] kind = new byte[COUNT];
        /** Cents, or -1 for no amount. */
        private final int[] cents = new int[COUNT];
        private final long[] ts = new long[COUNT];
        final long[] kindCount = new long[KINDS.length];
        final long[] kindCents = new long[KINDS.length];
        final long[] kindAmounts = new long[KINDS.length];

        Events() {
            SplittableRandom random = new SplittableRandom(20260101L);
            for (int i = 0; i < COUNT; i++) {
                user[i] = random.nextInt(USERS);
                int pick = random.nextInt(100);
                int k = 0;
                while (pick >= PERCENT[k]) {
                    pick -= PERCENT[k++];
                }
                kind[i] = (byte) k;
                cents[i] = k < 2 ? -1 : 100 + random.nextInt(30_000);
                ts[i] = START + i * STEP_MS + random.nextLong(STEP_MS);
                kindCount[k]++;
                if (cents[i] >= 0) {
                    kindCents[k] += cents[i];
                    kindAmounts[k]++;
                }
            }
        }

        /** Events {@code from} (inclusive) to {@code to} (exclusive) as CSV with its header line. */
        String csv(int from, int to) {
            StringBuilder csv = new StringBuilder(HEADER.length() + (to - from) * 48).append(HEADER);
            for (int i = from; i < to; i++) {
                csv.append(user[i]).append(',').append(KINDS[kind[i]]).append(',');
                if (cents[i] >= 0) {
                    csv.append(cents[i] / 100).append('.').append(cents[i] % 100 < 10 ? "0" : "").append(cents[i] % 100);
                }
                csv.append(',').append(Instant.ofEpochMilli(ts[i])).append('\n');
            }
            return csv.toString();
        }

        /** Events with {@code from <= ts < to}: their count, their amounts' sum in cents, and how many had an amount. */
        long[] window(long from, long to) {
            long[] out = new long[3];
            for (int i = 0; i < COUNT; i++) {
                if (ts[i] >= from && ts[i] < to) {
                    out[0]++;
                    if (cents[i] >= 0) {
                        out[1] += cents[i];
                        out[2]++;
                    }
                }
            }
            return out;
        }

        long userCount(int u) {
            return Arrays.stream(user).filter(x -> x == u).count();
        }
    }
}
