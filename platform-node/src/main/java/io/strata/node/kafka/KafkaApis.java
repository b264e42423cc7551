package io.strata.node.kafka;

import io.strata.node.bus.BusStore;
import io.strata.node.bus.GroupStore;
import io.strata.node.bus.TopicCatalog.Topic;
import io.strata.node.common.Futures;
import io.strata.node.common.StrataException;
import io.strata.node.log.FetchData;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The Kafka APIs the door serves, each answered from the bus: Metadata names the cluster's brokers
 * and each partition's leader, the node it lives on ({@link KafkaBrokers}), and ApiVersions what
 * this door serves; Produce, Fetch and ListOffsets for a partition living on another node answer
 * {@code NOT_LEADER_OR_FOLLOWER}, so the client finds its leader. Produce appends the client's
 * record batches as they are, Fetch returns stored batches as they are (with a long poll),
 * ListOffsets and InitProducerId serve the consumer's and the idempotent producer's needs. Thread-safe; nothing here blocks the calling
 * thread (file work goes to the blocking pool).
 *
 * <p>{@link #SUPPORTED} is what ApiVersions advertises: each range is Kafka 4.4's (the
 * kafka-clients message classes this door reads and writes), cut to what is implemented. Produce
 * and Fetch stop below the versions that name topics by id (v13), Metadata gives no topic ids,
 * ListOffsets stops before the max-timestamp lookup (v7), DeleteTopics before topics named by id
 * (v6). The admin APIs are in {@link KafkaAdminApis}.
 */
