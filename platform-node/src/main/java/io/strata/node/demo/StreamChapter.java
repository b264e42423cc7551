package io.strata.node.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.http.Json;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Stream jobs: a seeded clickstream (views, clicks, carts, purchases of 50 users over 15 minutes
 * of event time, slightly out of order) in a topic; three jobs compute per-user spend over 1-minute
 * tumbling and 5-minute sliding windows and per-user sessions, into KV (the online store: the
 * latest window per user) and tables (the offline store: one row per user and final window); a
 * late event goes to the late topic and a bad record to the dead-letter topic. Every result is
 * checked against what the chapter computes from its own generator. After the crash, the jobs run
 * again from their checkpoints, with the same table rows (none twice) and the same KV values.
 */
public final class StreamChapter implements DemoChapter {

    private static final String TOPIC = "clickstream";
    private static final int PARTITIONS = 3;
    private static final long MINUTE = 60_000;
    private static final long OUT_OF_ORDERNESS = 5_000;
    private static final long LATENESS = 30_000;
    private static final long GAP = MINUTE;
    private static final long WAIT_MS = 45_000;
    private static final String TIMING = "\"out_of_orderness\":\"5s\",\"allowed_lateness\":\"30s\",\"idle_timeout\":\"3s\"";
    private static final String PURCHASES = "\"filter\":{\"column\":\"type\",\"op\":\"=\",\"value\":\"purchase\"},"
            + "\"transforms\":[{\"set\":{\"field\":\"total\",\"expr\":\"price * quantity\"}}]";
    private static final String SPEND = "\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"sum\",\"column\":\"total\",\"as\":\"spend\"}]";
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HH_MM_SS = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /** One job of the chapter: its name, what it does, its spec and the results the chapter expects of it. */
    private record Job(String name, String what, String why, String spec, String[] aggregates, Expected expected) {}

    private final Clickstream clicks = new Clickstream();
    private final List<Job> jobs = new ArrayList<>();
    /** Per job, its table's row count and the chosen user's KV value as the tour left them, checked after the crash. */
    private final Map<String, Long> tableRows = new LinkedHashMap<>();
    private final Map<String, String> kvValues = new LinkedHashMap<>();
    private String user;

    @Override
    public String title() {
        return "Stream jobs";
    }

    @Override
    public void tour(DemoTour tour) throws Exception {
        user = clicks.topBuyer();
        long lastPurchase = clicks.events.stream().filter(Click::purchase).mapToLong(Click::ts).max().orElseThrow();
        long last = clicks.events.stream().mapToLong(Click::ts).max().orElseThrow();
        jobs.add(new Job("spend_1m", "spend per user and 1-minute tumbling window: purchases only, total = price * quantity",
                "KV (online): a model serving a request reads the user's latest minute in one lookup; the table (offline)"
                        + " keeps every final minute for training sets; the topic feeds whoever listens.",
                "{\"name\":\"spend_1m\",\"source\":{\"topic\":\"" + TOPIC + "\",\"group\":\"spend_1m\"}," + PURCHASES
                        + ",\"key\":\"user\",\"event_time\":\"ts\",\"window\":{\"type\":\"tumbling\",\"size\":\"1m\"}," + TIMING + ","
                        + SPEND + ",\"sinks\":[{\"kv\":{\"space\":\"spend_1m\",\"ttl\":\"1d\"}},{\"table\":\"spend_1m\"},"
                        + "{\"topic\":\"spend_1m.results\"}]}",
                new String[] {"n", "spend"}, Expected.timeWindows(clicks, MINUTE, MINUTE, lastPurchase - OUT_OF_ORDERNESS)));
        jobs.add(new Job("spend_5m", "spend per user over the last 5 minutes, every minute: a sliding window (size 5m, slide 1m)",
                "each purchase counts in five overlapping windows; KV answers \"spend in the last 5 minutes\" online.",
                "{\"name\":\"spend_5m\",\"source\":{\"topic\":\"" + TOPIC + "\",\"group\":\"spend_5m\"}," + PURCHASES
                        + ",\"key\":\"user\",\"event_time\":\"ts\",\"window\":{\"type\":\"sliding\",\"size\":\"5m\",\"slide\":\"1m\"},"
                        + TIMING + "," + SPEND + ",\"sinks\":[{\"kv\":{\"space\":\"spend_5m\",\"ttl\":\"1d\"}},{\"table\":\"spend_5m\"}]}",
                new String[] {"n", "spend"}, Expected.timeWindows(clicks, 5 * MINUTE, MINUTE, lastPurchase - OUT_OF_ORDERNESS)));
        jobs.add(new Job("sessions", "sessions per user over every event: a session ends after 1 minute without one",
                "a session's length is the user's, not the clock's: events, purchases, distinct pages and spend per visit.",
                "{\"name\":\"sessions\",\"source\":{\"topic\":\"" + TOPIC + "\",\"group\":\"sessions\"},"
                        + "\"transforms\":[{\"set\":{\"field\":\"total\",\"expr\":\"price * quantity\"}},"
                        + "{\"set\":{\"field\":\"bought\",\"expr\":\"if(type = 'purchase', 1, 0)\"}}],"
                        + "\"key\":\"user\",\"event_time\":\"ts\",\"window\":{\"type\":\"session\",\"gap\":\"1m\"}," + TIMING + ","
                        + "\"aggregates\":[{\"fn\":\"count\",\"as\":\"events\"},{\"fn\":\"sum\",\"column\":\"bought\",\"as\":\"purchases\"},"
                        + "{\"fn\":\"count_distinct\",\"column\":\"page\",\"as\":\"pages\"},{\"fn\":\"sum\",\"column\":\"total\",\"as\":\"spend\"}],"
                        + "\"sinks\":[{\"kv\":{\"space\":\"sessions\",\"ttl\":\"1d\"}},{\"table\":\"sessions\"}]}",
                new String[] {"events", "purchases", "pages", "spend"}, Expected.sessions(clicks, last - OUT_OF_ORDERNESS)));

        produce(tour);
        submit(tour);
        long started = System.nanoTime();
        awaitResults(tour);
        tour.say(String.format("All three jobs caught up and wrote their final windows %.1f s after they were submitted.",
                (System.nanoTime() - started) / 1e9));
        online(tour);
        offline(tour);
        summary(tour);
        lateAndBad(tour);
    }

