package io.strata.node;

import com.google.protobuf.ByteString;
import io.strata.node.bus.ConsumerGroup;
import io.strata.node.bus.TopicPartition;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.columnar.RowBatches;
import io.strata.node.columnar.Schema;
import io.strata.node.columnar.TableShard;
import io.strata.node.columnar.ingest.RowParser;
import io.strata.node.columnar.proto.RowBatch;
import io.strata.node.common.PartitionId;
import io.strata.node.storage.DataLayout;
import io.strata.node.testing.Await;
import io.strata.node.testing.TestNode;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Messages the shard region has already routed to a sharded entity when it stops itself — its
 * table or topic dropped, or its files unreadable — are all answered: each entity asks its shard
 * to passivate it and refuses what reaches it meanwhile, so the shard keeps later messages for the
 * next incarnation instead of handing them to an entity that is gone. A flood of asks, sent
 * straight to the entity as the shard region routes them, races each stop on a real node; a lost
 * message would be an ask that times out. A name made again after a drop starts empty.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ShardedEntityStopTest {

    /** Long enough that an ask that times out was lost, not slow. */
    private static final Duration ASK = Duration.ofSeconds(15);
    private static final int IN_FLIGHT = 64;

    @TempDir
    static Path dir;
    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of());
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** Keeps {@link #IN_FLIGHT} asks to one entity going from its own thread until closed; collects every outcome. */
    private static final class Flood<C, R> implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final ConcurrentLinkedQueue<CompletableFuture<R>> asks = new ConcurrentLinkedQueue<>();
        private final Thread sender;

        Flood(EntityTypeKey<C> type, String entityId, Function<ActorRef<R>, C> message) {
            EntityRef<C> entity = ClusterSharding.get(node.node().system()).entityRefFor(type, entityId);
            Semaphore inFlight = new Semaphore(IN_FLIGHT);
            sender = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    CompletableFuture<R> ask = entity.<R>ask(message::apply, ASK).toCompletableFuture();
                    ask.whenComplete((reply, failure) -> inFlight.release());
                    asks.add(ask);
                }
            }, "flood-" + entityId);
            sender.start();
        }

        int sent() {
            return asks.size();
        }

        void awaitMore(int more) {
            int from = sent();
            Await.until(Duration.ofSeconds(60), this::sent, n -> n >= from + more, n -> n + " asks sent");
        }

        /** Every outcome by its kind: a reply's record name (and code), or the failure's class. */
        Map<String, Integer> outcomes(Function<R, String> describe) {
            Map<String, Integer> kinds = new TreeMap<>();
            for (CompletableFuture<R> ask : asks) {
                String kind;
                try {
                    kind = describe.apply(ask.join());
                } catch (CompletionException e) {
                    kind = "failed: " + e.getCause().getClass().getSimpleName();
                }
                kinds.merge(kind, 1, Integer::sum);
            }
            return kinds;
        }

        /**
         * Four times, with the flood going on: deletes the entity's table or topic, then makes it
         * again; then deletes it once more, stops the flood and returns every outcome.
         */
        Map<String, Integer> raceDeletions(Callable<CompletionStage<Void>> delete, Runnable create,
                                           Function<R, String> describe) throws Exception {
            for (int round = 0; round <= 4; round++) {
                if (round > 0) {
                    create.run();
                }
                awaitMore(500);
                delete.call().toCompletableFuture().get(60, TimeUnit.SECONDS);
                awaitMore(500);
            }
            close();
            return outcomes(describe);
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            sender.join();
        }
    }

    @Test
    void insertsRoutedToAShardAsItsTableIsDroppedAreAllAnswered() throws Exception {
        String schema = "{\"columns\":[{\"name\":\"x\",\"type\":\"int64\"}],\"shards\":1}";
        assertEquals(201, node.put("/tables/routed", schema).statusCode());
        Schema columns = node.node().tables().table("routed").toCompletableFuture().join().schema();
        RowBatch row = RowBatches.toProto(columns, RowParser.parseJson("{\"x\":1}".getBytes(StandardCharsets.UTF_8), columns).columns());
        Map<String, Integer> outcomes;
        try (var flood = new Flood<TableShard.Command, TableShard.Reply>(TableShard.TYPE_KEY,
                new PartitionId("routed", 0).entityId(), r -> new TableShard.Insert(List.of(row), r))) {
            outcomes = flood.raceDeletions(() -> node.node().tables().drop("routed"),
                    () -> assertEquals(201, node.put("/tables/routed", schema).statusCode()),
                    reply -> reply instanceof TableShard.Rejected r ? "Rejected " + r.code() : reply.getClass().getSimpleName());
        }
        assertTrue(Set.of("Inserted", "Rejected table_not_found").containsAll(outcomes.keySet()),
                "every insert is answered: written, or refused because the table is gone: " + outcomes);
        assertTrue(outcomes.getOrDefault("Rejected table_not_found", 0) > 0, outcomes.toString());
        assertFalse(Files.exists(DataLayout.of(dir).tableDir("routed")), "the dropped table's files are gone");

        assertEquals(201, node.put("/tables/routed", schema).statusCode());
        var count = node.post("/tables/routed/query", "{\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}]}");
        assertEquals(0, json(count).at("/rows/0/0").asLong(), "the table made again starts empty: " + count.body());
    }

    @Test
    void appendsRoutedToAPartitionAsItsTopicIsDeletedAreAllAnswered() throws Exception {
        assertEquals(201, node.put("/topics/routed", "{\"partitions\":1}").statusCode());
        BusRecord record = BusRecord.newBuilder().setValue(ByteString.copyFromUtf8("{\"v\":1}")).build();
        Map<String, Integer> outcomes;
        try (var flood = new Flood<TopicPartition.Command, TopicPartition.Reply>(TopicPartition.TYPE_KEY,
                new PartitionId("routed", 0).entityId(), r -> new TopicPartition.Append(List.of(record), r))) {
            outcomes = flood.raceDeletions(() -> node.node().bus().deleteTopic("routed"),
                    () -> assertEquals(201, node.put("/topics/routed", "{\"partitions\":1}").statusCode()),
                    reply -> reply instanceof TopicPartition.Rejected r ? "Rejected " + r.code() : reply.getClass().getSimpleName());
        }
        assertTrue(Set.of("Appended", "Rejected topic_not_found").containsAll(outcomes.keySet()),
                "every append is answered: written, or refused because the topic is gone: " + outcomes);
        assertTrue(outcomes.getOrDefault("Rejected topic_not_found", 0) > 0, outcomes.toString());
        assertFalse(Files.exists(DataLayout.of(dir).topicDir("routed")), "the deleted topic's files are gone");

        assertEquals(201, node.put("/topics/routed", "{\"partitions\":1}").statusCode());
        var described = json(node.get("/topics/routed"));
        assertEquals(0, described.at("/offsets/0/next_offset").asLong(), "the topic made again starts empty: " + described);
    }

    @Test
    void requestsToAGroupWhoseOffsetsCannotBeReadAreAllAnswered() throws Exception {
        Path offsets = DataLayout.of(dir).groupOffsets("unreadable");
        Files.createDirectories(offsets.getParent());
        Files.writeString(offsets, "{ this is not JSON");
        Map<String, Integer> outcomes;
        try (var flood = new Flood<ConsumerGroup.Command, ConsumerGroup.Reply>(ConsumerGroup.TYPE_KEY, "unreadable",
                ConsumerGroup.Describe::new)) {
            flood.awaitMore(3000);
            flood.close();
            outcomes = flood.outcomes(reply -> reply instanceof ConsumerGroup.Rejected r ? "Rejected " + r.code()
                    : reply.getClass().getSimpleName());
        }
        assertEquals(Set.of("Rejected storage_unavailable"), outcomes.keySet(),
                "every request is refused with the reason, none is lost: " + outcomes);
        var described = node.get("/groups/unreadable");
        assertEquals(503, described.statusCode(), described.body());
    }
}
