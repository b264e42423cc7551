package io.strata.node.kafka;

import io.strata.node.bus.BusStore;
import io.strata.node.bus.Retention;
import io.strata.node.bus.TopicCatalog.Topic;
import io.strata.node.bus.TopicPartition;
import io.strata.node.common.Futures;
import io.strata.node.common.StrataException;
import io.strata.node.log.EpochEnd;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownLeaderEpochException;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
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
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The admin APIs of the Kafka door, on the bus's topic catalog: CreateTopics (partitions and the
 * two retention configs Strata has), DeleteTopics, DescribeConfigs of a topic, DeleteRecords,
 * CreatePartitions (answered, always refused: a topic's partition count is fixed), and
 * OffsetForLeaderEpoch, which consumers ask of a partition's leader. What Strata cannot
 * honour is refused with Kafka's error for it rather than ignored: a replication factor above 1
 * (a node keeps one copy of its partitions), a config other than {@code retention.ms} and
 * {@code retention.bytes}. Thread-safe.
 */
final class KafkaAdminApis {

    /** Versions from which a field exists; writing a value other than its default below them fails. */
    private static final short DETAILS_IN_CREATE_TOPICS = 5;
    private static final short ERROR_MESSAGE_IN_DELETE_TOPICS = 5;
    private static final short TYPE_IN_DESCRIBE_CONFIGS = 3;

    /**
     * The leader epoch of every partition: the one Metadata reports and appends are stamped with
     * (a node leads its partitions from its first append on).
     */
    static final int LEADER_EPOCH = 0;

    private final BusStore bus;

    KafkaAdminApis(BusStore bus) {
        this.bus = bus;
    }

    // ---- CreateTopics ---------------------------------------------------------------------------

    CompletionStage<CreateTopicsResponse> createTopics(CreateTopicsRequest request) {
        List<CompletableFuture<CreatableTopicResult>> results = new ArrayList<>();
        for (CreatableTopic topic : request.data().topics()) {
            results.add(create(topic, request.data().validateOnly(), request.version()));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(done -> {
            CreateTopicsResponseData data = new CreateTopicsResponseData();
            results.forEach(r -> data.topics().add(r.join()));
            return new CreateTopicsResponse(data);
        });
    }

    private CompletableFuture<CreatableTopicResult> create(CreatableTopic topic, boolean validateOnly, short version) {
        CreatableTopicResult out = new CreatableTopicResult().setName(topic.name()).setTopicId(Uuid.ZERO_UUID)
                .setNumPartitions(-1).setReplicationFactor((short) -1);
        boolean detailed = version >= DETAILS_IN_CREATE_TOPICS;
        CompletionStage<CreatableTopicResult> created;
        try {
            int partitions = topic.numPartitions() == -1 ? bus.settings().defaultPartitions() : topic.numPartitions();
            if (topic.replicationFactor() != -1 && topic.replicationFactor() != 1) {
                throw new InvalidReplicationFactorException("replication factor " + topic.replicationFactor()
                        + " is not supported: a Strata node keeps one copy of its partitions (use 1 or -1)");
            }
            if (!topic.assignments().isEmpty()) {
                throw new InvalidPartitionsException("manual replica assignments are not supported: Strata places partitions");
            }
            if (partitions < 1) {
                throw new InvalidPartitionsException("the number of partitions must be at least 1, got " + partitions);
            }
            Retention retention = retentionOf(topic);
            bus.validateTopicName(topic.name());
            created = bus.topic(topic.name()).handle((existing, failure) -> failure == null ? existing : null)
                    .thenCompose(existing -> {
                        if (existing != null) {
                            throw new TopicExistsException("topic '" + topic.name() + "' already exists");
                        }
                        if (validateOnly) {
                            return CompletableFuture.completedFuture(detailed ? describe(out, partitions, retention) : out);
                        }
                        return bus.createTopic(topic.name(), partitions, retention)
                                .thenApply(t -> detailed ? describe(out, t.partitions(), t.retention()) : out);
                    });
        } catch (RuntimeException e) {
            created = CompletableFuture.failedFuture(e);
        }
        return created.exceptionally(failure -> {
            ApiException error = apiError(failure);
            return out.setErrorCode(Errors.forException(error).code()).setErrorMessage(error.getMessage());
        }).toCompletableFuture();
    }

    /** What CreateTopics v5 and later answer besides the error: the topic's partitions, replication and configs. */
    private static CreatableTopicResult describe(CreatableTopicResult out, int partitions, Retention retention) {
        out.setNumPartitions(partitions).setReplicationFactor((short) 1);
        configsOf(retention).forEach((key, value) -> out.configs().add(new CreateTopicsResponseData.CreatableTopicConfigs()
                .setName(key).setValue(value).setReadOnly(false).setIsSensitive(false)
                .setConfigSource(DescribeConfigsResponse.ConfigSource.TOPIC_CONFIG.id())));
        return out;
    }

    /** The retention a CreateTopics asks for: the node's default, with {@code retention.ms} and {@code retention.bytes} as given. */
    private Retention retentionOf(CreatableTopic topic) {
        Retention defaults = bus.settings().defaultRetention();
        Duration time = defaults.time();
        long bytes = defaults.bytes();
        for (CreatableTopicConfig config : topic.configs()) {
            String value = config.value();
            switch (config.name()) {
                case TopicConfig.RETENTION_MS_CONFIG -> {
                    long ms = parseLong(config.name(), value);
                    time = ms < 0 ? Duration.ZERO : Duration.ofMillis(ms);
                }
                case TopicConfig.RETENTION_BYTES_CONFIG -> {
                    long b = parseLong(config.name(), value);
                    bytes = b < 0 ? 0 : b;
                }
                default -> throw new InvalidConfigurationException("topic config '" + config.name()
                        + "' is not supported; Strata topics take retention.ms and retention.bytes");
            }
        }
        return new Retention(time, bytes);
    }

    private static long parseLong(String name, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException(name + " must be a whole number, got '" + value + "'");
        }
    }

    // ---- DeleteTopics ---------------------------------------------------------------------------

    CompletionStage<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest request) {
        List<CompletableFuture<DeletableTopicResult>> results = new ArrayList<>();
        boolean messages = request.version() >= ERROR_MESSAGE_IN_DELETE_TOPICS;
        for (String name : request.topicNames()) {
            DeletableTopicResult out = new DeletableTopicResult().setName(name).setTopicId(Uuid.ZERO_UUID);
            CompletionStage<Void> deleted;
            try {
                deleted = bus.deleteTopic(name);
            } catch (RuntimeException e) {
                deleted = CompletableFuture.failedFuture(e);
            }
            results.add(deleted.handle((ok, failure) -> {
                if (failure != null) {
                    ApiException error = apiError(failure);
                    out.setErrorCode(Errors.forException(error).code());
                    if (messages) {
                        out.setErrorMessage(error.getMessage());
                    }
                }
                return out;
            }).toCompletableFuture());
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(done -> {
            DeleteTopicsResponseData data = new DeleteTopicsResponseData();
            results.forEach(r -> data.responses().add(r.join()));
            return new DeleteTopicsResponse(data);
        });
    }

    // ---- CreatePartitions ------------------------------------------------------------------------

    /**
     * Refuses to grow a topic: a Strata topic's partition count is fixed at creation
     * ({@link io.strata.node.bus.TopicCatalog}). Records are placed by {@code murmur3(key) mod
     * partitions} and a stream job reads, keys its state by and writes its output topic with its
     * source's count as the job started, and the catalog (a replicated map in a cluster) has no
     * way to change an item in place. Each topic gets the answer Kafka would give where Kafka
     * refuses too (UNKNOWN_TOPIC_OR_PARTITION; INVALID_PARTITIONS for a count that is not larger;
     * INVALID_REPLICA_ASSIGNMENT for manual assignments), and otherwise INVALID_REQUEST saying so;
     * {@code validateOnly} answers the same, since the change would fail.
     */
    CompletionStage<CreatePartitionsResponse> createPartitions(CreatePartitionsRequest request) {
        List<CompletableFuture<CreatePartitionsTopicResult>> results = new ArrayList<>();
        for (CreatePartitionsTopic topic : request.data().topics()) {
            CreatePartitionsTopicResult out = new CreatePartitionsTopicResult().setName(topic.name());
            CompletionStage<CreatePartitionsTopicResult> refused = attempt(() -> bus.topic(topic.name()))
                    .thenApply(existing -> refuseGrowth(existing, topic));
            results.add(refused.exceptionally(failure -> {
                ApiException error = apiError(failure);
                return out.setErrorCode(Errors.forException(error).code()).setErrorMessage(error.getMessage());
            }).toCompletableFuture());
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(done -> {
            CreatePartitionsResponseData data = new CreatePartitionsResponseData();
            results.forEach(r -> data.results().add(r.join()));
            return new CreatePartitionsResponse(data);
        });
    }

    private static CreatePartitionsTopicResult refuseGrowth(Topic existing, CreatePartitionsTopic topic) {
        int current = existing.partitions();
        if (topic.count() == current) {
            throw new InvalidPartitionsException("topic '" + topic.name() + "' already has " + current + " partitions");
        }
        if (topic.count() < current) {
            throw new InvalidPartitionsException("topic '" + topic.name() + "' has " + current
                    + " partitions, more than the " + topic.count() + " asked for; partitions cannot be removed");
        }
        if (topic.assignments() != null) {
            throw new InvalidReplicaAssignmentException("manual replica assignments are not supported: Strata places partitions");
        }
        throw new InvalidRequestException("Strata cannot change a topic's partition count: topic '" + topic.name() + "' keeps its "
                + current + " partitions (records are placed by murmur3(key) mod partitions, and stream jobs rely on it);"
                + " create a topic with more partitions and move to it");
    }

    // ---- DeleteRecords ---------------------------------------------------------------------------

    /**
     * Moves each partition's log start, through the bus as {@code DELETE .../records?before=} does
     * (so both doors agree): -1 means the high watermark; an offset past it is
     * OFFSET_OUT_OF_RANGE, one at or below the log start changes nothing. Each partition answers
     * its low watermark (its log start after the deletion), or -1 with its error.
     */
    CompletionStage<DeleteRecordsResponse> deleteRecords(DeleteRecordsRequest request) {
        return eachPartition(request.data().topics(), DeleteRecordsTopic::partitions, (topic, partition) -> {
            DeleteRecordsPartitionResult out = new DeleteRecordsPartitionResult().setPartitionIndex(partition.partitionIndex())
                    .setLowWatermark(DeleteRecordsResponse.INVALID_LOW_WATERMARK);
            return attempt(() -> bus.deleteRecords(topic.name(), partition.partitionIndex(), partition.offset()))
                    .handle((info, failure) -> failure == null
                            ? out.setLowWatermark(info.logStartOffset())
                            : out.setErrorCode(Errors.forException(apiError(failure)).code()));
        }, (topic, partitions) -> {
            DeleteRecordsTopicResult out = new DeleteRecordsTopicResult().setName(topic.name());
            out.partitions().addAll(partitions);
            return out;
        }).thenApply(topics -> {
            DeleteRecordsResponseData data = new DeleteRecordsResponseData();
            data.topics().addAll(topics);
            return new DeleteRecordsResponse(data);
        });
    }

    // ---- OffsetForLeaderEpoch --------------------------------------------------------------------

    /**
     * Where each leader epoch asked for ends, as a Kafka leader answers a consumer validating its
     * position after a leader change: the largest epoch the partition's log holds at or below the
     * one asked for and the offset it ends at (the log end for the latest), both -1 for an epoch
     * above the latest. A current leader epoch newer than {@link #LEADER_EPOCH} is
     * UNKNOWN_LEADER_EPOCH, an older one FENCED_LEADER_EPOCH, as Kafka fences stale clients.
     */
    CompletionStage<OffsetsForLeaderEpochResponse> offsetForLeaderEpoch(OffsetsForLeaderEpochRequest request) {
        return eachPartition(request.data().topics(), OffsetForLeaderTopic::partitions, (topic, partition) -> {
            EpochEndOffset out = new EpochEndOffset().setPartition(partition.partition())
                    .setLeaderEpoch(EpochEnd.UNDEFINED.epoch()).setEndOffset(EpochEnd.UNDEFINED.endOffset());
            return attempt(() -> {
                int current = partition.currentLeaderEpoch();
                if (current > LEADER_EPOCH) {
                    throw new UnknownLeaderEpochException("leader epoch " + current + " is newer than this node's " + LEADER_EPOCH);
                }
                if (current != RecordBatch.NO_PARTITION_LEADER_EPOCH && current < LEADER_EPOCH) {
                    throw new FencedLeaderEpochException("leader epoch " + current + " is older than this node's " + LEADER_EPOCH);
                }
                return bus.epochEnd(topic.topic(), partition.partition(), partition.leaderEpoch());
            }).handle((end, failure) -> failure == null
                    ? out.setLeaderEpoch(end.epoch()).setEndOffset(end.endOffset())
                    : out.setErrorCode(Errors.forException(apiError(failure)).code()));
        }, (topic, partitions) -> {
            OffsetForLeaderTopicResult out = new OffsetForLeaderTopicResult().setTopic(topic.topic());
            out.partitions().addAll(partitions);
            return out;
        }).thenApply(topics -> {
            OffsetForLeaderEpochResponseData data = new OffsetForLeaderEpochResponseData();
            data.topics().addAll(topics);
            return new OffsetsForLeaderEpochResponse(data);
        });
    }

    // ---- DescribeConfigs ------------------------------------------------------------------------

    CompletionStage<DescribeConfigsResponse> describeConfigs(DescribeConfigsRequest request) {
        List<CompletableFuture<DescribeConfigsResult>> results = new ArrayList<>();
        boolean typed = request.version() >= TYPE_IN_DESCRIBE_CONFIGS;
        for (DescribeConfigsResource resource : request.data().resources()) {
            DescribeConfigsResult out = new DescribeConfigsResult().setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            if (resource.resourceType() != ConfigResource.Type.TOPIC.id()) {
                // A broker's configs are Strata's own settings, not Kafka's: none are reported.
                results.add(CompletableFuture.completedFuture(out));
                continue;
            }
            CompletionStage<Topic> topic;
            try {
                topic = bus.topic(resource.resourceName());
            } catch (RuntimeException e) {
                topic = CompletableFuture.failedFuture(e);
            }
            results.add(topic.handle((found, failure) -> {
                if (failure != null) {
                    ApiException error = apiError(failure);
                    return out.setErrorCode(Errors.forException(error).code()).setErrorMessage(error.getMessage());
                }
                configsOf(found.retention()).forEach((key, value) -> {
                    if (resource.configurationKeys() == null || resource.configurationKeys().contains(key)) {
                        DescribeConfigsResourceResult config = new DescribeConfigsResourceResult().setName(key).setValue(value)
                                .setReadOnly(false).setIsSensitive(false)
                                .setConfigSource(DescribeConfigsResponse.ConfigSource.TOPIC_CONFIG.id());
                        out.configs().add(typed ? config.setConfigType(DescribeConfigsResponse.ConfigType.LONG.id()) : config);
                    }
                });
                return out;
            }).toCompletableFuture());
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(done -> {
            DescribeConfigsResponseData data = new DescribeConfigsResponseData();
            results.forEach(r -> data.results().add(r.join()));
            return new DescribeConfigsResponse(data);
        });
    }

    /** A topic's retention as Kafka's configs: -1 for no limit. */
    private static Map<String, String> configsOf(Retention retention) {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.time().isZero() ? -1 : retention.time().toMillis()));
        configs.put(TopicConfig.RETENTION_BYTES_CONFIG, Long.toString(retention.bytes() == 0 ? -1 : retention.bytes()));
        return configs;
    }

    /**
     * Answers every partition of every topic of a request at once, each with {@code answer} (which
     * completes normally, its error in the result), and completes with the topics' results, each
     * made by {@code topicResult} from its partitions' in the request's order.
     */
    private static <T, P, R, TR> CompletableFuture<List<TR>> eachPartition(Collection<T> topics,
                                                                           Function<T, ? extends Collection<P>> partitionsOf,
                                                                           BiFunction<T, P, CompletionStage<R>> answer,
                                                                           BiFunction<T, List<R>, TR> topicResult) {
        List<CompletableFuture<TR>> results = new ArrayList<>();
        for (T topic : topics) {
            List<CompletableFuture<R>> partitions = new ArrayList<>();
            for (P partition : partitionsOf.apply(topic)) {
                partitions.add(answer.apply(topic, partition).toCompletableFuture());
            }
            results.add(CompletableFuture.allOf(partitions.toArray(CompletableFuture[]::new))
                    .thenApply(done -> topicResult.apply(topic, partitions.stream().map(CompletableFuture::join).toList())));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(done -> results.stream().map(CompletableFuture::join).toList());
    }

    /** {@code call}'s stage, or a failed one when it throws (a refusal of bad input is thrown at once). */
    private static <R> CompletionStage<R> attempt(Supplier<CompletionStage<R>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static ApiException apiError(Throwable failure) {
        Throwable cause = Futures.unwrap(failure);
        if (cause instanceof ApiException api) {
            return api;
        }
        if (cause instanceof StrataException refused && refused.code().equals("invalid_partitions")) {
            return new InvalidPartitionsException(refused.getMessage());
        }
        return KafkaErrors.of(cause);
    }
}
