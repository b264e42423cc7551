package io.strata.node.kafka;

import io.strata.node.testing.TestNode;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopicCollection;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicCollection;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
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
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreatePartitionsResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteRecordsResponse;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every API the door advertises, at every version it advertises, over one raw connection: clients
 * pick versions anywhere in the ranges (librdkafka and kafkajs use older ones than the Java
 * client), and a field a version does not have must not be written into its response.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaVersionsTest {

    @TempDir
    static Path dir;
    private static TestNode node;
    private static Socket socket;
    private static int correlation;

    @BeforeAll
    static void start() throws IOException {
        node = TestNode.start(dir, Map.of("strata.kafka.enabled", "on", "strata.kafka.port", "0",
                "strata.bus.group.initial-rebalance-delay", "0s"));
        assertEquals(201, node.put("/topics/versions", "{\"partitions\": 1}").statusCode());
        var address = node.node().kafkaAddress().orElseThrow();
        socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(10_000);
    }

    @AfterAll
    static void stop() throws IOException {
        socket.close();
        node.close();
    }

    /** Sends {@code request} on the shared connection and reads its response. */
    private static AbstractResponse exchange(AbstractRequest request) throws IOException {
        short version = request.version();
        ApiKeys api = request.apiKey();
        int id = ++correlation;
        ByteBuffer bytes = request.serializeWithHeader(new RequestHeader(api, version, "versions-test", id));
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(bytes.remaining());
        out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        ByteBuffer response = ByteBuffer.wrap(body);
        assertEquals(id, ResponseHeader.parse(response, api.responseHeaderVersion(version)).correlationId(), api + " v" + version);
        return AbstractResponse.parseResponse(api, new ByteBufferAccessor(response), version);
    }

    private static short[] versions(ApiKeys api) {
        return KafkaApis.SUPPORTED.get(api);
    }

    @Test
    void produceFetchAndListOffsetsAtEveryVersion() throws IOException {
        short[] produce = versions(ApiKeys.PRODUCE);
        long expectedOffset = 0;
        for (short v = produce[0]; v <= produce[1]; v++) {
            ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
            ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("versions");
            topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                    MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(("v" + v).getBytes(StandardCharsets.UTF_8)))));
            data.topicData().add(topic);
            ProduceResponse answer = (ProduceResponse) exchange(new ProduceRequest(data, v));
            var partition = answer.data().responses().iterator().next().partitionResponses().get(0);
            assertEquals(Errors.NONE.code(), partition.errorCode(), "Produce v" + v);
            assertEquals(expectedOffset++, partition.baseOffset(), "Produce v" + v);

            // A refusal's answer too: an unknown partition.
            ProduceRequestData bad = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(10_000);
            ProduceRequestData.TopicProduceData badTopic = new ProduceRequestData.TopicProduceData().setName("versions");
            badTopic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(9).setRecords(
                    MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("x".getBytes(StandardCharsets.UTF_8)))));
            bad.topicData().add(badTopic);
            ProduceResponse refused = (ProduceResponse) exchange(new ProduceRequest(bad, v));
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                    refused.data().responses().iterator().next().partitionResponses().get(0).errorCode(), "Produce v" + v);
        }
        short[] fetch = versions(ApiKeys.FETCH);
        for (short v = fetch[0]; v <= fetch[1]; v++) {
            FetchRequestData data = new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20)
                    .setReplicaId(-1).setIsolationLevel(IsolationLevel.READ_UNCOMMITTED.id());
            data.topics().add(new FetchRequestData.FetchTopic().setTopic("versions").setPartitions(List.of(
                    new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(1).setPartitionMaxBytes(1 << 20),
                    new FetchRequestData.FetchPartition().setPartition(7).setFetchOffset(0).setPartitionMaxBytes(1 << 20))));
            FetchResponse answer = (FetchResponse) exchange(new FetchRequest(data, v));
            var partitions = answer.data().responses().get(0).partitions();
            assertEquals(Errors.NONE.code(), partitions.get(0).errorCode(), "Fetch v" + v);
            assertEquals(expectedOffset, partitions.get(0).highWatermark(), "Fetch v" + v);
            assertTrue(partitions.get(0).records().sizeInBytes() > 0, "Fetch v" + v);
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), partitions.get(1).errorCode(), "Fetch v" + v);
        }
        short[] list = versions(ApiKeys.LIST_OFFSETS);
        for (short v = list[0]; v <= list[1]; v++) {
            ListOffsetsRequestData.ListOffsetsTopic topic = new ListOffsetsRequestData.ListOffsetsTopic().setName("versions")
                    .setPartitions(List.of(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                            .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP)));
            ListOffsetsResponse answer = (ListOffsetsResponse) exchange(ListOffsetsRequest.Builder
                    .forConsumer(false, IsolationLevel.READ_UNCOMMITTED).setTargetTimes(List.of(topic)).build(v));
            var partition = answer.data().topics().get(0).partitions().get(0);
            assertEquals(Errors.NONE.code(), partition.errorCode(), "ListOffsets v" + v);
            assertEquals(expectedOffset, partition.offset(), "ListOffsets v" + v);
        }
    }

    @Test
    void metadataInitProducerIdAndAdminAtEveryVersion() throws IOException {
        short[] metadata = versions(ApiKeys.METADATA);
        for (short v = metadata[0]; v <= metadata[1]; v++) {
            // Before v4 a request cannot say so, and the door creates nothing anyway (auto-create is off).
            MetadataRequestData data = new MetadataRequestData().setAllowAutoTopicCreation(v < 4);
            data.setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("versions"),
                    new MetadataRequestData.MetadataRequestTopic().setName("missing")));
            MetadataResponse answer = (MetadataResponse) exchange(new MetadataRequest(data, v));
            assertEquals(1, answer.data().brokers().size(), "Metadata v" + v);
            assertEquals(Errors.NONE.code(), answer.data().topics().find("versions").errorCode(), "Metadata v" + v);
            assertEquals(1, answer.data().topics().find("versions").partitions().size(), "Metadata v" + v);
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), answer.data().topics().find("missing").errorCode(), "Metadata v" + v);
        }
        short[] init = versions(ApiKeys.INIT_PRODUCER_ID);
        for (short v = init[0]; v <= init[1]; v++) {
            InitProducerIdResponse answer = (InitProducerIdResponse) exchange(new InitProducerIdRequest.Builder(
                    new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000)
                            .setProducerId(-1).setProducerEpoch((short) -1)).build(v));
            assertEquals(Errors.NONE.code(), answer.data().errorCode(), "InitProducerId v" + v);
            assertTrue(answer.data().producerId() >= 0, "InitProducerId v" + v);
        }
        short[] create = versions(ApiKeys.CREATE_TOPICS);
        for (short v = create[0]; v <= create[1]; v++) {
            CreatableTopicCollection topics = new CreatableTopicCollection();
            topics.add(new CreatableTopic().setName("created-v" + v).setNumPartitions(2).setReplicationFactor((short) 1));
            topics.add(new CreatableTopic().setName("refused-v" + v).setNumPartitions(1).setReplicationFactor((short) 3));
            CreateTopicsResponse answer = (CreateTopicsResponse) exchange(new CreateTopicsRequest.Builder(
                    new CreateTopicsRequestData().setTopics(topics).setTimeoutMs(10_000)).build(v));
            CreatableTopicResult created = answer.data().topics().find("created-v" + v);
            assertEquals(Errors.NONE.code(), created.errorCode(), "CreateTopics v" + v);
            assertEquals(Errors.INVALID_REPLICATION_FACTOR.code(), answer.data().topics().find("refused-v" + v).errorCode(),
                    "CreateTopics v" + v);
        }
        short[] describe = versions(ApiKeys.DESCRIBE_CONFIGS);
        for (short v = describe[0]; v <= describe[1]; v++) {
            DescribeConfigsResponse answer = (DescribeConfigsResponse) exchange(new DescribeConfigsRequest.Builder(
                    new DescribeConfigsRequestData().setResources(List.of(new DescribeConfigsRequestData.DescribeConfigsResource()
                            .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("versions")
                            .setConfigurationKeys(null)))).build(v));
            var result = answer.data().results().get(0);
            assertEquals(Errors.NONE.code(), result.errorCode(), "DescribeConfigs v" + v);
            assertTrue(result.configs().stream().anyMatch(c -> c.name().equals("retention.ms")), "DescribeConfigs v" + v);
        }
        short[] deleteRecords = versions(ApiKeys.DELETE_RECORDS);
        assertEquals(201, node.put("/topics/trimmed", "{\"partitions\": 1}").statusCode());
        assertEquals(200, node.post("/topics/trimmed/records", "[{\"value\":\"a\"},{\"value\":\"b\"},{\"value\":\"c\"}]")
                .statusCode());
        for (short v = deleteRecords[0]; v <= deleteRecords[1]; v++) {
            DeleteRecordsRequestData.DeleteRecordsTopic topic = new DeleteRecordsRequestData.DeleteRecordsTopic().setName("trimmed")
                    .setPartitions(List.of(
                            new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(v + 1),
                            new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(3).setOffset(0)));
            DeleteRecordsRequestData.DeleteRecordsTopic unknown = new DeleteRecordsRequestData.DeleteRecordsTopic().setName("never")
                    .setPartitions(List.of(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(-1)));
            DeleteRecordsResponse answer = (DeleteRecordsResponse) exchange(new DeleteRecordsRequest.Builder(
                    new DeleteRecordsRequestData().setTopics(List.of(topic, unknown)).setTimeoutMs(10_000)).build(v));
            var partitions = answer.data().topics().find("trimmed").partitions();
            assertEquals(Errors.NONE.code(), partitions.find(0).errorCode(), "DeleteRecords v" + v);
            assertEquals(v + 1, partitions.find(0).lowWatermark(), "DeleteRecords v" + v);
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), partitions.find(3).errorCode(), "DeleteRecords v" + v);
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), answer.data().topics().find("never").partitions().find(0).errorCode(),
                    "DeleteRecords v" + v);
        }
        short[] grow = versions(ApiKeys.CREATE_PARTITIONS);
        for (short v = grow[0]; v <= grow[1]; v++) {
            CreatePartitionsTopicCollection topics = new CreatePartitionsTopicCollection();
            topics.add(new CreatePartitionsTopic().setName("versions").setCount(3).setAssignments(null));
            topics.add(new CreatePartitionsTopic().setName("trimmed").setCount(1).setAssignments(null));
            topics.add(new CreatePartitionsTopic().setName("never").setCount(3).setAssignments(null));
            CreatePartitionsResponse answer = (CreatePartitionsResponse) exchange(new CreatePartitionsRequest.Builder(
                    new CreatePartitionsRequestData().setTopics(topics).setTimeoutMs(10_000).setValidateOnly(v % 2 == 0)).build(v));
            Map<String, Short> errors = new java.util.HashMap<>();
            answer.data().results().forEach(r -> errors.put(r.name(), r.errorCode()));
            assertEquals(Map.of("versions", Errors.INVALID_REQUEST.code(), "trimmed", Errors.INVALID_PARTITIONS.code(),
                    "never", Errors.UNKNOWN_TOPIC_OR_PARTITION.code()), errors, "CreatePartitions v" + v);
        }
        short[] delete = versions(ApiKeys.DELETE_TOPICS);
        for (short v = delete[0]; v <= delete[1]; v++) {
            DeleteTopicsResponse answer = (DeleteTopicsResponse) exchange(new DeleteTopicsRequest.Builder(
                    new DeleteTopicsRequestData().setTopicNames(List.of("created-v" + create[0], "never-v" + v))
                            .setTimeoutMs(10_000)).build(v));
            var results = answer.data().responses();
            assertEquals(v == delete[0] ? Errors.NONE.code() : Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                    results.find("created-v" + create[0]).errorCode(), "DeleteTopics v" + v);
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), results.find("never-v" + v).errorCode(), "DeleteTopics v" + v);
        }
    }

    private static short clamp(ApiKeys api, short v) {
        short[] range = versions(api);
        return (short) Math.max(range[0], Math.min(range[1], v));
    }

    /**
     * A group's whole life at each JoinGroup version, with SyncGroup, Heartbeat, OffsetCommit,
     * OffsetFetch, DescribeGroups and LeaveGroup at the nearest version each has (together they
     * reach every advertised version), then FindCoordinator and ListGroups at each of theirs.
     */
    @Test
    void groupApisAtEveryVersion() throws IOException {
        byte[] metadata = {0, 1, 2};
        byte[] assignment = {3, 4};
        short[] join = versions(ApiKeys.JOIN_GROUP);
        for (short v = join[0]; v <= join[1]; v++) {
            String group = "gv" + v;
            JoinGroupRequestData data = new JoinGroupRequestData().setGroupId(group).setSessionTimeoutMs(10_000)
                    .setMemberId("").setProtocolType("consumer");
            if (v >= 1) {
                data.setRebalanceTimeoutMs(10_000);
            }
            JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
            protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(metadata));
            data.setProtocols(protocols);
            JoinGroupResponse joined = (JoinGroupResponse) exchange(new JoinGroupRequest.Builder(data).build(v));
            if (v >= 4) {
                assertEquals(Errors.MEMBER_ID_REQUIRED.code(), joined.data().errorCode(), "JoinGroup v" + v);
                data.setMemberId(joined.data().memberId());
                joined = (JoinGroupResponse) exchange(new JoinGroupRequest.Builder(data).build(v));
            }
            assertEquals(Errors.NONE.code(), joined.data().errorCode(), "JoinGroup v" + v);
            String member = joined.data().memberId();
            int generation = joined.data().generationId();
            assertEquals(member, joined.data().leader(), "JoinGroup v" + v);
            assertEquals("range", joined.data().protocolName(), "JoinGroup v" + v);
            assertEquals(1, joined.data().members().size(), "JoinGroup v" + v);
            assertArrayEquals(metadata, joined.data().members().get(0).metadata(), "JoinGroup v" + v);

            short sv = clamp(ApiKeys.SYNC_GROUP, v);
            SyncGroupRequestData sync = new SyncGroupRequestData().setGroupId(group).setGenerationId(generation).setMemberId(member)
                    .setAssignments(List.of(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(member)
                            .setAssignment(assignment)));
            if (sv >= 5) {
                sync.setProtocolType("consumer").setProtocolName("range");
            }
            SyncGroupResponse synced = (SyncGroupResponse) exchange(new SyncGroupRequest.Builder(sync).build(sv));
            assertEquals(Errors.NONE.code(), synced.data().errorCode(), "SyncGroup v" + sv);
            assertArrayEquals(assignment, synced.data().assignment(), "SyncGroup v" + sv);

            short hv = clamp(ApiKeys.HEARTBEAT, v);
            HeartbeatResponse beat = (HeartbeatResponse) exchange(new HeartbeatRequest.Builder(new HeartbeatRequestData()
                    .setGroupId(group).setGenerationId(generation).setMemberId(member)).build(hv));
            assertEquals(Errors.NONE.code(), beat.data().errorCode(), "Heartbeat v" + hv);
            HeartbeatResponse stale = (HeartbeatResponse) exchange(new HeartbeatRequest.Builder(new HeartbeatRequestData()
                    .setGroupId(group).setGenerationId(generation + 1).setMemberId(member)).build(hv));
            assertEquals(Errors.ILLEGAL_GENERATION.code(), stale.data().errorCode(), "Heartbeat v" + hv);

            short cv = clamp(ApiKeys.OFFSET_COMMIT, v);
            OffsetCommitRequestData commit = new OffsetCommitRequestData().setGroupId(group).setGenerationIdOrMemberEpoch(generation)
                    .setMemberId(member).setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("versions")
                            .setPartitions(List.of(
                                    new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(v),
                                    new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(5).setCommittedOffset(1)))));
            OffsetCommitResponse committed = (OffsetCommitResponse) exchange(OffsetCommitRequest.Builder.forTopicNames(commit).build(cv));
            var partitions = committed.data().topics().get(0).partitions();
            assertEquals(Errors.NONE.code(), partitions.get(0).errorCode(), "OffsetCommit v" + cv);
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), partitions.get(1).errorCode(), "OffsetCommit v" + cv);

            short fv = clamp(ApiKeys.OFFSET_FETCH, v);
            OffsetFetchRequestData fetch = new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup()
                    .setGroupId(group).setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("versions")
                            .setPartitionIndexes(List.of(0))))));
            OffsetFetchResponse fetched = (OffsetFetchResponse) exchange(OffsetFetchRequest.Builder.forTopicNames(fetch, false).build(fv));
            long offset = fv >= 8 ? fetched.data().groups().get(0).topics().get(0).partitions().get(0).committedOffset()
                    : fetched.data().topics().get(0).partitions().get(0).committedOffset();
            assertEquals(v, offset, "OffsetFetch v" + fv);

            short dv = clamp(ApiKeys.DESCRIBE_GROUPS, v);
            DescribeGroupsResponse described = (DescribeGroupsResponse) exchange(new DescribeGroupsRequest.Builder(
                    new DescribeGroupsRequestData().setGroups(List.of(group, "never-" + v))).build(dv));
            assertEquals("Stable", described.data().groups().get(0).groupState(), "DescribeGroups v" + dv);
            assertEquals(1, described.data().groups().get(0).members().size(), "DescribeGroups v" + dv);
            assertArrayEquals(assignment, described.data().groups().get(0).members().get(0).memberAssignment(), "DescribeGroups v" + dv);
            assertEquals(dv >= 6 ? Errors.GROUP_ID_NOT_FOUND.code() : Errors.NONE.code(),
                    described.data().groups().get(1).errorCode(), "DescribeGroups v" + dv);

            short lv = clamp(ApiKeys.LEAVE_GROUP, v);
            LeaveGroupResponse left = (LeaveGroupResponse) exchange(new LeaveGroupRequest.Builder(group,
                    List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(member))).build(lv));
            assertEquals(Errors.NONE, left.error(), "LeaveGroup v" + lv);
        }
        short[] find = versions(ApiKeys.FIND_COORDINATOR);
        for (short v = find[0]; v <= find[1]; v++) {
            FindCoordinatorRequestData data = new FindCoordinatorRequestData().setKeyType((byte) 0);
            if (v < FindCoordinatorRequest.MIN_BATCHED_VERSION) {
                data.setKey("gv0");
            } else {
                data.setCoordinatorKeys(List.of("gv0", "not a name"));
            }
            FindCoordinatorResponse found = (FindCoordinatorResponse) exchange(new FindCoordinatorRequest.Builder(data).build(v));
            int port = node.node().kafkaAddress().orElseThrow().getPort();
            if (v < FindCoordinatorRequest.MIN_BATCHED_VERSION) {
                assertEquals(Errors.NONE.code(), found.data().errorCode(), "FindCoordinator v" + v);
                assertEquals(port, found.data().port(), "FindCoordinator v" + v);
            } else {
                assertEquals(port, found.data().coordinators().get(0).port(), "FindCoordinator v" + v);
                assertEquals(Errors.INVALID_GROUP_ID.code(), found.data().coordinators().get(1).errorCode(), "FindCoordinator v" + v);
            }
        }
        short[] list = versions(ApiKeys.LIST_GROUPS);
        for (short v = list[0]; v <= list[1]; v++) {
            ListGroupsResponse listed = (ListGroupsResponse) exchange(new ListGroupsRequest.Builder(new ListGroupsRequestData()).build(v));
            assertEquals(Errors.NONE.code(), listed.data().errorCode(), "ListGroups v" + v);
            var groups = listed.data().groups().stream().map(g -> g.groupId()).toList();
            assertTrue(groups.contains("gv" + join[1]), "ListGroups v" + v + ": " + groups);
            if (v >= 4) {
                assertEquals("Empty", listed.data().groups().stream().filter(g -> g.groupId().equals("gv0")).findFirst()
                        .orElseThrow().groupState(), "ListGroups v" + v);
            }
        }
        short[] delete = versions(ApiKeys.DELETE_GROUPS);
        for (short v = delete[0]; v <= delete[1]; v++) {
            DeleteGroupsResponse deleted = (DeleteGroupsResponse) exchange(new DeleteGroupsRequest.Builder(new DeleteGroupsRequestData()
                    .setGroupsNames(List.of("gv" + v, "never-" + v))).build(v));
            assertEquals(Errors.NONE.code(), deleted.data().results().find("gv" + v).errorCode(), "DeleteGroups v" + v);
            assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), deleted.data().results().find("never-" + v).errorCode(), "DeleteGroups v" + v);
        }
    }

    @Test
    void offsetForLeaderEpochAtEveryVersion() throws IOException {
        assertEquals(201, node.put("/topics/epochs", "{\"partitions\": 1}").statusCode());
        assertEquals(200, node.post("/topics/epochs/records", "[{\"value\":\"a\"},{\"value\":\"b\"}]").statusCode());
        short[] epochs = versions(ApiKeys.OFFSET_FOR_LEADER_EPOCH);
        for (short v = epochs[0]; v <= epochs[1]; v++) {
            OffsetForLeaderTopicCollection topics = new OffsetForLeaderTopicCollection();
            topics.add(new OffsetForLeaderTopic().setTopic("epochs").setPartitions(List.of(
                    new OffsetForLeaderPartition().setPartition(0).setCurrentLeaderEpoch(0).setLeaderEpoch(0),
                    new OffsetForLeaderPartition().setPartition(1).setCurrentLeaderEpoch(-1).setLeaderEpoch(0))));
            topics.add(new OffsetForLeaderTopic().setTopic("versions").setPartitions(List.of(
                    new OffsetForLeaderPartition().setPartition(0).setCurrentLeaderEpoch(-1).setLeaderEpoch(3),
                    new OffsetForLeaderPartition().setPartition(0).setCurrentLeaderEpoch(1).setLeaderEpoch(0))));
            OffsetsForLeaderEpochResponse answer = (OffsetsForLeaderEpochResponse) exchange(new OffsetsForLeaderEpochRequest(
                    new OffsetForLeaderEpochRequestData().setReplicaId(OffsetsForLeaderEpochRequest.CONSUMER_REPLICA_ID)
                            .setTopics(topics), v));
            var known = answer.data().topics().find("epochs").partitions();
            assertEquals(Errors.NONE.code(), known.get(0).errorCode(), "OffsetForLeaderEpoch v" + v);
            assertEquals(0, known.get(0).leaderEpoch(), "OffsetForLeaderEpoch v" + v);
            assertEquals(2, known.get(0).endOffset(), "the latest epoch ends at the log end, v" + v);
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), known.get(1).errorCode(), "OffsetForLeaderEpoch v" + v);
            var other = answer.data().topics().find("versions").partitions();
            assertEquals(Errors.NONE.code(), other.get(0).errorCode(), "OffsetForLeaderEpoch v" + v);
            assertEquals(-1, other.get(0).endOffset(), "an epoch above the latest is undefined, v" + v);
            assertEquals(Errors.UNKNOWN_LEADER_EPOCH.code(), other.get(1).errorCode(), "OffsetForLeaderEpoch v" + v);
        }
    }

    @Test
    void aFetchAnswersWithinItsMaxBytesBeyondItsFirstBatch() throws IOException {
        assertEquals(201, node.put("/topics/budget", "{\"partitions\": 2}").statusCode());
        short produceVersion = versions(ApiKeys.PRODUCE)[1];
        for (int p = 0; p < 2; p++) {
            ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
            ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("budget");
            topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(p).setRecords(
                    MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[500]))));
            data.topicData().add(topic);
            exchange(new ProduceRequest(data, produceVersion));
        }
        FetchRequestData data = new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(100)
                .setReplicaId(-1).setIsolationLevel(IsolationLevel.READ_UNCOMMITTED.id());
        data.topics().add(new FetchRequestData.FetchTopic().setTopic("budget").setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20),
                new FetchRequestData.FetchPartition().setPartition(1).setFetchOffset(0).setPartitionMaxBytes(1 << 20))));
        FetchResponse answer = (FetchResponse) exchange(new FetchRequest(data, versions(ApiKeys.FETCH)[1]));
        var partitions = answer.data().responses().get(0).partitions();
        assertTrue(partitions.get(0).records().sizeInBytes() > 100, "the first batch comes whole, past max bytes");
        assertEquals(0, partitions.get(1).records().sizeInBytes(), "nothing more once max bytes is reached");
        assertEquals(1, partitions.get(1).highWatermark(), "the partition's offsets still answer");
    }
}
