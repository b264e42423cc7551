package io.strata.node.columnar;

import io.strata.node.columnar.ingest.RowParser;
import io.strata.node.columnar.proto.RowBatch;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A batch of rows survives the trip through its logged Protobuf form, nulls included. */
class RowBatchesTest {

    @Test
    void rowsRoundTripThroughTheLoggedForm() throws Exception {
        Schema schema = new Schema(List.of(
                new Column("k", ColumnType.INT64, false),
                new Column("v", ColumnType.FLOAT64, true),
                new Column("s", ColumnType.STRING, true),
                new Column("b", ColumnType.BOOL, true),
                new Column("ts", ColumnType.TIMESTAMP, true)));
        var parsed = RowParser.parseJson(("[{\"k\":1,\"v\":0.5,\"s\":\"x\",\"b\":true,\"ts\":7},"
                + "{\"k\":-2},{\"k\":3,\"s\":\"\",\"v\":-0.0,\"b\":false}]").getBytes(StandardCharsets.UTF_8), schema);

        RowBatch logged = RowBatch.parseFrom(RowBatches.toProto(schema, parsed.columns()).toByteArray());
        ColumnBuilder[] builders = schema.columns().stream().map(c -> ColumnBuilder.of(c.type())).toArray(ColumnBuilder[]::new);
        RowBatches.appendTo(schema, logged, builders);
        RowBatches.appendTo(schema, logged, builders);

        var k = (ColumnVector.LongVector) builders[0].build();
        assertEquals(6, k.size());
        assertArrayEquals(new long[]{1, -2, 3, 1, -2, 3}, java.util.Arrays.copyOf(k.values(), 6));
        var v = (ColumnVector.DoubleVector) builders[1].build();
        assertTrue(v.isNull(1) && v.isNull(4));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(v.values()[2]));
        var s = (ColumnVector.StringVector) builders[2].build();
        assertEquals("x", s.value(0));
        assertTrue(s.isNull(1));
        assertEquals("", s.value(2), "an empty string is a value, not a null");
        var b = (ColumnVector.BoolVector) builders[3].build();
        assertTrue(b.values()[0] && !b.values()[2] && b.isNull(1));
        var ts = (ColumnVector.LongVector) builders[4].build();
        assertEquals(7, ts.values()[3]);
        assertTrue(ts.isNull(2) && ts.isNull(5));
    }
}
