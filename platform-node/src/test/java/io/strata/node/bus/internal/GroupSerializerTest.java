package io.strata.node.bus.internal;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.strata.node.bus.ConsumerGroup;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.bus.proto.ValueFormat;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Every consumer group message crosses nodes as Protobuf (GroupSerializer), and comes back equal. */
class GroupSerializerTest {

    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create(ConfigFactory.parseString("""
                pekko.actor.provider = local
                pekko.loglevel = WARNING
                """).withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static Object roundTrip(Object message) throws Exception {
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
        var serializer = serialization.findSerializerFor(message);
        assertInstanceOf(GroupSerializer.class, serializer, "bound in reference.conf");
        byte[] bytes = serializer.toBinary(message);
        return serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, message)).get();
    }

    @Test
    void everyMessageRoundTrips() throws Exception {
        ActorRef<ConsumerGroup.Reply> replyTo = testKit.<ConsumerGroup.Reply>createTestProbe().ref();
        BusRecord record = BusRecord.newBuilder().setOffset(7).setTimestampMs(123).setKey("k")
                .setValue(ByteString.copyFromUtf8("v")).setFormat(ValueFormat.TEXT).putHeaders("h", "x").setPartition(2).build();
        Map<Integer, Long> offsets = new TreeMap<>(Map.of(0, 42L, 3, 7L));
        List<Object> messages = List.of(
                new ConsumerGroup.Poll("t", 4, "m1", 100, true, replyTo),
                new ConsumerGroup.Leave("t", "m1", replyTo),
                new ConsumerGroup.Commit("t", "m1", offsets, replyTo),
                new ConsumerGroup.Describe(replyTo),
                new ConsumerGroup.Delete(replyTo),
                new ConsumerGroup.Polled(3, List.of(0, 1), List.of(record)),
                new ConsumerGroup.Committed(3),
                new ConsumerGroup.Left(4),
                new ConsumerGroup.Description(true, 5, List.of(
                        new ConsumerGroup.TopicState("t", 4, Map.of("m1", List.of(0, 1), "m2", List.of(2, 3)), offsets)), null),
                new ConsumerGroup.Rejected("not_assigned", "why"));
        for (Object message : messages) {
            assertEquals(message, roundTrip(message));
        }
    }

    /** The classic protocol's messages carry byte arrays, which records compare by identity: compared by their bytes. */
    @Test
    void everyClassicProtocolMessageRoundTrips() throws Exception {
        ActorRef<ConsumerGroup.Reply> replyTo = testKit.<ConsumerGroup.Reply>createTestProbe().ref();
        byte[] metadata = {0, 1, 2, 3};
        List<Object> messages = List.of(
                new ConsumerGroup.Join("m-1", "client", "/127.0.0.1", 45_000, 300_000, "consumer",
                        List.of(new ConsumerGroup.ClassicProtocol("range", metadata),
                                new ConsumerGroup.ClassicProtocol("cooperative-sticky", new byte[0])), true, replyTo),
                new ConsumerGroup.Sync("m-1", 3, "consumer", "range", Map.of("m-1", metadata, "m-2", new byte[] {9}), replyTo),
                new ConsumerGroup.Heartbeat("m-1", 3, replyTo),
                new ConsumerGroup.LeaveMembers(List.of("m-1", "m-2"), replyTo),
                new ConsumerGroup.CommitOffsets("m-1", 3, new TreeMap<>(Map.of("t", Map.of(0, 42L), "u", Map.of(1, 7L))), replyTo),
                new ConsumerGroup.Joined("NONE", 3, "consumer", "range", "m-1", "m-1",
                        List.of(new ConsumerGroup.JoinedMember("m-1", metadata), new ConsumerGroup.JoinedMember("m-2", metadata))),
                new ConsumerGroup.Synced("NONE", "consumer", "range", metadata),
                new ConsumerGroup.Answered("REBALANCE_IN_PROGRESS"),
                new ConsumerGroup.MembersLeft(Map.of("m-1", "NONE", "m-9", "UNKNOWN_MEMBER_ID")),
                new ConsumerGroup.Description(true, 0, List.of(), new ConsumerGroup.ClassicState("Stable", "consumer", "range", 3,
                        List.of(new ConsumerGroup.ClassicMember("m-1", "client", "/127.0.0.1", metadata, new byte[] {5})))));
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
        for (Object message : messages) {
            Object back = roundTrip(message);
            assertEquals(message.getClass(), back.getClass());
            var serializer = serialization.findSerializerFor(message);
            assertArrayEquals(serializer.toBinary(message), serializer.toBinary(back), message.toString());
        }
    }
}
