package io.strata.node.demo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The KV store through the Redis protocol: redis-cli commands and their real answers against the
 * node's RESP listener, the same keys read and written over HTTP, a pipeline, Redis-style errors;
 * after the crash, the same keys.
 */
public final class RespChapter implements DemoChapter {

    private static final int PIPELINED = 1000;

    /** What the tour left in database 0, checked again after the crash. */
    private static final Map<String, String> EXPECTED = Map.of(
            "demo:greeting", "\"hello from redis\"",
            "demo:visits", "\"6\"",
            "demo:pipelined", "\"" + PIPELINED + "\"");

    private int port;

    @Override
    public String title() {
        return "Redis protocol";
    }

    @Override
    public void tour(DemoTour tour) throws Exception {
        if (tour.respPort().isEmpty()) {
            tour.say("The node was started without --resp-port: nothing to show.");
            return;
        }
        port = tour.respPort().getAsInt();
        tour.step("Redis clients talk to the same store");
        tour.say("The node listens for RESP (2 and 3) on 127.0.0.1:" + port + " (./strata up --resp-port N). Database 0 is"
                + " the keyspace \"0\" of the HTTP API.");
        try (DemoRedis redis = DemoRedis.connect(port)) {
            expect(tour, redis, "OK", "SET", "demo:greeting", "hello from redis");
            tour.get("/kv/0/demo:greeting").expect(200, "hello from redis");
            tour.put("/kv/0/demo:from-http", "written over HTTP").expect(201);
            expect(tour, redis, "\"written over HTTP\"", "GET", "demo:from-http");

            tour.step("Counters, expiry, several keys at once");
            expect(tour, redis, "(integer) 5", "INCRBY", "demo:visits", "5");
            expect(tour, redis, "(integer) 6", "INCR", "demo:visits");
            expect(tour, redis, "OK", "SET", "demo:session", "token-42", "EX", "60");
            String ttl = show(tour, redis, "TTL", "demo:session");
            tour.check(ttl.equals("(integer) 60") || ttl.equals("(integer) 59"), "a TTL of 59 or 60 seconds, got " + ttl);
            tour.get("/kv/0/demo:session").expect(200, "token-42");
            expect(tour, redis, "OK", "MSET", "demo:a", "1", "demo:b", "2");
            expect(tour, redis, "1) \"1\"\n2) \"2\"\n3) (nil)", "MGET", "demo:a", "demo:b", "demo:nobody");
        }

        tour.step("Hashes, as feature stores keep them, and transactions");
        tour.say("A hash per entity, a TTL per field (Redis 7.4's HEXPIRE); MULTI / EXEC runs commands at once in one");
        tour.say("partition: a {hash tag} puts keys together, as on a Redis Cluster.");
        try (DemoRedis redis = DemoRedis.connect(port)) {
            expect(tour, redis, "(integer) 3", "HSET", "demo:driver7", "conv_rate", "0.82", "trips", "14", "rating", "4.9");
            expect(tour, redis, "1) \"0.82\"\n2) \"14\"\n3) (nil)", "HMGET", "demo:driver7", "conv_rate", "trips", "missing");
            expect(tour, redis, "1) (integer) 1", "HEXPIRE", "demo:driver7", "3600", "FIELDS", "1", "rating");
            var hash = tour.get("/kv/0/demo:driver7").expect(200).json();
            tour.check(hash.path("type").asText().equals("hash") && hash.path("fields").path("trips").asText().equals("14")
                    && hash.path("field_expires_at").has("rating"), "the hash as JSON over HTTP, got " + hash);
            expect(tour, redis, "(error) WRONGTYPE Operation against a key holding the wrong kind of value", "GET", "demo:driver7");
            expect(tour, redis, "OK", "MULTI");
            expect(tour, redis, "QUEUED", "HINCRBY", "demo:driver7", "trips", "1");
            expect(tour, redis, "QUEUED", "INCR", "{demo:driver7}:logins");
            expect(tour, redis, "1) (integer) 15\n2) (integer) 1", "EXEC");
        }

        tour.step("Sorted sets: a leaderboard");
        tour.say("Members ordered by score; ranges by rank, score or name; scores written as Redis 7.0 writes them.");
        try (DemoRedis redis = DemoRedis.connect(port)) {
            expect(tour, redis, "(integer) 3", "ZADD", "demo:board", "10", "ann", "25.5", "bob", "7", "cy");
            expect(tour, redis, "\"32\"", "ZINCRBY", "demo:board", "25", "cy");
            expect(tour, redis, "1) \"cy\"\n2) \"32\"\n3) \"bob\"\n4) \"25.5\"", "ZREVRANGE", "demo:board", "0", "1", "WITHSCORES");
            expect(tour, redis, "1) \"bob\"\n2) \"cy\"", "ZRANGE", "demo:board", "(10", "+inf", "BYSCORE");
        }

        tour.step("RESP3: HELLO 3, as redis-py, Lettuce and redis-cli -3 open");
        try (DemoRedis redis = DemoRedis.connect(port)) {
            tour.shell("redis-cli -p " + port + " -3 HELLO 3");
            String hello = redis.call("HELLO", "3");
            hello.lines().forEach(tour::say);
            tour.check(hello.startsWith("1# \"server\" => \"redis\"") && hello.contains("\"proto\" => (integer) 3"),
                    "a RESP3 map with proto 3, got " + hello);
            expect(tour, redis, "(nil)", "GET", "demo:nobody");
            String client = show(tour, redis, "CLIENT", "INFO");
            tour.check(client.contains(" resp=3 "), "CLIENT INFO with resp=3, got " + client);
        }

        tour.step("Databases are keyspaces");
        try (DemoRedis redis = DemoRedis.connect(port)) {
            redis.call("SELECT", "2");
            tour.shell("redis-cli -p " + port + " -n 2 SET demo:where \"database 2\"");
            String reply = redis.call("SET", "demo:where", "database 2");
            tour.say(reply);
            tour.check(reply.equals("OK"), "OK, got " + reply);
            tour.get("/kv/2/demo:where").expect(200, "database 2");
        }

        tour.step("Pipelining: " + PIPELINED + " commands in one write");
        tour.say("A connection runs pipelined commands on different keys at once; commands on one key in order,");
        tour.say("and every reply comes back in the order sent.");
        tour.shell("yes 'INCR demo:pipelined' | head -" + PIPELINED + " | redis-cli -p " + port + " --pipe");
        try (DemoRedis redis = DemoRedis.connect(port)) {
            List<List<String>> commands = new ArrayList<>();
            for (int i = 0; i < PIPELINED; i++) {
                commands.add(List.of("INCR", "demo:pipelined"));
            }
            long start = System.nanoTime();
            List<String> replies = redis.pipeline(commands);
            long millis = (System.nanoTime() - start) / 1_000_000;
            int wrong = 0;
            while (wrong < PIPELINED && replies.get(wrong).equals("(integer) " + (wrong + 1))) {
                wrong++;
            }
            tour.check(wrong == PIPELINED, "replies (integer) 1 ... " + PIPELINED + " in order; reply " + (wrong + 1) + " was "
                    + (wrong < PIPELINED ? replies.get(wrong) : ""));
            tour.say(PIPELINED + " replies in " + millis + " ms: (integer) 1 ... (integer) " + PIPELINED + ", in order.");
        }

        tour.step("Errors are Redis errors; the connection stays usable");
        try (DemoRedis redis = DemoRedis.connect(port)) {
            expect(tour, redis, "(error) ERR unknown command 'SWAPDB', with args beginning with: '0' '1' ", "SWAPDB", "0", "1");
            expect(tour, redis, "(error) ERR FLUSHALL is disabled on this node: set strata.http.auth-token (an authenticated"
                    + " connection may flush) or strata.resp.allow-flush = on", "FLUSHALL");
            expect(tour, redis, "(error) ERR wrong number of arguments for 'get' command", "GET");
            expect(tour, redis, "(error) ERR value is not an integer or out of range", "INCR", "demo:greeting");
            expect(tour, redis, "PONG", "PING");
            tour.say("(all on one connection)");
        }
    }

