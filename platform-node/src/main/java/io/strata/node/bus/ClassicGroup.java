package io.strata.node.bus;

import org.apache.pekko.actor.typed.ActorRef;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The members of a consumer group that use Kafka's classic group protocol (JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup), as Kafka's group coordinator keeps them: the clients choose the
 * assignment (the leader computes it and hands it over in its SyncGroup), the coordinator runs the
 * join and sync barriers, expires members that stop heartbeating and refuses stale generations.
 *
 * <p>The state of one {@link ConsumerGroup} entity, touched only by its actor. Errors are the
 * names of Kafka's error codes ({@code org.apache.kafka.common.protocol.Errors}), which the Kafka
 * door turns back into codes; {@code NONE} is success.
 */
final class ClassicGroup {

    /** Kafka's group states, named as DescribeGroups and ListGroups report them. */
    enum State {
        EMPTY("Empty"), PREPARING_REBALANCE("PreparingRebalance"), COMPLETING_REBALANCE("CompletingRebalance"),
        STABLE("Stable");

        final String kafkaName;

        State(String kafkaName) {
            this.kafkaName = kafkaName;
        }
    }

    private static final class Member {
        final String id;
        final String clientId;
        final String clientHost;
        int sessionTimeoutMs;
        int rebalanceTimeoutMs;
        String protocolType;
        List<ConsumerGroup.ClassicProtocol> protocols;
        byte[] assignment = new byte[0];
        long lastHeartbeat;
        ActorRef<ConsumerGroup.Reply> awaitingJoin;
        ActorRef<ConsumerGroup.Reply> awaitingSync;

        Member(String id, ConsumerGroup.Join join, long now) {
            this.id = id;
            this.clientId = join.clientId();
            this.clientHost = join.clientHost();
            update(join, now);
        }

        void update(ConsumerGroup.Join join, long now) {
            sessionTimeoutMs = join.sessionTimeoutMs();
            rebalanceTimeoutMs = join.rebalanceTimeoutMs();
            protocolType = join.protocolType();
            protocols = join.protocols();
            lastHeartbeat = now;
        }

        byte[] metadata(String protocol) {
            for (ConsumerGroup.ClassicProtocol p : protocols) {
                if (p.name().equals(protocol)) {
                    return p.metadata();
                }
            }
            return new byte[0];
        }

        boolean sameProtocols(List<ConsumerGroup.ClassicProtocol> other) {
            if (other.size() != protocols.size()) {
                return false;
            }
            for (int i = 0; i < other.size(); i++) {
                if (!other.get(i).name().equals(protocols.get(i).name())
                        || !Arrays.equals(other.get(i).metadata(), protocols.get(i).metadata())) {
                    return false;
                }
            }
            return true;
        }
    }

    private final String group;
    private final long initialRebalanceDelayMs;
    /** Members in the order they joined: the first one leads when the leader is gone. */
    private final Map<String, Member> members = new LinkedHashMap<>();
    /** Member ids handed out with MEMBER_ID_REQUIRED, valid for one join each. */
    private final Set<String> pendingIds = new HashSet<>();
    private State state = State.EMPTY;
    private int generation;
    private String protocolType;
    private String protocol;
    private String leader;
    /** When the current rebalance stops waiting for members that have not rejoined. */
    private long rebalanceDeadline;
    /** While the group forms from empty, the rebalance waits until then for more members (Kafka's initial delay). */
    private long initialDelayUntil;

