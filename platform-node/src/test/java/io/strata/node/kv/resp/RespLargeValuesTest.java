package io.strata.node.kv.resp;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Lists, hashes, sets and sorted sets grown far past {@link io.strata.node.kv.LargeValue#LARGE_BYTES},
 * so that they are held large and changed in place: every command of the families, valid and
 * not, answered as a real redis-server answers it (OBJECT ENCODING included: quicklist,
 * hashtable, skiplist), and a queue of 20,000 jobs pushed and popped through a real client.
 */
class RespLargeValuesTest extends JedisOnANode {

    @BeforeAll
    static void start() {
        startNode(Map.of());
    }

    @Test
    void answersAsRedisDoes() throws Exception {
        List<String> script = new ArrayList<>();
        script.add("DEL big:list big:hash big:set big:zset");
        grow(script, "RPUSH big:list", i -> "e" + i);
        grow(script, "HSET big:hash", i -> "f" + i + " v" + i);
        grow(script, "SADD big:set", i -> "m" + i);
        grow(script, "ZADD big:zset", i -> (i % 97) + " m" + i);
        script.addAll(List.of(
                "OBJECT ENCODING big:list", "OBJECT ENCODING big:hash", "OBJECT ENCODING big:set", "OBJECT ENCODING big:zset",
                "LPUSH big:list head1 head2", "LPOP big:list 3", "RPOP big:list", "LLEN big:list", "LINDEX big:list 700",
                "LINDEX big:list -1", "LINDEX big:list 99999", "LRANGE big:list 500 505", "LRANGE big:list -3 -1", "LPOS big:list e777",
                "LSET big:list 10 changed", "LINDEX big:list 10", "LINSERT big:list BEFORE e900 inserted", "LREM big:list 0 e901",
                "LTRIM big:list 0 1200", "LLEN big:list", "LRANGE big:list 1195 1300", "LPUSH big:hash x",
                "HGET big:hash f777", "HMGET big:hash f1 nope f1499", "HLEN big:hash", "HEXISTS big:hash f3", "HSTRLEN big:hash f1000",
                "HINCRBY big:hash counter 5", "HINCRBY big:hash f3 1", "HDEL big:hash f3 f4 nope", "HLEN big:hash", "HGET big:hash f3",
                "HSETNX big:hash f5 x", "HSETNX big:hash new y", "HGET big:hash new", "HINCRBYFLOAT big:hash fl 1.5",
                "SCARD big:set", "SISMEMBER big:set m777", "SISMEMBER big:set nope", "SMISMEMBER big:set m1 nope m1499",
                "SREM big:set m1 m2 nope", "SADD big:set m1 m3", "SCARD big:set", "SPOP big:set 0", "SADD big:hash x",
                "ZCARD big:zset", "ZSCORE big:zset m777", "ZMSCORE big:zset m1 nope", "ZRANK big:zset m777", "ZREVRANK big:zset m777",
                "ZRANGE big:zset 0 4 WITHSCORES", "ZREVRANGE big:zset 0 4", "ZRANGEBYSCORE big:zset 10 (11 LIMIT 0 5", "ZCOUNT big:zset 5 20",
                "ZPOPMIN big:zset 2", "ZPOPMAX big:zset", "ZREM big:zset m5 nope", "ZINCRBY big:zset 0.5 m10", "ZADD big:zset GT CH 1 m11 200 m12",
                "ZADD big:zset INCR 1 m13", "ZADD big:zset NX 1 m13 1 brand-new", "ZCARD big:zset", "ZRANGE big:zset 0 2 WITHSCORES",
                "ZRANGEBYLEX big:zset [m10 [m11", "ZADD big:zset 1 nan", "ZADD big:zset x m1", "SADD big:zset x"));
        SameAsRedis.assertSameReplies(jedis, script);
    }

    @Test
    void aLongQueueIsPushedAndPoppedInPlace() {
        jedis.del("jobs");
        for (int i = 0; i < 20_000; i += 100) {
            String[] batch = new String[100];
            for (int j = 0; j < 100; j++) {
                batch[j] = "job-" + (i + j);
            }
            jedis.lpush("jobs", batch);
        }
        assertEquals(20_000, jedis.llen("jobs"));
        assertEquals("job-0", jedis.rpop("jobs"), "the first job pushed comes out first");
        assertEquals(List.of("job-1", "job-2"), jedis.rpop("jobs", 2));
        assertEquals(List.of("job-19999", "job-19998"), jedis.lrange("jobs", 0, 1));
        assertEquals("job-10000", jedis.lindex("jobs", 9_999));
        for (int i = 3; i < 20_000; i++) {
            assertEquals("job-" + i, jedis.rpop("jobs"));
        }
        assertFalse(jedis.exists("jobs"), "the emptied list is gone");
    }

    /** Commands that write 1,500 elements to one key, ten per command. */
    private static void grow(List<String> script, String command, IntFunction<String> element) {
        for (int i = 0; i < 1_500; i += 10) {
            StringBuilder line = new StringBuilder(command);
            for (int j = i; j < i + 10; j++) {
                line.append(' ').append(element.apply(j));
            }
            script.add(line.toString());
        }
    }
}