    private void produce(DemoTour tour) throws Exception {
        tour.step("A clickstream in a topic of " + PARTITIONS + " partitions");
        tour.put("/topics/" + TOPIC, "{\"partitions\":" + PARTITIONS + ",\"retention\":\"7d\"}").expect(201);
        tour.say(String.format("A seeded generator (every run the same): %d users browsing in sessions, %,d events (%d purchases, total = price * quantity)",
                Clickstream.USERS, clicks.events.size(), clicks.events.stream().filter(Click::purchase).count()));
        tour.say("with event times (ts) from " + HH_MM_SS.format(Instant.ofEpochMilli(Clickstream.START)) + " to "
                + HH_MM_SS.format(Instant.ofEpochMilli(clicks.events.stream().mapToLong(Click::ts).max().orElseThrow()))
                + " UTC, each arriving up to 4 s late, so the topic is slightly out of event-time order. The first records:");
        String body = clicks.records(0, clicks.events.size());
        for (int i = 0; i < 3; i++) {
            tour.say("  " + clicks.record(clicks.events.get(i)));
        }
        String path = "/topics/" + TOPIC + "/records";
        tour.shell(DemoTour.curl("POST", tour.base() + path, "@clickstream.json"));
        JsonNode offsets = tour.quietly("POST", path, body).expect(200).json().path("offsets");
        tour.check(offsets.size() == clicks.events.size(), clicks.events.size() + " records appended, got " + offsets.size());
        long[] perPartition = new long[PARTITIONS];
        offsets.forEach(o -> perPartition[o.path("partition").asInt()]++);
        tour.say(String.format("HTTP/1.1 200 OK, one position per record (%s ...): %,d records, %s per partition; each user's in one partition.",
                offsets.get(0), offsets.size(), java.util.Arrays.toString(perPartition)));
    }

    private void submit(DemoTour tour) throws Exception {
        tour.step("Three jobs read the topic from offset 0, each with its own consumer group");
        tour.say("Watermark = greatest event time per partition - out_of_orderness (5 s), the least over the partitions;");
        tour.say("a window fires when the watermark passes its end, stays open 30 s more (allowed_lateness) for late updates,");
        tour.say("and is final after that: only final windows go to the table. A partition quiet for idle_timeout (3 s) stops");
        tour.say("holding the watermark back; once all are, the watermark is the greatest: the data there is, is all there is.");
        for (Job job : jobs) {
            tour.say(job.name() + ": " + job.what() + ".");
            tour.say("Why: " + job.why());
            JsonNode answer = tour.post("/jobs", job.spec()).expect(201).json();
            tour.check(answer.path("id").asText().equals(job.name()), "the job to be named " + job.name());
        }
    }

