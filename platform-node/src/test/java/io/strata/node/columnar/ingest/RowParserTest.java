package io.strata.node.columnar.ingest;

import io.strata.node.columnar.Column;
import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.Schema;
import io.strata.node.columnar.proto.IngestRow;
import io.strata.node.columnar.proto.IngestRows;
import io.strata.node.columnar.proto.IngestValue;
import io.strata.node.common.StrataException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The schema is a data contract: every row is checked, and each rejection names its row and reason. */
class RowParserTest {

    private static final Schema SCHEMA = new Schema(List.of(
            new Column("k", ColumnType.INT64, false),
            new Column("v", ColumnType.FLOAT64, true),
            new Column("name", ColumnType.STRING, true),
            new Column("ok", ColumnType.BOOL, true),
            new Column("ts", ColumnType.TIMESTAMP, false)));

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void validJsonRowsBecomeColumns() {
        var parsed = RowParser.parseJson(bytes("""
                [{"k": 1, "v": 1.5, "name": "a", "ok": true, "ts": "2026-01-01T00:00:00Z"},
                 {"k": -9223372036854775808, "v": 2, "name": "a", "ts": 1767225600000},
                 {"k": 3, "v": null, "name": "b", "ok": false, "ts": "2026-01-01T01:00:00+01:00"}]
                """), SCHEMA);
        assertEquals(3, parsed.accepted());
        assertEquals(List.of(), parsed.rejections());
        var k = assertInstanceOf(ColumnVector.LongVector.class, parsed.columns()[0]);
        assertEquals(3, k.size());
        assertEquals(Long.MIN_VALUE, k.values()[1]);
        var v = assertInstanceOf(ColumnVector.DoubleVector.class, parsed.columns()[1]);
        assertEquals(2.0, v.values()[1]);
        assertTrue(v.isNull(2));
        var name = assertInstanceOf(ColumnVector.StringVector.class, parsed.columns()[2]);
        assertEquals(2, name.dictionary().length, "strings are dictionary-coded");
        assertEquals("b", name.value(2));
        var ok = assertInstanceOf(ColumnVector.BoolVector.class, parsed.columns()[3]);
        assertTrue(ok.isNull(1), "a missing nullable column is null");
        long midnight = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        var ts = assertInstanceOf(ColumnVector.LongVector.class, parsed.columns()[4]);
        assertEquals(midnight, ts.values()[0]);
        assertEquals(midnight, ts.values()[1]);
        assertEquals(midnight, ts.values()[2], "offsets are normalised to UTC");
    }

