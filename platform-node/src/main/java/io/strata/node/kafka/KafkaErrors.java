package io.strata.node.kafka;

import io.strata.node.common.Futures;
import io.strata.node.common.StrataException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Kafka's error for a failure of the bus: a {@link StrataException}'s code becomes the error a
 * Kafka broker gives in the same case, with the message kept, so clients retry, refresh their
 * metadata or fail exactly as they would against Kafka.
 */
final class KafkaErrors {

    private KafkaErrors() {}

    /** The Kafka exception (whose {@code Errors} code goes on the wire) for {@code failure}. */
    static ApiException of(Throwable failure) {
        Throwable cause = Futures.unwrap(failure);
        if (!(cause instanceof StrataException refused)) {
            return new UnknownServerException(String.valueOf(cause.getMessage()));
        }
        String message = refused.getMessage();
        return switch (refused.code()) {
            case "topic_not_found", "invalid_partition" -> new UnknownTopicOrPartitionException(message);
            case "invalid_topic" -> new InvalidTopicException(message);
            case "offset_out_of_range" -> new OffsetOutOfRangeException(message);
            case "out_of_order_sequence" -> new OutOfOrderSequenceException(message);
            case "invalid_producer_epoch" -> new InvalidProducerEpochException(message);
            case "invalid_record_batch" -> new CorruptRecordException(message);
            case "record_batch_too_large", "record_too_large" -> new RecordTooLargeException(message);
            // A partition on another node, or one moving between nodes: the client finds its leader again.
            case "not_leader", "partition_moving" -> new NotLeaderOrFollowerException(message);
            // Its home is down: like a Kafka partition without a leader, retried once the home is back.
            case "partition_unavailable" -> new LeaderNotAvailableException(message);
            case "timeout" -> new TimeoutException(message);
            case "storage_full", "storage_unavailable" -> new KafkaStorageException(message);
            default -> new UnknownServerException(refused.code() + ": " + message);
        };
    }
}
