package io.strata.node.kv.resp;

import io.strata.node.common.Partitioner;
import io.strata.node.testing.RedisServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Feast's Redis online store traffic (feast-dev/feast {@code infra/online_stores/redis.py}),
 * replayed with Jedis against Strata and against a real redis-server, which must answer alike:
 * materialisation (pipelined HMGET of the event-time field, then HSET with a mapping and EXPIRE
 * per entity), online reads (pipelined HMGET of feature fields), and teardown (SCAN MATCH on the
 * entity-key prefix, HKEYS, HDEL, DEL). Keys are Feast's: a serialised entity key (binary, int64
 * values little-endian) followed by the project; feature fields are 4-byte murmur3 hashes.
 */
class FeastTrafficTest extends JedisOnANode {

    private static final String PROJECT = "fraud";
    private static final String VIEW = "driver_stats";
    private static final byte[] TS_FIELD = ("_ts:" + VIEW).getBytes(StandardCharsets.UTF_8);
    private static final List<String> FEATURES = List.of("conv_rate", "acc_rate", "avg_daily_trips");

    @TempDir
    static Path redisDir;

    @BeforeAll
    static void start() {
        startNode(Map.of());
    }

    @Test
    void strataAnswersFeastAsRedisDoes() throws Exception {
        assumeTrue(RedisServer.binary().isPresent(), "redis-server is not installed");
        List<String> strata = replay(jedis);
        List<String> redis;
        try (RedisServer server = RedisServer.start(redisDir); Jedis client = new Jedis("127.0.0.1", server.port(), 10_000)) {
            redis = replay(client);
        }
        assertTrue(strata.size() > 60, "the replay did something: " + strata.size());
        for (int i = 0; i < Math.min(strata.size(), redis.size()); i++) {
            assertEquals(redis.get(i), strata.get(i), "step " + i + " answers as redis-server does");
        }
        assertEquals(redis.size(), strata.size());
    }

    /** Feast's commands against one server, each reply written down (hex for bytes, "nil" for none). */
    private static List<String> replay(Jedis client) {
        List<String> transcript = new ArrayList<>();
        List<byte[]> keys = new ArrayList<>();
        for (long driver : new long[]{1001, 1002, -7, Long.MIN_VALUE, 0, 42, 1L << 40, 255}) {
            keys.add(redisKey(driver));
        }
        materialise(client, keys, 1_700_000_000L, transcript);
        // Again, later events for every entity: nothing new, each field overwritten.
        materialise(client, keys, 1_700_000_600L, transcript);

        Pipeline read = client.pipelined();
        List<Response<List<byte[]>>> rows = new ArrayList<>();
        List<byte[]> fields = new ArrayList<>();
        FEATURES.forEach(f -> fields.add(featureField(f)));
        fields.add(featureField("not_materialised"));
        fields.add(TS_FIELD);
        for (byte[] key : keys) {
            rows.add(read.hmget(key, fields.toArray(byte[][]::new)));
        }
        rows.add(read.hmget(redisKey(99_999), fields.toArray(byte[][]::new)));
        read.sync();
        rows.forEach(row -> transcript.add("read " + hex(row.get())));

        transcript.add("ttl " + (client.ttl(keys.get(0)) > 3500));
        transcript.add("hkeys " + hex(new ArrayList<>(client.hkeys(keys.get(1)))).length());
        transcript.add("hdel " + client.hdel(keys.get(1), featureField("conv_rate"), featureField("absent")));
        transcript.add("hlen " + client.hlen(keys.get(1)));

        // Teardown: every key of the entity's join keys in the project, found by SCAN MATCH, deleted.
        TreeSet<String> found = scanAll(client);
        transcript.add("scan " + found);
        Pipeline delete = client.pipelined();
        List<Response<Long>> deleted = new ArrayList<>();
        for (String key : found) {
            deleted.add(delete.del(HexFormat.of().parseHex(key)));
        }
        delete.sync();
        deleted.forEach(d -> transcript.add("del " + d.get()));
        transcript.add("after " + scanAll(client));
        return transcript;
    }

    private static void materialise(Jedis client, List<byte[]> keys, long eventSeconds, List<String> transcript) {
        Pipeline check = client.pipelined();
        List<Response<List<byte[]>>> previous = new ArrayList<>();
        keys.forEach(key -> previous.add(check.hmget(key, TS_FIELD)));
        check.sync();
        previous.forEach(p -> transcript.add("prev " + hex(p.get())));

        Pipeline write = client.pipelined();
        List<Response<Long>> sets = new ArrayList<>();
        List<Response<Long>> expiries = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            Map<byte[], byte[]> mapping = new LinkedHashMap<>();
            mapping.put(TS_FIELD, timestamp(eventSeconds + i));
            mapping.put(featureField("conv_rate"), doubleValue(0.5 + i));
            mapping.put(featureField("acc_rate"), doubleValue(i / 3.0));
            mapping.put(featureField("avg_daily_trips"), int64Value(i * 100L - 50));
            sets.add(write.hset(keys.get(i), mapping));
            expiries.add(write.expire(keys.get(i), 3600));
        }
        write.sync();
        sets.forEach(s -> transcript.add("hset " + s.get()));
        expiries.forEach(e -> transcript.add("expire " + e.get()));
    }

    /** Feast's scan_iter: SCAN with MATCH prefix*project until the cursor comes back 0. */
    private static TreeSet<String> scanAll(Jedis client) {
        byte[] pattern = concat(keyPrefix(), "*".getBytes(StandardCharsets.UTF_8), PROJECT.getBytes(StandardCharsets.UTF_8));
        TreeSet<String> keys = new TreeSet<>();
        byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
        do {
            ScanResult<byte[]> page = client.scan(cursor, new ScanParams().match(pattern));
            page.getResult().forEach(k -> keys.add(HexFormat.of().formatHex(k)));
            cursor = page.getCursorAsBytes();
        } while (!new String(cursor, StandardCharsets.US_ASCII).equals("0"));
        return keys;
    }

    /** {@code _redis_key}: the entity key serialised as Feast's version 2 does, then the project. */
    private static byte[] redisKey(long driverId) {
        return concat(keyPrefix(), le32(4), le32(8), ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(driverId).array(),
                PROJECT.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code _redis_key_prefix}: the join keys, each as a STRING value type then its name. */
    private static byte[] keyPrefix() {
        return concat(le32(2), "driver_id".getBytes(StandardCharsets.UTF_8));
    }

    /** {@code _mmh3("view:feature")}: the unsigned murmur3 of the name, its four bytes little-endian. */
    private static byte[] featureField(String feature) {
        int hash = Partitioner.murmur3((VIEW + ":" + feature).getBytes(StandardCharsets.UTF_8));
        return le32(hash);
    }

    /** A google.protobuf.Timestamp with {@code seconds} (field 1, varint). */
    private static byte[] timestamp(long seconds) {
        return concat(new byte[]{0x08}, varint(seconds));
    }

    /** A feast ValueProto with double_val (field 5, fixed64). */
    private static byte[] doubleValue(double value) {
        return concat(new byte[]{0x29}, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(value).array());
    }

    /** A feast ValueProto with int64_val (field 4, varint). */
    private static byte[] int64Value(long value) {
        return concat(new byte[]{0x20}, varint(value));
    }

    private static byte[] varint(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    private static byte[] le32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static String hex(List<byte[]> values) {
        List<String> hex = new ArrayList<>();
        values.forEach(v -> hex.add(v == null ? "nil" : HexFormat.of().formatHex(v)));
        return hex.toString();
    }
}
