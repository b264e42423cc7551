package io.strata.node.common;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionerTest {

    @Test
    void matchesTheReferenceMurmur3Vectors() {
        // MurmurHash3_x86_32 with seed 0, as published with the reference implementation (and Guava's murmur3_32_fixed).
        assertEquals(0, Partitioner.murmur3(new byte[0]));
        assertEquals(0x248bfa47, Partitioner.murmur3("hello".getBytes(StandardCharsets.UTF_8)));
        assertEquals(0x2e4ff723, Partitioner.murmur3("The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void spreadsKeysOverEveryPartition() {
        int[] counts = new int[8];
        for (int i = 0; i < 8000; i++) {
            counts[Partitioner.partitionFor("user-" + i, 8)]++;
        }
        for (int count : counts) {
            assertTrue(count > 800 && count < 1200, "roughly uniform: " + count);
        }
        assertThrows(IllegalArgumentException.class, () -> Partitioner.partitionFor("k", 0));
    }
}
