package io.strata.node.kv;

import io.strata.node.kv.internal.ProtoKeys;
import io.strata.node.storage.Durability;
import io.strata.node.common.PartitionId;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.strata.node.storage.DiskSpace;
import io.strata.node.storage.GroupCommitter;
import io.strata.node.storage.DataLayout;
import io.strata.node.storage.LegacyEntryLog;
import io.strata.node.kv.internal.PartitionState;
import io.strata.node.kv.internal.SnapshotStore;
import io.strata.node.kv.proto.DeleteOp;
import io.strata.node.kv.proto.LogEntry;
import io.strata.node.kv.proto.PutOp;
import io.strata.node.kv.proto.SnapshotHeader;
import io.strata.node.log.PartitionLog;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The partition entity on its own, with a real Chronicle log in a temporary directory. Every
 * message is serialized (serialize-messages = on), so the Protobuf wire format is exercised too.
 */
class KvPartitionTest {

    private static ActorTestKit testKit;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create(ConfigFactory.parseString("""
                pekko.actor.provider = local
                pekko.actor.serialize-messages = on
                pekko.loglevel = WARNING
                """).withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private KvSettings settings(long snapshotEvery, RollCycle rollCycle, Durability durability) {
        return new KvSettings(8, true, 1024, 1000, 1000, Duration.ofMillis(50), durability,
                rollCycle, snapshotEvery, Duration.ZERO, 1 << 20);
    }

    /** One per test, as a node has one: incarnations of a partition share it (its snapshots in flight). */
    private KvStorage storage;

    /** Every partition a test spawned; stopped after the test, so none closes its log into a deleted directory. */
    private final List<ActorRef<KvPartition.Command>> spawned = new java.util.ArrayList<>();

    /** A stopped partition closes its log on the blocking pool: the test's directory goes only after that. */
    @org.junit.jupiter.api.AfterEach
    void awaitClosedLogs() throws Exception {
        spawned.forEach(testKit::stop);
        if (storage != null) {
            storage.closings().allClosed().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private ActorRef<KvPartition.Command> spawn(KvSettings settings, Optional<GroupCommitter> committer) {
        if (storage == null || !storage.committer().equals(committer)) {
            storage = new KvStorage(DataLayout.of(dir), DiskSpace.of(dir, 0, Duration.ofSeconds(1)), committer,
                    testKit.system().executionContext(), new KvMetrics(meters), clock::get,
                    name -> Optional.of(new KeyspaceCatalog.Keyspace(name, 8)));
        }
        ActorRef<ClusterSharding.ShardCommand> shard = testKit.<ClusterSharding.ShardCommand>createTestProbe().getRef();
        ActorRef<KvPartition.Command> partition = testKit.spawn(KvPartition.create(new PartitionId("users", 3), settings, storage, shard));
        spawned.add(partition);
        return partition;
    }

    private ActorRef<KvPartition.Command> spawn() {
        return spawn(settings(1_000_000, RollCycles.FAST_HOURLY, Durability.MMAP), Optional.empty());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private KvPartition.Reply ask(ActorRef<KvPartition.Command> partition,
                                  java.util.function.Function<ActorRef<KvPartition.Reply>, KvPartition.Command> message) {
        TestProbe<KvPartition.Reply> probe = testKit.createTestProbe();
        partition.tell(message.apply(probe.getRef()));
        return probe.receiveMessage(Duration.ofSeconds(10));
    }

    private KvPartition.Reply put(ActorRef<KvPartition.Command> p, String key, String value, long ttlMillis, long expected) {
        return ask(p, r -> new KvPartition.Put(key, bytes(value), ttlMillis, expected, r));
    }

    private KvPartition.Reply get(ActorRef<KvPartition.Command> p, String key) {
        return ask(p, r -> new KvPartition.Get(key, r));
    }

    private static String value(KvPartition.Reply reply) {
        return new String(assertInstanceOf(KvPartition.Found.class, reply, () -> "got " + reply).value(), StandardCharsets.UTF_8);
    }

    @Test
    void putGetDeleteWithVersions() {
        var p = spawn();
        var first = assertInstanceOf(KvPartition.Written.class, put(p, "a", "1", 0, KvPartition.ANY_VERSION));
        assertTrue(first.created());
        var second = assertInstanceOf(KvPartition.Written.class, put(p, "a", "2", 0, KvPartition.ANY_VERSION));
        assertFalse(second.created());
        assertTrue(second.version() > first.version());

        var found = assertInstanceOf(KvPartition.Found.class, get(p, "a"));
        assertEquals("2", value(found));
        assertEquals(second.version(), found.version());

        assertInstanceOf(KvPartition.Deleted.class, ask(p, r -> new KvPartition.Delete("a", KvPartition.ANY_VERSION, r)));
        assertInstanceOf(KvPartition.NotFound.class, get(p, "a"));
        assertInstanceOf(KvPartition.NotFound.class, ask(p, r -> new KvPartition.Delete("a", KvPartition.ANY_VERSION, r)));
    }

    @Test
    void putAllWritesEveryKeyAsOneAppendAndRecoversThem() {
        var p = spawn();
        put(p, "a", "old", 0, KvPartition.ANY_VERSION);
        var all = assertInstanceOf(KvPartition.AllWritten.class, ask(p, r -> new KvPartition.PutAll(List.of(
                new KvPartition.Write("a", bytes("1"), 0), new KvPartition.Write("b", bytes("2"), 60_000),
                new KvPartition.Write("a", bytes("3"), 0)), r)));
        assertEquals(3, all.count());
        assertEquals(4, all.lastVersion(), "one version per write, after the put before");
        var a = assertInstanceOf(KvPartition.Found.class, get(p, "a"));
        assertEquals("3", value(a), "writes of one key apply in order");
        assertEquals(4, a.version());
        assertEquals(clock.get() + 60_000, assertInstanceOf(KvPartition.Found.class, get(p, "b")).expiresAtMillis());
        testKit.stop(p);

        var restarted = spawn();
        assertEquals("3", value(get(restarted, "a")));
        assertEquals("2", value(get(restarted, "b")));
        testKit.stop(restarted);
    }

    @Test
    void aBatchRunsItsStepsInOrderAnswersEachAndRecovers() {
        var p = spawn();
        put(p, "a", "old", 0, KvPartition.ANY_VERSION);
        var done = assertInstanceOf(KvPartition.TransactionDone.class, ask(p, r -> new KvPartition.Batch(List.of(
                new KvPartition.Put("a", bytes("1"), 0, KvPartition.ANY_VERSION, r), new KvPartition.Get("a", r),
                new KvPartition.Incr("n", 5, r), new KvPartition.Incr("b", 1, r), new KvPartition.Put("b", bytes("x"), 0,
                        KvPartition.ANY_VERSION, r), new KvPartition.Incr("b", 1, r), new KvPartition.Get("n", r)), r)));
        List<KvPartition.Reply> replies = done.replies();
        assertEquals(7, replies.size());
        assertInstanceOf(KvPartition.Written.class, replies.get(0));
        assertEquals("1", value(replies.get(1)), "a step sees the writes of the steps before it");
        assertEquals(5, assertInstanceOf(KvPartition.Counter.class, replies.get(2)).value());
        assertEquals(1, assertInstanceOf(KvPartition.Counter.class, replies.get(3)).value());
        assertInstanceOf(KvPartition.Written.class, replies.get(4));
        assertEquals("not_an_integer", assertInstanceOf(KvPartition.Rejected.class, replies.get(5)).code(),
                "a step refused does not stop the others");
        assertEquals("5", value(replies.get(6)));
        testKit.stop(p);

        var restarted = spawn();
        assertEquals("1", value(get(restarted, "a")));
        assertEquals("x", value(get(restarted, "b")));
        assertEquals("5", value(get(restarted, "n")));
    }

    @Test
    void compareAndSetHonoursVersions() {
        var p = spawn();
        long v1 = assertInstanceOf(KvPartition.Written.class, put(p, "k", "one", 0, KvPartition.MUST_NOT_EXIST)).version();

        var stale = assertInstanceOf(KvPartition.Rejected.class, put(p, "k", "x", 0, KvPartition.MUST_NOT_EXIST));
        assertEquals("version_mismatch", stale.code());

        long v2 = assertInstanceOf(KvPartition.Written.class, put(p, "k", "two", 0, v1)).version();
        var lost = assertInstanceOf(KvPartition.Rejected.class, put(p, "k", "three", 0, v1));
        assertEquals("version_mismatch", lost.code());
        assertEquals("two", value(get(p, "k")), "a failed CAS changes nothing");

        assertInstanceOf(KvPartition.Rejected.class, put(p, "absent", "x", 0, KvPartition.MUST_EXIST));
        assertInstanceOf(KvPartition.Written.class, put(p, "k", "four", 0, KvPartition.MUST_EXIST));
        assertInstanceOf(KvPartition.Rejected.class, ask(p, r -> new KvPartition.Delete("k", v2, r)));
        assertEquals("four", value(get(p, "k")));
    }

    @Test
    void incrementsAre64BitSignedCounters() {
        var p = spawn();
        assertEquals(5, assertInstanceOf(KvPartition.Counter.class, ask(p, r -> new KvPartition.Incr("c", 5, r))).value());
        assertEquals(-2, assertInstanceOf(KvPartition.Counter.class, ask(p, r -> new KvPartition.Incr("c", -7, r))).value());
        assertEquals("-2", value(get(p, "c")));

        put(p, "max", Long.toString(Long.MAX_VALUE), 0, KvPartition.ANY_VERSION);
        var overflow = assertInstanceOf(KvPartition.Rejected.class, ask(p, r -> new KvPartition.Incr("max", 1, r)));
        assertEquals("integer_overflow", overflow.code());
        assertEquals(Long.toString(Long.MAX_VALUE), value(get(p, "max")));

        for (String notInteger : List.of("abc", "1.5", " 1", "01", "-0", "", "99999999999999999999")) {
            put(p, "s", notInteger, 0, KvPartition.ANY_VERSION);
            var rejected = assertInstanceOf(KvPartition.Rejected.class, ask(p, r -> new KvPartition.Incr("s", 1, r)));
            assertEquals("not_an_integer", rejected.code(), "value '" + notInteger + "'");
            assertEquals(notInteger, value(get(p, "s")));
        }
    }

    @Test
    void expiredKeysAreNeverReturnedAndAreReclaimed() {
        var p = spawn();
        var written = assertInstanceOf(KvPartition.Written.class, put(p, "t", "v", 1_000, KvPartition.ANY_VERSION));
        assertEquals(clock.get() + 1_000, written.expiresAtMillis());
        ask(p, r -> new KvPartition.Incr("t2", 1, r));
        assertEquals("v", value(get(p, "t")));

        clock.addAndGet(1_000);
        assertInstanceOf(KvPartition.NotFound.class, get(p, "t"));
        var multi = assertInstanceOf(KvPartition.MultiGetResult.class, ask(p, r -> new KvPartition.MultiGet(List.of("t", "t2"), r)));
        assertEquals(List.of("t2"), multi.found().stream().map(KvPartition.Found::key).toList());
        var stats = assertInstanceOf(KvPartition.PartitionStats.class, ask(p, KvPartition.Stats::new));
        assertEquals(1, stats.keys());
        assertEquals(1, stats.valueBytes(), "an expired key's value is not counted, swept or not");

        // The sweep timer (50 ms here) removes the expired entry from memory.
        TestProbe<Object> waiter = testKit.createTestProbe();
        waiter.awaitAssert(Duration.ofSeconds(5), () -> {
            assertEquals(1.0, meters.counter("strata.kv.expired.keys").count());
            return null;
        });
        // An expired key counts as absent: INCR starts again from 0 and CAS create-only succeeds.
        assertInstanceOf(KvPartition.Written.class, put(p, "t", "again", 0, KvPartition.MUST_NOT_EXIST));
    }

    @Test
    void incrKeepsTheKeysExpiry() {
        var p = spawn();
        put(p, "n", "10", 5_000, KvPartition.ANY_VERSION);
        ask(p, r -> new KvPartition.Incr("n", 1, r));
        assertEquals(clock.get() + 5_000, assertInstanceOf(KvPartition.Found.class, get(p, "n")).expiresAtMillis());
    }

    private KvPartition.ValueUpdated hash(ActorRef<KvPartition.Command> p, String key, HashChange change) {
        return assertInstanceOf(KvPartition.ValueUpdated.class, ask(p, r -> new KvPartition.UpdateValue(key, change, r)));
    }

    private static Map<String, String> fields(KvPartition.Reply reply) {
        var found = assertInstanceOf(KvPartition.Found.class, reply, () -> "got " + reply);
        assertEquals(ValueType.HASH, found.type());
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        HashValue.fields(found.value()).forEach(f -> fields.put(new String(f.name(), StandardCharsets.UTF_8),
                new String(f.value(), StandardCharsets.UTF_8)));
        return fields;
    }

    @Test
    void hashesKeepTheirFieldsAndFieldExpiriesAcrossLogReplayAndSnapshots() {
        KvSettings settings = settings(5, RollCycles.FAST_HOURLY, Durability.MMAP);
        var p = spawn(settings, Optional.empty());
        assertEquals(2, hash(p, "h", new HashChange.Set(List.of(bytes("a"), bytes("1"), bytes("b"), bytes("2")), false)).count());
        assertEquals(12, hash(p, "h", new HashChange.IncrBy(bytes("a"), 11)).count());
        var expiry = hash(p, "h", new HashChange.Expire(List.of(bytes("b"), bytes("none")), StringChange.Expiration.after(1_000),
                StringChange.ExpiryCondition.ANY));
        assertEquals(List.of(1L, -2L), expiry.numbers());
        ask(p, r -> new KvPartition.Update("h", new StringChange.Expire(StringChange.Expiration.after(60_000),
                StringChange.ExpiryCondition.ANY), r));
        assertEquals(Map.of("a", "12", "b", "2"), fields(get(p, "h")));
        assertEquals(clock.get() + 60_000, assertInstanceOf(KvPartition.Found.class, get(p, "h")).expiresAtMillis(),
                "EXPIRE applies to a hash and keeps it a hash");
        assertEquals("wrong_type", assertInstanceOf(KvPartition.Rejected.class, ask(p, r -> new KvPartition.Incr("h", 1, r))).code());
        put(p, "s", "text", 0, KvPartition.ANY_VERSION);
        assertEquals("wrong_type", assertInstanceOf(KvPartition.Rejected.class,
                ask(p, r -> new KvPartition.UpdateValue("s", new HashChange.Delete(List.of(bytes("x"))), r))).code());
        hash(p, "gone", new HashChange.Set(List.of(bytes("only"), bytes("x")), false));
        assertEquals(1, hash(p, "gone", new HashChange.Delete(List.of(bytes("only"), bytes("other")))).count());
        assertInstanceOf(KvPartition.NotFound.class, get(p, "gone"), "a hash goes with its last field");
        testKit.stop(p);

        // Snapshots every 5 writes: the restart reads a snapshot and the log after it.
        var restarted = spawn(settings, Optional.empty());
        assertEquals(Map.of("a", "12", "b", "2"), fields(get(restarted, "h")));
        clock.addAndGet(1_000);
        assertEquals(Map.of("a", "12"), fields(get(restarted, "h")), "a field expires on its own");
        hash(restarted, "brief", new HashChange.Set(List.of(bytes("f"), bytes("v")), false));
        hash(restarted, "brief", new HashChange.Expire(List.of(bytes("f")), StringChange.Expiration.after(500),
                StringChange.ExpiryCondition.ANY));
        testKit.stop(restarted);

        clock.addAndGet(500);
        var again = spawn(settings, Optional.empty());
        assertEquals(Map.of("a", "12"), fields(get(again, "h")));
        assertInstanceOf(KvPartition.NotFound.class, get(again, "brief"), "a hash whose every field expired is absent");
        assertEquals(2, assertInstanceOf(KvPartition.PartitionStats.class, ask(again, KvPartition.Stats::new)).keys(),
                "h and s are live");
        testKit.stop(again);
    }

    @Test
    void listsAndMovesBetweenThemRecover() {
        var p = spawn();
        assertEquals(3, assertInstanceOf(KvPartition.ValueUpdated.class, ask(p, r -> new KvPartition.UpdateValue("src",
                new ListChange.Push(false, List.of(bytes("a"), bytes("b"), bytes("c")), false), r))).count());
        var moved = assertInstanceOf(KvPartition.ValueUpdated.class,
                ask(p, r -> KvPartition.MoveElement.ofList("src", "dst", false, true, r)));
        assertEquals("c", new String(moved.items().get(0), StandardCharsets.UTF_8));
        put(p, "text", "v", 0, KvPartition.ANY_VERSION);
        assertEquals("wrong_type", assertInstanceOf(KvPartition.Rejected.class,
                ask(p, r -> KvPartition.MoveElement.ofList("src", "text", true, true, r))).code());
        testKit.stop(p);

        var restarted = spawn();
        var src = assertInstanceOf(KvPartition.Found.class, get(restarted, "src"));
        assertEquals(ValueType.LIST, src.type());
        assertEquals(List.of("a", "b"), ListValue.elements(src.value()).stream().map(e -> new String(e, StandardCharsets.UTF_8)).toList());
        var dst = assertInstanceOf(KvPartition.Found.class, get(restarted, "dst"));
        assertEquals(List.of("c"), ListValue.elements(dst.value()).stream().map(e -> new String(e, StandardCharsets.UTF_8)).toList(),
                "both sides of a move come back");
        testKit.stop(restarted);
    }

    @Test
    void sortedSetsKeepTheirOrderAcrossARestart() {
        var p = spawn();
        var add = new ZSetChange.Add(List.of(new ZSetValue.Member(bytes("b"), 2), new ZSetValue.Member(bytes("a"), 2),
                new ZSetValue.Member(bytes("low"), Double.NEGATIVE_INFINITY), new ZSetValue.Member(bytes("c"), 0.1)),
                java.util.EnumSet.noneOf(ZSetChange.AddFlag.class));
        assertEquals(4, assertInstanceOf(KvPartition.ValueUpdated.class, ask(p, r -> new KvPartition.UpdateValue("z", add, r))).count());
        var popped = assertInstanceOf(KvPartition.ValueUpdated.class,
                ask(p, r -> new KvPartition.UpdateValue("z", new ZSetChange.Pop(true, 1), r)));
        assertEquals(List.of("b", "2"), popped.items().stream().map(e -> new String(e, StandardCharsets.UTF_8)).toList(),
                "the highest score, then the greatest name among equals");
        put(p, "text", "v", 0, KvPartition.ANY_VERSION);
        assertEquals("wrong_type", assertInstanceOf(KvPartition.Rejected.class,
                ask(p, r -> new KvPartition.UpdateValue("text", new ZSetChange.Remove(List.of(bytes("x"))), r))).code());
        testKit.stop(p);

        var restarted = spawn();
        var z = assertInstanceOf(KvPartition.Found.class, get(restarted, "z"));
        assertEquals(ValueType.ZSET, z.type());
        assertEquals(List.of("low:-inf", "c:0.10000000000000001", "a:2"), ZSetValue.members(z.value()).stream()
                .map(m -> new String(m.name(), StandardCharsets.UTF_8) + ":" + ZSetValue.format(m.score())).toList());
        testKit.stop(restarted);
    }

    @Test
    void largeValuesLogTheirChangesNotThemselvesAndComeBackFromTheLog() {
        var p = spawn();
        var noFlags = java.util.EnumSet.noneOf(ZSetChange.AddFlag.class);
        for (int i = 0; i < 300; i++) {
            int n = i;
            List<byte[]> four = java.util.stream.IntStream.range(0, 4).mapToObj(j -> bytes("element-" + (n * 4 + j))).toList();
            List<byte[]> pairs = four.stream().flatMap(e -> Stream.of(e, bytes("v" + n))).toList();
            List<ZSetValue.Member> members = four.stream().map(e -> new ZSetValue.Member(e, n % 7)).toList();
            for (var change : List.<ValueChange>of(new ListChange.Push(n % 2 == 0, four, false), new HashChange.Set(pairs, false),
                    new SetChange.Add(four), new ZSetChange.Add(members, noFlags))) {
                assertInstanceOf(KvPartition.ValueUpdated.class, ask(p, r -> new KvPartition.UpdateValue("k-" + change.type(), change, r)));
            }
        }
        List<KvPartition.UpdateValue> more = List.of(
                new KvPartition.UpdateValue("k-LIST", new ListChange.Pop(true, 3), null),
                new KvPartition.UpdateValue("k-HASH", new HashChange.Delete(List.of(bytes("element-0"), bytes("nope"))), null),
                new KvPartition.UpdateValue("k-HASH", new HashChange.IncrBy(bytes("counter"), 5), null),
                new KvPartition.UpdateValue("k-SET", new SetChange.Pop(3), null),
                new KvPartition.UpdateValue("k-ZSET", new ZSetChange.Pop(false, 2), null),
                new KvPartition.UpdateValue("k-ZSET", new ZSetChange.Add(List.of(new ZSetValue.Member(bytes("element-7"), 0.5)),
                        java.util.EnumSet.of(ZSetChange.AddFlag.INCR)), null));
        for (var update : more) {
            assertInstanceOf(KvPartition.ValueUpdated.class, ask(p, r -> new KvPartition.UpdateValue(update.key(), update.change(), r)));
        }
        assertEquals("hash_value_not_integer", assertInstanceOf(KvPartition.Rejected.class, ask(p,
                r -> new KvPartition.UpdateValue("k-HASH", new HashChange.IncrBy(bytes("element-1"), 1), r))).code());
        // Each value ends past 10 KB packed: logged whole at each change, the four would take about 8 MB;
        // they are logged whole only until they pass LargeValue.LARGE_BYTES (about 0.7 MB in all).
        double logged = meters.get("strata.log.append.bytes").summary().totalAmount();
        assertTrue(logged < 1_500_000, "the log holds the changes, not the values: " + (long) logged + " bytes");
        Map<String, byte[]> before = new java.util.HashMap<>();
        for (ValueType type : List.of(ValueType.LIST, ValueType.HASH, ValueType.SET, ValueType.ZSET)) {
            var found = assertInstanceOf(KvPartition.Found.class, get(p, "k-" + type));
            assertEquals(type, found.type());
            assertTrue(found.value().length > 10_000, type + " is large: " + found.value().length);
            before.put("k-" + type, found.value());
        }
        assertEquals(1197, ListValue.length(before.get("k-LIST")));
        assertEquals(1198, ZSetValue.length(before.get("k-ZSET")));
        testKit.stop(p);

        var restarted = spawn();
        before.forEach((key, value) -> assertArrayEquals(value, assertInstanceOf(KvPartition.Found.class, get(restarted, key)).value(),
                key + " comes back from its changes"));
        var pushed = assertInstanceOf(KvPartition.ValueUpdated.class, ask(restarted,
                r -> new KvPartition.UpdateValue("k-LIST", new ListChange.Push(true, List.of(bytes("after")), false), r)));
        assertEquals(1198, pushed.count());
        testKit.stop(restarted);
    }

    @Test
    void recoversFromTheLogAfterRestart() {
        var p = spawn();
        put(p, "a", "1", 0, KvPartition.ANY_VERSION);
        put(p, "b", "2", 0, KvPartition.ANY_VERSION);
        long va = assertInstanceOf(KvPartition.Written.class, put(p, "a", "3", 0, KvPartition.ANY_VERSION)).version();
        ask(p, r -> new KvPartition.Delete("b", KvPartition.ANY_VERSION, r));
        put(p, "ttl", "x", 60_000, KvPartition.ANY_VERSION);
        put(p, "short", "x", 1_000, KvPartition.ANY_VERSION);
        testKit.stop(p);

        clock.addAndGet(2_000);
        var restarted = spawn();
        var a = assertInstanceOf(KvPartition.Found.class, get(restarted, "a"));
        assertEquals("3", value(a));
        assertEquals(va, a.version(), "versions survive a restart");
        assertInstanceOf(KvPartition.NotFound.class, get(restarted, "b"));
        assertInstanceOf(KvPartition.Found.class, get(restarted, "ttl"));
        assertInstanceOf(KvPartition.NotFound.class, get(restarted, "short"), "recovery never resurrects an expired key");
        var next = assertInstanceOf(KvPartition.Written.class, put(restarted, "c", "4", 0, KvPartition.ANY_VERSION));
        assertTrue(next.version() > va, "sequence numbers continue after recovery");
    }

    @Test
    void recoversFromSnapshotPlusLogTailAndCompactsOldCycles() throws Exception {
        // Secondly roll cycles so that the test produces several log files; a snapshot every 10 writes.
        KvSettings settings = settings(10, TestRollCycles.TEST_SECONDLY, Durability.MMAP);
        var p = spawn(settings, Optional.empty());
        Path partitionDir = DataLayout.of(dir).kvPartitionDir(new PartitionId("users", 3));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int i = 0;
        java.util.Set<Path> cyclesSeen = new java.util.HashSet<>();
        // Write across at least three cycles; each tenth write snapshots and deletes cycles before it.
        while (countFiles(partitionDir.resolve("log"), ".cq4") < 2 || i < 40) {
            assertTrue(System.nanoTime() < deadline, "the log did not roll");
            put(p, "k" + (i % 7), "v" + i, 0, KvPartition.ANY_VERSION);
            cyclesSeen.addAll(files(partitionDir.resolve("log"), ".cq4"));
            i++;
            if (i % 10 == 5) {
                Thread.sleep(400); // let the secondly cycle roll between snapshots
            }
        }
        int writes = i;
        TestProbe<Object> waiter = testKit.createTestProbe();
        waiter.awaitAssert(Duration.ofSeconds(10), () -> {
            assertEquals(1, countFiles(partitionDir.resolve("snapshots"), ".pb"), "one snapshot is kept");
            return null;
        });
        waiter.awaitAssert(Duration.ofSeconds(10), () -> {
            assertTrue(cyclesSeen.stream().anyMatch(f -> !Files.exists(f)),
                    "cycles covered by a snapshot are deleted: " + cyclesSeen);
            return null;
        });
        put(p, "tail", "after-snapshot", 0, KvPartition.ANY_VERSION);
        testKit.stop(p);

        var restarted = spawn(settings, Optional.empty());
        for (int k = 0; k < 7; k++) {
            int last = lastWriteOf(k, writes);
            assertEquals("v" + last, value(get(restarted, "k" + k)));
        }
        assertEquals("after-snapshot", value(get(restarted, "tail")));
        assertTrue(meters.timer("strata.kv.snapshot").count() >= 3, "snapshots were taken");
        testKit.stop(restarted);
    }

    @Test
    void aPartitionWrittenByThePreviousVersionRecoversEveryKeyAndMovesToThePartitionLog() {
        // As the version before the partition log left it: a snapshot up to seq 3 naming a Chronicle
        // index, and a log of one entry per excerpt that still holds entries the snapshot covers.
        Path partitionDir = DataLayout.of(dir).kvPartitionDir(new PartitionId("users", 3));
        new SnapshotStore(partitionDir.resolve("snapshots")).write(
                SnapshotHeader.newBuilder().setKeyspace("users").setPartition(3).setSeq(3).setLogIndex(0x4a1b00000002L).build(),
                java.util.Map.of("a", PartitionState.Entry.of(bytes("a-3"), 3, 0, ValueType.STRING),
                        "gone", PartitionState.Entry.of(bytes("g-2"), 2, 0, ValueType.STRING)));
        List<LogEntry> entries = List.of(putEntry(1, "a", "a-1"), putEntry(2, "gone", "g-2"), putEntry(3, "a", "a-3"),
                LogEntry.newBuilder().setSeq(4).setDelete(DeleteOp.newBuilder().setKey(ProtoKeys.of("gone"))).build(),
                putEntry(5, "b", "b-5"), putEntry(6, "a", "a-6"));
        try (LegacyEntryLog old = LegacyEntryLog.open(partitionDir.resolve("log"), RollCycles.FAST_HOURLY,
                DiskSpace.of(dir, 0, Duration.ofSeconds(1)))) {
            old.appendAll(entries);
        }

        var p = spawn();
        var a = assertInstanceOf(KvPartition.Found.class, get(p, "a"));
        assertEquals("a-6", value(a));
        assertEquals(6, a.version());
        assertEquals("b-5", value(get(p, "b")));
        assertInstanceOf(KvPartition.NotFound.class, get(p, "gone"), "the delete after the snapshot is replayed");
        assertTrue(PartitionLog.holdsPartitionLog(partitionDir.resolve("log")), "the log moved to the partition log format");
        var next = assertInstanceOf(KvPartition.Written.class, put(p, "c", "c-7", 0, KvPartition.ANY_VERSION));
        assertEquals(7, next.version(), "sequence numbers go on from the old log's");
        testKit.stop(p);

        var restarted = spawn();
        assertEquals("a-6", value(get(restarted, "a")));
        assertEquals("c-7", value(get(restarted, "c")));
        assertInstanceOf(KvPartition.NotFound.class, get(restarted, "gone"));
        testKit.stop(restarted);
    }

    private static LogEntry putEntry(long seq, String key, String value) {
        return LogEntry.newBuilder().setSeq(seq).setPut(PutOp.newBuilder().setKey(ProtoKeys.of(key))
                .setValue(com.google.protobuf.ByteString.copyFromUtf8(value))).build();
    }

    private static int lastWriteOf(int key, int writes) {
        int last = -1;
        for (int i = 0; i < writes; i++) {
            if (i % 7 == key) {
                last = i;
            }
        }
        return last;
    }

    private static long countFiles(Path dir, String suffix) throws Exception {
        return files(dir, suffix).size();
    }

    private static List<Path> files(Path dir, String suffix) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).toList();
        }
    }

    @Test
    void fsyncModeAcknowledgesAfterGroupCommit() {
        try (GroupCommitter committer = new GroupCommitter(Duration.ZERO, nanos -> { })) {
            var p = spawn(settings(1_000_000, RollCycles.FAST_HOURLY, Durability.FSYNC), Optional.of(committer));
            TestProbe<KvPartition.Reply> probe = testKit.createTestProbe();
            for (int i = 0; i < 50; i++) {
                p.tell(new KvPartition.Put("k" + i, bytes("v" + i), 0, KvPartition.ANY_VERSION, probe.getRef()));
            }
            p.tell(new KvPartition.Get("k49", probe.getRef()));
            for (int i = 0; i < 50; i++) {
                assertInstanceOf(KvPartition.Written.class, probe.receiveMessage(Duration.ofSeconds(10)));
            }
            assertEquals("v49", value(probe.receiveMessage(Duration.ofSeconds(10))), "reads follow the writes they observe");
            testKit.stop(p);
        }
        var restarted = spawn();
        assertEquals("v7", value(get(restarted, "k7")));
    }

    @Test
    void inFsyncModeABatchIsAnsweredOnlyOnceItsWritesAreFsynced() {
        // The committer waits a second before each fsync: an answer before that did not wait for it.
        try (GroupCommitter committer = new GroupCommitter(Duration.ofSeconds(1), nanos -> { })) {
            var p = spawn(settings(1_000_000, RollCycles.FAST_HOURLY, Durability.FSYNC), Optional.of(committer));
            assertInstanceOf(KvPartition.Written.class, put(p, "first", "0", 0, KvPartition.ANY_VERSION), "the log is open");
            TestProbe<KvPartition.Reply> probe = testKit.createTestProbe();
            p.tell(new KvPartition.Batch(List.of(new KvPartition.Put("b1", bytes("1"), 0, KvPartition.ANY_VERSION, probe.getRef()),
                    new KvPartition.Incr("b2", 1, probe.getRef())), probe.getRef()));
            TestProbe<KvPartition.Reply> reader = testKit.createTestProbe();
            p.tell(new KvPartition.Batch(List.of(new KvPartition.Get("b1", reader.getRef()), new KvPartition.Get("first",
                    reader.getRef())), reader.getRef()));
            probe.expectNoMessage(Duration.ofMillis(500));
            reader.expectNoMessage(Duration.ZERO);
            var written = assertInstanceOf(KvPartition.TransactionDone.class, probe.receiveMessage(Duration.ofSeconds(10)));
            assertInstanceOf(KvPartition.Written.class, written.replies().get(0));
            assertEquals(1, assertInstanceOf(KvPartition.Counter.class, written.replies().get(1)).value());
            var read = assertInstanceOf(KvPartition.TransactionDone.class, reader.receiveMessage(Duration.ofSeconds(10)),
                    "reads that saw unsynced writes wait for them");
            assertEquals("1", value(read.replies().get(0)));
            testKit.stop(p);
        }
    }

    @Test
    void valuesAreOpaqueBytes() {
        var p = spawn();
        byte[] binary = {0, -1, 127, -128, 10, 13, 0};
        ask(p, r -> new KvPartition.Put("bin", binary, 0, KvPartition.ANY_VERSION, r));
        assertArrayEquals(binary, assertInstanceOf(KvPartition.Found.class, get(p, "bin")).value());
        ask(p, r -> new KvPartition.Put("empty", new byte[0], 0, KvPartition.ANY_VERSION, r));
        assertArrayEquals(new byte[0], assertInstanceOf(KvPartition.Found.class, get(p, "empty")).value());
    }

    @Test
    void aDroppedPartitionDeletesItsFilesAndRefusesUntilItsShardStopsIt() {
        var p = spawn();
        ask(p, r -> new KvPartition.Put("k", bytes("v"), 0, KvPartition.ANY_VERSION, r));
        Path files = DataLayout.of(dir).kvPartitionDir(new PartitionId("users", 3));
        assertTrue(Files.isDirectory(files.resolve("log")));
        assertInstanceOf(KvPartition.Dropped.class, ask(p, KvPartition.Drop::new));
        assertFalse(Files.exists(files), "the partition's directory is gone");
        assertFalse(Files.exists(files.getParent()), "and its keyspace's, which it was the last in");
        var refused = assertInstanceOf(KvPartition.Rejected.class, get(p, "k"), "until the shard stops it");
        assertEquals("keyspace_not_found", refused.code());
    }

    @Test
    void aPartitionOfAKeyspaceNotInTheCatalogNeverRecoversAndAsksToBePassivated() throws Exception {
        Path files = DataLayout.of(dir).kvPartitionDir(new PartitionId("users", 3));
        Files.createDirectories(files.resolve("log"));
        KvStorage deleted = new KvStorage(DataLayout.of(dir), DiskSpace.of(dir, 0, Duration.ofSeconds(1)), Optional.empty(),
                testKit.system().executionContext(),
                new KvMetrics(meters), clock::get, name -> Optional.empty());
        TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
        var p = testKit.spawn(KvPartition.create(new PartitionId("users", 3),
                settings(1_000_000, RollCycles.FAST_HOURLY, Durability.MMAP), deleted, shard.getRef()));

        var refused = assertInstanceOf(KvPartition.Rejected.class, put(p, "k", "v", 0, KvPartition.ANY_VERSION));
        assertEquals("keyspace_not_found", refused.code());
        assertEquals(new ClusterSharding.Passivate<>(p), shard.receiveMessage(Duration.ofSeconds(10)),
                "the shard stops it, keeping later commands for the next incarnation");
        assertEquals("keyspace_not_found", assertInstanceOf(KvPartition.Rejected.class, get(p, "k")).code());
        assertInstanceOf(KvPartition.Dropped.class, ask(p, KvPartition.Drop::new));
        assertFalse(Files.exists(files), "a drop deletes the files without recovering them");
    }
}