    private void awaitResults(DemoTour tour) throws Exception {
        tour.step("Wait until every job has read everything and written its final windows");
        tour.say("Polling GET /jobs/{id} until the lag is 0 and the watermark is the last event time - 5 s, then the tables"
                + " until they hold every final window.");
        for (Job job : jobs) {
            String watermark = Instant.ofEpochMilli(job.expected().watermark).toString();
            await(tour, "job " + job.name() + " to read all " + clicks.events.size() + " records and reach watermark " + watermark,
                    "/jobs/" + job.name(), j -> j.path("lag").asLong() == 0 && j.path("state").asText().equals("running")
                            && watermark.equals(j.path("watermark").asText()));
            long rows = job.expected().finalCount();
            await(tour, "table " + job.name() + " to hold the " + rows + " final windows", "/tables/" + job.name(),
                    j -> j.path("rows").asLong() >= rows);
        }
        tour.say("The first job's state: watermark, per-partition offsets and lag, counters:");
        JsonNode status = tour.get("/jobs/" + jobs.get(0).name()).expect(200).json();
        tour.check(status.path("late_events").asLong() == 0 && status.path("bad_records").asLong() == 0,
                "no late event and no bad record yet: the disorder (4 s) is within out_of_orderness (5 s), got " + status);
        long purchases = clicks.events.stream().filter(Click::purchase).count();
        tour.check(status.path("events_in").asLong() == purchases && status.path("skipped").asLong() == clicks.events.size() - purchases,
                purchases + " purchases in and " + (clicks.events.size() - purchases) + " other events filtered out, got " + status);
    }

    private void online(DemoTour tour) throws Exception {
        tour.step("Online: the KV store holds each user's latest fired window, one lookup away");
        tour.say("User " + user + " (the generator's busiest buyer), in each job's KV space:");
        for (Job job : jobs) {
            Window expected = job.expected().latestFired(user);
            JsonNode got = tour.get("/kv/" + job.name() + "/" + user).expect(200).json();
            tour.check(got.path("user").asText().equals(user) && got.path("window_start").asText().equals(iso(expected.start))
                            && got.path("window_end").asText().equals(iso(expected.end)),
                    job.name() + ": " + user + "'s latest fired window to be " + span(expected) + ", got " + got);
            checkValues(tour, job, expected, name -> got.path(name), "KV " + job.name() + "/" + user);
            kvValues.put(job.name(), got.toString());
        }
    }

    private void offline(DemoTour tour) throws Exception {
        tour.step("Offline: the tables hold one row per user and final window");
        for (Job job : jobs) {
            long rows = tour.quietly("GET", "/tables/" + job.name(), null).expect(200).json().path("rows").asLong();
            tour.check(rows == job.expected().finalCount(), "table " + job.name() + " to hold exactly " + job.expected().finalCount()
                    + " rows (one per user and final window, none twice), got " + rows);
            tableRows.put(job.name(), rows);
        }
        tour.say(String.format("spend_1m: %d rows, spend_5m: %d rows, sessions: %d rows, as computed from the generator's events.",
                tableRows.get("spend_1m"), tableRows.get("spend_5m"), tableRows.get("sessions")));
        tour.say("Windows ending after the watermark - 30 s (for spend_1m " + HH_MM_SS.format(Instant.ofEpochMilli(jobs.get(0).expected().watermark - LATENESS))
                + ") are not final: event time stops at the last event, and no later one has come to close them (KV has the fired ones).");
        for (Job job : jobs) {
            List<Window> expected = job.expected().finals(user);
            String select = "\"window_start\",\"window_end\",\"" + String.join("\",\"", job.aggregates()) + "\"";
            String query = "{\"select\":[" + select + "],\"where\":{\"column\":\"user\",\"op\":\"=\",\"value\":\"" + user
                    + "\"},\"order_by\":[{\"column\":\"window_start\"}]}";
            JsonNode answer = job == jobs.get(0)
                    ? tour.post("/tables/" + job.name() + "/query", query).expect(200).json()
                    : tour.quietly("POST", "/tables/" + job.name() + "/query", query).expect(200).json();
            JsonNode rows = answer.path("rows");
            tour.check(rows.size() == expected.size(), "table " + job.name() + " to hold " + expected.size() + " final windows of "
                    + user + ", got " + rows.size());
            for (int i = 0; i < expected.size(); i++) {
                Window w = expected.get(i);
                JsonNode row = rows.get(i);
                tour.check(row.path(0).asText().equals(iso(w.start)) && row.path(1).asText().equals(iso(w.end)),
                        "table " + job.name() + " row " + i + " of " + user + " to be window " + span(w) + ", got " + row);
                List<String> names = List.of(job.aggregates());
                checkValues(tour, job, w, name -> row.path(2 + names.indexOf(name)), "table " + job.name() + " row " + span(w));
            }
            if (job.name().equals("sessions")) {
                tour.say("Sessions of " + user + " (final ones), as the table holds them:");
                for (Window w : expected) {
                    tour.say(String.format("  %s-%s  %3d events  %2d purchases  %2d pages  spend %8s", HH_MM_SS.format(Instant.ofEpochMilli(w.start)),
                            HH_MM_SS.format(Instant.ofEpochMilli(w.end)), w.count, w.purchases, w.pages.size(), money(w)));
                }
            }
        }
    }

