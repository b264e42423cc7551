package io.strata.node.columnar.ingest;

import io.strata.node.columnar.Column;
import io.strata.node.columnar.ColumnType;
import io.strata.node.columnar.ColumnVector;
import io.strata.node.columnar.Schema;
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
        assertEquals(List.of(new RowParser.Rejection(1, "not valid JSON")), parsed.rejections());
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
