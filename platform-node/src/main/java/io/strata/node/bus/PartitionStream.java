package io.strata.node.bus;

import io.strata.node.bus.proto.BusRecord;
import io.strata.node.common.StrataException;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One partition's records as a live, demand-driven stream: it reads a batch only when downstream
 * has asked for more than what it holds, and once caught up with the partition's end it waits the
 * poll interval and reads again, for ever. A slow consumer therefore makes it hold at most one
 * batch, never a growing buffer. Where retention has deleted its next offset it continues from the
 * partition's first retained record.
 */
public final class PartitionStream {

    /** Reads up to {@code max} records from {@code offset} (or {@link TopicPartition#EARLIEST} / {@link TopicPartition#LATEST}). */
    @FunctionalInterface
    public interface Reader {
        CompletionStage<TopicPartition.Records> read(long offset, int max);
    }

    private PartitionStream() {}

    /** The stream of {@code topic}'s {@code partition} from {@code offset}, read through {@code bus}. */
    public static Source<BusRecord, NotUsed> of(BusStore bus, String topic, int partition, long offset,
                                                GroupSettings settings, ActorSystem<?> system) {
        return create((from, max) -> bus.read(topic, partition, from, max), offset, settings.streamBatchRecords(),
                settings.streamPollInterval(), system);
    }

    /** The stream of what {@code reader} reads from {@code offset}, {@code batch} records at a time. */
    public static Source<BusRecord, NotUsed> create(Reader reader, long offset, int batch, Duration pollInterval,
                                                    ActorSystem<?> system) {
        return batches(reader, offset, batch, pollInterval, system).mapConcat(TopicPartition.Records::records);
    }

    /**
     * The reads themselves, one element per read: a batch of records with the partition's offsets
     * at that moment, so a reader can tell whether it has caught up; an empty batch comes after
     * {@code pollInterval} when there was nothing new.
     */
    public static Source<TopicPartition.Records, NotUsed> batches(Reader reader, long offset, int batch, Duration pollInterval,
                                                                 ActorSystem<?> system) {
        return Source.unfoldAsync(offset, from -> readOrRestart(reader, from, batch).thenCompose(records -> {
            Optional<Pair<Long, TopicPartition.Records>> next = Optional.of(Pair.create(records.nextOffset(), records));
            if (!records.records().isEmpty()) {
                return CompletableFuture.completedFuture(next);
            }
            CompletableFuture<Optional<Pair<Long, TopicPartition.Records>>> later = new CompletableFuture<>();
            system.scheduler().scheduleOnce(pollInterval, () -> later.complete(next), system.executionContext());
            return later;
        }));
    }

    private static CompletionStage<TopicPartition.Records> readOrRestart(Reader reader, long from, int batch) {
        return reader.read(from, batch).toCompletableFuture().exceptionallyCompose(failure -> {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof StrataException e && e.code().equals("offset_out_of_range") && from >= 0) {
                return reader.read(TopicPartition.EARLIEST, batch).toCompletableFuture();
            }
            return CompletableFuture.failedFuture(cause);
        });
    }
}
