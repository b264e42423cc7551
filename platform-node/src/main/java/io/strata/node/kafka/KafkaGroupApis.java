package io.strata.node.kafka;

import io.strata.node.bus.BusStore;
import io.strata.node.bus.ConsumerGroup;
import io.strata.node.bus.GroupStore;
import io.strata.node.bus.TopicCatalog.Topic;
import io.strata.node.common.StrataException;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DeleteGroupsResponse;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Kafka's consumer-group APIs (the classic protocol) on Strata's consumer groups: this node is the
 * coordinator of every group it is asked about, and forwards to the group's {@link ConsumerGroup}
 * entity, wherever it runs. Committed offsets are the ones the HTTP groups API reads and writes.
 *
 * <p>A group's members are either HTTP consumers (server-side assignment) or Kafka consumers
 * (client-side assignment), not both at once: a Kafka consumer joining a group HTTP consumers are
 * polling gets {@code INCONSISTENT_GROUP_PROTOCOL}. DescribeGroups shows HTTP consumers as members
 * of a {@code consumer} group, their partitions encoded as Kafka's consumer protocol.
 * Thread-safe; nothing here blocks.
 */
final class KafkaGroupApis {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaGroupApis.class);

    /** Kafka's {@code group.min.session.timeout.ms} and {@code group.max.session.timeout.ms} defaults. */
    static final int MIN_SESSION_TIMEOUT_MS = 6_000;
    static final int MAX_SESSION_TIMEOUT_MS = 1_800_000;
    /** Kafka's {@code offset.metadata.max.bytes}: Strata keeps no commit metadata, but refuses what Kafka refuses. */
    private static final int MAX_METADATA_CHARS = 4096;
    /** How long a SyncGroup may wait for its leader's assignment. */
    private static final Duration SYNC_WAIT = Duration.ofMinutes(5);
    private static final byte FIND_GROUP = 0;
    private static final byte FIND_TRANSACTION = 1;
    private static final String CONSUMER_PROTOCOL = ConsumerProtocol.PROTOCOL_TYPE;
    /** The protocol DescribeGroups names for HTTP consumers: the server assigns ranges, as Kafka's range assignor. */
    private static final String HTTP_ASSIGNOR = "range";
    private static final String DEAD = "Dead";

    /** The client of a request: its id from the request header and its address. */
    record Client(String clientId, String host) {}

    private final BusStore bus;
    private final GroupStore groups;
    private final KafkaSettings settings;
    private final CompletionStage<KafkaApis.BrokerAddress> address;

    KafkaGroupApis(BusStore bus, GroupStore groups, KafkaSettings settings, CompletionStage<KafkaApis.BrokerAddress> address) {
        this.bus = bus;
        this.groups = groups;
        this.settings = settings;
        this.address = address;
    }

    // ---- FindCoordinator ----------------------------------------------------------------------------

    CompletionStage<AbstractResponse> findCoordinator(FindCoordinatorRequest request) {
        FindCoordinatorRequestData data = request.data();
        short version = request.version();
        return address.thenApply(self -> {
            if (version < FindCoordinatorRequest.MIN_BATCHED_VERSION) {
                FindCoordinatorResponseData.Coordinator c = coordinator(data.key(), data.keyType(), self);
                FindCoordinatorResponseData out = new FindCoordinatorResponseData().setErrorCode(c.errorCode())
                        .setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
                if (version >= 1) {
                    out.setErrorMessage(c.errorMessage());
                }
                return new FindCoordinatorResponse(out);
            }
            FindCoordinatorResponseData out = new FindCoordinatorResponseData();
            data.coordinatorKeys().forEach(key -> out.coordinators().add(coordinator(key, data.keyType(), self)));
            return new FindCoordinatorResponse(out);
        });
    }

    private FindCoordinatorResponseData.Coordinator coordinator(String key, byte keyType, KafkaApis.BrokerAddress self) {
        FindCoordinatorResponseData.Coordinator c = new FindCoordinatorResponseData.Coordinator().setKey(key)
                .setNodeId(-1).setHost("").setPort(-1);
        if (keyType == FIND_TRANSACTION) {
            return c.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())
                    .setErrorMessage("Strata does not support transactions");
        }
        if (keyType != FIND_GROUP) {
            return c.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Strata coordinates consumer groups only");
        }
        String invalid = invalidGroup(key);
        if (invalid != null) {
            return c.setErrorCode(Errors.INVALID_GROUP_ID.code()).setErrorMessage(invalid);
        }
        return c.setErrorCode(Errors.NONE.code()).setNodeId(settings.nodeId()).setHost(self.host()).setPort(self.port());
    }

    /** Why {@code group} cannot be a Strata group, or null if it can. */
    private static String invalidGroup(String group) {
        try {
            GroupStore.validateGroup(group);
            return null;
        } catch (StrataException e) {
            return e.getMessage();
        }
    }

    // ---- JoinGroup, SyncGroup, Heartbeat, LeaveGroup ------------------------------------------------

    CompletionStage<AbstractResponse> joinGroup(JoinGroupRequest request, Client client) {
        JoinGroupRequestData data = request.data();
        short version = request.version();
        Function<Errors, AbstractResponse> failed = error -> new JoinGroupResponse(new JoinGroupResponseData()
                .setErrorCode(error.code()).setGenerationId(-1).setProtocolName(version >= 7 ? null : "")
                .setLeader("").setMemberId(data.memberId()), version);
        if (invalidGroup(data.groupId()) != null) {
            return CompletableFuture.completedFuture(failed.apply(Errors.INVALID_GROUP_ID));
        }
        if (data.sessionTimeoutMs() < MIN_SESSION_TIMEOUT_MS || data.sessionTimeoutMs() > MAX_SESSION_TIMEOUT_MS) {
            return CompletableFuture.completedFuture(failed.apply(Errors.INVALID_SESSION_TIMEOUT));
        }
        int rebalanceTimeout = version >= 1 ? data.rebalanceTimeoutMs() : data.sessionTimeoutMs();
        List<ConsumerGroup.ClassicProtocol> protocols = new ArrayList<>();
        data.protocols().forEach(p -> protocols.add(new ConsumerGroup.ClassicProtocol(p.name(), p.metadata())));
        return groups.classic(data.groupId(), Duration.ofMillis(rebalanceTimeout), replyTo -> new ConsumerGroup.Join(
                        data.memberId(), client.clientId(), client.host(), data.sessionTimeoutMs(), rebalanceTimeout,
                        data.protocolType(), protocols, JoinGroupRequest.requiresKnownMemberId(version), replyTo))
                .handle((reply, failure) -> {
                    if (!(reply instanceof ConsumerGroup.Joined joined)) {
                        return failed.apply(unavailable("JoinGroup", data.groupId(), reply, failure));
                    }
                    Errors error = Errors.valueOf(joined.error());
                    if (error != Errors.NONE) {
                        return new JoinGroupResponse(new JoinGroupResponseData().setErrorCode(error.code()).setGenerationId(-1)
                                .setProtocolName(version >= 7 ? null : "").setLeader("").setMemberId(joined.memberId()), version);
                    }
                    JoinGroupResponseData out = new JoinGroupResponseData().setGenerationId(joined.generation())
                            .setProtocolName(joined.protocolName()).setLeader(joined.leader()).setMemberId(joined.memberId());
                    if (version >= 7) {
                        out.setProtocolType(joined.protocolType());
                    }
                    joined.members().forEach(m -> out.members().add(new JoinGroupResponseMember().setMemberId(m.memberId())
                            .setMetadata(m.metadata())));
                    return new JoinGroupResponse(out, version);
                });
    }

    CompletionStage<AbstractResponse> syncGroup(SyncGroupRequest request) {
        SyncGroupRequestData data = request.data();
        short version = request.version();
        Map<String, byte[]> assignments = new LinkedHashMap<>();
        data.assignments().forEach(a -> assignments.put(a.memberId(), a.assignment()));
        String protocolType = data.protocolType() == null ? "" : data.protocolType();
        String protocolName = data.protocolName() == null ? "" : data.protocolName();
        return ask(data.groupId(), SYNC_WAIT, replyTo -> new ConsumerGroup.Sync(data.memberId(), data.generationId(),
                protocolType, protocolName, assignments, replyTo), "SyncGroup", (reply, error) -> {
            SyncGroupResponseData out = new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(new byte[0]);
            if (reply instanceof ConsumerGroup.Synced synced && error == Errors.NONE) {
                out.setAssignment(synced.assignment());
                if (version >= 5) {
                    out.setProtocolType(synced.protocolType()).setProtocolName(synced.protocolName());
                }
            }
            return new SyncGroupResponse(out);
        });
    }

    CompletionStage<AbstractResponse> heartbeat(HeartbeatRequest request) {
        var data = request.data();
        return ask(data.groupId(), Duration.ZERO, replyTo -> new ConsumerGroup.Heartbeat(data.memberId(), data.generationId(), replyTo),
                "Heartbeat", (reply, error) -> new HeartbeatResponse(new HeartbeatResponseData().setErrorCode(error.code())));
    }

    CompletionStage<AbstractResponse> leaveGroup(LeaveGroupRequest request) {
        short version = request.version();
        List<String> members = request.members().stream().map(m -> m.memberId()).toList();
        return ask(request.data().groupId(), Duration.ZERO, replyTo -> new ConsumerGroup.LeaveMembers(members, replyTo),
                "LeaveGroup", (reply, error) -> {
                    List<MemberResponse> responses = new ArrayList<>();
                    Errors top = error;
                    if (reply instanceof ConsumerGroup.MembersLeft left && error == Errors.NONE) {
                        for (var m : request.members()) {
                            Errors e = Errors.valueOf(left.errors().getOrDefault(m.memberId(), "UNKNOWN_MEMBER_ID"));
                            responses.add(new MemberResponse().setMemberId(m.memberId())
                                    .setGroupInstanceId(m.groupInstanceId()).setErrorCode(e.code()));
                            if (version < 3) {
                                // One member, no per-member list: its error is the request's.
                                top = e;
                            }
                        }
                    }
                    return new LeaveGroupResponse(version >= 3 ? responses : List.of(), top, 0, version);
                });
    }

    /**
     * Asks the group and answers with {@code answer}, giving it the reply's error ({@code NONE} on
     * success); a group that cannot be reached answers {@code COORDINATOR_NOT_AVAILABLE}, which
     * clients retry.
     */
    private CompletionStage<AbstractResponse> ask(String group, Duration mayWait,
                                                  Function<org.apache.pekko.actor.typed.ActorRef<ConsumerGroup.Reply>, ConsumerGroup.Command> message,
                                                  String api, java.util.function.BiFunction<ConsumerGroup.Reply, Errors, AbstractResponse> answer) {
        if (invalidGroup(group) != null) {
            return CompletableFuture.completedFuture(answer.apply(null, Errors.INVALID_GROUP_ID));
        }
        return groups.classic(group, mayWait, message).handle((reply, failure) -> {
            String error = null;
            if (reply instanceof ConsumerGroup.Synced synced) {
                error = synced.error();
            } else if (reply instanceof ConsumerGroup.Answered answered) {
                error = answered.error();
            } else if (reply instanceof ConsumerGroup.MembersLeft) {
                error = "NONE";
            }
            return answer.apply(reply, error != null ? Errors.valueOf(error) : unavailable(api, group, reply, failure));
        });
    }

    private static Errors unavailable(String api, String group, ConsumerGroup.Reply reply, Throwable failure) {
        if (reply instanceof ConsumerGroup.Rejected rejected) {
            LOG.warn("kafka {} of group '{}' refused: {}", api, group, rejected.message());
        } else {
            LOG.warn("kafka {} of group '{}' failed: {}", api, group, failure == null ? reply : failure.toString());
        }
        return Errors.COORDINATOR_NOT_AVAILABLE;
    }

    // ---- OffsetCommit, OffsetFetch ------------------------------------------------------------------

    CompletionStage<AbstractResponse> offsetCommit(OffsetCommitRequest request) {
        OffsetCommitRequestData data = request.data();
        Map<String, Topic> topics = topicsByName();
        Map<String, Map<Integer, Long>> offsets = new TreeMap<>();
        OffsetCommitResponseData out = new OffsetCommitResponseData();
        // Partitions refused one by one keep their error; the others get the commit's outcome.
        List<OffsetCommitResponsePartition> pending = new ArrayList<>();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : data.topics()) {
            OffsetCommitResponseTopic topicOut = new OffsetCommitResponseTopic().setName(t.name());
            out.topics().add(topicOut);
            Topic topic = topics.get(t.name());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                OffsetCommitResponsePartition partitionOut = new OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex());
                topicOut.partitions().add(partitionOut);
                if (topic == null || p.partitionIndex() < 0 || p.partitionIndex() >= topic.partitions()) {
                    partitionOut.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else if (p.committedMetadata() != null && p.committedMetadata().length() > MAX_METADATA_CHARS) {
                    partitionOut.setErrorCode(Errors.OFFSET_METADATA_TOO_LARGE.code());
                } else if (p.committedOffset() < 0) {
                    partitionOut.setErrorCode(Errors.INVALID_COMMIT_OFFSET_SIZE.code());
                } else {
                    offsets.computeIfAbsent(t.name(), n -> new TreeMap<>()).put(p.partitionIndex(), p.committedOffset());
                    pending.add(partitionOut);
                }
            }
        }
        if (offsets.isEmpty()) {
            return CompletableFuture.completedFuture(new OffsetCommitResponse(out));
        }
        return ask(data.groupId(), Duration.ZERO, replyTo -> new ConsumerGroup.CommitOffsets(data.memberId(),
                data.generationIdOrMemberEpoch(), offsets, replyTo), "OffsetCommit", (reply, error) -> {
            pending.forEach(p -> p.setErrorCode(error.code()));
            return new OffsetCommitResponse(out);
        });
    }

    CompletionStage<AbstractResponse> offsetFetch(OffsetFetchRequest request) {
        short version = request.version();
        List<OffsetFetchRequestGroup> asked = request.groups();
        List<CompletableFuture<OffsetFetchResponseGroup>> answers = new ArrayList<>();
        for (OffsetFetchRequestGroup group : asked) {
            answers.add(offsetsOf(group).toCompletableFuture());
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<OffsetFetchResponseGroup> groupsOut = answers.stream().map(CompletableFuture::join).toList();
            if (version >= OffsetFetchRequest.BATCH_MIN_VERSION) {
                return new OffsetFetchResponse(new OffsetFetchResponseData().setGroups(groupsOut), version);
            }
            // Before batching: one group, its topics at the top level.
            OffsetFetchResponseGroup only = groupsOut.get(0);
            OffsetFetchResponseData out = new OffsetFetchResponseData();
            if (version >= 2) {
                out.setErrorCode(only.errorCode());
            }
            for (OffsetFetchResponseTopics t : only.topics()) {
                OffsetFetchResponseTopic topic = new OffsetFetchResponseTopic().setName(t.name());
                for (OffsetFetchResponsePartitions p : t.partitions()) {
                    OffsetFetchResponsePartition partition = new OffsetFetchResponsePartition().setPartitionIndex(p.partitionIndex())
                            .setCommittedOffset(p.committedOffset()).setMetadata(p.metadata()).setErrorCode(p.errorCode());
                    if (version >= 5) {
                        partition.setCommittedLeaderEpoch(p.committedLeaderEpoch());
                    }
                    topic.partitions().add(partition);
                }
                out.topics().add(topic);
            }
            return new OffsetFetchResponse(out, version);
        });
    }

    /** One group's committed offsets: those asked for (-1 where none), or all it has when no topics are named. */
    private CompletionStage<OffsetFetchResponseGroup> offsetsOf(OffsetFetchRequestGroup group) {
        OffsetFetchResponseGroup out = new OffsetFetchResponseGroup().setGroupId(group.groupId());
        if (invalidGroup(group.groupId()) != null) {
            return CompletableFuture.completedFuture(out.setErrorCode(Errors.INVALID_GROUP_ID.code()));
        }
        return groups.describeAny(group.groupId()).handle((description, failure) -> {
            if (failure != null) {
                unavailable("OffsetFetch", group.groupId(), null, failure);
                return out.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
            }
            Map<String, Map<Integer, Long>> committed = new TreeMap<>();
            description.topics().forEach(t -> committed.put(t.topic(), t.committed()));
            if (group.topics() == null) {
                committed.forEach((topic, partitions) -> {
                    if (!partitions.isEmpty()) {
                        OffsetFetchResponseTopics topicOut = new OffsetFetchResponseTopics().setName(topic);
                        partitions.forEach((p, offset) -> topicOut.partitions().add(partition(p, offset)));
                        out.topics().add(topicOut);
                    }
                });
            } else {
                group.topics().forEach(t -> {
                    OffsetFetchResponseTopics topicOut = new OffsetFetchResponseTopics().setName(t.name());
                    Map<Integer, Long> partitions = committed.getOrDefault(t.name(), Map.of());
                    t.partitionIndexes().forEach(p -> topicOut.partitions().add(
                            partition(p, partitions.getOrDefault(p, OffsetFetchResponse.INVALID_OFFSET))));
                    out.topics().add(topicOut);
                });
            }
            return out;
        });
    }

    private static OffsetFetchResponsePartitions partition(int partition, long offset) {
        return new OffsetFetchResponsePartitions().setPartitionIndex(partition).setCommittedOffset(offset)
                .setCommittedLeaderEpoch(-1).setMetadata(OffsetFetchResponse.NO_METADATA);
    }

    // ---- DescribeGroups, ListGroups -----------------------------------------------------------------

    CompletionStage<AbstractResponse> describeGroups(DescribeGroupsRequest request) {
        short version = request.version();
        List<CompletableFuture<DescribedGroup>> described = new ArrayList<>();
        for (String group : request.data().groups()) {
            described.add(describe(group, version).toCompletableFuture());
        }
        return CompletableFuture.allOf(described.toArray(CompletableFuture[]::new)).thenApply(done -> {
            DescribeGroupsResponseData out = new DescribeGroupsResponseData();
            described.forEach(g -> out.groups().add(g.join()));
            return new DescribeGroupsResponse(out);
        });
    }

    private CompletionStage<DescribedGroup> describe(String group, short version) {
        String invalid = invalidGroup(group);
        if (invalid != null) {
            return CompletableFuture.completedFuture(DescribeGroupsResponse.groupError(group, Errors.INVALID_GROUP_ID,
                    version >= 6 ? invalid : null));
        }
        return groups.describeAny(group).handle((description, failure) -> {
            if (failure != null) {
                return DescribeGroupsResponse.groupError(group, unavailable("DescribeGroups", group, null, failure));
            }
            if (!description.known()) {
                // Kafka 4 reports a group it does not have as not found from v6, as Dead before.
                return version >= 6
                        ? DescribeGroupsResponse.groupError(group, Errors.GROUP_ID_NOT_FOUND, "group '" + group + "' does not exist")
                        : new DescribedGroup().setGroupId(group).setGroupState(DEAD).setProtocolType("").setProtocolData("");
            }
            DescribedGroup out = new DescribedGroup().setGroupId(group);
            if (description.classic() != null) {
                ConsumerGroup.ClassicState classic = description.classic();
                out.setGroupState(classic.state()).setProtocolType(classic.protocolType()).setProtocolData(classic.protocol());
                classic.members().forEach(m -> out.members().add(new DescribedGroupMember().setMemberId(m.memberId())
                        .setClientId(m.clientId()).setClientHost(m.clientHost()).setMemberMetadata(m.metadata())
                        .setMemberAssignment(m.assignment())));
                return out;
            }
            Map<String, List<TopicPartition>> httpMembers = httpAssignments(description);
            if (httpMembers.isEmpty()) {
                return out.setGroupState("Empty").setProtocolType("").setProtocolData("");
            }
            out.setGroupState("Stable").setProtocolType(CONSUMER_PROTOCOL).setProtocolData(HTTP_ASSIGNOR);
            httpMembers.forEach((member, partitions) -> {
                List<String> subscribed = partitions.stream().map(TopicPartition::topic).distinct().toList();
                out.members().add(new DescribedGroupMember().setMemberId(member).setClientId(member).setClientHost("http")
                        .setMemberMetadata(bytes(ConsumerProtocol.serializeSubscription(
                                new ConsumerPartitionAssignor.Subscription(subscribed))))
                        .setMemberAssignment(bytes(ConsumerProtocol.serializeAssignment(
                                new ConsumerPartitionAssignor.Assignment(partitions)))));
            });
            return out;
        });
    }

    /** The partitions of each HTTP consumer of the group, over all topics. */
    private static Map<String, List<TopicPartition>> httpAssignments(ConsumerGroup.Description description) {
        Map<String, List<TopicPartition>> members = new TreeMap<>();
        for (ConsumerGroup.TopicState topic : description.topics()) {
            topic.assignment().forEach((member, partitions) -> partitions.forEach(p ->
                    members.computeIfAbsent(member, m -> new ArrayList<>()).add(new TopicPartition(topic.topic(), p))));
        }
        return members;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    CompletionStage<AbstractResponse> listGroups(ListGroupsRequest request) {
        short version = request.version();
        ListGroupsRequestData data = request.data();
        if (version >= 5 && !data.typesFilter().isEmpty()
                && data.typesFilter().stream().noneMatch(type -> type.equalsIgnoreCase("classic"))) {
            // Every Strata group is a classic one.
            return CompletableFuture.completedFuture(new ListGroupsResponse(new ListGroupsResponseData()));
        }
        return groups.localGroups().<AbstractResponse>thenCompose(names -> {
            List<CompletableFuture<ListGroupsResponseData.ListedGroup>> listed = new ArrayList<>();
            for (String name : names) {
                listed.add(describe(name, (short) 5).toCompletableFuture().thenApply(g -> new ListGroupsResponseData.ListedGroup()
                        .setGroupId(name).setProtocolType(g.protocolType()).setGroupState(g.groupState())));
            }
            return CompletableFuture.allOf(listed.toArray(CompletableFuture[]::new)).<AbstractResponse>thenApply(done -> {
                ListGroupsResponseData out = new ListGroupsResponseData();
                for (CompletableFuture<ListGroupsResponseData.ListedGroup> g : listed) {
                    ListGroupsResponseData.ListedGroup group = g.join();
                    if (group.groupState().equals(DEAD) || (version >= 4 && !data.statesFilter().isEmpty()
                            && data.statesFilter().stream().noneMatch(s -> s.equalsIgnoreCase(group.groupState())))) {
                        continue;
                    }
                    if (version < 4) {
                        group.setGroupState("");
                    }
                    if (version >= 5) {
                        group.setGroupType("classic");
                    }
                    out.groups().add(group);
                }
                return new ListGroupsResponse(out);
            });
        }).exceptionally(failure -> {
            unavailable("ListGroups", "*", null, failure);
            return new ListGroupsResponse(new ListGroupsResponseData().setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
        });
    }

    // ---- DeleteGroups --------------------------------------------------------------------------------

    CompletionStage<AbstractResponse> deleteGroups(DeleteGroupsRequest request) {
        short version = request.version();
        List<CompletableFuture<DeletableGroupResult>> results = new ArrayList<>();
        for (String group : request.data().groupsNames()) {
            DeletableGroupResult result = new DeletableGroupResult().setGroupId(group);
            if (invalidGroup(group) != null) {
                results.add(CompletableFuture.completedFuture(result.setErrorCode(Errors.INVALID_GROUP_ID.code())));
                continue;
            }
            results.add(groups.classic(group, Duration.ZERO, ConsumerGroup.Delete::new).handle((reply, failure) -> {
                Errors error = reply instanceof ConsumerGroup.Answered answered ? Errors.valueOf(answered.error())
                        : unavailable("DeleteGroups", group, reply, failure);
                result.setErrorCode(error.code());
                if (version >= 3 && error != Errors.NONE) {
                    result.setErrorMessage(error == Errors.NON_EMPTY_GROUP ? "group '" + group + "' has members" : error.message());
                }
                return result;
            }).toCompletableFuture());
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(done -> {
            DeleteGroupsResponseData out = new DeleteGroupsResponseData();
            results.forEach(r -> out.results().add(r.join()));
            return new DeleteGroupsResponse(out);
        });
    }

    private Map<String, Topic> topicsByName() {
        Map<String, Topic> byName = new HashMap<>();
        bus.topics().forEach(t -> byName.put(t.name(), t));
        return byName;
    }
}
