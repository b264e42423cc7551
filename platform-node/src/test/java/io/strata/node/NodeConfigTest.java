package io.strata.node;

import io.strata.node.storage.Durability;
import com.typesafe.config.Config;
import io.strata.node.kv.KvSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaultsComeFromReferenceConf() {
        Config config = NodeConfig.load(Optional.empty(), Map.of());
        assertEquals("127.0.0.1", config.getString("strata.http.host"), "binds loopback by default");
        assertEquals(8080, config.getInt("strata.http.port"));
        assertEquals("data", config.getString("strata.data-dir"));
        assertEquals(Durability.MMAP, KvSettings.from(config).durability());
    }

    @Test
    void overridesBeatTheFileWhichBeatsDefaultsAndFeedPekko() throws Exception {
        Path file = dir.resolve("node.conf");
        Files.writeString(file, "strata.http.port = 9001\nstrata.cluster.port = 2600\nstrata.kv.default-partitions = 3\n");
        Config config = NodeConfig.load(Optional.of(file), Map.of("strata.http.port", "9002"));
        assertEquals(9002, config.getInt("strata.http.port"));
        assertEquals(3, config.getInt("strata.kv.default-partitions"));
        assertEquals(2600, config.getInt("pekko.remote.artery.canonical.port"), "strata.cluster.port drives Artery");
    }

    @Test
    void badConfigurationIsRejectedWithAClearMessage() throws Exception {
        var missing = assertThrows(IllegalArgumentException.class, () -> NodeConfig.load(Optional.of(dir.resolve("nope.conf")), Map.of()));
        assertTrue(missing.getMessage().contains("does not exist"));

        Path malformed = dir.resolve("bad.conf");
        Files.writeString(malformed, "strata { http.port = ");
        assertThrows(com.typesafe.config.ConfigException.class, () -> NodeConfig.load(Optional.of(malformed), Map.of()));

        var durability = assertThrows(IllegalArgumentException.class, () ->
                KvSettings.from(NodeConfig.load(Optional.empty(), Map.of("strata.kv.durability", "sometimes"))));
        assertTrue(durability.getMessage().contains("strata.kv.durability"), durability.getMessage());

        var partitions = assertThrows(IllegalArgumentException.class, () ->
                KvSettings.from(NodeConfig.load(Optional.empty(), Map.of("strata.kv.default-partitions", "0"))));
        assertTrue(partitions.getMessage().contains("default-partitions"), partitions.getMessage());
    }
}
