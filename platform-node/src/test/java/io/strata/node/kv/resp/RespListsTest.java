package io.strata.node.kv.resp;

import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.args.ListPosition;
import redis.clients.jedis.params.LPosParams;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lists through Jedis on a real node: pushes and pops at both ends, indexes, ranges, LREM, LTRIM,
 * LINSERT, LPOS, LMOVE within and between lists, WRONGTYPE, a list over HTTP, and a queue several
 * clients push to and pop from at once that loses and repeats nothing.
 */
class RespListsTest extends JedisOnANode {

    @BeforeAll
    static void start() {
        startNode(Map.of());
    }

    @Test
    void pushPopRangeIndex() {
        assertEquals(3, jedis.rpush("l:q", "a", "b", "c"));
        assertEquals(5, jedis.lpush("l:q", "y", "z"));
        assertEquals(List.of("z", "y", "a", "b", "c"), jedis.lrange("l:q", 0, -1));
        assertEquals(List.of("a", "b"), jedis.lrange("l:q", 2, 3));
        assertEquals(List.of(), jedis.lrange("l:q", 7, 9));
        assertEquals("c", jedis.lindex("l:q", -1));
        assertNull(jedis.lindex("l:q", 99));
        assertEquals(5, jedis.llen("l:q"));
        assertEquals("z", jedis.lpop("l:q"));
        assertEquals(List.of("c", "b"), jedis.rpop("l:q", 2));
        assertEquals("OK", jedis.lset("l:q", 0, "Y"));
        assertEquals(List.of("Y", "a"), jedis.lrange("l:q", 0, -1));
        assertError("ERR index out of range", () -> jedis.lset("l:q", 5, "x"));
        assertError("ERR no such key", () -> jedis.lset("l:absent", 0, "x"));
        assertEquals(0, jedis.lpushx("l:absent", "x"));
        assertFalse(jedis.exists("l:absent"), "LPUSHX makes no list");
        assertNull(jedis.lpop("l:absent"));
        assertNull(jedis.lpop("l:absent", 2));
        assertEquals(List.of("Y", "a"), jedis.lpop("l:q", 10));
        assertFalse(jedis.exists("l:q"), "an empty list is gone");
        assertError("ERR value is out of range, must be positive", () -> jedis.sendCommand(Protocol.Command.LPOP, "l:q", "-1"));
    }

    @Test
    void removeTrimInsertPosition() {
        jedis.rpush("l:r", "a", "x", "b", "x", "c", "x");
        assertEquals(1, jedis.lrem("l:r", -1, "x"));
        assertEquals(List.of("a", "x", "b", "x", "c"), jedis.lrange("l:r", 0, -1));
        assertEquals(2, jedis.lrem("l:r", 0, "x"));
        assertEquals(4, jedis.linsert("l:r", ListPosition.BEFORE, "b", "B"));
        assertEquals(-1, jedis.linsert("l:r", ListPosition.AFTER, "nope", "N"));
        assertEquals(List.of("a", "B", "b", "c"), jedis.lrange("l:r", 0, -1));
        assertEquals(2, jedis.lpos("l:r", "b"));
        jedis.rpush("l:r", "b");
        assertEquals(List.of(2L, 4L), jedis.lpos("l:r", "b", LPosParams.lPosParams(), 0));
        assertEquals(4, jedis.lpos("l:r", "b", LPosParams.lPosParams().rank(-1)));
        assertEquals("OK", jedis.ltrim("l:r", 1, -2));
        assertEquals(List.of("B", "b", "c"), jedis.lrange("l:r", 0, -1));
        assertEquals("OK", jedis.ltrim("l:r", 5, 10));
        assertFalse(jedis.exists("l:r"), "trimmed to nothing, the list is gone");
    }

    @Test
    void moveBetweenAndWithinLists() {
        jedis.rpush("{m}:src", "1", "2", "3");
        assertEquals("3", jedis.rpoplpush("{m}:src", "{m}:dst"));
        assertEquals("1", jedis.lmove("{m}:src", "{m}:dst", ListDirection.LEFT, ListDirection.RIGHT));
        assertEquals(List.of("3", "1"), jedis.lrange("{m}:dst", 0, -1));
        assertEquals("3", jedis.lmove("{m}:dst", "{m}:dst", ListDirection.LEFT, ListDirection.RIGHT), "a rotation");
        assertEquals(List.of("1", "3"), jedis.lrange("{m}:dst", 0, -1));
        assertEquals("2", jedis.lmove("{m}:src", "{m}:dst", ListDirection.LEFT, ListDirection.LEFT));
        assertFalse(jedis.exists("{m}:src"));
        assertNull(jedis.rpoplpush("{m}:src", "{m}:dst"));
        jedis.set("{m}:text", "v");
        assertError("WRONGTYPE Operation against a key holding the wrong kind of value", () -> jedis.rpoplpush("{m}:dst", "{m}:text"));
        assertEquals(List.of("2", "1", "3"), jedis.lrange("{m}:dst", 0, -1), "a refused move changes nothing");
        assertError("WRONGTYPE Operation against a key holding the wrong kind of value", () -> jedis.lpush("{m}:text", "x"));
        assertError("WRONGTYPE Operation against a key holding the wrong kind of value", () -> jedis.get("{m}:dst"));
        assertEquals("list", jedis.type("{m}:dst"));

        var http = TestNode.json(node.get("/kv/0/%7Bm%7D:dst"));
        assertEquals("list", http.get("type").asText());
        assertEquals("[\"2\",\"1\",\"3\"]", http.get("items").toString());
    }

