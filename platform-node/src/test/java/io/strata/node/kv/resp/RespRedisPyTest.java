package io.strata.node.kv.resp;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.http.Json;
import io.strata.node.testing.ChildTool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * redis-py (Debian's python3-redis, 4.3) with its defaults against the RESP door
 * ({@code resp-compat/redis_py_client.py}): binary keys, {@code pipeline()} as the transaction it is
 * by default, a pipeline of 400 commands, {@code transaction()}'s WATCH / MULTI / EXEC retried by four
 * clients at once without losing a deposit, a leaderboard, BRPOP woken by a push and timing out,
 * SCAN, and Redis's errors as redis-py's exceptions. Runs {@code /usr/bin/python3}; skipped, with the
 * reason, when it cannot import redis (.ci/run installs python3-redis).
 */
class RespRedisPyTest extends JedisOnANode {

    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @BeforeAll
    static void start() {
        startNode(Map.of());
    }

    // Before each test, not in @BeforeAll: surefire counts a skipped test, with its reason, and not a skipped class.
    @BeforeEach
    void redisPyPresent() {
        boolean present = Files.isExecutable(PYTHON)
                && ChildTool.run(List.of(PYTHON.toString(), "-c", "import redis"), Map.of(), "", Duration.ofSeconds(30)).exitCode() == 0;
        assumeTrue(present, "/usr/bin/python3 cannot import redis (Debian: apt-get install python3-redis, as .ci/run does)");
    }

    @Test
    void redisPyWithItsDefaultsWorks() throws Exception {
        Path script = Path.of(RespRedisPyTest.class.getResource("/resp-compat/redis_py_client.py").toURI());
        ChildTool.Result result = ChildTool.run(List.of(PYTHON.toString(), script.toString(), Integer.toString(port)), Map.of(), "",
                Duration.ofSeconds(90)).orFail();
        JsonNode out = Json.parse(result.out().trim().getBytes(StandardCharsets.UTF_8));
        assertTrue(out.get("ping").asBoolean());
        assertEquals("00ff10", out.get("binary").asText(), "a binary key and value, byte for byte");
        assertEquals("[1,2,true,{\"name\":\"ada\",\"lang\":\"en\"}]", out.get("transaction").toString(), "pipeline() is MULTI / EXEC");
        assertEquals(60, out.get("ttl").asInt());
        assertEquals(200, out.get("pipelined_sets").asInt());
        assertTrue(out.get("pipelined_gets").asBoolean(), "200 GETs pipelined, answered in order");
        assertEquals(400, out.get("balance").asInt(), "40 deposits of 10 by 4 clients, WATCH retrying the conflicts: none lost");
        assertEquals(40, out.get("history").asInt(), "each deposit's two writes in one EXEC");
        assertEquals("[[\"cy\",32.0],[\"bob\",25.5]]", out.get("top").toString());
        assertEquals(0, out.get("rank").asInt(), "the lowest score first");
        assertEquals("[\"bob\",\"cy\"]", out.get("by_score").toString());
        assertEquals("[\"py:jobs\",\"job-1\"]", out.get("brpop").toString(), "BRPOP woken by a later LPUSH");
        assertTrue(out.get("brpop_timeout").isNull());
        assertEquals("[\"a\",\"b\",\"c\"]", out.get("tags").toString());
        assertEquals(111, out.get("scan").asInt(), "py:key:1, 10..19 and 100..199");
        assertEquals("zset", out.get("type").asText());
        assertEquals("WRONGTYPE Operation against a key holding the wrong kind of value", out.get("wrongtype").asText());
        assertTrue(out.get("unknown").asText().startsWith("unknown command 'NOSUCHCOMMAND'"), out.toString());
        assertEquals("py-client", out.get("client_name").asText());
        assertEquals(400, Integer.parseInt(jedis.get("{acct:9}:balance")), "what redis-py wrote, read by Jedis");
    }
}