    /** One user's spend per minute: the 1-minute window and the 5-minute window ending with it, side by side. */
    private void summary(DemoTour tour) {
        tour.say("Spend of " + user + " by window end, from the tables (final windows; checked against the generator):");
        tour.say("  minute        1m: n  spend     5m: n  spend");
        Map<Long, Window> tumbling = new TreeMap<>();
        jobs.get(0).expected().finals(user).forEach(w -> tumbling.put(w.end, w));
        Map<Long, Window> sliding = new TreeMap<>();
        jobs.get(1).expected().finals(user).forEach(w -> sliding.put(w.end, w));
        TreeSet<Long> ends = new TreeSet<>(tumbling.keySet());
        ends.addAll(sliding.keySet());
        for (long end : ends) {
            Window t = tumbling.get(end);
            Window s = sliding.get(end);
            tour.say(String.format("  %s-%s   %3s %8s   %3s %8s", HH_MM.format(Instant.ofEpochMilli(end - MINUTE)), HH_MM.format(Instant.ofEpochMilli(end)),
                    t == null ? "-" : Long.toString(t.count), t == null ? "" : money(t),
                    s == null ? "-" : Long.toString(s.count), s == null ? "" : money(s)));
        }
    }

    private void lateAndBad(DemoTour tour) throws Exception {
        tour.step("A late event goes to the late topic; a bad record to the dead-letter topic");
        long lateTs = Clickstream.START - 3 * MINUTE;
        String late = "{\"user\":\"" + user + "\",\"type\":\"purchase\",\"page\":\"/checkout\",\"ts\":\"" + iso(lateTs)
                + "\",\"price\":19.99,\"quantity\":1}";
        String bad = "{\"user\":\"" + user + "\",\"type\":\"purchase\",\"page\":\"/checkout\",\"price\":5.00,\"quantity\":1}";
        tour.say("A purchase stamped " + HH_MM_SS.format(Instant.ofEpochMilli(lateTs)) + " (a phone that was offline): every window"
                + " it belongs to closed long ago (end + 30 s < watermark).");
        tour.say("And a purchase without its ts: no event time, so no window.");
        tour.post("/topics/" + TOPIC + "/records", "[{\"key\":\"" + user + "\",\"value\":" + late + "},{\"key\":\"" + user
                + "\",\"value\":" + bad + "}]").expect(200);
        for (Job job : jobs) {
            await(tour, "job " + job.name() + " to count 1 late event and 1 bad record", "/jobs/" + job.name(),
                    j -> j.path("lag").asLong() == 0 && j.path("late_events").asLong() >= 1 && j.path("bad_records").asLong() >= 1);
            JsonNode status = tour.quietly("GET", "/jobs/" + job.name(), null).expect(200).json();
            tour.check(status.path("late_events").asLong() == 1 && status.path("bad_records").asLong() == 1,
                    "job " + job.name() + " to count exactly 1 late event and 1 bad record, got " + status);
        }
        tour.say("Each job judges lateness by its own watermark and windows, so each of the three sends the event to the"
                + " late topic (default <topic>.late):");
        List<JsonNode> lateRecords = awaitRecords(tour, TOPIC + ".late", jobs.size());
        for (JsonNode r : lateRecords) {
            tour.check(r.path("value").path("ts").asText().equals(iso(lateTs)) && r.path("headers").path("late.reason").asText().contains("too late"),
                    "the late topic to hold the purchase stamped " + iso(lateTs) + " with a late.reason, got " + r);
        }
        tour.say("  " + lateRecords.get(0).path("value") + "  late.reason: " + lateRecords.get(0).path("headers").path("late.reason").asText());
        tour.say("The bad record went to the dead-letter topic (default <topic>.dlq), once per job, with the reason:");
        Set<String> dlqJobs = new TreeSet<>();
        for (JsonNode r : awaitRecords(tour, TOPIC + ".dlq", jobs.size())) {
            tour.check(r.path("headers").path("dlq.reason").asText().contains("event time"),
                    "the dead-letter record's reason to name the missing event time, got " + r);
            dlqJobs.add(r.path("headers").path("dlq.job").asText());
            tour.say("  dlq.job: " + r.path("headers").path("dlq.job").asText() + "  dlq.reason: " + r.path("headers").path("dlq.reason").asText());
        }
        tour.check(dlqJobs.equals(new TreeSet<>(jobs.stream().map(Job::name).toList())), "one dead-letter record per job, got " + dlqJobs);
        tour.say("Neither changed a result: the jobs kept running and " + user + "'s KV values are as they were.");
        for (Job job : jobs) {
            String got = tour.quietly("GET", "/kv/" + job.name() + "/" + user, null).expect(200).body();
            tour.check(got.equals(kvValues.get(job.name())), "KV " + job.name() + "/" + user + " unchanged, got " + got);
        }
    }