    @Test
    void blockingPopsWaitForAPushOrTheirTimeout() throws Exception {
        jedis.rpush("b:ready", "now");
        assertEquals(List.of("b:ready", "now"), jedis.blpop(1, "b:empty", "b:ready"), "the first key with an element");
        long start = System.nanoTime();
        assertNull(jedis.blpop(1, "b:empty"), "nil at the timeout");
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waited >= 900 && waited < 5_000, "waited " + waited + " ms");

        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Jedis waiting = new Jedis("127.0.0.1", port, 10_000)) {
            Future<List<String>> popped = pool.submit(() -> waiting.brpop(0, "b:later"));
            awaitBlocked(1);
            assertFalse(popped.isDone(), "it waits");
            jedis.lpush("b:later", "pushed");
            assertEquals(List.of("b:later", "pushed"), popped.get(5, java.util.concurrent.TimeUnit.SECONDS));
            assertFalse(jedis.exists("b:later"), "popped once");

            Future<String> moved = pool.submit(() -> waiting.blmove("{b}:src", "{b}:dst", ListDirection.LEFT, ListDirection.RIGHT, 5));
            awaitBlocked(1);
            jedis.rpush("{b}:src", "job");
            assertEquals("job", moved.get(5, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(List.of("job"), jedis.lrange("{b}:dst", 0, -1));
        } finally {
            pool.shutdownNow();
        }
        assertError("ERR timeout is negative", () -> jedis.blpop(-1, "b:x"));
        assertError("ERR timeout is not a float or out of range", () -> jedis.sendCommand(Protocol.Command.BLPOP, "b:x", "soon"));
        jedis.set("b:text", "v");
        assertError("WRONGTYPE Operation against a key holding the wrong kind of value", () -> jedis.blpop(1, "b:text"));
    }

    /** As in Redis: clients blocked on one list are served in the order they blocked, one element each. */
    @Test
    void blockedClientsAreServedInTheOrderTheyBlocked() throws Exception {
        int clients = 4;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Jedis> waiting = new java.util.ArrayList<>();
        try {
            List<Future<List<String>>> popped = new java.util.ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Jedis client = new Jedis("127.0.0.1", port, 10_000);
                waiting.add(client);
                popped.add(pool.submit(() -> client.blpop(5, "fifo:q", "fifo:other")));
                awaitBlocked(i + 1);
            }
            jedis.rpush("fifo:q", "first", "second", "third");
            for (int i = 0; i < 3; i++) {
                assertEquals(List.of("fifo:q", List.of("first", "second", "third").get(i)),
                        popped.get(i).get(5, java.util.concurrent.TimeUnit.SECONDS), "client " + i);
            }
            assertFalse(popped.get(3).isDone(), "the last still waits");
            jedis.lpush("fifo:other", "late");
            assertEquals(List.of("fifo:other", "late"), popped.get(3).get(5, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            waiting.forEach(Jedis::close);
            pool.shutdownNow();
        }
    }

    @Test
    void aBlockedClientThatDisconnectsTakesNothing() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Jedis gone = new Jedis("127.0.0.1", port, 10_000);
        try {
            pool.submit(() -> gone.blpop(0, "g:list"));
            awaitBlocked(1);
            gone.disconnect();
            awaitBlocked(0);
            jedis.rpush("g:list", "kept");
            Thread.sleep(200);
            assertEquals("kept", jedis.lpop("g:list"), "the element waits for a client that is there");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aQueueSharedByClientsLosesAndRepeatsNothing() throws Exception {
        int producers = 4;
        int perProducer = 250;
        ExecutorService pool = Executors.newFixedThreadPool(producers * 2);
        try {
            List<Future<List<String>>> consumers = new ArrayList<>();
            List<Future<?>> pushes = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int id = p;
                pushes.add(pool.submit(() -> {
                    try (Jedis client = new Jedis("127.0.0.1", port, 10_000)) {
                        for (int i = 0; i < perProducer; i++) {
                            client.lpush("l:jobs", id + ":" + i);
                        }
                    }
                    return null;
                }));
                consumers.add(pool.submit(() -> {
                    List<String> taken = new ArrayList<>();
                    try (Jedis client = new Jedis("127.0.0.1", port, 10_000)) {
                        long idleSince = System.nanoTime();
                        while (System.nanoTime() - idleSince < 2_000_000_000L) {
                            String job = client.rpop("l:jobs");
                            if (job == null) {
                                Thread.sleep(5);
                            } else {
                                taken.add(job);
                                idleSince = System.nanoTime();
                            }
                        }
                    }
                    return taken;
                }));
            }
            for (Future<?> push : pushes) {
                push.get();
            }
            List<String> all = new ArrayList<>();
            for (Future<List<String>> consumer : consumers) {
                all.addAll(consumer.get());
            }
            assertEquals(producers * perProducer, all.size(), "every job taken once");
            assertEquals(producers * perProducer, all.stream().distinct().count(), "no job taken twice");
        } finally {
            pool.shutdownNow();
        }
    }
}
