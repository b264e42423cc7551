package io.strata.node.cluster;

import io.strata.node.NodeConfig;
import io.strata.node.StrataNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A node of a cluster file claims its data directory, and no other node of any cluster starts on it. */
class NodeIdentityTest {

    @TempDir
    Path dir;

    @Test
    void aDataDirectoryBelongsToTheFirstNodeThatClaimsIt() throws Exception {
        NodeIdentity.claim(dir, "local-3", "n1");
        assertEquals("local-3/n1", Files.readString(dir.resolve(NodeIdentity.FILE)).trim());
        NodeIdentity.claim(dir, "local-3", "n1");
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> NodeIdentity.claim(dir, "local-3", "n2"));
        assertTrue(other.getMessage().contains("belongs to node local-3/n1, not to local-3/n2"), other.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NodeIdentity.claim(dir, "prod", "n1"));
        NodeIdentity.claim(dir, "", "");
    }

    @Test
    void aNodeRefusesToStartOnAnotherNodesDirectoryAndReleasesIt() throws Exception {
        NodeIdentity.claim(dir, "local-3", "n1");
        Map<String, String> settings = Map.of("strata.data-dir", dir.toString(), "strata.http.port", "0", "strata.cluster.port", "0",
                "strata.cluster.name", "local-3", "strata.cluster.node", "n2", "pekko.loglevel", "WARNING");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> StrataNode.start(NodeConfig.load(Optional.empty(), settings)));
        assertTrue(refused.getMessage().contains("belongs to node local-3/n1"), refused.getMessage());
        // The refusal released the directory's lock: its own node starts on it.
        Map<String, String> own = new java.util.HashMap<>(settings);
        own.put("strata.cluster.node", "n1");
        try (StrataNode node = StrataNode.start(NodeConfig.load(Optional.empty(), own))) {
            assertTrue(node.httpPort() > 0);
        }
    }
}
