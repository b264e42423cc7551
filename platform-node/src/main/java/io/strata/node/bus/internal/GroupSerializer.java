package io.strata.node.bus.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.node.bus.ConsumerGroup;
import com.google.protobuf.ByteString;
import io.strata.node.bus.proto.GroupAnsweredReply;
import io.strata.node.bus.proto.GroupClassicMember;
import io.strata.node.bus.proto.GroupClassicProtocol;
import io.strata.node.bus.proto.GroupClassicState;
import io.strata.node.bus.proto.GroupCommitCommand;
import io.strata.node.bus.proto.GroupCommitOffsetsCommand;
import io.strata.node.bus.proto.GroupDeleteCommand;
import io.strata.node.bus.proto.GroupHeartbeatCommand;
import io.strata.node.bus.proto.GroupJoinCommand;
import io.strata.node.bus.proto.GroupJoinedMember;
import io.strata.node.bus.proto.GroupJoinedReply;
import io.strata.node.bus.proto.GroupLeaveMembersCommand;
import io.strata.node.bus.proto.GroupMembersLeftReply;
import io.strata.node.bus.proto.GroupSyncCommand;
import io.strata.node.bus.proto.GroupSyncedReply;
import io.strata.node.bus.proto.GroupTopicOffsets;
import io.strata.node.bus.proto.GroupCommittedReply;
import io.strata.node.bus.proto.GroupDescribeCommand;
import io.strata.node.bus.proto.GroupDescriptionReply;
import io.strata.node.bus.proto.GroupLeaveCommand;
import io.strata.node.bus.proto.GroupLeftReply;
import io.strata.node.bus.proto.GroupMemberAssignment;
import io.strata.node.bus.proto.GroupPollCommand;
import io.strata.node.bus.proto.GroupPolledReply;
import io.strata.node.bus.proto.GroupRejectedReply;
import io.strata.node.bus.proto.GroupTopicState;
import io.strata.node.common.ProtobufSerializer;
import org.apache.pekko.actor.ExtendedActorSystem;

import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Serializes the {@link ConsumerGroup} protocol as the Protobuf messages of {@code group.proto}.
 * Bound to {@code ConsumerGroup$Command} and {@code ConsumerGroup$Reply} in reference.conf.
 */
public final class GroupSerializer extends ProtobufSerializer {

    private static final String POLL = "P";
    private static final String LEAVE = "L";
    private static final String COMMIT = "C";
    private static final String DESCRIBE = "D";
    private static final String POLLED = "p";
    private static final String COMMITTED = "c";
    private static final String LEFT = "l";
    private static final String DESCRIPTION = "d";
    private static final String REJECTED = "x";
    private static final String DELETE = "E";
    private static final String JOIN = "J";
    private static final String SYNC = "S";
    private static final String HEARTBEAT = "H";
    private static final String LEAVE_MEMBERS = "M";
    private static final String COMMIT_OFFSETS = "O";
    private static final String JOINED = "j";
    private static final String SYNCED = "s";
    private static final String ANSWERED = "a";
    private static final String MEMBERS_LEFT = "m";

    public GroupSerializer(ExtendedActorSystem system) {
        super(system);
    }

    @Override
    public int identifier() {
        return 7_303;
    }

    @Override
    public String manifest(Object o) {
        if (o instanceof ConsumerGroup.Poll) return POLL;
        if (o instanceof ConsumerGroup.Leave) return LEAVE;
        if (o instanceof ConsumerGroup.Commit) return COMMIT;
        if (o instanceof ConsumerGroup.Describe) return DESCRIBE;
        if (o instanceof ConsumerGroup.Polled) return POLLED;
        if (o instanceof ConsumerGroup.Committed) return COMMITTED;
        if (o instanceof ConsumerGroup.Left) return LEFT;
        if (o instanceof ConsumerGroup.Description) return DESCRIPTION;
        if (o instanceof ConsumerGroup.Rejected) return REJECTED;
        if (o instanceof ConsumerGroup.Delete) return DELETE;
        if (o instanceof ConsumerGroup.Join) return JOIN;
        if (o instanceof ConsumerGroup.Sync) return SYNC;
        if (o instanceof ConsumerGroup.Heartbeat) return HEARTBEAT;
        if (o instanceof ConsumerGroup.LeaveMembers) return LEAVE_MEMBERS;
        if (o instanceof ConsumerGroup.CommitOffsets) return COMMIT_OFFSETS;
        if (o instanceof ConsumerGroup.Joined) return JOINED;
        if (o instanceof ConsumerGroup.Synced) return SYNCED;
        if (o instanceof ConsumerGroup.Answered) return ANSWERED;
        if (o instanceof ConsumerGroup.MembersLeft) return MEMBERS_LEFT;
        throw cannotSerialize(o);
    }

