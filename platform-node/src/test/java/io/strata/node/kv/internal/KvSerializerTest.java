package io.strata.node.kv.internal;

import io.strata.node.common.KeyBytes;
import io.strata.node.kv.HashChange;
import io.strata.node.kv.KvPartition;
import io.strata.node.kv.ListChange;
import io.strata.node.kv.ZRange;
import io.strata.node.kv.ZSetChange;
import io.strata.node.kv.ZSetValue;
import io.strata.node.kv.StringChange;
import io.strata.node.kv.ValueType;
import org.apache.pekko.actor.typed.ActorRef;
import io.strata.node.testing.SerializationRoundTrip;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Every message of the partition protocol crosses nodes as Protobuf through {@link KvSerializer}. */
class KvSerializerTest {

    private static SerializationRoundTrip serialization;

    @BeforeAll
    static void start() {
        serialization = new SerializationRoundTrip();
    }

    @AfterAll
    static void stop() {
        serialization.close();
    }

    private static Object roundTrip(Object message) {
        return serialization.roundTrip(message, KvSerializer.class);
    }

    @Test
    void commandsRoundTrip() {
        ActorRef<KvPartition.Reply> probe = serialization.testKit().<KvPartition.Reply>createTestProbe().getRef();
        var put = (KvPartition.Put) roundTrip(new KvPartition.Put("k", new byte[]{1, 2, 0}, 5000, 42, probe));
        assertEquals("k", put.key());
        assertArrayEquals(new byte[]{1, 2, 0}, put.value());
        assertEquals(5000, put.ttlMillis());
        assertEquals(42, put.expectedVersion());
        assertEquals(probe, put.replyTo());

        assertEquals(new KvPartition.Get("k", probe), roundTrip(new KvPartition.Get("k", probe)));
        assertEquals(new KvPartition.Delete("k", KvPartition.MUST_EXIST, probe), roundTrip(new KvPartition.Delete("k", KvPartition.MUST_EXIST, probe)));
        assertEquals(new KvPartition.Incr("k", -9, probe), roundTrip(new KvPartition.Incr("k", -9, probe)));
        assertEquals(new KvPartition.MultiGet(List.of("a", "b"), probe), roundTrip(new KvPartition.MultiGet(List.of("a", "b"), probe)));
        assertEquals(new KvPartition.Stats(probe), roundTrip(new KvPartition.Stats(probe)));
        assertEquals(KvPartition.Wake.INSTANCE, roundTrip(KvPartition.Wake.INSTANCE));
        assertEquals(new KvPartition.ListKeys("user:", "user:7", 100, probe), roundTrip(new KvPartition.ListKeys("user:", "user:7", 100, probe)));
        assertEquals(new KvPartition.ListKeys("", "", 1, probe), roundTrip(new KvPartition.ListKeys("", "", 1, probe)));
        assertEquals(new KvPartition.Drop(probe), roundTrip(new KvPartition.Drop(probe)));

        var putAll = (KvPartition.PutAll) roundTrip(new KvPartition.PutAll(List.of(new KvPartition.Write("a", new byte[]{0, 7}, 0),
                new KvPartition.Write("b", new byte[]{}, 1500)), probe));
        assertEquals(2, putAll.writes().size());
        assertEquals("a", putAll.writes().get(0).key());
        assertArrayEquals(new byte[]{0, 7}, putAll.writes().get(0).value());
        assertEquals(1500, putAll.writes().get(1).ttlMillis());
        assertEquals(probe, putAll.replyTo());
        assertFalse(putAll.onlyIfAllAbsent());
        assertTrue(((KvPartition.PutAll) roundTrip(new KvPartition.PutAll(List.of(), true, probe))).onlyIfAllAbsent());
    }