    @Override
    public void afterCrash(DemoTour tour) throws Exception {
        if (tour.respPort().isEmpty()) {
            return;
        }
        port = tour.respPort().getAsInt();
        tour.step("Redis protocol: the keys written through RESP came back");
        try (DemoRedis redis = DemoRedis.connect(port)) {
            for (String key : List.of("demo:greeting", "demo:visits", "demo:pipelined")) {
                expect(tour, redis, EXPECTED.get(key), "GET", key);
            }
            String ttl = show(tour, redis, "TTL", "demo:session");
            tour.check(ttl.startsWith("(integer) ") && Long.parseLong(ttl.substring(10)) > 0,
                    "the session key to keep its expiry, got " + ttl);
            expect(tour, redis, "\"15\"", "HGET", "demo:driver7", "trips");
            expect(tour, redis, "\"1\"", "GET", "{demo:driver7}:logins");
            expect(tour, redis, "(integer) 0", "ZREVRANK", "demo:board", "cy");
        }
    }

    private String show(DemoTour tour, DemoRedis redis, String... args) throws IOException {
        tour.shell("redis-cli -p " + port + " " + String.join(" ", quoted(args)));
        String reply = redis.call(args);
        reply.lines().forEach(tour::say);
        return reply;
    }

    private void expect(DemoTour tour, DemoRedis redis, String expected, String... args) throws IOException {
        String reply = show(tour, redis, args);
        tour.check(reply.equals(expected), "the reply " + expected.replace("\n", " ") + ", got " + reply.replace("\n", " "));
    }

    private static List<String> quoted(String... args) {
        return List.of(args).stream().map(a -> a.matches("[A-Za-z0-9:_.-]+") ? a : "\"" + a + "\"").toList();
    }
}