    @Override
    public byte[] toBinary(Object o) {
        if (o instanceof ConsumerGroup.Poll m) {
            return GroupPollCommand.newBuilder().setTopic(m.topic()).setPartitions(m.partitions()).setMember(m.member())
                    .setMaxRecords(m.maxRecords()).setResetToLatest(m.resetToLatest()).setReplyTo(ref(m.replyTo()))
                    .build().toByteArray();
        } else if (o instanceof ConsumerGroup.Leave m) {
            return GroupLeaveCommand.newBuilder().setTopic(m.topic()).setMember(m.member()).setReplyTo(ref(m.replyTo()))
                    .build().toByteArray();
        } else if (o instanceof ConsumerGroup.Commit m) {
            return GroupCommitCommand.newBuilder().setTopic(m.topic()).setMember(m.member()).putAllOffsets(m.offsets())
                    .setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof ConsumerGroup.Describe m) {
            return GroupDescribeCommand.newBuilder().setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof ConsumerGroup.Polled m) {
            return GroupPolledReply.newBuilder().setGeneration(m.generation()).addAllAssignment(m.assignment())
                    .addAllRecords(m.records()).build().toByteArray();
        } else if (o instanceof ConsumerGroup.Committed m) {
            return GroupCommittedReply.newBuilder().setGeneration(m.generation()).build().toByteArray();
        } else if (o instanceof ConsumerGroup.Left m) {
            return GroupLeftReply.newBuilder().setGeneration(m.generation()).build().toByteArray();
        } else if (o instanceof ConsumerGroup.Description m) {
            GroupDescriptionReply.Builder b = GroupDescriptionReply.newBuilder().setKnown(m.known()).setGeneration(m.generation());
            for (ConsumerGroup.TopicState t : m.topics()) {
                GroupTopicState.Builder state = GroupTopicState.newBuilder().setTopic(t.topic()).setPartitions(t.partitions())
                        .putAllCommitted(t.committed());
                t.assignment().forEach((member, partitions) ->
                        state.addMembers(GroupMemberAssignment.newBuilder().setMember(member).addAllPartitions(partitions)));
                b.addTopics(state);
            }
            if (m.classic() != null) {
                b.setClassic(classicState(m.classic()));
            }
            return b.build().toByteArray();
        } else if (o instanceof ConsumerGroup.Rejected m) {
            return GroupRejectedReply.newBuilder().setCode(m.code()).setMessage(m.message()).build().toByteArray();
        }
        return classicToBinary(o);
    }

    private byte[] classicToBinary(Object o) {
        if (o instanceof ConsumerGroup.Delete m) {
            return GroupDeleteCommand.newBuilder().setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof ConsumerGroup.Join m) {
            GroupJoinCommand.Builder b = GroupJoinCommand.newBuilder().setMemberId(m.memberId()).setClientId(m.clientId())
                    .setClientHost(m.clientHost()).setSessionTimeoutMs(m.sessionTimeoutMs())
                    .setRebalanceTimeoutMs(m.rebalanceTimeoutMs()).setProtocolType(m.protocolType())
                    .setRequireKnownMemberId(m.requireKnownMemberId()).setReplyTo(ref(m.replyTo()));
            m.protocols().forEach(p -> b.addProtocols(GroupClassicProtocol.newBuilder().setName(p.name())
                    .setMetadata(ByteString.copyFrom(p.metadata()))));
            return b.build().toByteArray();
        } else if (o instanceof ConsumerGroup.Sync m) {
            GroupSyncCommand.Builder b = GroupSyncCommand.newBuilder().setMemberId(m.memberId()).setGeneration(m.generation())
                    .setProtocolType(m.protocolType()).setProtocolName(m.protocolName()).setReplyTo(ref(m.replyTo()));
            m.assignments().forEach((member, bytes) -> b.putAssignments(member, ByteString.copyFrom(bytes)));
            return b.build().toByteArray();
        } else if (o instanceof ConsumerGroup.Heartbeat m) {
            return GroupHeartbeatCommand.newBuilder().setMemberId(m.memberId()).setGeneration(m.generation())
                    .setReplyTo(ref(m.replyTo())).build().toByteArray();
        } else if (o instanceof ConsumerGroup.LeaveMembers m) {
            return GroupLeaveMembersCommand.newBuilder().addAllMemberIds(m.memberIds()).setReplyTo(ref(m.replyTo()))
                    .build().toByteArray();
        } else if (o instanceof ConsumerGroup.CommitOffsets m) {
            GroupCommitOffsetsCommand.Builder b = GroupCommitOffsetsCommand.newBuilder().setMemberId(m.memberId())
                    .setGeneration(m.generation()).setReplyTo(ref(m.replyTo()));
            m.offsets().forEach((topic, offsets) -> b.putTopics(topic, GroupTopicOffsets.newBuilder().putAllOffsets(offsets).build()));
            return b.build().toByteArray();
        } else if (o instanceof ConsumerGroup.Joined m) {
            GroupJoinedReply.Builder b = GroupJoinedReply.newBuilder().setError(m.error()).setGeneration(m.generation())
                    .setProtocolType(m.protocolType()).setProtocolName(m.protocolName()).setLeader(m.leader())
                    .setMemberId(m.memberId());
            m.members().forEach(member -> b.addMembers(GroupJoinedMember.newBuilder().setMemberId(member.memberId())
                    .setMetadata(ByteString.copyFrom(member.metadata()))));
            return b.build().toByteArray();
        } else if (o instanceof ConsumerGroup.Synced m) {
            return GroupSyncedReply.newBuilder().setError(m.error()).setProtocolType(m.protocolType())
                    .setProtocolName(m.protocolName()).setAssignment(ByteString.copyFrom(m.assignment())).build().toByteArray();
        } else if (o instanceof ConsumerGroup.Answered m) {
            return GroupAnsweredReply.newBuilder().setError(m.error()).build().toByteArray();
        } else if (o instanceof ConsumerGroup.MembersLeft m) {
            return GroupMembersLeftReply.newBuilder().putAllErrors(m.errors()).build().toByteArray();
        }
        throw cannotSerialize(o);
    }

