package io.strata.node.columnar.shard;

import io.strata.node.columnar.TableShard;
import io.strata.node.columnar.proto.ColumnData;
import io.strata.node.columnar.proto.RowBatch;
import io.strata.node.columnar.query.proto.PartialMsg;
import io.strata.node.columnar.query.proto.QueryStatsMsg;
import io.strata.node.testing.SerializationRoundTrip;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every message of the table-shard protocol crosses nodes as Protobuf through {@link TableSerializer}. */
class TableSerializerTest {

    private static SerializationRoundTrip serialization;

    @BeforeAll
    static void start() {
        serialization = new SerializationRoundTrip();
    }

    @AfterAll
    static void stop() {
        serialization.close();
    }

    @Test
    void everyMessageRoundTrips() {
        ActorRef<TableShard.Reply> probe = serialization.testKit().<TableShard.Reply>createTestProbe().getRef();
        RowBatch batch = RowBatch.newBuilder().setRows(2).setContinued(true)
                .addColumns(ColumnData.newBuilder().addLongs(1).addLongs(-2).addNullRows(1)).build();
        PartialMsg partial = PartialMsg.newBuilder().addColumns("n").setStats(QueryStatsMsg.newBuilder().setRowsScanned(7)).build();
        for (Object message : List.of(
                new TableShard.Insert(List.of(batch, batch), probe),
                new TableShard.Scan("{\"select\":[\"a\"]}", 500, probe),
                new TableShard.Page("{\"select\":[\"a\"]}", 64, -1, 100, 1000, probe),
                new TableShard.Describe(probe),
                new TableShard.Drop(probe),
                new TableShard.Inserted(2),
                new TableShard.Scanned(partial),
                new TableShard.PageRead(partial, 128, 300),
                new TableShard.ShardInfo(10, 4, 1, 6, 1234, 99, 4096,
                        List.of(new TableShard.ColumnBytes(48, 12), new TableShard.ColumnBytes(0, 0))),
                new TableShard.Dropped(),
                new TableShard.Rejected("query_timeout", "too slow"))) {
            assertEquals(message, serialization.roundTrip(message, TableSerializer.class));
        }
    }
}
