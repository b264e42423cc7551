package io.strata.node.common;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keys as bytes: every byte sequence maps to one string and back, and UTF-8 text stays the string it is. */
class KeyBytesTest {

    @Test
    void everyByteSequenceComesBackExactly() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(24)];
            random.nextBytes(bytes);
            assertArrayEquals(bytes, KeyBytes.toBytes(KeyBytes.fromBytes(bytes)));
        }
    }

    @Test
    void textIsItself() {
        for (String text : new String[]{"", "user:1", "héllo", "日本", "emoji \uD83D\uDE00", "\uE000\uFFFF"}) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            assertEquals(text, KeyBytes.fromBytes(utf8));
            assertArrayEquals(utf8, KeyBytes.toBytes(text));
            assertTrue(KeyBytes.isText(text));
        }
    }

    @Test
    void bytesThatAreNotTextAreEscapedOneByOne() {
        // A lone continuation byte, a truncated sequence, an encoded surrogate (ED A0 80) and 0xFF.
        byte[] bytes = {'a', (byte) 0x80, (byte) 0xC3, 'b', (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xFF};
        String key = KeyBytes.fromBytes(bytes);
        assertEquals("a\uDC80\uDCC3b\uDCED\uDCA0\uDC80\uDCFF", key);
        assertFalse(KeyBytes.isText(key));
        assertEquals("a\uFFFD\uFFFDb\uFFFD\uFFFD\uFFFD\uFFFD", KeyBytes.printable(key));
        assertEquals(Partitioner.partitionFor("user:1", 16),
                Partitioner.partitionFor(KeyBytes.fromBytes("user:1".getBytes(StandardCharsets.UTF_8)), 16));
    }
}