    private static GroupClassicState classicState(ConsumerGroup.ClassicState state) {
        GroupClassicState.Builder b = GroupClassicState.newBuilder().setState(state.state()).setProtocolType(state.protocolType())
                .setProtocol(state.protocol()).setGeneration(state.generation());
        state.members().forEach(m -> b.addMembers(GroupClassicMember.newBuilder().setMemberId(m.memberId())
                .setClientId(m.clientId()).setClientHost(m.clientHost()).setMetadata(ByteString.copyFrom(m.metadata()))
                .setAssignment(ByteString.copyFrom(m.assignment()))));
        return b.build();
    }

    private static ConsumerGroup.ClassicState classicState(GroupClassicState state) {
        List<ConsumerGroup.ClassicMember> members = new ArrayList<>();
        state.getMembersList().forEach(m -> members.add(new ConsumerGroup.ClassicMember(m.getMemberId(), m.getClientId(),
                m.getClientHost(), m.getMetadata().toByteArray(), m.getAssignment().toByteArray())));
        return new ConsumerGroup.ClassicState(state.getState(), state.getProtocolType(), state.getProtocol(),
                state.getGeneration(), members);
    }

    private Object classicDecode(byte[] bytes, String manifest) throws InvalidProtocolBufferException, NotSerializableException {
        switch (manifest) {
            case DELETE:
                return new ConsumerGroup.Delete(resolve(GroupDeleteCommand.parseFrom(bytes).getReplyTo()));
            case JOIN: {
                GroupJoinCommand m = GroupJoinCommand.parseFrom(bytes);
                List<ConsumerGroup.ClassicProtocol> protocols = new ArrayList<>();
                m.getProtocolsList().forEach(p -> protocols.add(new ConsumerGroup.ClassicProtocol(p.getName(),
                        p.getMetadata().toByteArray())));
                return new ConsumerGroup.Join(m.getMemberId(), m.getClientId(), m.getClientHost(), m.getSessionTimeoutMs(),
                        m.getRebalanceTimeoutMs(), m.getProtocolType(), protocols, m.getRequireKnownMemberId(),
                        resolve(m.getReplyTo()));
            }
            case SYNC: {
                GroupSyncCommand m = GroupSyncCommand.parseFrom(bytes);
                Map<String, byte[]> assignments = new LinkedHashMap<>();
                m.getAssignmentsMap().forEach((member, b) -> assignments.put(member, b.toByteArray()));
                return new ConsumerGroup.Sync(m.getMemberId(), m.getGeneration(), m.getProtocolType(), m.getProtocolName(),
                        assignments, resolve(m.getReplyTo()));
            }
            case HEARTBEAT: {
                GroupHeartbeatCommand m = GroupHeartbeatCommand.parseFrom(bytes);
                return new ConsumerGroup.Heartbeat(m.getMemberId(), m.getGeneration(), resolve(m.getReplyTo()));
            }
            case LEAVE_MEMBERS: {
                GroupLeaveMembersCommand m = GroupLeaveMembersCommand.parseFrom(bytes);
                return new ConsumerGroup.LeaveMembers(List.copyOf(m.getMemberIdsList()), resolve(m.getReplyTo()));
            }
            case COMMIT_OFFSETS: {
                GroupCommitOffsetsCommand m = GroupCommitOffsetsCommand.parseFrom(bytes);
                Map<String, Map<Integer, Long>> offsets = new TreeMap<>();
                m.getTopicsMap().forEach((topic, t) -> offsets.put(topic, new TreeMap<>(t.getOffsetsMap())));
                return new ConsumerGroup.CommitOffsets(m.getMemberId(), m.getGeneration(), offsets, resolve(m.getReplyTo()));
            }
            case JOINED: {
                GroupJoinedReply m = GroupJoinedReply.parseFrom(bytes);
                List<ConsumerGroup.JoinedMember> members = new ArrayList<>();
                m.getMembersList().forEach(j -> members.add(new ConsumerGroup.JoinedMember(j.getMemberId(),
                        j.getMetadata().toByteArray())));
                return new ConsumerGroup.Joined(m.getError(), m.getGeneration(), m.getProtocolType(), m.getProtocolName(),
                        m.getLeader(), m.getMemberId(), members);
            }
            case SYNCED: {
                GroupSyncedReply m = GroupSyncedReply.parseFrom(bytes);
                return new ConsumerGroup.Synced(m.getError(), m.getProtocolType(), m.getProtocolName(),
                        m.getAssignment().toByteArray());
            }
            case ANSWERED:
                return new ConsumerGroup.Answered(GroupAnsweredReply.parseFrom(bytes).getError());
            case MEMBERS_LEFT:
                return new ConsumerGroup.MembersLeft(new LinkedHashMap<>(GroupMembersLeftReply.parseFrom(bytes).getErrorsMap()));
            default:
                throw new NotSerializableException("unknown group manifest '" + manifest + "'");
        }
    }