    ClassicGroup(String group, long initialRebalanceDelayMs) {
        this.group = group;
        this.initialRebalanceDelayMs = initialRebalanceDelayMs;
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    int generation() {
        return generation;
    }

    State state() {
        return state;
    }

    /** A member joins or rejoins; the reply comes when the rebalance completes (or at once on an error). */
    void join(ConsumerGroup.Join join, long now) {
        if (join.protocolType().isEmpty() || join.protocols().isEmpty()) {
            join.replyTo().tell(failedJoin("INCONSISTENT_GROUP_PROTOCOL", join.memberId()));
            return;
        }
        if (!members.isEmpty() && (!join.protocolType().equals(protocolType) || !sharesAProtocol(join.protocols(), join.memberId()))) {
            join.replyTo().tell(failedJoin("INCONSISTENT_GROUP_PROTOCOL", join.memberId()));
            return;
        }
        String memberId = join.memberId();
        Member member = members.get(memberId);
        if (memberId.isEmpty()) {
            String id = (join.clientId().isEmpty() ? "member" : join.clientId()) + "-" + UUID.randomUUID();
            if (join.requireKnownMemberId()) {
                // The client rejoins with this id: a join whose response is lost cannot leave a ghost member.
                pendingIds.add(id);
                join.replyTo().tell(failedJoin("MEMBER_ID_REQUIRED", id));
                return;
            }
            addMember(id, join, now);
            return;
        }
        if (member == null) {
            if (pendingIds.remove(memberId)) {
                addMember(memberId, join, now);
            } else {
                join.replyTo().tell(failedJoin("UNKNOWN_MEMBER_ID", memberId));
            }
            return;
        }
        boolean changed = !member.sameProtocols(join.protocols());
        member.update(join, now);
        switch (state) {
            case PREPARING_REBALANCE -> {
                member.awaitingJoin = join.replyTo();
                completeJoinIfReady(now);
            }
            case COMPLETING_REBALANCE, STABLE -> {
                if (changed || (state == State.STABLE && memberId.equals(leader))) {
                    member.awaitingJoin = join.replyTo();
                    prepareRebalance(now, "member " + memberId + " rejoined" + (changed ? " with new metadata" : ""));
                } else {
                    // A follower that rejoins unchanged gets the current generation back, as Kafka answers it.
                    join.replyTo().tell(joined(member, memberId.equals(leader)));
                }
            }
            case EMPTY -> join.replyTo().tell(failedJoin("UNKNOWN_MEMBER_ID", memberId));
        }
    }

    private boolean sharesAProtocol(List<ConsumerGroup.ClassicProtocol> offered, String memberId) {
        for (ConsumerGroup.ClassicProtocol p : offered) {
            boolean everyone = true;
            for (Member m : members.values()) {
                if (!m.id.equals(memberId) && m.protocols.stream().noneMatch(q -> q.name().equals(p.name()))) {
                    everyone = false;
                    break;
                }
            }
            if (everyone) {
                return true;
            }
        }
        return false;
    }

    private void addMember(String id, ConsumerGroup.Join join, long now) {
        Member member = new Member(id, join, now);
        member.awaitingJoin = join.replyTo();
        boolean wasEmpty = members.isEmpty();
        members.put(id, member);
        if (members.size() == 1) {
            protocolType = join.protocolType();
        }
        if (state == State.PREPARING_REBALANCE) {
            completeJoinIfReady(now);
        } else {
            // A group forming from empty waits a little for the others starting with this one (Kafka's initial delay).
            prepareRebalance(now, "member " + id + " joined", wasEmpty ? now + initialRebalanceDelayMs : 0);
        }
    }

    /** Starts a rebalance: every member must rejoin within its rebalance timeout. */
    private void prepareRebalance(long now, String why) {
        prepareRebalance(now, why, 0);
    }

    private void prepareRebalance(long now, String why, long waitForMoreUntil) {
        if (state == State.COMPLETING_REBALANCE) {
            for (Member m : members.values()) {
                if (m.awaitingSync != null) {
                    m.awaitingSync.tell(new ConsumerGroup.Synced("REBALANCE_IN_PROGRESS", protocolType, protocol, new byte[0]));
                    m.awaitingSync = null;
                }
            }
        }
        state = State.PREPARING_REBALANCE;
        int timeout = members.values().stream().mapToInt(m -> m.rebalanceTimeoutMs).max().orElse(0);
        rebalanceDeadline = now + timeout;
        initialDelayUntil = waitForMoreUntil;
        ConsumerGroup.LOG.info("consumer group {} (Kafka protocol): rebalance for generation {} ({})", group, generation + 1, why);
        completeJoinIfReady(now);
    }

    /** Ends the join barrier once every member has rejoined, or the deadline passed without some. */
    private void completeJoinIfReady(long now) {
        if (state != State.PREPARING_REBALANCE) {
            return;
        }
        boolean allJoined = members.values().stream().allMatch(m -> m.awaitingJoin != null);
        boolean waitingForMore = allJoined && now < initialDelayUntil;
        if ((!allJoined && now < rebalanceDeadline) || waitingForMore) {
            return;
        }
        members.values().removeIf(m -> {
            if (m.awaitingJoin == null) {
                ConsumerGroup.LOG.info("consumer group {}: member {} did not rejoin in time and is removed", group, m.id);
                return true;
            }
            return false;
        });
        generation++;
        if (members.isEmpty()) {
            state = State.EMPTY;
            protocolType = null;
            protocol = null;
            leader = null;
            return;
        }
        protocol = chooseProtocol();
        if (leader == null || !members.containsKey(leader)) {
            leader = members.keySet().iterator().next();
        }
        state = State.COMPLETING_REBALANCE;
        for (Member m : members.values()) {
            m.assignment = new byte[0];
            m.lastHeartbeat = now;
            m.awaitingJoin.tell(joined(m, m.id.equals(leader)));
            m.awaitingJoin = null;
        }
        ConsumerGroup.LOG.info("consumer group {} (Kafka protocol): generation {} with {} members, protocol {}, leader {}",
                group, generation, members.size(), protocol, leader);
    }

    /** The protocol every member supports that the members together prefer most (Kafka's vote). */
    private String chooseProtocol() {
        Map<String, Integer> votes = new LinkedHashMap<>();
        Member first = members.values().iterator().next();
        for (ConsumerGroup.ClassicProtocol p : first.protocols) {
            if (members.values().stream().allMatch(m -> m.protocols.stream().anyMatch(q -> q.name().equals(p.name())))) {
                votes.put(p.name(), 0);
            }
        }
        for (Member m : members.values()) {
            for (ConsumerGroup.ClassicProtocol p : m.protocols) {
                if (votes.containsKey(p.name())) {
                    votes.merge(p.name(), 1, Integer::sum);
                    break;
                }
            }
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElse(first.protocols.get(0).name());
    }

    private ConsumerGroup.Joined joined(Member member, boolean isLeader) {
        List<ConsumerGroup.JoinedMember> list = new ArrayList<>();
        if (isLeader) {
            members.values().forEach(m -> list.add(new ConsumerGroup.JoinedMember(m.id, m.metadata(protocol))));
        }
        return new ConsumerGroup.Joined("NONE", generation, protocolType, protocol, leader, member.id, list);
    }

    private static ConsumerGroup.Joined failedJoin(String error, String memberId) {
        return new ConsumerGroup.Joined(error, -1, "", "", "", memberId, List.of());
    }

    /** A member's SyncGroup: the leader's carries everyone's assignment; each member waits for it. */
    void sync(ConsumerGroup.Sync sync, long now) {
        Member member = members.get(sync.memberId());
        String error = checkMember(sync.memberId(), sync.generation());
        if (error == null && ((!sync.protocolType().isEmpty() && !sync.protocolType().equals(protocolType))
                || (!sync.protocolName().isEmpty() && !sync.protocolName().equals(protocol)))) {
            error = "INCONSISTENT_GROUP_PROTOCOL";
        }
        if (error == null && state == State.PREPARING_REBALANCE) {
            error = "REBALANCE_IN_PROGRESS";
        }
        if (error != null) {
            sync.replyTo().tell(new ConsumerGroup.Synced(error, "", "", new byte[0]));
            return;
        }
        member.lastHeartbeat = now;
        if (state == State.STABLE) {
            sync.replyTo().tell(new ConsumerGroup.Synced("NONE", protocolType, protocol, member.assignment));
            return;
        }
        member.awaitingSync = sync.replyTo();
        if (sync.memberId().equals(leader)) {
            for (Member m : members.values()) {
                m.assignment = sync.assignments().getOrDefault(m.id, new byte[0]);
            }
            state = State.STABLE;
            for (Member m : members.values()) {
                if (m.awaitingSync != null) {
                    m.awaitingSync.tell(new ConsumerGroup.Synced("NONE", protocolType, protocol, m.assignment));
                    m.awaitingSync = null;
                }
            }
        }
    }

    /** A member's heartbeat: tells it whether to rejoin. */
    String heartbeat(String memberId, int generation, long now) {
        String error = checkMember(memberId, generation);
        if (error != null) {
            return error;
        }
        members.get(memberId).lastHeartbeat = now;
        return state == State.PREPARING_REBALANCE ? "REBALANCE_IN_PROGRESS" : "NONE";
    }

    /** Members leave; the others rebalance. Returns each member's error. */
    Map<String, String> leave(List<String> memberIds, long now) {
        Map<String, String> errors = new LinkedHashMap<>();
        List<String> gone = new ArrayList<>();
        for (String id : memberIds) {
            Member member = members.remove(id);
            if (member == null) {
                errors.put(id, "UNKNOWN_MEMBER_ID");
                continue;
            }
            errors.put(id, "NONE");
            gone.add(id);
            if (member.awaitingJoin != null) {
                member.awaitingJoin.tell(failedJoin("UNKNOWN_MEMBER_ID", id));
            }
            if (member.awaitingSync != null) {
                member.awaitingSync.tell(new ConsumerGroup.Synced("UNKNOWN_MEMBER_ID", "", "", new byte[0]));
            }
        }
        if (!gone.isEmpty()) {
            membersGone(now, "members " + gone + " left");
        }
        return errors;
    }

    /** Expires members whose session ran out and ends a rebalance that waited long enough. */
    void tick(long now) {
        List<String> expired = new ArrayList<>();
        members.values().removeIf(m -> {
            // A member waiting in a join or sync barrier cannot heartbeat: it is alive while it waits.
            if (m.awaitingJoin == null && m.awaitingSync == null && now - m.lastHeartbeat > m.sessionTimeoutMs) {
                expired.add(m.id);
                return true;
            }
            return false;
        });
        if (!expired.isEmpty()) {
            membersGone(now, "session timeout of " + expired);
        }
        completeJoinIfReady(now);
    }

    private void membersGone(long now, String why) {
        switch (state) {
            case STABLE, COMPLETING_REBALANCE -> {
                if (members.isEmpty()) {
                    generation++;
                    state = State.EMPTY;
                    protocolType = null;
                    protocol = null;
                    leader = null;
                    ConsumerGroup.LOG.info("consumer group {} (Kafka protocol): empty at generation {} ({})", group, generation, why);
                } else {
                    prepareRebalance(now, why);
                }
            }
            case PREPARING_REBALANCE -> completeJoinIfReady(now);
            case EMPTY -> { }
        }
    }

    /**
     * Whether {@code memberId} of {@code generation} may commit offsets: null if so, else the
     * error. A commit outside the group protocol (generation below 0, no member id) is allowed
     * only while the group has no members, as Kafka allows it.
     */
    String checkCommit(String memberId, int generation) {
        if (generation < 0 && memberId.isEmpty()) {
            return members.isEmpty() ? null : "UNKNOWN_MEMBER_ID";
        }
        String error = checkMember(memberId, generation);
        if (error == null && state == State.COMPLETING_REBALANCE) {
            return "REBALANCE_IN_PROGRESS";
        }
        return error;
    }

    private String checkMember(String memberId, int generation) {
        if (!members.containsKey(memberId)) {
            return "UNKNOWN_MEMBER_ID";
        }
        return generation == this.generation ? null : "ILLEGAL_GENERATION";
    }

    /** The group as DescribeGroups reports it, or null when no member uses the classic protocol. */
    ConsumerGroup.ClassicState describe() {
        if (members.isEmpty()) {
            return null;
        }
        List<ConsumerGroup.ClassicMember> list = new ArrayList<>();
        boolean stable = state == State.STABLE;
        for (Member m : members.values()) {
            list.add(new ConsumerGroup.ClassicMember(m.id, m.clientId, m.clientHost,
                    protocol == null ? new byte[0] : m.metadata(protocol), stable ? m.assignment : new byte[0]));
        }
        return new ConsumerGroup.ClassicState(state.kafkaName, protocolType, stable ? protocol : "", generation, list);
    }
}