    @Test
    void batchesRoundTripWithTheirStepsInOrder() {
        ActorRef<KvPartition.Reply> probe = serialization.testKit().<KvPartition.Reply>createTestProbe().getRef();
        var batch = (KvPartition.Batch) roundTrip(new KvPartition.Batch(List.of(new KvPartition.Put("k", new byte[]{0, 1}, 0,
                KvPartition.ANY_VERSION, probe), new KvPartition.Get("k", probe), new KvPartition.Incr("n", 3, probe)), probe));
        assertEquals(probe, batch.replyTo());
        assertEquals(3, batch.steps().size());
        var put = (KvPartition.Put) batch.steps().get(0);
        assertEquals("k", put.key());
        assertArrayEquals(new byte[]{0, 1}, put.value());
        assertEquals(new KvPartition.Get("k", probe), batch.steps().get(1));
        assertEquals(new KvPartition.Incr("n", 3, probe), batch.steps().get(2));
        assertEquals(new KvPartition.Batch(List.of(), probe), roundTrip(new KvPartition.Batch(List.of(), probe)));

        var done = (KvPartition.TransactionDone) roundTrip(new KvPartition.TransactionDone(List.of(new KvPartition.Written(1, true, 0),
                new KvPartition.NotFound("k"), new KvPartition.Counter(3, 2))));
        assertEquals(List.of(new KvPartition.Written(1, true, 0), new KvPartition.NotFound("k"), new KvPartition.Counter(3, 2)),
                done.replies());
    }