    @Override
    protected Object decode(byte[] bytes, String manifest) throws InvalidProtocolBufferException, NotSerializableException {
        {
            switch (manifest) {
                case POLL: {
                    GroupPollCommand m = GroupPollCommand.parseFrom(bytes);
                    return new ConsumerGroup.Poll(m.getTopic(), m.getPartitions(), m.getMember(), m.getMaxRecords(),
                            m.getResetToLatest(), resolve(m.getReplyTo()));
                }
                case LEAVE: {
                    GroupLeaveCommand m = GroupLeaveCommand.parseFrom(bytes);
                    return new ConsumerGroup.Leave(m.getTopic(), m.getMember(), resolve(m.getReplyTo()));
                }
                case COMMIT: {
                    GroupCommitCommand m = GroupCommitCommand.parseFrom(bytes);
                    return new ConsumerGroup.Commit(m.getTopic(), m.getMember(), new TreeMap<>(m.getOffsetsMap()),
                            resolve(m.getReplyTo()));
                }
                case DESCRIBE:
                    return new ConsumerGroup.Describe(resolve(GroupDescribeCommand.parseFrom(bytes).getReplyTo()));
                case POLLED: {
                    GroupPolledReply m = GroupPolledReply.parseFrom(bytes);
                    return new ConsumerGroup.Polled(m.getGeneration(), List.copyOf(m.getAssignmentList()),
                            List.copyOf(m.getRecordsList()));
                }
                case COMMITTED:
                    return new ConsumerGroup.Committed(GroupCommittedReply.parseFrom(bytes).getGeneration());
                case LEFT:
                    return new ConsumerGroup.Left(GroupLeftReply.parseFrom(bytes).getGeneration());
                case DESCRIPTION: {
                    GroupDescriptionReply m = GroupDescriptionReply.parseFrom(bytes);
                    List<ConsumerGroup.TopicState> topics = new ArrayList<>();
                    for (GroupTopicState t : m.getTopicsList()) {
                        Map<String, List<Integer>> assignment = new LinkedHashMap<>();
                        t.getMembersList().forEach(a -> assignment.put(a.getMember(), List.copyOf(a.getPartitionsList())));
                        topics.add(new ConsumerGroup.TopicState(t.getTopic(), t.getPartitions(), assignment,
                                new TreeMap<>(t.getCommittedMap())));
                    }
                    return new ConsumerGroup.Description(m.getKnown(), m.getGeneration(), topics,
                            m.hasClassic() ? classicState(m.getClassic()) : null);
                }
                case REJECTED: {
                    GroupRejectedReply m = GroupRejectedReply.parseFrom(bytes);
                    return new ConsumerGroup.Rejected(m.getCode(), m.getMessage());
                }
                default:
                    return classicDecode(bytes, manifest);
            }
        }
    }


}
