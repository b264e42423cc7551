package io.strata.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every setting checked at once, each refusal naming the key, what it accepts and where it was set. */
class NodeSettingsTest {

    @TempDir
    Path dir;

    @Test
    void theDefaultsAreValidAndANodeOnItsOwnTakesAFreeClusterPort() {
        NodeSettings settings = NodeSettings.from(NodeConfig.load(Optional.empty(), Map.of()));
        assertEquals(0, settings.clusterPort(), "no fixed cluster port, so two nodes on their own never collide");
        assertEquals(8080, settings.httpPort());
        assertTrue(settings.seedNodes().isEmpty());
        assertEquals(Duration.ofSeconds(5), settings.joinLogInterval());
        assertEquals(Path.of("data").toAbsolutePath(), settings.dataDir());
    }

    @Test
    void aValueOutOfRangeNamesTheKeyAndWhereItWasSet() throws Exception {
        assertRefused(Map.of("strata.http.port", "99999"), "strata.http.port (--http-port) must be a port 1..65535",
                "got 99999 (set in command line)");
        assertRefused(Map.of("strata.cluster.port", "-1"), "strata.cluster.port (--cluster-port) must be a port");
        assertRefused(Map.of("strata.cluster.status-timeout", "0s"), "strata.cluster.status-timeout must be positive");
        assertRefused(Map.of("strata.storage.fsync-commit-delay", "-1ms"), "strata.storage.fsync-commit-delay must not be negative");
        assertRefused(Map.of("strata.cluster.max-concurrent-moves", "0"), "strata.cluster.max-concurrent-moves must be positive");
        Path file = Files.writeString(dir.resolve("node.conf"), "# a node\nstrata.stream.table-shards = 0\n");
        StartupException fromFile = assertThrows(StartupException.class,
                () -> NodeSettings.from(NodeConfig.load(Optional.of(file), Map.of())));
        assertTrue(fromFile.getMessage().endsWith("(set in " + file + ": 2)"), fromFile.getMessage());
    }

    @Test
    void everyStoresSettingsAreCheckedToo() {
        assertRefused(Map.of("strata.kv.durability", "sometimes"), "strata.kv.durability must be one of [mmap, fsync]");
        assertRefused(Map.of("strata.bus.roll-cycle", "YEARLY"), "strata.bus.roll-cycle must be one of");
        assertRefused(Map.of("strata.columnar.block-rows", "0"), "strata.columnar.block-rows");
        assertRefused(Map.of("strata.bus.group.session-timeout", "1ms"), "strata.bus.group.session-timeout");
        assertRefused(Map.of("strata.resp.databases", "0"), "strata.resp.databases");
    }

    @Test
    void aValueOfTheWrongTypeIsABadConfiguration() {
        assertRefused(Map.of("strata.cluster.roles", "data"), "bad configuration: ", "strata.cluster.roles", "expecting: list");
        assertRefused(Map.of("strata.http.port", "eighty"), "bad configuration: command line: strata.http.port has type STRING");
        assertRefused(Map.of("strata.bus.max-read-bytes", "-1"), "bad configuration: ", "negative");
    }

    private static void assertRefused(Map<String, String> overrides, String... says) {
        StartupException e = assertThrows(StartupException.class, () -> NodeSettings.from(NodeConfig.load(Optional.empty(), overrides)));
        for (String part : says) {
            assertTrue(e.getMessage().contains(part), () -> "says '" + part + "': " + e.getMessage());
        }
    }
}