    @Test
    void hashUpdatesAndBinaryKeysRoundTrip() {
        ActorRef<KvPartition.Reply> probe = serialization.testKit().<KvPartition.Reply>createTestProbe().getRef();
        String binary = KeyBytes.fromBytes(new byte[]{(byte) 0xFF, 0, 'k', (byte) 0xC3});
        var set = (KvPartition.UpdateValue) roundTrip(new KvPartition.UpdateValue(binary,
                new HashChange.Set(List.of(new byte[]{1}, new byte[]{2}), true), probe));
        assertEquals(binary, set.key(), "a key that is not UTF-8 crosses nodes whole");
        var setChange = (HashChange.Set) set.change();
        assertTrue(setChange.onlyIfAbsent());
        assertArrayEquals(new byte[]{2}, setChange.fieldsAndValues().get(1));
        var expire = (HashChange.Expire) ((KvPartition.UpdateValue) roundTrip(new KvPartition.UpdateValue("h",
                new HashChange.Expire(List.of(new byte[]{'f'}), StringChange.Expiration.at(99), StringChange.ExpiryCondition.LATER),
                probe))).change();
        assertEquals(StringChange.Expiration.at(99), expire.expiration());
        assertEquals(StringChange.ExpiryCondition.LATER, expire.condition());
        var incr = (HashChange.IncrByFloat) ((KvPartition.UpdateValue) roundTrip(new KvPartition.UpdateValue("h",
                new HashChange.IncrByFloat(new byte[]{'f'}, "1.5"), probe))).change();
        assertEquals("1.5", incr.increment());
        assertInstanceOf(HashChange.Persist.class, ((KvPartition.UpdateValue) roundTrip(new KvPartition.UpdateValue("h",
                new HashChange.Persist(List.of(new byte[]{'f'})), probe))).change());

        var updated = (KvPartition.ValueUpdated) roundTrip(new KvPartition.ValueUpdated(3, null, List.of(1L, -2L), null, 17));
        assertEquals(List.of(1L, -2L), updated.numbers());
        assertNull(updated.value());
        assertNull(updated.items());
        assertEquals(17, updated.version());
        var popped = (KvPartition.ValueUpdated) roundTrip(new KvPartition.ValueUpdated(0, null, null, List.of(new byte[]{7}), 0));
        assertArrayEquals(new byte[]{7}, popped.items().get(0));
        assertEquals(List.of(), ((KvPartition.ValueUpdated) roundTrip(new KvPartition.ValueUpdated(0, null, null, List.of(), 0))).items(),
                "no element popped is not the key being absent");
        var push = (ListChange.Push) ((KvPartition.UpdateValue) roundTrip(new KvPartition.UpdateValue("l",
                new ListChange.Push(true, List.of(new byte[]{1}, new byte[]{2}), true), probe))).change();
        assertTrue(push.left() && push.onlyIfExists());
        assertEquals(2, push.elements().size());
        var insert = (ListChange.Insert) ((KvPartition.UpdateValue) roundTrip(new KvPartition.UpdateValue("l",
                new ListChange.Insert(false, new byte[]{1}, new byte[]{2}), probe))).change();
        assertArrayEquals(new byte[]{2}, insert.element());
        var zadd = (ZSetChange.Add) ((KvPartition.UpdateValue) roundTrip(new KvPartition.UpdateValue("z",
                new ZSetChange.Add(List.of(new ZSetValue.Member(new byte[]{1}, Double.NEGATIVE_INFINITY)),
                        EnumSet.of(ZSetChange.AddFlag.GT, ZSetChange.AddFlag.INCR)), probe))).change();
        assertEquals(EnumSet.of(ZSetChange.AddFlag.GT, ZSetChange.AddFlag.INCR), zadd.flags());
        assertEquals(Double.NEGATIVE_INFINITY, zadd.members().get(0).score());
        var lex = (ZSetChange.RemoveRange) ((KvPartition.UpdateValue) roundTrip(new KvPartition.UpdateValue("z",
                new ZSetChange.RemoveRange(new ZRange.ByLex(new ZRange.LexBound(-1, null, false),
                        new ZRange.LexBound(0, new byte[]{9}, true))), probe))).change();
        var bounds = (ZRange.ByLex) lex.range();
        assertEquals(-1, bounds.min().infinity());
        assertArrayEquals(new byte[]{9}, bounds.max().name());
        assertTrue(bounds.max().exclusive());
        var score = (ZSetChange.RemoveRange) ((KvPartition.UpdateValue) roundTrip(new KvPartition.UpdateValue("z",
                new ZSetChange.RemoveRange(new ZRange.ByScore(1, true, Double.POSITIVE_INFINITY, false)), probe))).change();
        assertEquals(new ZRange.ByScore(1, true, Double.POSITIVE_INFINITY, false), score.range());
        assertEquals(new ZSetChange.Pop(true, 3), ((KvPartition.UpdateValue) roundTrip(new KvPartition.UpdateValue("z",
                new ZSetChange.Pop(true, 3), probe))).change());
        var restore = (KvPartition.PutValue) roundTrip(new KvPartition.PutValue("k", ValueType.SET, new byte[]{1, 0}, 99, true, probe));
        assertEquals(ValueType.SET, restore.type());
        assertArrayEquals(new byte[]{1, 0}, restore.value());
        assertEquals(99, restore.expiresAtMillis());
        assertTrue(restore.replace());
        var move = (KvPartition.MoveElement) roundTrip(KvPartition.MoveElement.ofList("{a}x", "{a}y", true, false, probe));
        assertEquals("{a}y", move.destination());
        assertTrue(move.fromLeft());
        var found = (KvPartition.Found) roundTrip(new KvPartition.Found(binary, new byte[]{0}, 4, 0, ValueType.HASH));
        assertEquals(ValueType.HASH, found.type());
        assertEquals(binary, found.key());
        assertEquals(new KvPartition.ListKeys(binary, binary, 3, probe), roundTrip(new KvPartition.ListKeys(binary, binary, 3, probe)));
    }

