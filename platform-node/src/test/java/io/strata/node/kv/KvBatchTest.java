package io.strata.node.kv;

import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * {@link KvBatch} on a real node: the calls made through its view wait for {@link KvBatch#send},
 * those of one partition go as one message and see each other in order, a call no batch carries
 * keeps its place among them, and a call made after sending is asked at once; and
 * {@link GatheredCalls}, which does the same for the calls one thread makes in one pass.
 */
class KvBatchTest {

    @TempDir
    static Path dir;

    private static TestNode node;
    private static KvStore kv;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start(dir, Map.of());
        kv = node.node().kv();
        kv.createKeyspace("one", 1).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void callsToOnePartitionAreOneMessageAndSeeEachOtherInOrder() throws Exception {
        KvBatch batch = kv.batch("one", true).toCompletableFuture().get(10, TimeUnit.SECONDS);
        KvStore view = batch.view();
        var put = view.put("one", "k", bytes("text"), 0, KvPartition.ANY_VERSION);
        var get = view.get("one", "k");
        var incr = view.incr("one", "n", 2);
        var notANumber = view.incr("one", "k", 1);
        var counter = view.get("one", "n");
        assertEquals(5, batch.size());
        assertFalse(put.toCompletableFuture().isDone(), "nothing is sent before send()");

        double asks = asks();
        batch.send();
        assertInstanceOf(KvPartition.Written.class, reply(put));
        assertEquals("text", text(reply(get)), "a read sees the write before it");
        assertEquals(2, assertInstanceOf(KvPartition.Counter.class, reply(incr)).value());
        assertEquals("not_an_integer", assertInstanceOf(KvPartition.Rejected.class, reply(notANumber)).code(),
                "a refused call does not stop the others");
        assertEquals("2", text(reply(counter)));
        assertEquals(1, asks() - asks, "five calls to one partition, one message");

        assertEquals("text", text(reply(view.get("one", "k"))), "a call after send() is asked at once");
        assertEquals(2, asks() - asks);
    }

    @Test
    void aCallNoBatchCarriesKeepsItsPlaceAmongTheOthers() throws Exception {
        KvBatch batch = kv.batch("one", true).toCompletableFuture().get(10, TimeUnit.SECONDS);
        KvStore view = batch.view();
        var add = view.updateValue("one", "from", new SetChange.Add(List.of(bytes("m"))));
        // MoveElement is no step of a batch: the partition's calls are then asked one after the other.
        var move = view.moveMember("one", "from", "to", bytes("m"));
        var moved = view.get("one", "to");
        double asks = asks();
        batch.send();
        assertEquals(1, assertInstanceOf(KvPartition.ValueUpdated.class, reply(add)).count());
        assertEquals(1, assertInstanceOf(KvPartition.ValueUpdated.class, reply(move)).count());
        assertEquals(ValueType.SET, assertInstanceOf(KvPartition.Found.class, reply(moved)).type(), "the read ran after the move");
        assertEquals(3, asks() - asks);
    }

    @Test
    void aBatchOfReadsDoesNotCreateItsDatabase() {
        CompletableFuture<KvBatch> batch = kv.batch("never-written", false).toCompletableFuture();
        assertEquals("keyspace_not_found", assertInstanceOf(io.strata.node.common.StrataException.class,
                org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> batch.get(10, TimeUnit.SECONDS)).getCause()).code());
    }

    @Test
    void callsGatheredInOnePassOfALoopGoPerPartitionAsOneMessage() throws Exception {
        java.util.concurrent.ExecutorService loop = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            Thread loopThread = loop.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
            KvStore gathering = kv.gatheringOn(new GatheredCalls(kv, loop, () -> Thread.currentThread() == loopThread));
            double asks = asks();
            // One pass of the loop: calls as three "connections" would make them, and one no batch carries.
            List<CompletionStage<KvPartition.Reply>> replies = loop.submit(() -> {
                var put = gathering.put("one", "g", bytes("1"), 0, KvPartition.ANY_VERSION);
                var incr = gathering.incr("one", "g", 5);
                var add = gathering.updateValue("one", "gs", new SetChange.Add(List.of(bytes("m"))));
                var move = gathering.moveMember("one", "gs", "gt", bytes("m"));
                var read = gathering.get("one", "g");
                var moved = gathering.get("one", "gt");
                assertFalse(put.toCompletableFuture().isDone(), "nothing is sent before the pass ends");
                return List.of(put, incr, add, move, read, moved);
            }).get(10, TimeUnit.SECONDS);
            assertInstanceOf(KvPartition.Written.class, reply(replies.get(0)));
            assertEquals(6, assertInstanceOf(KvPartition.Counter.class, reply(replies.get(1))).value(), "calls keep their order");
            assertEquals(1, assertInstanceOf(KvPartition.ValueUpdated.class, reply(replies.get(2))).count());
            assertEquals(1, assertInstanceOf(KvPartition.ValueUpdated.class, reply(replies.get(3))).count());
            assertEquals("6", text(reply(replies.get(4))));
            assertEquals(ValueType.SET, assertInstanceOf(KvPartition.Found.class, reply(replies.get(5))).type());
            assertEquals(3, asks() - asks, "a batch of three, the move alone, a batch of two: three messages for six calls");

            // Off the loop's thread a call is asked at once.
            assertEquals("6", text(reply(gathering.get("one", "g"))));
            assertEquals(4, asks() - asks);
        } finally {
            loop.shutdownNow();
        }
    }

    private static KvPartition.Reply reply(CompletionStage<KvPartition.Reply> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(KvPartition.Reply reply) {
        return new String(assertInstanceOf(KvPartition.Found.class, reply, () -> "got " + reply).value(), StandardCharsets.UTF_8);
    }

    /** Messages the store has sent to partitions so far. */
    private static double asks() {
        Matcher m = Pattern.compile("(?m)^strata_kv_partition_asks_total ([0-9.E+]+)$").matcher(node.get("/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
