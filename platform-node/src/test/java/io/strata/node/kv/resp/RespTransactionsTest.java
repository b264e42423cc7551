package io.strata.node.kv.resp;

import io.strata.node.kv.KeyspaceCatalog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MULTI / EXEC / DISCARD / WATCH through Jedis on a real node: a transaction's commands run at
 * once in their partition (keys grouped by a hash tag), a refused command discards the
 * transaction, a runtime error does not stop the others, keys of two partitions are refused
 * (CROSSSLOT) and change nothing, and a watched key changed by another connection aborts EXEC.
 */
class RespTransactionsTest extends JedisOnANode {

    @BeforeAll
    static void start() {
        startNode(Map.of());
    }

    @Test
    void commandsRunTogetherAndSeeEachOther() {
        Transaction tx = jedis.multi();
        Response<String> set = tx.set("{user1}:name", "ada");
        Response<Long> incr = tx.incr("{user1}:visits");
        Response<Long> hset = tx.hset("{user1}:profile", Map.of("lang", "en"));
        Response<String> get = tx.get("{user1}:name");
        Response<Object> echo = tx.sendCommand(Protocol.Command.ECHO, "hello");
        List<Object> replies = tx.exec();
        assertEquals(5, replies.size());
        assertEquals("OK", set.get());
        assertEquals(1L, incr.get());
        assertEquals(1L, hset.get());
        assertEquals("ada", get.get(), "a command sees the writes of those before it");
        assertEquals("hello", new String((byte[]) echo.get()));
        assertEquals("en", jedis.hget("{user1}:profile", "lang"));

        assertEquals(List.of(), jedis.multi().exec(), "an empty transaction");
    }

    @Test
    void aRuntimeErrorDoesNotStopTheOthers() {
        jedis.set("{t}:s", "text");
        Transaction tx = jedis.multi();
        tx.incr("{t}:s");
        tx.set("{t}:after", "1");
        List<Object> replies = tx.exec();
        assertInstanceOf(JedisDataException.class, replies.get(0));
        assertEquals("ERR value is not an integer or out of range", ((JedisDataException) replies.get(0)).getMessage());
        assertEquals("OK", replies.get(1));
        assertEquals("1", jedis.get("{t}:after"));
    }

    @Test
    void aRefusedCommandDiscardsTheTransaction() {
        assertEquals("OK", jedis.sendCommand(Protocol.Command.MULTI) instanceof byte[] b ? new String(b) : "?");
        assertEquals("QUEUED", new String((byte[]) jedis.sendCommand(Protocol.Command.SET, "{d}:k", "v")));
        assertError("ERR unknown command 'NOSUCH', with args beginning with: ",
                () -> jedis.sendCommand(() -> "NOSUCH".getBytes()));
        assertError("ERR wrong number of arguments for 'get' command", () -> jedis.sendCommand(Protocol.Command.GET));
        assertError("ERR 'keys' cannot be part of a transaction in Strata (a transaction runs in one partition)",
                () -> jedis.sendCommand(Protocol.Command.KEYS, "*"));
        assertError("ERR MULTI calls can not be nested", () -> jedis.sendCommand(Protocol.Command.MULTI));
        assertError("ERR WATCH inside MULTI is not allowed", () -> jedis.sendCommand(Protocol.Command.WATCH, "{d}:k"));
        assertError("EXECABORT Transaction discarded because of previous errors.", () -> jedis.sendCommand(Protocol.Command.EXEC));
        assertFalse(jedis.exists("{d}:k"), "nothing ran");

        assertError("ERR EXEC without MULTI", () -> jedis.sendCommand(Protocol.Command.EXEC));
        assertError("ERR DISCARD without MULTI", () -> jedis.sendCommand(Protocol.Command.DISCARD));
        Transaction discarded = jedis.multi();
        discarded.set("{d}:k", "v");
        assertEquals("OK", discarded.discard());
        assertFalse(jedis.exists("{d}:k"));
    }

    @Test
    void keysOfTwoPartitionsAreRefusedAndChangeNothing() {
        jedis.set("cross:seed", "the database exists");
        int partitions = io.strata.node.testing.TestNode.json(node.get("/kv/0")).get("partitions").asInt();
        KeyspaceCatalog.Keyspace keyspace = new KeyspaceCatalog.Keyspace("0", partitions, true);
        String first = "cross:a";
        String second = null;
        for (int i = 0; second == null; i++) {
            if (keyspace.partitionOf("cross:" + i) != keyspace.partitionOf(first)) {
                second = "cross:" + i;
            }
        }
        assertNotEquals(keyspace.partitionOf(first), keyspace.partitionOf(second));
        Transaction tx = jedis.multi();
        tx.set(first, "1");
        tx.set(second, "2");
        JedisDataException refused = assertThrows(JedisDataException.class, tx::exec);
        assertTrue(refused.getMessage().startsWith("CROSSSLOT Keys in request don't hash to the same slot"), refused.getMessage());
        assertFalse(jedis.exists(first));
        assertFalse(jedis.exists(second));
        assertEquals("PONG", jedis.ping(), "the connection goes on");
    }

    @Test
    void aWatchedKeyChangedElsewhereAbortsExec() {
        jedis.set("{w}:balance", "100");
        assertEquals("OK", jedis.watch("{w}:balance"));
        try (Jedis other = new Jedis("127.0.0.1", port, 10_000)) {
            other.incrBy("{w}:balance", 5);
        }
        Transaction tx = jedis.multi();
        tx.decrBy("{w}:balance", 30);
        assertNull(tx.exec(), "EXEC aborts: the watched key changed");
        assertEquals("105", jedis.get("{w}:balance"));

        jedis.watch("{w}:balance", "{w}:absent");
        Transaction unchanged = jedis.multi();
        unchanged.decrBy("{w}:balance", 30);
        assertEquals(List.of(75L), unchanged.exec(), "nobody changed the watched keys");

        jedis.watch("{w}:balance");
        jedis.set("{w}:balance", "0");
        assertEquals("OK", jedis.unwatch());
        Transaction afterUnwatch = jedis.multi();
        afterUnwatch.incr("{w}:balance");
        assertEquals(List.of(1L), afterUnwatch.exec(), "UNWATCH forgets the keys");
    }

    @Test
    void pipelinedTransactionsKeepTheirOrder() {
        Pipeline pipeline = jedis.pipelined();
        for (int i = 0; i < 50; i++) {
            pipeline.sendCommand(Protocol.Command.MULTI, new String[0]);
            pipeline.incr("{p}:n");
            pipeline.incr("{p}:n");
            pipeline.sendCommand(Protocol.Command.EXEC, new String[0]);
        }
        pipeline.sync();
        assertEquals("100", jedis.get("{p}:n"));
    }
}
