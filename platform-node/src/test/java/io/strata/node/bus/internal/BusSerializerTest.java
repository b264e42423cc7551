package io.strata.node.bus.internal;

import com.google.protobuf.ByteString;
import io.strata.node.bus.TopicPartition;
import io.strata.node.bus.proto.BusRecord;
import io.strata.node.bus.proto.ValueFormat;
import org.apache.pekko.actor.typed.ActorRef;
import io.strata.node.testing.SerializationRoundTrip;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Every message of the topic-partition protocol crosses nodes as Protobuf through {@link BusSerializer}. */
class BusSerializerTest {

    private static SerializationRoundTrip serialization;

    @BeforeAll
    static void start() {
        serialization = new SerializationRoundTrip();
    }

    @AfterAll
    static void stop() {
        serialization.close();
    }

    private static Object roundTrip(Object message) {
        return serialization.roundTrip(message, BusSerializer.class);
    }

    @Test
    void everyMessageRoundTrips() {
        ActorRef<TopicPartition.Reply> probe = serialization.testKit().<TopicPartition.Reply>createTestProbe().getRef();
        BusRecord record = BusRecord.newBuilder().setOffset(3).setKey("k").setValue(ByteString.copyFromUtf8("{}"))
                .setFormat(ValueFormat.JSON).putHeaders("h", "v").setTimestampMs(9).build();
        for (Object message : List.of(
                new TopicPartition.Append(List.of(record), probe),
                new TopicPartition.Read(TopicPartition.EARLIEST, 10, 1000, probe),
                new TopicPartition.Info(probe),
                new TopicPartition.Drop(probe),
                new TopicPartition.DeleteRecords(4, probe),
                new TopicPartition.Appended(5, 2),
                new TopicPartition.Records(List.of(record), 4, 0, 4),
                new TopicPartition.PartitionInfo(1, 9, 1234, 2),
                new TopicPartition.Dropped(),
                new TopicPartition.Rejected("offset_out_of_range", "before 7", 7, 12))) {
            assertEquals(message, roundTrip(message));
        }
    }
}
