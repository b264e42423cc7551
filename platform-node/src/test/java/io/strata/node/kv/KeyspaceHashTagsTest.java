package io.strata.node.kv;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.node.kv.KeyspaceCatalog.Keyspace;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hash tags place keys as Redis Cluster does, in keyspaces made with them; older keyspaces keep placing by the whole key. */
class KeyspaceHashTagsTest {

    @Test
    void theTagIsTheFirstNonEmptyBracedPart() {
        assertEquals("user1", Keyspace.hashTag("{user1}:a"));
        assertEquals("user1", Keyspace.hashTag("x{user1}y{z}"));
        assertEquals("{}:a", Keyspace.hashTag("{}:a"), "an empty tag: the whole key");
        assertEquals("a{b", Keyspace.hashTag("a{b"), "no closing brace: the whole key");
        assertEquals("{}}", Keyspace.hashTag("{}}"), "the first } after the { closes an empty tag: the whole key, as Redis Cluster");
        assertEquals("plain", Keyspace.hashTag("plain"));
    }

    @Test
    void keysOfOneTagShareAPartitionInAKeyspaceWithHashTags() {
        Keyspace tagged = new Keyspace("k", 64, true);
        int home = tagged.partitionOf("{user1}:a");
        for (String key : new String[]{"{user1}:b", "{user1}", "cart:{user1}", "{user1}:" + "x".repeat(500)}) {
            assertEquals(home, tagged.partitionOf(key), key);
        }
        Keyspace old = new Keyspace("k", 64);
        assertFalse(old.hashTags());
        // Without hash tags the whole key places it, as before: the same keys spread.
        long places = java.util.stream.Stream.of("{user1}:a", "{user1}:b", "{user1}:c", "{user1}:d", "{user1}:e")
                .mapToInt(old::partitionOf).distinct().count();
        assertTrue(places > 1, "spread over " + places);
        assertEquals(old.partitionOf("plain"), tagged.partitionOf("plain"), "a key without a tag is placed the same in both");
        assertNotEquals(tagged, old);
    }

    @Test
    void aCatalogEntryWrittenBeforeHashTagsReadsAsWithoutThem() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertEquals(new Keyspace("users", 8, false), json.readValue("{\"name\":\"users\",\"partitions\":8}", Keyspace.class));
        Keyspace tagged = new Keyspace("users", 8, true);
        assertEquals(tagged, json.readValue(json.writeValueAsString(tagged), Keyspace.class));
    }
}
