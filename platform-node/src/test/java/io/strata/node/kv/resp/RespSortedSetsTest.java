package io.strata.node.kv.resp;

import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.params.ZRangeParams;
import redis.clients.jedis.resps.Tuple;
import redis.clients.jedis.util.KeyValue;

import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sorted sets through Jedis on a real node: a leaderboard, a sliding-window rate limiter in a
 * transaction, blocking pops, RESP3 scores, and a script of commands (with OBJECT ENCODING) answered
 * byte for byte as a real redis-server answers them.
 */
class RespSortedSetsTest extends JedisOnANode {

    @BeforeAll
    static void start() {
        startNode(Map.of());
    }

    @Test
    void leaderboard() {
        assertEquals(3, jedis.zadd("board", Map.of("ann", 10.0, "bob", 25.5, "cy", 7.0)));
        assertEquals(32.0, jedis.zincrby("board", 25, "cy"));
        assertEquals(List.of(new Tuple("cy", 32.0), new Tuple("bob", 25.5)), jedis.zrevrangeWithScores("board", 0, 1));
        assertEquals(0L, jedis.zrevrank("board", "cy"));
        assertEquals(0L, jedis.zrank("board", "ann"));
        assertNull(jedis.zrank("board", "nobody"));
        assertEquals(25.5, jedis.zscore("board", "bob"));
        assertEquals(java.util.Arrays.asList(10.0, null), jedis.zmscore("board", "ann", "nobody"));
        assertEquals(2, jedis.zcount("board", "(10", "+inf"));
        assertEquals(List.of("bob"), jedis.zrangeByScore("board", 11, 100, 0, 1));
        assertEquals(List.of("cy", "bob"), jedis.zrange("board", ZRangeParams.zrangeByScoreParams(100, 11).rev()));
        assertEquals(new Tuple("ann", 10.0), jedis.zpopmin("board"));
        assertEquals(1, jedis.zrem("board", "bob", "nobody"));
        assertEquals(1, jedis.zcard("board"));
        assertEquals("zset", jedis.type("board"));
        var http = TestNode.json(node.get("/kv/0/board"));
        assertEquals("zset", http.get("type").asText());
        assertEquals("cy", http.get("members").get(0).get("member").asText());
        assertEquals(32.0, http.get("members").get(0).get("score").asDouble());
        assertEquals(1, jedis.zrem("board", "cy"));
        assertFalse(jedis.exists("board"), "a sorted set goes with its last member");
    }

    /** The usual Redis rate limiter: a sorted set of request times per client, trimmed to the window, in one transaction. */
    @Test
    void slidingWindowRateLimiterInATransaction() {
        String key = "{client:7}:requests";
        List<Long> counts = new ArrayList<>();
        for (long now = 1_000; now <= 1_600; now += 100) {
            Transaction tx = jedis.multi();
            tx.zremrangeByScore(key, 0, now - 300);
            tx.zadd(key, now, "req-" + now);
            Response<Long> count = tx.zcard(key);
            tx.pexpire(key, 300);
            tx.exec();
            counts.add(count.get());
        }
        assertEquals(List.of(1L, 2L, 3L, 3L, 3L, 3L, 3L), counts, "at most the requests of the last 300 ms");
        assertEquals(List.of("req-1400", "req-1500", "req-1600"), jedis.zrange(key, 0, -1));
    }