final class KafkaApis {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaApis.class);

    /** The APIs served and the versions of each, from the oldest to the newest. */
    static final Map<ApiKeys, short[]> SUPPORTED = supported();
    /** The cluster id Metadata reports when the node has no cluster name. */
    private static final String CLUSTER_ID = "strata";
    /** Versions from which a field exists; writing a value other than its default below them fails. */
    private static final short CONTROLLER_IN_METADATA = 1;
    private static final short CLUSTER_ID_IN_METADATA = 2;
    private static final short ERROR_MESSAGE_IN_PRODUCE = 8;
    private static final short LOG_START_IN_FETCH = 5;
    private static final short LEADER_EPOCH_IN_METADATA = 7;
    private static final short LEADER_EPOCH_IN_LIST_OFFSETS = 4;
    /** The longest a Fetch waits, whatever the client asks: below the node's ask timeout. */
    private static final Duration MAX_FETCH_WAIT = Duration.ofSeconds(2);

    private final BusStore bus;
    private final KafkaSettings settings;
    private final String clusterId;
    /** Known once the listener is bound; a connection accepted in between waits for it rather than block. */
    private final CompletionStage<BrokerAddress> address;
    private final KafkaBrokers brokers;
    private final ProducerIds producerIds;
    private final Executor blockingIo;
    private final KafkaAdminApis admin;
    private final KafkaGroupApis groups;

    /** The host and port Metadata gives clients for this node. */
    record BrokerAddress(String host, int port) {}

    KafkaApis(BusStore bus, GroupStore groups, KafkaSettings settings, String clusterId, CompletionStage<BrokerAddress> address,
              KafkaBrokers brokers,
              ProducerIds producerIds, Executor blockingIo) {
        this.bus = bus;
        this.settings = settings;
        this.clusterId = clusterId.isEmpty() ? CLUSTER_ID : clusterId;
        this.address = address;
        this.brokers = brokers;
        this.producerIds = producerIds;
        this.blockingIo = blockingIo;
        this.admin = new KafkaAdminApis(bus);
        this.groups = new KafkaGroupApis(bus, groups, settings, address);
    }

    private static Map<ApiKeys, short[]> supported() {
        Map<ApiKeys, short[]> apis = new EnumMap<>(ApiKeys.class);
        apis.put(ApiKeys.PRODUCE, new short[] {3, 12});
        apis.put(ApiKeys.FETCH, new short[] {4, 12});
        apis.put(ApiKeys.LIST_OFFSETS, new short[] {1, 6});
        apis.put(ApiKeys.METADATA, new short[] {0, 12});
        apis.put(ApiKeys.API_VERSIONS, new short[] {0, ApiKeys.API_VERSIONS.latestVersion()});
        apis.put(ApiKeys.INIT_PRODUCER_ID, new short[] {0, 4});
        apis.put(ApiKeys.CREATE_TOPICS, new short[] {2, 7});
        apis.put(ApiKeys.DELETE_TOPICS, new short[] {1, 5});
        apis.put(ApiKeys.DESCRIBE_CONFIGS, new short[] {1, 4});
        apis.put(ApiKeys.FIND_COORDINATOR, new short[] {0, 6});
        apis.put(ApiKeys.JOIN_GROUP, new short[] {0, 9});
        apis.put(ApiKeys.SYNC_GROUP, new short[] {0, 5});
        apis.put(ApiKeys.HEARTBEAT, new short[] {0, 4});
        apis.put(ApiKeys.LEAVE_GROUP, new short[] {0, 5});
        apis.put(ApiKeys.OFFSET_COMMIT, new short[] {2, 9});
        apis.put(ApiKeys.OFFSET_FETCH, new short[] {1, 9});
        apis.put(ApiKeys.DESCRIBE_GROUPS, new short[] {0, 6});
        apis.put(ApiKeys.LIST_GROUPS, new short[] {0, 5});
        apis.put(ApiKeys.DELETE_GROUPS, new short[] {0, 3});
        apis.put(ApiKeys.DELETE_RECORDS, new short[] {0, 2});
        apis.put(ApiKeys.CREATE_PARTITIONS, new short[] {0, 3});
        apis.put(ApiKeys.OFFSET_FOR_LEADER_EPOCH, new short[] {2, 4});
        return Collections.unmodifiableMap(apis);
    }

    /** Whether {@code version} of {@code api} is served. */
    static boolean isSupported(ApiKeys api, short version) {
        short[] range = SUPPORTED.get(api);
        return range != null && version >= range[0] && version <= range[1];
    }

    /**
     * Answers one request; completes with no response for a Produce with {@code acks=0}, which
     * Kafka leaves unanswered.
     */
    CompletionStage<Optional<AbstractResponse>> handle(AbstractRequest request, KafkaGroupApis.Client client) {
        ApiKeys api = request.apiKey();
        if (!isSupported(api, request.version())) {
            return answer(request.getErrorResponse(Errors.UNSUPPORTED_VERSION.exception()));
        }
        try {
            return switch (api) {
                case API_VERSIONS -> answer(apiVersions(Errors.NONE));
                case METADATA -> metadata((MetadataRequest) request).thenApply(Optional::of);
                case PRODUCE -> produce((ProduceRequest) request);
                case FETCH -> fetch((FetchRequest) request).thenApply(Optional::of);
                case LIST_OFFSETS -> listOffsets((ListOffsetsRequest) request).thenApply(Optional::of);
                case INIT_PRODUCER_ID -> initProducerId((InitProducerIdRequest) request).thenApply(Optional::of);
                case CREATE_TOPICS -> admin.createTopics((CreateTopicsRequest) request).thenApply(Optional::of);
                case DELETE_TOPICS -> admin.deleteTopics((DeleteTopicsRequest) request).thenApply(Optional::of);
                case DESCRIBE_CONFIGS -> admin.describeConfigs((DescribeConfigsRequest) request).thenApply(Optional::of);
                case FIND_COORDINATOR -> some(groups.findCoordinator((FindCoordinatorRequest) request));
                case JOIN_GROUP -> some(groups.joinGroup((JoinGroupRequest) request, client));
                case SYNC_GROUP -> some(groups.syncGroup((SyncGroupRequest) request));
                case HEARTBEAT -> some(groups.heartbeat((HeartbeatRequest) request));
                case LEAVE_GROUP -> some(groups.leaveGroup((LeaveGroupRequest) request));
                case OFFSET_COMMIT -> some(groups.offsetCommit((OffsetCommitRequest) request));
                case OFFSET_FETCH -> some(groups.offsetFetch((OffsetFetchRequest) request));
                case DESCRIBE_GROUPS -> some(groups.describeGroups((DescribeGroupsRequest) request));
                case LIST_GROUPS -> some(groups.listGroups((ListGroupsRequest) request));
                case DELETE_GROUPS -> some(groups.deleteGroups((DeleteGroupsRequest) request));
                case DELETE_RECORDS -> admin.deleteRecords((DeleteRecordsRequest) request).thenApply(Optional::of);
                case CREATE_PARTITIONS -> admin.createPartitions((CreatePartitionsRequest) request).thenApply(Optional::of);
                case OFFSET_FOR_LEADER_EPOCH -> admin.offsetForLeaderEpoch((OffsetsForLeaderEpochRequest) request)
                        .thenApply(Optional::of);
                default -> answer(request.getErrorResponse(Errors.UNSUPPORTED_VERSION.exception()));
            };
        } catch (RuntimeException e) {
            LOG.warn("kafka {} v{} failed", api, request.version(), e);
            return answer(request.getErrorResponse(e));
        }
    }

    private static CompletionStage<Optional<AbstractResponse>> some(CompletionStage<AbstractResponse> response) {
        return response.thenApply(Optional::of);
    }

    private static CompletionStage<Optional<AbstractResponse>> answer(AbstractResponse response) {
        return CompletableFuture.completedFuture(Optional.of(response));
    }

    // ---- ApiVersions ----------------------------------------------------------------------------

    /** What this door serves, or {@code error} with the same list (Kafka's answer to a version it does not know). */
    static ApiVersionsResponse apiVersions(Errors error) {
        ApiVersionCollection versions = new ApiVersionCollection();
        SUPPORTED.forEach((api, range) -> versions.add(new ApiVersion().setApiKey(api.id).setMinVersion(range[0])
                .setMaxVersion(range[1])));
        return new ApiVersionsResponse(new ApiVersionsResponseData().setErrorCode(error.code()).setApiKeys(versions));
    }

    // ---- Metadata -------------------------------------------------------------------------------

    private CompletionStage<MetadataResponse> metadata(MetadataRequest request) {
        return address.thenCompose(self -> metadata(request, self));
    }

    private CompletionStage<MetadataResponse> metadata(MetadataRequest request, BrokerAddress self) {
        MetadataResponseData data = new MetadataResponseData();
        if (request.version() >= CLUSTER_ID_IN_METADATA) {
            data.setClusterId(clusterId);
        }
        if (request.version() >= CONTROLLER_IN_METADATA) {
            data.setControllerId(settings.nodeId());
        }
        Map<String, KafkaBrokers.Broker> now = brokers.brokers(self);
        now.values().forEach(broker -> data.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(broker.id())
                .setHost(broker.host()).setPort(broker.port())));
        List<CompletableFuture<MetadataResponseData.MetadataResponseTopic>> topics = new ArrayList<>();
        if (request.isAllTopics()) {
            bus.topics().forEach(topic -> topics.add(CompletableFuture.completedFuture(describe(topic, request.version(), now))));
        } else {
            boolean create = request.allowAutoTopicCreation() && bus.settings().autoCreateTopics();
            for (String name : request.topics()) {
                topics.add(topicMetadata(name, create, request.version(), now));
            }
        }
        return CompletableFuture.allOf(topics.toArray(CompletableFuture[]::new)).thenApply(done -> {
            topics.forEach(topic -> data.topics().add(topic.join()));
            return new MetadataResponse(data, request.version());
        });
    }

    private CompletableFuture<MetadataResponseData.MetadataResponseTopic> topicMetadata(String name, boolean create,
                                                                                       short version,
                                                                                       Map<String, KafkaBrokers.Broker> now) {
        CompletionStage<Topic> found;
        try {
            found = create ? bus.ensureTopic(name, bus.settings().defaultPartitions()) : bus.topic(name);
        } catch (StrataException e) {
            found = CompletableFuture.failedFuture(e);
        }
        return found.thenApply(topic -> describe(topic, version, now)).exceptionally(failure -> new MetadataResponseData.MetadataResponseTopic()
                .setName(name).setTopicId(Uuid.ZERO_UUID).setErrorCode(Errors.forException(KafkaErrors.of(failure)).code()))
                .toCompletableFuture();
    }

    /** Each partition led by its home's broker (see {@link KafkaBrokers}), its only replica. */
    private MetadataResponseData.MetadataResponseTopic describe(Topic topic, short version, Map<String, KafkaBrokers.Broker> now) {
        MetadataResponseData.MetadataResponseTopic out = new MetadataResponseData.MetadataResponseTopic()
                .setName(topic.name()).setTopicId(Uuid.ZERO_UUID).setIsInternal(false);
        for (int p = 0; p < topic.partitions(); p++) {
            KafkaBrokers.Leader leader = brokers.leaderOf(topic.name(), p, now);
            List<Integer> replicas = leader.isKnown() ? List.of(leader.id()) : List.of();
            out.partitions().add(new MetadataResponseData.MetadataResponsePartition().setPartitionIndex(p)
                    .setErrorCode(leader.isKnown() ? Errors.NONE.code() : Errors.LEADER_NOT_AVAILABLE.code())
                    .setLeaderId(leader.id()).setLeaderEpoch(version >= LEADER_EPOCH_IN_METADATA ? 0 : -1).setReplicaNodes(replicas)
                    .setIsrNodes(replicas).setOfflineReplicas(List.of()));
        }
        return out;
    }

    /**
     * Refuses a produce, fetch or offset lookup for a partition that lives on another node
     * ({@code NOT_LEADER_OR_FOLLOWER}): the client asks Metadata again and goes to its leader. The
     * response carries no {@code CurrentLeader} hint (Produce v10+, Fetch v12+): Strata's leaders
     * have no epochs (Metadata says 0), and kafka-clients sets aside a hint whose epoch is not newer
     * than the one it knows, so the Metadata refresh the error triggers is what finds the leader.
     */
    private void requireLeader(String topic, int partition) {
        brokers.elsewhere(topic, partition).ifPresent(home -> {
            throw new StrataException(StrataException.Kind.UNAVAILABLE, "not_leader", "partition " + topic + "-" + partition
                    + " lives on node " + home + ", not on this one; ask Metadata for its leader");
        });
    }

    // ---- Produce --------------------------------------------------------------------------------

    private CompletionStage<Optional<AbstractResponse>> produce(ProduceRequest request) {
        if (request.transactionalId() != null) {
            return answer(request.getErrorResponse(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.exception(
                    "transactions are not supported by Strata's Kafka door")));
        }
        List<CompletableFuture<ProduceResponseData.TopicProduceResponse>> topics = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData topic : request.data().topicData()) {
            List<CompletableFuture<ProduceResponseData.PartitionProduceResponse>> partitions = new ArrayList<>();
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                partitions.add(appendPartition(topic.name(), partition, request.version()));
            }
            topics.add(CompletableFuture.allOf(partitions.toArray(CompletableFuture[]::new)).thenApply(done -> {
                ProduceResponseData.TopicProduceResponse out = new ProduceResponseData.TopicProduceResponse().setName(topic.name());
                partitions.forEach(p -> out.partitionResponses().add(p.join()));
                return out;
            }));
        }
        CompletableFuture<ProduceResponse> response = CompletableFuture.allOf(topics.toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    ProduceResponseData data = new ProduceResponseData();
                    topics.forEach(t -> data.responses().add(t.join()));
                    return new ProduceResponse(data);
                });
        if (request.acks() == 0) {
            // Unanswered, as Kafka leaves it; a failure shows in the node's log only.
            return response.thenApply(ignored -> Optional.empty());
        }
        return response.thenApply(Optional::of);
    }

    private CompletableFuture<ProduceResponseData.PartitionProduceResponse> appendPartition(String topic,
                                                                                        ProduceRequestData.PartitionProduceData partition,
                                                                                        short version) {
        ProduceResponseData.PartitionProduceResponse out = new ProduceResponseData.PartitionProduceResponse()
                .setIndex(partition.index()).setBaseOffset(-1).setLogAppendTimeMs(RecordBatch.NO_TIMESTAMP).setLogStartOffset(-1);
        CompletionStage<?> appended;
        try {
            requireLeader(topic, partition.index());
            MemoryRecords records = (MemoryRecords) partition.records();
            if (records == null || records.sizeInBytes() == 0) {
                throw new StrataException(StrataException.Kind.INVALID, "invalid_record_batch", "no record batch");
            }
            for (RecordBatch batch : records.batches()) {
                if (batch.isTransactional() || batch.isControlBatch()) {
                    throw new StrataException(StrataException.Kind.INVALID, "invalid_record_batch",
                            "transactional batches are not supported");
                }
            }
            appended = bus.appendBatches(topic, partition.index(), records).thenApply(ok -> out.setBaseOffset(ok.firstOffset())
                    .setLogStartOffset(-1));
        } catch (RuntimeException e) {
            appended = CompletableFuture.failedFuture(e);
        }
        return appended.handle((ok, failure) -> {
            if (failure != null) {
                ApiException refused = KafkaErrors.of(failure);
                out.setErrorCode(Errors.forException(refused).code());
                if (version >= ERROR_MESSAGE_IN_PRODUCE) {
                    out.setErrorMessage(refused.getMessage());
                }
                LOG.debug("kafka produce to {}-{} refused: {}", topic, partition.index(), refused.getMessage());
            }
            return out;
        }).toCompletableFuture();
    }

    // ---- Fetch ----------------------------------------------------------------------------------

    private CompletionStage<FetchResponse> fetch(FetchRequest request) {
        FetchRequestData data = request.data();
        long waitMs = Math.min(Math.max(0, data.maxWaitMs()), MAX_FETCH_WAIT.toMillis());
        short version = request.version();
        return readAll(data, version).<FetchResponseData>thenCompose(first -> {
            if (waitMs == 0 || bytesOf(first) >= Math.max(1, data.minBytes()) || hasError(first)) {
                return CompletableFuture.completedFuture(first);
            }
            // Too little yet: wait for an append to any of the partitions (or the wait's end), then read again.
            List<CompletableFuture<Long>> waits = new ArrayList<>();
            for (FetchRequestData.FetchTopic topic : data.topics()) {
                for (FetchRequestData.FetchPartition p : topic.partitions()) {
                    waits.add(bus.awaitRecords(topic.topic(), p.partition(), p.fetchOffset(), Duration.ofMillis(waitMs))
                            .toCompletableFuture());
                }
            }
            if (waits.isEmpty()) {
                return CompletableFuture.completedFuture(first);
            }
            CompletableFuture<Object> any = CompletableFuture.anyOf(waits.toArray(CompletableFuture[]::new));
            return any.handle((ok, failure) -> (Void) null).thenCompose(woken -> readAll(data, version));
        }).thenApply(FetchResponse::of);
    }

    private CompletableFuture<FetchResponseData> readAll(FetchRequestData request, short version) {
        int budget = request.maxBytes() <= 0 ? Integer.MAX_VALUE : request.maxBytes();
        List<CompletableFuture<FetchResponseData.PartitionData>> reads = new ArrayList<>();
        List<FetchResponseData.FetchableTopicResponse> topics = new ArrayList<>();
        for (FetchRequestData.FetchTopic topic : request.topics()) {
            FetchResponseData.FetchableTopicResponse out = new FetchResponseData.FetchableTopicResponse().setTopic(topic.topic());
            topics.add(out);
            for (FetchRequestData.FetchPartition p : topic.partitions()) {
                // The partitions are read at once, each up to its own limit; the request's limit is
                // applied to the answers below, in the order the client listed the partitions.
                int max = Math.max(1, Math.min(p.partitionMaxBytes(), budget));
                reads.add(readPartition(topic.topic(), p, max, version));
            }
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
            FetchResponseData data = new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0);
            int next = 0;
            long answered = 0;
            for (int t = 0; t < topics.size(); t++) {
                FetchResponseData.FetchableTopicResponse out = topics.get(t);
                for (int i = 0; i < request.topics().get(t).partitions().size(); i++) {
                    FetchResponseData.PartitionData partition = reads.get(next++).join();
                    int size = partition.records() == null ? 0 : partition.records().sizeInBytes();
                    if (answered > 0 && answered + size > budget) {
                        // Over fetch.max.bytes: as Kafka, the partition answers no records this time (its
                        // offsets still), and the client asks for it again from where it is.
                        partition.setRecords(MemoryRecords.EMPTY);
                        size = 0;
                    }
                    answered += size;
                    out.partitions().add(partition);
                }
                data.responses().add(out);
            }
            return data;
        });
    }

    private CompletableFuture<FetchResponseData.PartitionData> readPartition(String topic, FetchRequestData.FetchPartition p,
                                                                            int maxBytes, short version) {
        FetchResponseData.PartitionData out = new FetchResponseData.PartitionData().setPartitionIndex(p.partition())
                .setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1).setPreferredReadReplica(-1)
                .setRecords(MemoryRecords.EMPTY);
        CompletionStage<FetchData> read;
        try {
            requireLeader(topic, p.partition());
            read = bus.fetchBatches(topic, p.partition(), p.fetchOffset(), maxBytes);
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        return read.handle((data, failure) -> {
            if (failure != null) {
                ApiException refused = KafkaErrors.of(failure);
                return out.setErrorCode(Errors.forException(refused).code());
            }
            return out.setHighWatermark(data.highWatermark()).setLastStableOffset(data.highWatermark())
                    .setLogStartOffset(version >= LOG_START_IN_FETCH ? data.logStartOffset() : -1).setRecords(data.records());
        }).toCompletableFuture();
    }

    private static long bytesOf(FetchResponseData data) {
        long bytes = 0;
        for (FetchResponseData.FetchableTopicResponse topic : data.responses()) {
            for (FetchResponseData.PartitionData p : topic.partitions()) {
                bytes += p.records() == null ? 0 : p.records().sizeInBytes();
            }
        }
        return bytes;
    }

    private static boolean hasError(FetchResponseData data) {
        for (FetchResponseData.FetchableTopicResponse topic : data.responses()) {
            for (FetchResponseData.PartitionData p : topic.partitions()) {
                if (p.errorCode() != Errors.NONE.code()) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- ListOffsets ----------------------------------------------------------------------------

    private CompletionStage<ListOffsetsResponse> listOffsets(ListOffsetsRequest request) {
        List<CompletableFuture<ListOffsetsResponseData.ListOffsetsTopicResponse>> topics = new ArrayList<>();
        for (ListOffsetsRequestData.ListOffsetsTopic topic : request.topics()) {
            List<CompletableFuture<ListOffsetsResponseData.ListOffsetsPartitionResponse>> partitions = new ArrayList<>();
            for (ListOffsetsRequestData.ListOffsetsPartition p : topic.partitions()) {
                partitions.add(offsetOf(topic.name(), p, request.version()));
            }
            topics.add(CompletableFuture.allOf(partitions.toArray(CompletableFuture[]::new)).thenApply(done -> {
                ListOffsetsResponseData.ListOffsetsTopicResponse out = new ListOffsetsResponseData.ListOffsetsTopicResponse()
                        .setName(topic.name());
                partitions.forEach(p -> out.partitions().add(p.join()));
                return out;
            }));
        }
        return CompletableFuture.allOf(topics.toArray(CompletableFuture[]::new)).thenApply(done -> {
            ListOffsetsResponseData data = new ListOffsetsResponseData();
            topics.forEach(t -> data.topics().add(t.join()));
            return new ListOffsetsResponse(data);
        });
    }

    private CompletableFuture<ListOffsetsResponseData.ListOffsetsPartitionResponse> offsetOf(String topic,
                                                                                          ListOffsetsRequestData.ListOffsetsPartition p,
                                                                                          short version) {
        ListOffsetsResponseData.ListOffsetsPartitionResponse out = new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                .setPartitionIndex(p.partitionIndex()).setTimestamp(ListOffsetsResponse.UNKNOWN_TIMESTAMP)
                .setOffset(ListOffsetsResponse.UNKNOWN_OFFSET).setLeaderEpoch(version >= LEADER_EPOCH_IN_LIST_OFFSETS ? 0 : -1);
        long timestamp = p.timestamp();
        CompletionStage<ListOffsetsResponseData.ListOffsetsPartitionResponse> found;
        try {
            requireLeader(topic, p.partitionIndex());
            if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP || timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
                found = bus.partitionInfo(topic, p.partitionIndex()).thenApply(info -> out.setOffset(
                        timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP ? info.logStartOffset() : info.logEndOffset()));
            } else if (timestamp >= 0) {
                found = bus.offsetForTimestamp(topic, p.partitionIndex(), timestamp).thenApply(offset -> offset.isPresent()
                        ? out.setOffset(offset.getAsLong()).setTimestamp(timestamp) : out);
            } else {
                found = CompletableFuture.completedFuture(out.setErrorCode(Errors.UNSUPPORTED_VERSION.code()));
            }
        } catch (RuntimeException e) {
            found = CompletableFuture.failedFuture(e);
        }
        return found.exceptionally(failure -> out.setErrorCode(Errors.forException(KafkaErrors.of(failure)).code()))
                .toCompletableFuture();
    }

    // ---- InitProducerId -------------------------------------------------------------------------

    private CompletionStage<InitProducerIdResponse> initProducerId(InitProducerIdRequest request) {
        InitProducerIdResponseData out = new InitProducerIdResponseData().setProducerId(RecordBatch.NO_PRODUCER_ID)
                .setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH);
        if (request.data().transactionalId() != null) {
            LOG.info("kafka InitProducerId for transactional id '{}' refused: transactions are not supported",
                    request.data().transactionalId());
            return CompletableFuture.completedFuture(new InitProducerIdResponse(
                    out.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())));
        }
        long known = request.data().producerId();
        short epoch = request.data().producerEpoch();
        if (known >= 0 && epoch >= 0 && epoch < Short.MAX_VALUE) {
            // A producer that must start its sequences again keeps its id with the next epoch, as Kafka bumps it.
            return CompletableFuture.completedFuture(new InitProducerIdResponse(
                    out.setProducerId(known).setProducerEpoch((short) (epoch + 1))));
        }
        return CompletableFuture.supplyAsync(producerIds::next, blockingIo).handle((id, failure) -> {
            if (failure != null) {
                LOG.error("kafka InitProducerId: cannot hand out a producer id", Futures.unwrap(failure));
                return new InitProducerIdResponse(out.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code()));
            }
            return new InitProducerIdResponse(out.setProducerId(id).setProducerEpoch((short) 0));
        });
    }
}
