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
 * has asked for more than what it holds, and once caught up with the partition's end each read
 * waits up to the poll interval for the next record (a long poll: a record is delivered as soon as
 * it is appended), for ever. A slow consumer therefore makes it hold at most one
 * batch, never a growing buffer. Where retention has deleted its next offset it continues from the
 * partition's first retained record.
 */
public final class PartitionStream {

    /**
     * Reads up to {@code max} records from {@code offset} (or {@link TopicPartition#EARLIEST} /
     * {@link TopicPartition#LATEST}); at the partition's end it may wait up to {@code maxWait} for one.
     */
    @FunctionalInterface
    public interface Reader {
        CompletionStage<TopicPartition.Records> read(long offset, int max, Duration maxWait);
    }

    private PartitionStream() {}

    /** The stream of {@code topic}'s {@code partition} from {@code offset}, read through {@code bus}. */
    public static Source<BusRecord, NotUsed> of(BusStore bus, String topic, int partition, long offset,
                                                GroupSettings settings, ActorSystem<?> system) {
        return create((from, max, wait) -> bus.read(topic, partition, from, max, wait), offset, settings.streamBatchRecords(),
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
     * about {@code pollInterval} when there was nothing new (the read waited that long, or, from a
     * reader that cannot wait, the stream does).
     */
    public static Source<TopicPartition.Records, NotUsed> batches(Reader reader, long offset, int batch, Duration pollInterval,
                                                                 ActorSystem<?> system) {
        return Source.unfoldAsync(offset, from -> {
            long started = System.nanoTime();
            return readOrRestart(reader, from, batch, pollInterval).thenCompose(records -> {
                Optional<Pair<Long, TopicPartition.Records>> next = Optional.of(Pair.create(records.nextOffset(), records));
                Duration waited = Duration.ofNanos(System.nanoTime() - started);
                if (!records.isEmpty() || waited.compareTo(pollInterval.dividedBy(2)) >= 0) {
                    return CompletableFuture.completedFuture(next);
                }
                CompletableFuture<Optional<Pair<Long, TopicPartition.Records>>> later = new CompletableFuture<>();
                system.scheduler().scheduleOnce(pollInterval.minus(waited), () -> later.complete(next), system.executionContext());
                return later;
            });
        });
    }

    private static CompletionStage<TopicPartition.Records> readOrRestart(Reader reader, long from, int batch, Duration maxWait) {
        return reader.read(from, batch, maxWait).toCompletableFuture().exceptionallyCompose(failure -> {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof StrataException e && e.code().equals("offset_out_of_range") && from >= 0) {
                return reader.read(TopicPartition.EARLIEST, batch, maxWait).toCompletableFuture();
            }
            return CompletableFuture.failedFuture(cause);
        });
    }
}