    @Override
    public void afterCrash(DemoTour tour) throws Exception {
        tour.step("The jobs came back: they resume from their checkpoints (offsets and window state)");
        for (Job job : jobs) {
            String watermark = Instant.ofEpochMilli(job.expected().watermark).toString();
            await(tour, "job " + job.name() + " to run again with lag 0 and watermark " + watermark, "/jobs/" + job.name(),
                    j -> j.path("state").asText().equals("running") && j.path("lag").asLong() == 0 && watermark.equals(j.path("watermark").asText()));
        }
        JsonNode status = tour.get("/jobs/" + jobs.get(0).name()).expect(200).json();
        tour.check(status.path("state").asText().equals("running"), "spend_1m to be running, got " + status);
        tour.say("Exactly once in the tables (rows of a checkpoint are idempotent inserts), the same values in KV:");
        for (Job job : jobs) {
            long rows = tour.quietly("GET", "/tables/" + job.name(), null).expect(200).json().path("rows").asLong();
            tour.check(rows == tableRows.get(job.name()), "table " + job.name() + " to hold its " + tableRows.get(job.name())
                    + " rows again, none twice, got " + rows);
            String got = tour.quietly("GET", "/kv/" + job.name() + "/" + user, null).expect(200).body();
            tour.check(got.equals(kvValues.get(job.name())), "KV " + job.name() + "/" + user + " to be " + kvValues.get(job.name()) + ", got " + got);
            tour.say(String.format("  %-9s table %4d rows   KV %s", job.name(), rows, got));
        }
    }

    private static void checkValues(DemoTour tour, Job job, Window w, java.util.function.Function<String, JsonNode> got, String where) {
        for (String name : job.aggregates()) {
            JsonNode v = got.apply(name);
            boolean ok = switch (name) {
                case "n", "events" -> v.isIntegralNumber() && v.asLong() == w.count;
                case "purchases" -> v.isNumber() && v.asDouble() == w.purchases; // a sum: float64 in a table
                case "pages" -> v.isIntegralNumber() && v.asLong() == w.pages.size();
                case "spend" -> w.purchases == 0 ? v.isNull() : v.isNumber() && Math.abs(v.asDouble() - w.spend) < 1e-6;
                default -> false;
            };
            String want = switch (name) {
                case "n", "events" -> Long.toString(w.count);
                case "purchases" -> Long.toString(w.purchases);
                case "pages" -> Integer.toString(w.pages.size());
                default -> money(w);
            };
            tour.check(ok, where + ": " + name + " to be " + want + ", got " + v);
        }
    }

