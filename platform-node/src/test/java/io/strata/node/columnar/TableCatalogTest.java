package io.strata.node.columnar;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.node.common.Futures;
import io.strata.node.common.StrataException;
import io.strata.node.storage.CatalogStores;
import io.strata.node.storage.DataLayout;
import io.strata.node.storage.DiskSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TableCatalogTest {

    @TempDir
    Path dir;

    private static final Schema SCHEMA = new Schema(List.of(
            new Column("k", ColumnType.INT64, false), new Column("ts", ColumnType.TIMESTAMP, true)));

    @Test
    void tablesAreDurableAndTheirContractNeverChanges() {
        TableCatalog catalog = TableCatalog.load(CatalogStores.local(DiskSpace.of(dir, 0, Duration.ofSeconds(1)), Runnable::run), DataLayout.of(dir));
        Futures.join(catalog.create("events", SCHEMA, 4));
        assertEquals(SCHEMA, Futures.join(catalog.create("events", SCHEMA, 4)).schema(), "creating the same table again is fine");
        assertEquals("table_exists", assertThrows(StrataException.class, () -> Futures.join(catalog.create("events", SCHEMA, 2))).code());
        assertEquals("table_exists", assertThrows(StrataException.class, () -> Futures.join(catalog.create("events",
                new Schema(List.of(new Column("k", ColumnType.STRING, false))), 4))).code());
        assertEquals("invalid_shards", assertThrows(StrataException.class, () -> catalog.create("t", SCHEMA, 0)).code());

        TableCatalog reloaded = TableCatalog.load(CatalogStores.local(DiskSpace.of(dir, 0, Duration.ofSeconds(1)), Runnable::run), DataLayout.of(dir));
        assertEquals(new TableCatalog.Table("events", SCHEMA, 4), Futures.join(reloaded.require("events")));
        assertEquals("table_not_found", assertThrows(StrataException.class, () -> Futures.join(reloaded.require("nope"))).code());
        assertTrue(Futures.join(reloaded.remove("events")));
        assertEquals(List.of(), TableCatalog.load(CatalogStores.local(DiskSpace.of(dir, 0, Duration.ofSeconds(1)), Runnable::run), DataLayout.of(dir)).list());
    }

    @Test
    void schemasReadAndWriteTheirTypesByName() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String written = json.writeValueAsString(SCHEMA);
        assertTrue(written.contains("\"type\":\"int64\"") && written.contains("\"type\":\"timestamp\""), written);
        assertEquals(SCHEMA, json.readValue(written, Schema.class));
        var unknownType = assertThrows(Exception.class, () -> json.readValue(
                "{\"columns\":[{\"name\":\"a\",\"type\":\"decimal\",\"nullable\":false}]}", Schema.class));
        Throwable cause = unknownType;
        while (cause != null && !(cause instanceof StrataException)) {
            cause = cause.getCause();
        }
        assertTrue(cause instanceof StrataException s && s.code().equals("invalid_schema"), String.valueOf(unknownType));
    }
}
