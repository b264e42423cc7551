package io.strata.node.bus;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classic group protocol's state machine, step by step on a virtual clock: the join barrier,
 * the leader's assignment handed out by SyncGroup, heartbeats that call members back to rejoin,
 * stale generations and unknown members refused, expiry and rebalance timeouts.
 */
class ClassicGroupTest {

    private static final int SESSION = 10_000;
    private static final int REBALANCE = 30_000;
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING"));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static TestProbe<ConsumerGroup.Reply> probe() {
        return testKit.createTestProbe();
    }

    private static ConsumerGroup.Join join(String memberId, String client, byte[] metadata, TestProbe<ConsumerGroup.Reply> probe) {
        return new ConsumerGroup.Join(memberId, client, "/127.0.0.1", SESSION, REBALANCE, "consumer",
                List.of(new ConsumerGroup.ClassicProtocol("range", metadata)), true, probe.ref());
    }

    /** A new member: first MEMBER_ID_REQUIRED with its id, then the join with it (which waits for the barrier). */
    private static String newMember(ClassicGroup group, String client, TestProbe<ConsumerGroup.Reply> probe, long now) {
        group.join(join("", client, new byte[] {1}, probe), now);
        ConsumerGroup.Joined required = probe.expectMessageClass(ConsumerGroup.Joined.class);
        assertEquals("MEMBER_ID_REQUIRED", required.error());
        assertTrue(required.memberId().startsWith(client + "-"));
        group.join(join(required.memberId(), client, new byte[] {1}, probe), now);
        return required.memberId();
    }

    @Test
    void twoMembersJoinTheLeaderAssignsAndBothGetTheirShare() {
        ClassicGroup group = new ClassicGroup("g", 100);
        TestProbe<ConsumerGroup.Reply> a = probe();
        TestProbe<ConsumerGroup.Reply> b = probe();
        String idA = newMember(group, "a", a, 0);
        String idB = newMember(group, "b", b, 10);
        // Both joined, but the group forming from empty waits its initial delay for more.
        a.expectNoMessage(Duration.ofMillis(50));
        group.tick(50);
        a.expectNoMessage(Duration.ofMillis(20));
        group.tick(100);
        ConsumerGroup.Joined joinedA = a.expectMessageClass(ConsumerGroup.Joined.class);
        ConsumerGroup.Joined joinedB = b.expectMessageClass(ConsumerGroup.Joined.class);
        assertEquals("NONE", joinedA.error());
        assertEquals(1, joinedA.generation());
        assertEquals(idA, joinedA.leader());
        assertEquals("range", joinedA.protocolName());
        assertEquals(2, joinedA.members().size(), "the leader gets every member's metadata");
        assertTrue(joinedB.members().isEmpty(), "a follower gets none");

        // The follower's sync waits for the leader's.
        group.sync(new ConsumerGroup.Sync(idB, 1, "consumer", "range", Map.of(), b.ref()), 200);
        b.expectNoMessage(Duration.ofMillis(20));
        assertEquals("REBALANCE_IN_PROGRESS", group.checkCommit(idA, 1), "no commits while the assignment is being handed out");
        group.sync(new ConsumerGroup.Sync(idA, 1, "consumer", "range", Map.of(idA, new byte[] {7}, idB, new byte[] {8}),
                a.ref()), 210);
        assertArrayEquals(new byte[] {7}, a.expectMessageClass(ConsumerGroup.Synced.class).assignment());
        assertArrayEquals(new byte[] {8}, b.expectMessageClass(ConsumerGroup.Synced.class).assignment());
        assertEquals(ClassicGroup.State.STABLE, group.state());
        assertNull(group.checkCommit(idB, 1));
        assertEquals("ILLEGAL_GENERATION", group.checkCommit(idB, 0));
        assertEquals("UNKNOWN_MEMBER_ID", group.checkCommit("nobody", 1));
        assertEquals("UNKNOWN_MEMBER_ID", group.checkCommit("", -1), "no commits from outside while it has members");
        assertEquals("NONE", group.heartbeat(idA, 1, 300));
        assertEquals("ILLEGAL_GENERATION", group.heartbeat(idA, 2, 300));

        // A third member joins: the others hear REBALANCE_IN_PROGRESS and rejoin.
        TestProbe<ConsumerGroup.Reply> c = probe();
        String idC = newMember(group, "c", c, 400);
        assertEquals(ClassicGroup.State.PREPARING_REBALANCE, group.state());
        assertEquals("REBALANCE_IN_PROGRESS", group.heartbeat(idA, 1, 410));
        assertNull(group.checkCommit(idA, 1), "a member may still commit its generation's offsets while it rejoins");
        group.join(join(idA, "a", new byte[] {1}, a), 420);
        c.expectNoMessage(Duration.ofMillis(20));
        group.join(join(idB, "b", new byte[] {1}, b), 430);
        assertEquals(2, a.expectMessageClass(ConsumerGroup.Joined.class).generation());
        b.expectMessageClass(ConsumerGroup.Joined.class);
        assertEquals(idA, c.expectMessageClass(ConsumerGroup.Joined.class).leader(), "the leader stays the leader");
        assertEquals("ILLEGAL_GENERATION", group.checkCommit(idA, 1));
    }

    @Test
    void aMemberThatDoesNotRejoinInTimeIsDroppedAndOneThatStopsHeartbeatingExpires() {
        ClassicGroup group = new ClassicGroup("g", 0);
        TestProbe<ConsumerGroup.Reply> a = probe();
        TestProbe<ConsumerGroup.Reply> b = probe();
        String idA = newMember(group, "a", a, 0);
        a.expectMessageClass(ConsumerGroup.Joined.class);
        group.sync(new ConsumerGroup.Sync(idA, 1, "", "", Map.of(idA, new byte[] {1}), a.ref()), 0);
        a.expectMessageClass(ConsumerGroup.Synced.class);
        String idB = newMember(group, "b", b, 1_000);
        // a keeps heartbeating (each answered with a call to rejoin) but never rejoins: at the
        // rebalance timeout the group goes on without it.
        for (int t = 5_000; t < 1_000 + REBALANCE; t += 5_000) {
            assertEquals("REBALANCE_IN_PROGRESS", group.heartbeat(idA, 1, t));
            group.tick(t);
        }
        group.tick(1_000 + REBALANCE - 1);
        b.expectNoMessage(Duration.ofMillis(20));
        group.tick(1_000 + REBALANCE);
        ConsumerGroup.Joined joined = b.expectMessageClass(ConsumerGroup.Joined.class);
        assertEquals(idB, joined.leader());
        assertEquals(1, joined.members().size());
        assertEquals("UNKNOWN_MEMBER_ID", group.heartbeat(idA, 1, 1_000 + REBALANCE));

        group.sync(new ConsumerGroup.Sync(idB, 2, "consumer", "range", Map.of(), b.ref()), 40_000);
        b.expectMessageClass(ConsumerGroup.Synced.class);
        group.tick(40_000 + SESSION);
        assertEquals(ClassicGroup.State.STABLE, group.state());
        group.tick(40_000 + SESSION + 1);
        assertEquals(ClassicGroup.State.EMPTY, group.state(), "b's session expired");
        assertTrue(group.isEmpty());
        assertNull(group.checkCommit("", -1), "an empty group takes commits from outside the protocol");
    }

    @Test
    void leavingUnknownMembersAndInconsistentProtocolsAreAnsweredAsKafkaDoes() {
        ClassicGroup group = new ClassicGroup("g", 0);
        TestProbe<ConsumerGroup.Reply> a = probe();
        String idA = newMember(group, "a", a, 0);
        a.expectMessageClass(ConsumerGroup.Joined.class);

        TestProbe<ConsumerGroup.Reply> other = probe();
        group.join(new ConsumerGroup.Join("", "x", "/127.0.0.1", SESSION, REBALANCE, "connect",
                List.of(new ConsumerGroup.ClassicProtocol("range", new byte[0])), true, other.ref()), 10);
        assertEquals("INCONSISTENT_GROUP_PROTOCOL", other.expectMessageClass(ConsumerGroup.Joined.class).error());
        group.join(new ConsumerGroup.Join("", "x", "/127.0.0.1", SESSION, REBALANCE, "consumer",
                List.of(new ConsumerGroup.ClassicProtocol("roundrobin", new byte[0])), true, other.ref()), 10);
        assertEquals("INCONSISTENT_GROUP_PROTOCOL", other.expectMessageClass(ConsumerGroup.Joined.class).error(),
                "no protocol in common with the members");
        group.join(join("made-up-id", "x", new byte[0], other), 10);
        assertEquals("UNKNOWN_MEMBER_ID", other.expectMessageClass(ConsumerGroup.Joined.class).error());

        assertEquals(Map.of(idA, "NONE", "ghost", "UNKNOWN_MEMBER_ID"), group.leave(List.of(idA, "ghost"), 20));
        assertEquals(ClassicGroup.State.EMPTY, group.state());
        assertEquals(2, group.generation(), "the group's generation moves on when it empties");
    }
}