    /**
     * Polls {@code path} quietly until {@code done} holds (one check), or fails that check with the last answer after
     * {@link #WAIT_MS}.
     */
    private static JsonNode await(DemoTour tour, String expectation, String path, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + WAIT_MS * 1_000_000;
        String last = null;
        while (true) {
            DemoTour.Exchange reply = tour.quietly("GET", path, null);
            last = reply.status() + " " + reply.body();
            JsonNode json = reply.status() == 200 ? parse(reply.body()) : null;
            if (json != null && done.test(json)) {
                tour.check(true, expectation);
                return json;
            }
            if (System.nanoTime() > deadline) {
                tour.check(false, expectation + " within " + WAIT_MS / 1000 + " s; last answer of " + path + ": " + last);
            }
            Thread.sleep(200);
        }
    }

    /** Every record of {@code topic}, over its partitions, once there are {@code count}. */
    private static List<JsonNode> awaitRecords(DemoTour tour, String topic, int count) throws Exception {
        long deadline = System.nanoTime() + WAIT_MS * 1_000_000;
        while (true) {
            List<JsonNode> records = new ArrayList<>();
            DemoTour.Exchange described = tour.quietly("GET", "/topics/" + topic, null);
            int partitions = described.status() == 200 ? parse(described.body()).path("offsets").size() : 0;
            for (int p = 0; p < partitions; p++) {
                DemoTour.Exchange read = tour.quietly("GET", "/topics/" + topic + "/partitions/" + p + "/records?offset=0&max=100", null);
                if (read.status() == 200) {
                    parse(read.body()).path("records").forEach(records::add);
                }
            }
            if (records.size() >= count || System.nanoTime() > deadline) {
                tour.check(records.size() == count, "topic " + topic + " to hold " + count + " records, got " + records);
                return records;
            }
            Thread.sleep(200);
        }
    }

    /** A poll's answer as JSON, without counting a check (polls vary in number from run to run); missing if not JSON. */
    private static JsonNode parse(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    private static String iso(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    private static String span(Window w) {
        return "[" + iso(w.start) + ", " + iso(w.end) + ")";
    }

    private static String money(Window w) {
        return w.purchases == 0 ? "null" : String.format("%.2f", w.spend);
    }

    /** One generated event; price (in cents) and quantity only for purchases. */
    record Click(String user, String type, String page, long ts, int priceCents, int quantity, long arrival) {
        boolean purchase() {
            return type.equals("purchase");
        }

        String price() {
            return String.format("%d.%02d", priceCents / 100, priceCents % 100);
        }

        /** price * quantity, as the job's expression computes it from the JSON numbers. */
        double total() {
            return Double.parseDouble(price()) * quantity;
        }
    }

    /**
     * The chapter's clickstream, generated once from a fixed seed: each user browses in sessions
     * (events 2-20 s apart, pauses of 90-240 s between sessions) over 15 minutes of event time;
     * each event arrives 0-4 s after its time, and the topic gets them in arrival order.
     */
    static final class Clickstream {
        static final int USERS = 50;
        static final long START = Instant.parse("2026-03-02T09:00:00Z").toEpochMilli();
        static final long SPAN = 15 * MINUTE;
        private static final String[] TYPES = {"view", "click", "cart", "purchase"};
        private static final int[] PERCENT = {55, 25, 10, 10};

        final List<Click> events = new ArrayList<>();

        Clickstream() {
            SplittableRandom random = new SplittableRandom(20260302L);
            for (int u = 1; u <= USERS; u++) {
                String user = String.format("u%02d", u);
                long t = START + random.nextLong(2 * MINUTE);
                while (t < START + SPAN) {
                    int n = 5 + random.nextInt(36);
                    for (int i = 0; i < n && t < START + SPAN; i++) {
                        int pick = random.nextInt(100);
                        int k = 0;
                        while (pick >= PERCENT[k]) {
                            pick -= PERCENT[k++];
                        }
                        boolean purchase = k == 3;
                        events.add(new Click(user, TYPES[k], "/p/" + random.nextInt(30), t,
                                purchase ? 199 + random.nextInt(9_800) : 0, purchase ? 1 + random.nextInt(3) : 0,
                                t + random.nextLong(4_001)));
                        t += 2_000 + random.nextLong(18_001);
                    }
                    t += 90_000 + random.nextLong(150_001);
                }
            }
            events.sort(Comparator.comparingLong(Click::arrival).thenComparing(Click::user));
        }

        /** The user with the most purchases (the least name among equals). */
        String topBuyer() {
            Map<String, Integer> purchases = new TreeMap<>();
            events.stream().filter(Click::purchase).forEach(c -> purchases.merge(c.user(), 1, Integer::sum));
            return purchases.entrySet().stream().max(Map.Entry.<String, Integer>comparingByValue()
                    .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder()))).orElseThrow().getKey();
        }

        String record(Click c) {
            StringBuilder json = new StringBuilder("{\"user\":\"").append(c.user()).append("\",\"type\":\"").append(c.type())
                    .append("\",\"page\":\"").append(c.page()).append("\",\"ts\":\"").append(iso(c.ts())).append('"');
            if (c.purchase()) {
                json.append(",\"price\":").append(c.price()).append(",\"quantity\":").append(c.quantity());
            }
            return json.append('}').toString();
        }

        /** Events {@code from} to {@code to} (exclusive) as a produce request: keyed by user, in arrival order. */
        String records(int from, int to) {
            StringBuilder body = new StringBuilder("[");
            for (int i = from; i < to; i++) {
                Click c = events.get(i);
                body.append(i == from ? "" : ",").append("{\"key\":\"").append(c.user()).append("\",\"value\":").append(record(c)).append('}');
            }
            return body.append(']').toString();
        }
    }