    @Test
    void rowsThatBreakTheContractAreRejectedWithTheirNumberAndReason() {
        var parsed = RowParser.parseJson(bytes("""
                [{"k": 1, "ts": 0},
                 {"v": 1.0, "ts": 0},
                 {"k": null, "ts": 0},
                 {"k": 1.5, "ts": 0},
                 {"k": "7", "ts": 0},
                 {"k": 99999999999999999999, "ts": 0},
                 {"k": 1, "ts": "2026-13-45"},
                 {"k": 1, "ts": 0, "color": "red"},
                 {"k": 1, "ts": 0, "name": 5},
                 {"k": 1, "ts": 0, "ok": "yes"},
                 {"k": 1, "ts": 0, "v": "NaN"},
                 42,
                 {"k": 2, "ts": 0}]
                """), SCHEMA);
        assertEquals(2, parsed.accepted());
        List<String> reasons = parsed.rejections().stream().map(RowParser.Rejection::describe).toList();
        assertEquals(List.of(
                "row 1: missing non-null column 'k'",
                "row 2: missing non-null column 'k'",
                "row 3: column 'k' must be an int64 (a whole number in 64-bit range), got the number 1.5",
                "row 4: column 'k' must be an int64 (a whole number in 64-bit range), got the string \"7\"",
                "row 5: column 'k' must be an int64 (a whole number in 64-bit range), got the number 99999999999999999999",
                "row 6: column 'ts': '2026-13-45' is not an ISO-8601 timestamp (such as 2026-01-01T00:00:00Z) or epoch milliseconds",
                "row 7: unknown column 'color'",
                "row 8: column 'name' must be a string, got the number 5",
                "row 9: column 'ok' must be a bool, got the string \"yes\"",
                "row 10: column 'v' must be a float64 (a number), got the string \"NaN\"",
                "row 11: must be a JSON object"), reasons);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
                parsed.rejections().stream().map(RowParser.Rejection::row).toList());
        var k = (ColumnVector.LongVector) parsed.columns()[0];
        assertEquals(1, k.values()[0]);
        assertEquals(2, k.values()[1], "only accepted rows become columns");
    }

    @Test
    void ndjsonRejectsLinesThatAreNotJson() {
        var parsed = RowParser.parseNdjson(bytes("{\"k\":1,\"ts\":0}\n\nnot json\n{\"k\":2,\"ts\":5}\n"), SCHEMA);
        assertEquals(2, parsed.accepted());
        assertEquals(1, parsed.rejections().size());
        assertEquals(1, parsed.rejections().get(0).row());
        assertTrue(parsed.rejections().get(0).reason().startsWith("the line is not valid JSON"), parsed.rejections().toString());
    }

    @Test
    void valuesThatCannotBeStoredAsWrittenRejectTheirRowOnly() {
        var json = RowParser.parseJson(bytes("""
                [{"k": 1, "ts": 0, "v": 1e400},
                 {"k": 2, "ts": 0, "v": -1e400},
                 {"k": 3, "ts": 0, "name": "\\ud800"},
                 {"k": 4, "ts": 0, "v": 1.7976931348623157e308, "name": "\\ud83d\\ude00"}]
                """), SCHEMA);
        assertEquals(1, json.accepted());
        List<String> reasons = json.rejections().stream().map(RowParser.Rejection::describe).toList();
        assertEquals(List.of(
                "row 0: column 'v' must be a float64 (a number), got a number beyond the range of a 64-bit float (about ±1.8e308)",
                "row 1: column 'v' must be a float64 (a number), got a number beyond the range of a 64-bit float (about ±1.8e308)",
                "row 2: column 'name' holds an unpaired surrogate escape (such as \\ud800 alone), which is no Unicode text"
                        + " and cannot be stored unchanged"), reasons);
        assertEquals(Double.MAX_VALUE, ((ColumnVector.DoubleVector) json.columns()[1]).values()[0]);
        assertEquals("\ud83d\ude00", ((ColumnVector.StringVector) json.columns()[2]).value(0), "a surrogate pair is a character");

        byte[] lines = bytes("{\"k\":1,\"ts\":0} xyz\n{\"k\":2,\"ts\":0}{\"k\":3,\"ts\":0}\n{\"k\":4,\"ts\":0,\"v\":1e400}\n"
                + "{\"k\":5,\"ts\":0,\"name\":\"?\"}\n{\"k\":6,\"ts\":0}\r\n");
        lines[new String(lines, StandardCharsets.US_ASCII).indexOf('?')] = (byte) 0xff;
        var ndjson = RowParser.parseNdjson(lines, SCHEMA);
        assertEquals(1, ndjson.accepted(), ndjson.rejections().toString());
        assertEquals(List.of(0, 1, 2, 3), ndjson.rejections().stream().map(RowParser.Rejection::row).toList());
        assertTrue(ndjson.rejections().get(0).reason().contains("has more after its JSON value"), ndjson.rejections().toString());
        assertTrue(ndjson.rejections().get(1).reason().contains("has more after its JSON value"), ndjson.rejections().toString());
        assertTrue(ndjson.rejections().get(2).reason().contains("beyond the range of a 64-bit float"), ndjson.rejections().toString());
        assertTrue(ndjson.rejections().get(3).reason().contains("Invalid UTF-8"), "a byte that is not UTF-8 is refused, not replaced: "
                + ndjson.rejections());
        assertEquals(6, ((ColumnVector.LongVector) ndjson.columns()[0]).values()[0]);

        var csv = RowParser.parseCsv(bytes("k,ts,v\n1,0,1e400\n2,0,-1e400\n3,0,NaN\n4,0,Infinity\n5,0,0x1p3\n6,0,1d\n"
                + "7,0,1e3\n8,0,-.5\n9,0,+2.\n"), SCHEMA);
        assertEquals(List.of(0, 1, 2, 3, 4, 5), csv.rejections().stream().map(RowParser.Rejection::row).toList());
        assertTrue(csv.rejections().get(0).reason().contains("column 'v' must be a float64"), csv.rejections().toString());
        var v = (ColumnVector.DoubleVector) csv.columns()[1];
        assertEquals(List.of(1000.0, -0.5, 2.0), List.of(v.values()[0], v.values()[1], v.values()[2]));

        IngestRows.Builder proto = IngestRows.newBuilder();
        for (double d : new double[]{Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 2.5}) {
            proto.addRows(IngestRow.newBuilder().putValues("k", IngestValue.newBuilder().setInt64Value(1).build())
                    .putValues("ts", IngestValue.newBuilder().setTimestampMs(0).build())
                    .putValues("v", IngestValue.newBuilder().setFloat64Value(d).build()));
        }
        var fromProto = RowParser.parseProtobuf(proto.build().toByteArray(), SCHEMA);
        assertEquals(List.of(0, 1, 2), fromProto.rejections().stream().map(RowParser.Rejection::row).toList());
        assertEquals(2.5, ((ColumnVector.DoubleVector) fromProto.columns()[1]).values()[0]);
    }

    @Test
    void csvWithAHeaderInAnyOrder() {
        var parsed = RowParser.parseCsv(bytes("""
                ts,k,name,v,ok
                2026-01-01T00:00:00Z,1,"a, quoted",0.5,true
                0,2,,,
                x,3,c,1,false
                0,4,d,abc,true
                0,5,e
                7,6,f,1e3,FALSE
                """), SCHEMA);
        assertEquals(3, parsed.accepted());
        assertEquals(List.of(2, 3, 4), parsed.rejections().stream().map(RowParser.Rejection::row).toList());
        assertTrue(parsed.rejections().get(0).reason().contains("'x' is not an ISO-8601 timestamp"));
        assertTrue(parsed.rejections().get(1).reason().contains("column 'v' must be a float64"));
        assertTrue(parsed.rejections().get(2).reason().contains("has 3 fields; the header has 5"));
        var name = (ColumnVector.StringVector) parsed.columns()[2];
        assertEquals("a, quoted", name.value(0));
        assertTrue(name.isNull(1), "an empty CSV field is null");
        var v = (ColumnVector.DoubleVector) parsed.columns()[1];
        assertEquals(1000.0, v.values()[2]);
        var ok = (ColumnVector.BoolVector) parsed.columns()[3];
        assertFalse(ok.values()[2]);
    }

    @Test
    void aBadCsvHeaderRefusesTheBatch() {
        var unknown = assertThrows(StrataException.class, () -> RowParser.parseCsv(bytes("k,ts,color\n1,0,red\n"), SCHEMA));
        assertEquals("invalid_csv", unknown.code());
        assertTrue(unknown.getMessage().contains("'color'"));
        assertEquals("invalid_csv", assertThrows(StrataException.class,
                () -> RowParser.parseCsv(bytes("k,k,ts\n"), SCHEMA)).code());
        assertEquals("invalid_csv", assertThrows(StrataException.class,
                () -> RowParser.parseCsv(bytes(""), SCHEMA)).code());
        assertEquals("invalid_json", assertThrows(StrataException.class,
                () -> RowParser.parseJson(bytes("[{\"k\": }"), SCHEMA)).code());
    }

    @Test
    void schemasAreValidated() {
        assertEquals("invalid_schema", assertThrows(StrataException.class, () -> new Schema(List.of())).code());
        assertEquals("invalid_schema", assertThrows(StrataException.class, () -> new Schema(List.of(
                new Column("a", ColumnType.INT64, false), new Column("a", ColumnType.STRING, true)))).code());
        assertEquals("invalid_column", assertThrows(StrataException.class, () -> new Schema(List.of(
                new Column("bad name", ColumnType.INT64, false)))).code());
        assertEquals("unknown_column", assertThrows(StrataException.class, () -> SCHEMA.column("nope")).code());
    }
}
