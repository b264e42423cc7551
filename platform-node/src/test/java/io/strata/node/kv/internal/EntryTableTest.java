package io.strata.node.kv.internal;

import io.strata.node.kv.ValueType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A partition's entry table against a HashMap: random puts, overwrites and removals (growing it
 * and shrinking it again), keys of every kind (Latin-1 ones held as bytes, others as Strings, keys
 * whose hashes collide, the empty key), every entry found where the map finds it.
 */
class EntryTableTest {

    @Test
    void findsWhatAHashMapFinds() {
        Random random = new Random(7);
        EntryTable table = new EntryTable();
        Map<String, PartitionState.Entry> reference = new HashMap<>();
        String[] alphabet = {"a", "b", "Aa", "BB", "é", "ÿ", "\u0100", "日", "\ud83d\ude00", "\u0000", ":"};
        for (int step = 0; step < 200_000; step++) {
            String key = key(random, alphabet, step < 100_000 ? 6 : 2);
            if (random.nextInt(3) == 0) {
                assertSame(reference.remove(key), table.remove(key), "remove " + key);
            } else {
                PartitionState.Entry entry = entry(key, step);
                assertSame(reference.put(key, entry), table.put(key, entry), "put " + key);
            }
            assertEquals(reference.size(), table.size());
            String probe = key(random, alphabet, 6);
            assertSame(reference.get(probe), table.get(probe), "get " + probe);
        }
        for (Map.Entry<String, PartitionState.Entry> e : reference.entrySet()) {
            assertSame(e.getValue(), table.get(e.getKey()));
        }
        Set<String> keys = new HashSet<>();
        table.forEach(e -> keys.add(e.key()));
        assertEquals(reference.keySet(), keys);
        for (String key : new HashSet<>(reference.keySet())) {
            assertSame(reference.remove(key), table.remove(key));
        }
        assertEquals(0, table.size());
        assertNull(table.get(""));
    }

    @Test
    void aLatin1KeyIsHeldAsItsBytesAndHashesAsItsString() {
        String key = "k\u00e9y\u00ff";
        PartitionState.Entry entry = entry(key, 1);
        assertEquals(byte[].class, PartitionState.Entry.compact(key).getClass());
        assertEquals(String.class, PartitionState.Entry.compact("\u65e5").getClass());
        assertEquals(key.hashCode(), entry.keyHash());
        assertEquals(key, entry.key());
    }

    private static PartitionState.Entry entry(String key, long version) {
        PartitionState state = new PartitionState();
        state.put(key, ("v" + version).getBytes(StandardCharsets.UTF_8), version, 0, ValueType.STRING);
        return state.raw(key);
    }

    private static String key(Random random, String[] alphabet, int maxLength) {
        StringBuilder key = new StringBuilder();
        for (int n = random.nextInt(maxLength + 1); n > 0; n--) {
            key.append(alphabet[random.nextInt(alphabet.length)]);
        }
        return key.toString();
    }
}
