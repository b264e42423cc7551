package io.strata.node.bus.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.node.bus.ConsumerGroup;
import io.strata.node.bus.proto.GroupCommitCommand;
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
            return b.build().toByteArray();
        } else if (o instanceof ConsumerGroup.Rejected m) {
            return GroupRejectedReply.newBuilder().setCode(m.code()).setMessage(m.message()).build().toByteArray();
        }
        throw cannotSerialize(o);
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
                    return new ConsumerGroup.Description(m.getKnown(), m.getGeneration(), topics);
                }
                case REJECTED: {
                    GroupRejectedReply m = GroupRejectedReply.parseFrom(bytes);
                    return new ConsumerGroup.Rejected(m.getCode(), m.getMessage());
                }
                default:
                    throw new NotSerializableException("unknown group manifest '" + manifest + "'");
            }
        }
    }


}
