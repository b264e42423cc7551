package io.strata.node.kv;

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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Commands go to a running KV partition's actor directly ({@link LocalPartitions}); a command that
 * reaches that actor after it stopped is not lost but sent on through Cluster Sharding to the
 * partition's next incarnation, which answers it ({@link io.strata.node.storage.PartitionDeadLetters}).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KvLocalPartitionsTest {

    @TempDir
    Path dir;

    @Test
    void aCommandForAStoppedPartitionActorReachesItsNextIncarnation() throws Exception {
        try (TestNode node = TestNode.start(dir, Map.of())) {
            KvStore kv = node.node().kv();
            PartitionId id = new PartitionId("reborn", 0);
            kv.createKeyspace("reborn", 1).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(201, node.put("/kv/reborn/k", "first").statusCode());
            ActorRef<KvPartition.Command> first = kv.localPartitions().actor(id);
            assertNotNull(first, "a running partition lists its actor");

            assertEquals(204, node.delete("/kv/reborn").statusCode());
            assertNull(kv.localPartitions().actor(id), "a deleted partition is no longer listed");
            kv.createKeyspace("reborn", 1).toCompletableFuture().get(10, TimeUnit.SECONDS);

            // The first incarnation stopped: the command becomes a dead letter, and goes on to the new one.
            CompletableFuture<KvPartition.Reply> reply = new CompletableFuture<>();
            ActorRef<KvPartition.Reply> replyTo = node.node().system().systemActorOf(Behaviors.receive(KvPartition.Reply.class)
                    .onAnyMessage(r -> {
                        reply.complete(r);
                        return Behaviors.stopped();
                    }).build(), "kv-dead-letters-test-reply", Props.empty());
            first.tell(new KvPartition.Put("k", "second".getBytes(StandardCharsets.UTF_8), 0, KvPartition.ANY_VERSION, replyTo));
            KvPartition.Reply written = reply.get(30, TimeUnit.SECONDS);
            assertInstanceOf(KvPartition.Written.class, written, written.toString());
            ActorRef<KvPartition.Command> second = kv.localPartitions().actor(id);
            assertNotNull(second);
            assertNotSame(first, second);
            assertEquals("second", node.get("/kv/reborn/k").body());
        }
    }
}
