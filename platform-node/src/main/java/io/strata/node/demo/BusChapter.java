package io.strata.node.demo;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The message bus: a topic with partitions, a keyed batch with dense offsets, reading and
 * resuming from an offset, a long poll answered as a record arrives, an all-or-nothing batch refusal, two consumer groups at different
 * speeds (an outage becomes lag, then catches up), replay from offset 0; after the crash, every
 * record at its offset, committed offsets intact, and new records continuing with no gap.
 */
public final class BusChapter implements DemoChapter {

    private static final String TOPIC = "/topics/clicks";
    private static final int PARTITIONS = 2;

    /** Each partition's records as the tour left them, compared again after the crash. */
    private final List<String> partitionContents = new ArrayList<>();
    private final long[] endOffsets = new long[PARTITIONS];
    private long fastLag;
    private long slowLag;

    @Override
    public String title() {
        return "Message bus";
    }

    @Override
    public void tour(DemoTour tour) throws Exception {
        tour.step("Create a topic with two partitions");
        tour.put(TOPIC, "{\"partitions\": " + PARTITIONS + ", \"retention\": \"7d\"}").expect(201);

        tour.step("Produce a batch: a record's partition is murmur3(key) mod 2");
        tour.say("The reply gives every record its partition and its offset: 0, 1, 2, ... per partition.");
        JsonNode offsets = tour.post(TOPIC + "/records", "["
                + "{\"key\":\"alice\",\"value\":{\"page\":\"/home\"}},"
                + "{\"key\":\"bob\",\"value\":{\"page\":\"/cart\"}},"
                + "{\"key\":\"alice\",\"value\":{\"page\":\"/checkout\"}},"
                + "{\"key\":\"carol\",\"value\":\"plain text\",\"headers\":{\"source\":\"demo\"}}]").expect(200).json().get("offsets");
        tour.check(offsets != null && offsets.size() == 4, "four positions, one per record");
        tour.check(offsets.get(0).get("partition").asInt() == offsets.get(2).get("partition").asInt(),
                "both of alice's records to land in the same partition");
        tour.check(offsets.get(2).get("offset").asLong() == offsets.get(0).get("offset").asLong() + 1,
                "alice's second record to get the next offset after her first");

        int alice = offsets.get(0).get("partition").asInt();
        tour.step("Read a partition from offset 0");
        JsonNode read = tour.get(TOPIC + "/partitions/" + alice + "/records?offset=0&max=100").expect(200).json();
        long next = read.get("next_offset").asLong();
        tour.check(read.get("records").size() == next, "offsets to be dense: records 0.." + (next - 1));

        tour.step("Resume from next_offset: only what is new");
        tour.post(TOPIC + "/records", "[{\"key\":\"alice\",\"value\":{\"page\":\"/thanks\"}}]").expect(200);
        JsonNode resumed = tour.get(TOPIC + "/partitions/" + alice + "/records?offset=" + next).expect(200).json();
        tour.check(resumed.get("records").size() == 1 && resumed.get("records").get(0).get("offset").asLong() == next,
                "exactly the one new record, at offset " + next);

        tour.step("Long poll: a read at the end of a partition waits for the next record (wait_ms)");
        long end = next + 1;
        String waitPath = TOPIC + "/partitions/" + alice + "/records?offset=" + end + "&wait_ms=10000";
        tour.shell(DemoTour.curl("GET", tour.base() + waitPath, null) + " &   # answers when a record arrives");
        long waitStart = System.nanoTime();
        CompletableFuture<DemoTour.Exchange> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return tour.quietly("GET", waitPath, null);
            } catch (IOException | InterruptedException e) {
                throw new CompletionException(e);
            }
        });
        Thread.sleep(300);
        tour.post(TOPIC + "/records", "[{\"key\":\"alice\",\"value\":{\"page\":\"/receipt\"}}]").expect(200);
        JsonNode woken = waiting.join().print().expect(200).json();
        long waitedMs = (System.nanoTime() - waitStart) / 1_000_000;
        tour.check(woken.get("records").size() == 1 && woken.get("records").get(0).get("offset").asLong() == end,
                "the waiting read to get the new record at offset " + end);
        tour.check(waitedMs < 5_000, "it to answer as the record arrived, not at the end of its 10 s wait (" + waitedMs + " ms)");

        tour.step("A bad record refuses its whole batch");
        tour.post(TOPIC + "/records", "[{\"key\":\"dave\",\"value\":1},{\"key\":\"erin\",\"vaule\":2}]")
                .expectError(400, "invalid_record");
        JsonNode described = tour.get(TOPIC).expect(200).json();
        long total = 0;
        for (JsonNode p : described.get("offsets")) {
            total += p.get("next_offset").asLong();
        }
        tour.check(total == 6, "nothing of the refused batch to be appended (6 records in all)");

        consumerGroups(tour);

        for (int p = 0; p < PARTITIONS; p++) {
            JsonNode all = tour.get(TOPIC + "/partitions/" + p + "/records?offset=earliest&max=1000").json();
            partitionContents.add(all.get("records").toString());
            endOffsets[p] = all.get("next_offset").asLong();
        }
        fastLag = tour.get("/groups/fast/lag").expect(200).json().get("lag").asLong();
        slowLag = tour.get("/groups/slow/lag").expect(200).json().get("lag").asLong();
    }

    private void consumerGroups(DemoTour tour) throws Exception {
        tour.step("Two consumer groups read the same topic at their own pace");
        tour.say("A group's members share the partitions; each group keeps its own committed offsets.");
        int fastRead = pollAndCommit(tour, "fast", "f1", 100);
        int slowRead = pollAndCommit(tour, "slow", "s1", 1);
        tour.check(fastRead == 6 && slowRead < fastRead, "the fast group to take all 6 records, the slow one fewer");
        long slowBehind = tour.get("/groups/slow/lag").expect(200).json().get("lag").asLong();
        tour.check(tour.get("/groups/fast/lag").expect(200).json().get("lag").asLong() == 0, "the fast group to have no lag");

        tour.step("The slow consumer shuts down; producers go on: its lag grows");
        tour.post("/groups/slow/leave", "{\"topic\":\"clicks\",\"member\":\"s1\"}").expect(200);
        tour.post(TOPIC + "/records", "[{\"key\":\"alice\",\"value\":1},{\"key\":\"bob\",\"value\":2},"
                + "{\"key\":\"carol\",\"value\":3},{\"key\":\"dave\",\"value\":4}]").expect(200);
        pollAndCommit(tour, "fast", "f1", 100);
        long grown = tour.get("/groups/slow/lag").expect(200).json().get("lag").asLong();
        tour.check(grown == slowBehind + 4, "the slow group's lag to grow by the 4 new records (" + slowBehind + " -> " + grown + ")");
        tour.say("Nothing failed: the outage became lag, and the records wait in the log.");

        tour.step("A consumer starts again: it resumes from the group's committed offsets and catches up");
        int caughtUp = pollAndCommit(tour, "slow", "s2", 100);
        tour.check(caughtUp == grown, "the returning consumer to receive exactly the " + grown + " records it had not committed");
        tour.check(tour.get("/groups/slow/lag").expect(200).json().get("lag").asLong() == 0, "the slow group to have caught up");

        tour.step("Replay: history is still there, from offset 0");
        JsonNode replay = tour.get(TOPIC + "/partitions/0/records?offset=0&max=1000").expect(200).json();
        tour.check(replay.get("records").get(0).get("offset").asLong() == 0, "a read from offset 0 to start at the first record");
    }

    /** One poll of up to {@code max} records, then a commit of what it returned; returns how many it got. */
    private static int pollAndCommit(DemoTour tour, String group, String member, int max) throws Exception {
        JsonNode polled = tour.post("/groups/" + group + "/poll", "{\"topic\":\"clicks\",\"member\":\"" + member
                + "\",\"max\":" + max + ",\"auto_offset_reset\":\"earliest\"}").expect(200).json();
        java.util.Map<Integer, Long> next = new java.util.TreeMap<>();
        for (JsonNode r : polled.get("records")) {
            next.merge(r.get("partition").asInt(), r.get("offset").asLong() + 1, Math::max);
        }
        if (!next.isEmpty()) {
            StringBuilder offsets = new StringBuilder();
            next.forEach((p, o) -> offsets.append(offsets.length() == 0 ? "" : ",").append('"').append(p).append("\":").append(o));
            tour.post("/groups/" + group + "/commit", "{\"topic\":\"clicks\",\"member\":\"" + member
                    + "\",\"offsets\":{" + offsets + "}}").expect(200);
        }
        return polled.get("records").size();
    }

    @Override
    public void afterCrash(DemoTour tour) throws Exception {
        tour.step("Every acknowledged record is back at its offset");
        for (int p = 0; p < PARTITIONS; p++) {
            JsonNode all = tour.get(TOPIC + "/partitions/" + p + "/records?offset=earliest&max=1000").expect(200).json();
            tour.check(all.get("records").toString().equals(partitionContents.get(p)),
                    "partition " + p + " to hold the same records as before the crash");
        }
        tour.step("Consumer groups' committed offsets came back too");
        tour.check(tour.get("/groups/fast/lag").expect(200).json().get("lag").asLong() == fastLag
                        && tour.get("/groups/slow/lag").expect(200).json().get("lag").asLong() == slowLag,
                "each group's lag to be what it was before the crash");
        tour.step("Offsets continue where they stopped: no gap, no duplicate");
        JsonNode offsets = tour.post(TOPIC + "/records", "[{\"value\":\"after the crash\",\"partition\":0}]").expect(200).json();
        tour.check(offsets.get("offsets").get(0).get("offset").asLong() == endOffsets[0],
                "the next record of partition 0 to get offset " + endOffsets[0]);
    }
}