    @Test
    void blockingPopsWaitForAMember() throws Exception {
        assertNull(jedis.bzpopmin(0.1, "bz:empty"), "nil at the timeout");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Jedis waiting = new Jedis("127.0.0.1", port, 10_000)) {
            Future<KeyValue<String, Tuple>> popped = pool.submit(() -> waiting.bzpopmax(5, "bz:a", "bz:b"));
            awaitBlocked(1);
            assertFalse(popped.isDone());
            jedis.zadd("bz:b", Map.of("low", 1.0, "high", 2.0));
            KeyValue<String, Tuple> taken = popped.get(5, TimeUnit.SECONDS);
            assertEquals("bz:b", taken.getKey());
            assertEquals(new Tuple("high", 2.0), taken.getValue());
            assertEquals(List.of("low"), jedis.zrange("bz:b", 0, -1));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void scoresAreDoublesInResp3() throws Exception {
        jedis.zadd("r3", 1.5, "m");
        try (Socket socket = RawResp.connect(port)) {
            RawResp.send(socket, "HELLO 3\r\n");
            RawResp.readUntil(socket, "modules\r\n*0\r\n");
            RawResp.exchange(socket, "ZSCORE r3 m\r\n", ",1.5\r\n");
            RawResp.exchange(socket, "ZRANGE r3 0 -1 WITHSCORES\r\n", "*1\r\n*2\r\n$1\r\nm\r\n,1.5\r\n");
            RawResp.exchange(socket, "ZPOPMIN r3\r\n", "*2\r\n$1\r\nm\r\n,1.5\r\n");
        }
    }

    /** Every command of the family, valid and not, against Strata and redis-server: the same replies. */
    @Test
    void answersAsRedisDoes() throws Exception {
        SameAsRedis.assertSameReplies(jedis, SCRIPT);
    }

    private static final List<String> SCRIPT = List.of(
            "DEL {z}a {z}b {z}s {z}out {z}text",
            "ZADD {z}a 1 one 2 two 3 three 0.1 tenth 1e20 huge -inf bottom",
            "ZADD {z}a NX 5 one 4 four", "ZADD {z}a XX CH 5 one 9 nine", "ZADD {z}a GT CH 1 one 6 two",
            "ZADD {z}a LT 10 three", "ZADD {z}a INCR 0.2 tenth", "ZADD {z}a XX INCR 1 missing",
            "ZADD {z}a NX XX 1 a", "ZADD {z}a GT LT 1 a", "ZADD {z}a INCR 1 a 2 b", "ZADD {z}a 1", "ZADD {z}a nan a",
            "ZADD {z}a abc a", "ZINCRBY {z}a 2.5 one", "ZINCRBY {z}a x one",
            "ZRANGE {z}a 0 -1 WITHSCORES", "ZREVRANGE {z}a 1 3 WITHSCORES", "ZRANGE {z}a -2 -1",
            "ZRANGE {z}a (1 +inf BYSCORE LIMIT 1 2 WITHSCORES", "ZRANGE {z}a +inf (1 BYSCORE REV", "ZRANGE {z}a 0 1 LIMIT 0 1",
            "ZRANGEBYSCORE {z}a -inf 3 WITHSCORES LIMIT 0 3", "ZREVRANGEBYSCORE {z}a 6 (2", "ZRANGEBYSCORE {z}a x 1",
            "ZCOUNT {z}a (2 6", "ZCARD {z}a", "ZSCORE {z}a huge", "ZSCORE {z}a nobody", "ZMSCORE {z}a one nobody bottom",
            "ZRANK {z}a two", "ZREVRANK {z}a two", "ZRANK {z}a nobody",
            "ZADD {z}b 0 a 0 b 0 c 0 d 0 e", "ZRANGEBYLEX {z}b [b (d", "ZRANGEBYLEX {z}b - + LIMIT 1 2", "ZREVRANGEBYLEX {z}b (d -",
            "ZRANGE {z}b [e [b BYLEX REV", "ZLEXCOUNT {z}b (a +", "ZRANGEBYLEX {z}b b d", "ZRANGE {z}b - + BYLEX WITHSCORES",
            "ZREMRANGEBYLEX {z}b - (b", "ZREMRANGEBYRANK {z}b -1 -1", "ZREMRANGEBYSCORE {z}a (5 +inf", "ZRANGE {z}b 0 -1",
            "SADD {z}s one two x", "ZUNIONSTORE {z}out 2 {z}a {z}s WEIGHTS 2 3", "ZRANGE {z}out 0 -1 WITHSCORES",
            "ZINTERSTORE {z}out 2 {z}a {z}s AGGREGATE MAX", "ZRANGE {z}out 0 -1 WITHSCORES",
            "ZUNION 2 {z}a {z}b AGGREGATE MIN WITHSCORES", "ZINTER 2 {z}a {z}s", "ZDIFF 2 {z}a {z}s WITHSCORES",
            "ZDIFFSTORE {z}out 1 {z}nothing", "EXISTS {z}out", "ZINTERCARD 2 {z}a {z}s LIMIT 1", "ZUNION 0 {z}a",
            "ZUNIONSTORE {z}out 2 {z}a {z}s WEIGHTS 1 x", "ZRANGESTORE {z}out {z}a 1 2", "ZRANGE {z}out 0 -1 WITHSCORES",
            "ZPOPMIN {z}a 2", "ZPOPMAX {z}a", "ZPOPMIN {z}missing", "ZPOPMAX {z}a -1", "ZMPOP 2 {z}missing {z}a MAX COUNT 2",
            "ZMPOP 1 {z}missing MIN", "ZMPOP 0 {z}a MIN", "ZMPOP 1 {z}a LEFT", "BZPOPMIN {z}missing {z}b 0.01",
            "BZMPOP 0.01 1 {z}missing MIN", "ZRANDMEMBER {z}missing", "ZRANDMEMBER {z}a 0", "ZSCAN {z}b 0",
            "SET {z}text v", "ZADD {z}text 1 a", "ZRANGE {z}text 0 -1", "ZUNIONSTORE {z}out 1 {z}text", "TYPE {z}b",
            "ZADD {z}inf +inf x", "ZINCRBY {z}inf -inf x", "ZADD {z}c 0.30000000000000004 x 123456789012345678 y 1e-5 z",
            "ZRANGE {z}c 0 -1 WITHSCORES", "OBJECT ENCODING {z}c", "OBJECT REFCOUNT {z}c", "OBJECT ENCODING {z}s",
            "OBJECT ENCODING {z}missing", "SET {z}n 123456", "OBJECT ENCODING {z}n", "OBJECT ENCODING {z}text", "OBJECT NOSUCH {z}n");

    @Test
    void popsTakeTheEnds() {
        jedis.zadd("p", Map.of("a", 1.0, "b", 2.0, "c", 3.0));
        assertEquals(List.of(new Tuple("c", 3.0), new Tuple("b", 2.0)), jedis.zpopmax("p", 2));
        assertTrue(jedis.zpopmin("p", 5).contains(new Tuple("a", 1.0)));
        assertFalse(jedis.exists("p"));
        assertEquals("[]", jedis.sendCommand(Protocol.Command.ZPOPMIN, "p").toString(), "an empty array, not nil");
    }
}
