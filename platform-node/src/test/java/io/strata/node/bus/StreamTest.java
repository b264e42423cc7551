package io.strata.node.bus;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.http.Json;
import io.strata.node.testing.TestNode;
import org.apache.pekko.stream.javadsl.AsPublisher;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Live partition streams: Server-Sent Events over real HTTP, and the stream's demand-driven reading. */
class StreamTest {

    @TempDir
    static Path dir;

    private static TestNode node;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("strata.bus.stream.poll-interval", "50ms", "strata.bus.stream.batch-records", "2"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** The next {@code count} events of an SSE body (blank-line separated), each as {@code id} and {@code data}. */
    private static List<String[]> events(Iterator<String> lines, int count) {
        List<String[]> events = new ArrayList<>();
        String id = null;
        String data = "";
        while (events.size() < count && lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("id:")) {
                id = line.substring(3).trim();
            } else if (line.startsWith("data:")) {
                data = line.substring(5).trim();
            } else if (line.isEmpty()) {
                if (!data.isEmpty()) {
                    events.add(new String[] {id, data});
                }
                id = null;
                data = "";
            }
        }
        return events;
    }

    @Test
    void streamsExistingRecordsThenFollowsTheLivePartition() {
        assertEquals(201, node.put("/topics/live", "{\"partitions\": 2}").statusCode());
        node.post("/topics/live/records", "[{\"partition\": 1, \"value\": \"a\"}, {\"partition\": 1, \"value\": {\"n\": 2}},"
                + " {\"partition\": 1, \"key\": \"k\", \"value\": \"c\"}]");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            HttpResponse<Stream<String>> response = client.send(HttpRequest.newBuilder(
                    URI.create(node.base() + "/topics/live/partitions/1/stream?offset=1")).GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, response.statusCode());
            assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElse(""));
            try (Stream<String> body = response.body()) {
                Iterator<String> lines = body.iterator();
                List<String[]> first = events(lines, 2);
                assertEquals("1", first.get(0)[0]);
                assertEquals(2, Json.parse(first.get(0)[1].getBytes()).get("value").get("n").asInt());
                JsonNode third = Json.parse(first.get(1)[1].getBytes());
                assertEquals(2, third.get("offset").asLong());
                assertEquals("k", third.get("key").asText());

                node.post("/topics/live/records", "{\"partition\": 1, \"value\": \"live\"}");
                List<String[]> live = events(lines, 1);
                assertEquals("3", live.get(0)[0]);
                assertEquals("live", Json.parse(live.get(0)[1].getBytes()).get("value").asText());
            }
        });
    }

    @Test
    void lastEventIdResumesAfterIt() {
        assertEquals(201, node.put("/topics/resume", "{}").statusCode());
        node.post("/topics/resume/records", "[{\"value\": \"a\"}, {\"value\": \"b\"}, {\"value\": \"c\"}]");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            HttpResponse<Stream<String>> response = client.send(HttpRequest.newBuilder(
                    URI.create(node.base() + "/topics/resume/partitions/0/stream")).header("Last-Event-ID", "1").GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
            try (Stream<String> body = response.body()) {
                assertEquals("2", events(body.iterator(), 1).get(0)[0]);
            }
        });
    }

    @Test
    void badStreamRequestsAreRefused() {
        assertEquals(201, node.put("/topics/refused", "{}").statusCode());
        GroupHttpTest.assertError(404, "topic_not_found", node.get("/topics/nope/partitions/0/stream"));
        GroupHttpTest.assertError(404, "invalid_partition", node.get("/topics/refused/partitions/3/stream"));
        GroupHttpTest.assertError(400, "invalid_offset", node.get("/topics/refused/partitions/0/stream?offset=x"));
        GroupHttpTest.assertError(416, "offset_out_of_range", node.get("/topics/refused/partitions/0/stream?offset=5"));
        GroupHttpTest.assertError(400, "invalid_last_event_id",
                node.send(node.request("/topics/refused/partitions/0/stream").header("Last-Event-ID", "x").GET()));
    }

    /**
     * A partition that always has more (an endless reader) and a subscriber that asks for 5 records
     * and then takes nothing: the stream reads a few batches and stops, instead of reading (and
     * buffering) for as long as the partition has records.
     */
    @Test
    void aSlowSubscriberHoldsTheStreamBack() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        PartitionStream.Reader endless = (offset, max, wait) -> {
            reads.incrementAndGet();
            long from = Math.max(offset, 0);
            List<BusRecord> batch = LongStream.range(from, from + max)
                    .mapToObj(o -> BusRecord.newBuilder().setOffset(o).setValue(ByteString.copyFromUtf8("x")).build()).toList();
            return CompletableFuture.completedFuture(new TopicPartition.Records(batch, from + max, 0, Long.MAX_VALUE));
        };
        CountDownLatch received = new CountDownLatch(5);
        AtomicInteger count = new AtomicInteger();
        AtomicReference<Subscription> subscription = new AtomicReference<>();
        PartitionStream.create(endless, 0, 10, Duration.ofMillis(50), node.node().system())
                .runWith(Sink.asPublisher(AsPublisher.WITHOUT_FANOUT), node.node().system())
                .subscribe(new Subscriber<>() {
                    @Override
                    public void onSubscribe(Subscription s) {
                        subscription.set(s);
                        s.request(5);
                    }

                    @Override
                    public void onNext(BusRecord record) {
                        count.incrementAndGet();
                        received.countDown();
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onComplete() {}
                });
        assertTrue(received.await(10, TimeUnit.SECONDS));
        // Nothing to await here: the point is that nothing more happens while the subscriber waits.
        Thread.sleep(500);
        assertEquals(5, count.get());
        assertTrue(reads.get() <= 4, "the stream read ahead without demand: " + reads.get() + " batches");
        subscription.get().request(20);
        long deadline = System.currentTimeMillis() + 10_000;
        while (count.get() < 25) {
            assertTrue(System.currentTimeMillis() < deadline, "more demand brought no more records");
            Thread.sleep(20);
        }
        subscription.get().cancel();
    }
}
