package io.strata.node.kv.resp;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SETBIT, GETBIT, BITCOUNT and LCS through Jedis on a real node, answered as a real redis-server answers them. */
class RespBitsTest extends JedisOnANode {

    @BeforeAll
    static void start() {
        startNode(Map.of());
    }

    /** Daily active users as a bitmap: a bit per user id. */
    @Test
    void aBitmapOfActiveUsers() {
        for (long user : new long[] {3, 17, 1_000, 99_999}) {
            assertFalse(jedis.setbit("active:2026-12-07", user, true));
        }
        assertTrue(jedis.setbit("active:2026-12-07", 17, true), "the bit before");
        assertTrue(jedis.getbit("active:2026-12-07", 1_000));
        assertFalse(jedis.getbit("active:2026-12-07", 1_001));
        assertFalse(jedis.getbit("active:2026-12-07", 10_000_000), "past the end: 0");
        assertEquals(4, jedis.bitcount("active:2026-12-07"));
        assertEquals(12_500, jedis.strlen("active:2026-12-07"), "bit 99,999 is in byte 12,499");
    }

    @Test
    void answersAsRedisDoes() throws Exception {
        SameAsRedis.assertSameReplies(jedis, List.of(
                "DEL {b}k {b}s {b}a {b}b {b}l", "SETBIT {b}k 1 1", "GET {b}k", "SETBIT {b}k 1 0", "SETBIT {b}k 17 1", "GET {b}k",
                "GETBIT {b}k 17", "GETBIT {b}k 18", "GETBIT {b}missing 5", "SET {b}s @", "SETBIT {b}s 2 1", "GET {b}s",
                "SETBIT {b}k -1 1", "SETBIT {b}k 4294967296 1", "SETBIT {b}k 0 2", "SETBIT {b}k x 1", "GETBIT {b}k -1",
                "RPUSH {b}l x", "SETBIT {b}l 0 1", "GETBIT {b}l 0", "BITCOUNT {b}l",
                "SET {b}t foobar", "BITCOUNT {b}t", "BITCOUNT {b}t 0 0", "BITCOUNT {b}t 1 1", "BITCOUNT {b}t -2 -1",
                "BITCOUNT {b}t 5 30 BIT", "BITCOUNT {b}t 0", "BITCOUNT {b}t 0 1 WORD", "BITCOUNT {b}missing",
                "SET {b}a ohmytext", "SET {b}b mynewtext", "LCS {b}a {b}b", "LCS {b}a {b}b LEN", "LCS {b}a {b}b IDX",
                "LCS {b}a {b}b IDX MINMATCHLEN 4 WITHMATCHLEN", "LCS {b}a {b}b LEN IDX", "LCS {b}a {b}missing",
                "LCS {b}a {b}l", "LCS {b}a {b}b BOGUS"));
    }
}
