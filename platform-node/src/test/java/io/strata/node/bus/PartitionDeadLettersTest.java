package io.strata.node.bus;

import com.google.protobuf.ByteString;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.bus.proto.ValueFormat;
import io.strata.node.common.PartitionId;
import io.strata.node.testing.TestNode;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Writes go to an open partition's actor directly ({@link LocalPartitions}); a command that
 * reaches that actor after it stopped is not lost but sent on through Cluster Sharding to the
 * partition's next incarnation, which answers it ({@link io.strata.node.storage.PartitionDeadLetters}).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PartitionDeadLettersTest {

    @TempDir
    Path dir;

    private static BusRecord record(String value) {
        return BusRecord.newBuilder().setValue(ByteString.copyFrom(value, StandardCharsets.UTF_8)).setFormat(ValueFormat.TEXT).build();
    }

    @Test
    void aCommandForAStoppedPartitionActorReachesItsNextIncarnation() throws Exception {
        try (TestNode node = TestNode.start(dir, Map.of())) {
            BusStore bus = node.node().bus();
            PartitionId id = new PartitionId("reborn", 0);
            assertEquals(201, node.put("/topics/reborn", "{\"partitions\": 1}").statusCode());
            bus.produce("reborn", List.of(record("first"))).toCompletableFuture().get(10, TimeUnit.SECONDS);
            ActorRef<TopicPartition.Command> first = bus.localPartitions().writer(id);
            assertNotNull(first, "an open partition lists its actor");

            assertEquals(204, node.delete("/topics/reborn").statusCode());
            assertNull(bus.localPartitions().writer(id), "a deleted partition is no longer listed");
            assertEquals(201, node.put("/topics/reborn", "{\"partitions\": 1}").statusCode());

            // The first incarnation stopped: the command becomes a dead letter, and goes on to the new one.
            CompletableFuture<TopicPartition.Reply> reply = new CompletableFuture<>();
            ActorRef<TopicPartition.Reply> replyTo = node.node().system().systemActorOf(Behaviors.receive(TopicPartition.Reply.class)
                    .onAnyMessage(r -> {
                        reply.complete(r);
                        return Behaviors.stopped();
                    }).build(), "dead-letters-test-reply", Props.empty());
            first.tell(new TopicPartition.Append(List.of(record("second")), replyTo));
            TopicPartition.Reply appended = reply.get(30, TimeUnit.SECONDS);
            assertEquals(0, assertInstanceOf(TopicPartition.Appended.class, appended).firstOffset(), appended.toString());
            ActorRef<TopicPartition.Command> second = bus.localPartitions().writer(id);
            assertNotNull(second);
            assertNotSame(first, second);
            assertEquals("second", json(node.get("/topics/reborn/partitions/0/records?offset=earliest"))
                    .get("records").get(0).get("value").asText());
        }
    }
}