    @Test
    void updatesRoundTripWithEveryChange() {
        ActorRef<KvPartition.Reply> probe = serialization.testKit().<KvPartition.Reply>createTestProbe().getRef();
        var append = (KvPartition.Update) roundTrip(new KvPartition.Update("k", new StringChange.Append(new byte[]{0, 1}), probe));
        assertEquals("k", append.key());
        assertArrayEquals(new byte[]{0, 1}, ((StringChange.Append) append.change()).suffix());
        assertEquals(probe, append.replyTo());
        var range = (StringChange.SetRange) ((KvPartition.Update) roundTrip(
                new KvPartition.Update("k", new StringChange.SetRange(7, new byte[]{5}), probe))).change();
        assertEquals(7, range.offset());
        assertArrayEquals(new byte[]{5}, range.bytes());
        var set = (StringChange.Set) ((KvPartition.Update) roundTrip(new KvPartition.Update("k",
                new StringChange.Set(new byte[]{3}, StringChange.Expiration.after(1500), StringChange.Condition.PRESENT, true), probe))).change();
        assertArrayEquals(new byte[]{3}, set.value());
        assertEquals(StringChange.Expiration.after(1500), set.expiration());
        assertEquals(StringChange.Condition.PRESENT, set.condition());
        for (StringChange change : List.of(new StringChange.IncrByFloat("-2.5e3"), new StringChange.GetDel(),
                new StringChange.GetEx(StringChange.Expiration.at(900)), new StringChange.GetEx(StringChange.Expiration.NONE),
                new StringChange.Expire(StringChange.Expiration.KEEP, StringChange.ExpiryCondition.LATER))) {
            assertEquals(new KvPartition.Update("k", change, probe), roundTrip(new KvPartition.Update("k", change, probe)));
        }
    }

    @Test
    void repliesRoundTrip() {
        var found = (KvPartition.Found) roundTrip(new KvPartition.Found("k", new byte[]{9}, 7, 123));
        assertEquals("k", found.key());
        assertArrayEquals(new byte[]{9}, found.value());
        assertEquals(7, found.version());
        assertEquals(123, found.expiresAtMillis());

        assertEquals(new KvPartition.NotFound("k"), roundTrip(new KvPartition.NotFound("k")));
        assertEquals(new KvPartition.Written(3, true, 99), roundTrip(new KvPartition.Written(3, true, 99)));
        assertEquals(new KvPartition.AllWritten(3, 42), roundTrip(new KvPartition.AllWritten(3, 42)));
        assertEquals(new KvPartition.Deleted(4), roundTrip(new KvPartition.Deleted(4)));
        assertEquals(new KvPartition.Counter(-5, 6), roundTrip(new KvPartition.Counter(-5, 6)));
        assertEquals(new KvPartition.PartitionStats(1, 2, 3), roundTrip(new KvPartition.PartitionStats(1, 2, 3)));
        assertEquals(new KvPartition.Rejected("version_mismatch", "why"), roundTrip(new KvPartition.Rejected("version_mismatch", "why")));
        var multi = (KvPartition.MultiGetResult) roundTrip(new KvPartition.MultiGetResult(List.of(new KvPartition.Found("a", new byte[]{1}, 1, 0))));
        assertEquals("a", multi.found().get(0).key());
        assertEquals(new KvPartition.KeyPage(List.of("a", "é", "😀"), true), roundTrip(new KvPartition.KeyPage(List.of("a", "é", "😀"), true)));
        assertEquals(new KvPartition.KeyPage(List.of(), false), roundTrip(new KvPartition.KeyPage(List.of(), false)));
        assertEquals(new KvPartition.Dropped(), roundTrip(new KvPartition.Dropped()));
        var updated = (KvPartition.Updated) roundTrip(new KvPartition.Updated(new byte[]{}, new byte[]{1}, 8, 77, true));
        assertArrayEquals(new byte[]{}, updated.previous(), "an empty value is not an absent one");
        assertArrayEquals(new byte[]{1}, updated.value());
        assertEquals(8, updated.version());
        assertEquals(77, updated.expiresAtMillis());
        assertTrue(updated.changed());
        var deleted = (KvPartition.Updated) roundTrip(new KvPartition.Updated(new byte[]{2}, null, 0, 0, true));
        assertArrayEquals(new byte[]{2}, deleted.previous());
        assertNull(deleted.value());
        assertNull(((KvPartition.Updated) roundTrip(new KvPartition.Updated(null, null, 0, 0, false))).previous());
    }
}
