package io.strata.node.kv.resp;

import io.strata.node.testing.RedisServer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Replays a script of commands (one per line, words split on spaces) with Jedis against Strata
 * and against a real redis-server started for it in a temporary directory (removed after), and
 * asserts every reply is the same: values, nesting, nils, and the error texts.
 */
final class SameAsRedis {

    private SameAsRedis() {}

    static void assertSameReplies(Jedis strata, List<String> script) throws Exception {
        assumeTrue(RedisServer.binary().isPresent(), "redis-server is not installed");
        List<String> ours = replay(strata, script);
        List<String> theirs;
        Path redisDir = Files.createTempDirectory("strata-same-as-redis-");
        try (RedisServer server = RedisServer.start(redisDir); Jedis client = new Jedis("127.0.0.1", server.port(), 10_000)) {
            theirs = replay(client, script);
        } finally {
            try (Stream<Path> files = Files.walk(redisDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        for (int i = 0; i < script.size(); i++) {
            assertEquals(theirs.get(i), ours.get(i), "reply to " + script.get(i));
        }
    }

    private static List<String> replay(Jedis client, List<String> script) {
        List<String> replies = new ArrayList<>();
        for (String command : script) {
            String[] words = command.split(" ");
            String[] args = Arrays.copyOfRange(words, 1, words.length);
            try {
                replies.add(describe(client.sendCommand(() -> words[0].getBytes(StandardCharsets.US_ASCII), args)));
            } catch (JedisDataException e) {
                replies.add("error " + e.getMessage());
            }
        }
        return replies;
    }

    private static String describe(Object reply) {
        if (reply instanceof byte[] bytes) {
            return "'" + new String(bytes, StandardCharsets.ISO_8859_1) + "'";
        }
        if (reply instanceof List<?> list) {
            return list.stream().map(SameAsRedis::describe).toList().toString();
        }
        return String.valueOf(reply);
    }
}