    /** One window's expected results: count (events, or purchases for the spend jobs), purchases, pages, spend. */
    static final class Window {
        final long start;
        long end;
        long count;
        long purchases;
        double spend;
        final Set<String> pages = new HashSet<>();

        Window(long start, long end) {
            this.start = start;
            this.end = end;
        }

        void add(Click c) {
            count++;
            pages.add(c.page());
            if (c.purchase()) {
                purchases++;
                spend += c.total();
            }
        }
    }

    /**
     * A job's expected windows per user, computed from the generator's events, and the watermark
     * the job ends at once every partition is idle: its greatest event time less out_of_orderness.
     */
    record Expected(Map<String, TreeMap<Long, Window>> windows, long watermark) {

        /** Tumbling (slide = size) or sliding windows over the purchases, aligned to the epoch. */
        static Expected timeWindows(Clickstream clicks, long size, long slide, long watermark) {
            Map<String, TreeMap<Long, Window>> windows = new TreeMap<>();
            for (Click c : clicks.events) {
                if (!c.purchase()) {
                    continue;
                }
                for (long start = c.ts() - Math.floorMod(c.ts(), slide); start > c.ts() - size; start -= slide) {
                    long s = start;
                    windows.computeIfAbsent(c.user(), u -> new TreeMap<>()).computeIfAbsent(s, x -> new Window(s, s + size)).add(c);
                }
            }
            return new Expected(windows, watermark);
        }

        /** Sessions over every event: [first, last + gap), split where two events are a gap or more apart. */
        static Expected sessions(Clickstream clicks, long watermark) {
            Map<String, List<Click>> byUser = new TreeMap<>();
            clicks.events.forEach(c -> byUser.computeIfAbsent(c.user(), u -> new ArrayList<>()).add(c));
            Map<String, TreeMap<Long, Window>> windows = new TreeMap<>();
            byUser.forEach((u, events) -> {
                events.sort(Comparator.comparingLong(Click::ts));
                TreeMap<Long, Window> sessions = new TreeMap<>();
                Window current = null;
                for (Click c : events) {
                    if (current == null || c.ts() >= current.end) {
                        current = new Window(c.ts(), c.ts() + GAP);
                        sessions.put(c.ts(), current);
                    }
                    current.end = Math.max(current.end, c.ts() + GAP);
                    current.add(c);
                }
                windows.put(u, sessions);
            });
            return new Expected(windows, watermark);
        }

        /** The user's window with the greatest end that the watermark has fired: what the KV sink holds. */
        Window latestFired(String user) {
            return windows.get(user).values().stream().filter(w -> w.end <= watermark).max(Comparator.comparingLong(w -> w.end)).orElseThrow();
        }

        /** The user's final windows (end + allowed lateness reached by the watermark), by start. */
        List<Window> finals(String user) {
            return windows.getOrDefault(user, new TreeMap<>()).values().stream().filter(w -> w.end + LATENESS <= watermark).toList();
        }

        long finalCount() {
            return windows.keySet().stream().mapToLong(u -> finals(u).size()).sum();
        }
    }
}
