package io.strata.node.log;

import io.strata.node.common.StrataException;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a partition log knows of its idempotent producers, as Kafka's {@code ProducerStateManager}
 * keeps it: per producer id, its epoch and the sequence numbers and offsets of its last
 * {@value #BATCHES_KEPT} batches. A batch a producer sends again (a retry after a lost answer) is
 * found here and not appended twice; a batch whose sequence does not follow on is refused, so
 * nothing is lost or reordered unnoticed.
 *
 * <p>Rebuilt at open from the stored batch headers, trimmed on truncation. Producers idle for
 * {@link #EXPIRY_MILLIS} are forgotten (Kafka's {@code producer.id.expiration.ms}); a forgotten
 * producer's next batch is accepted whatever its sequence, as Kafka does.
 *
 * <p>Not thread-safe: the log's writer owns it.
 */
final class ProducerStateTable {

    /** Batches remembered per producer: a producer has at most five requests in flight. */
    static final int BATCHES_KEPT = 5;
    /** A producer not heard from for a day is forgotten. */
    static final long EXPIRY_MILLIS = 24L * 3600 * 1000;
    private static final int EXPIRY_SWEEP_EVERY = 10_000;

    /** A stored batch of a producer: its sequence numbers and offsets. */
    record BatchMetadata(int firstSequence, int lastSequence, long firstOffset, long lastOffset) {}

    private static final class Producer {
        short epoch;
        final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>(BATCHES_KEPT);
        long lastAppendMillis;

        int lastSequence() {
            return batches.isEmpty() ? RecordBatch.NO_SEQUENCE : batches.peekLast().lastSequence();
        }

        void add(BatchMetadata batch, long nowMillis) {
            if (batches.size() == BATCHES_KEPT) {
                batches.removeFirst();
            }
            batches.addLast(batch);
            lastAppendMillis = nowMillis;
        }
    }

    private final Map<Long, Producer> producers = new HashMap<>();
    private int appendsSinceSweep;

    /**
     * Checks the batches of one append, in order, against the producers' state. Returns the first
     * batch that was stored before (a retry), which the append must answer with instead of
     * writing anything; empty when every batch is new and in sequence.
     *
     * @throws StrataException {@code invalid_producer_epoch} for an epoch below the producer's,
     *     {@code out_of_order_sequence} for a sequence that does not follow the producer's last
     */
    Optional<BatchMetadata> check(List<? extends RecordBatch> batches) {
        if (!anyFromAProducer(batches)) {
            // The stores' own appends (KV, tables, HTTP produce): nothing to check, nothing to allocate.
            return Optional.empty();
        }
        Map<Long, int[]> lastSequences = new HashMap<>();
        Map<Long, Short> epochs = new HashMap<>();
        for (RecordBatch batch : batches) {
            if (!batch.hasProducerId()) {
                continue;
            }
            long id = batch.producerId();
            Producer known = producers.get(id);
            short epoch = epochs.getOrDefault(id, known == null ? RecordBatch.NO_PRODUCER_EPOCH : known.epoch);
            if (batch.producerEpoch() < epoch) {
                throw new StrataException(StrataException.Kind.CONFLICT, "invalid_producer_epoch", "producer " + id
                        + " has epoch " + batch.producerEpoch() + ", below its current epoch " + epoch
                        + " (a newer instance of the producer took over)");
            }
            if (known != null && batch.producerEpoch() == known.epoch && !lastSequences.containsKey(id)) {
                for (BatchMetadata stored : known.batches) {
                    if (stored.firstSequence() == batch.baseSequence() && stored.lastSequence() == batch.lastSequence()) {
                        return Optional.of(stored);
                    }
                }
            }
            int lastSequence = lastSequences.containsKey(id) ? lastSequences.get(id)[0]
                    : known == null ? RecordBatch.NO_SEQUENCE : known.lastSequence();
            if (batch.producerEpoch() != epoch) {
                // A new epoch starts its sequences at 0; a producer the log does not know may start anywhere.
                if (epoch != RecordBatch.NO_PRODUCER_EPOCH && batch.baseSequence() != 0) {
                    throw outOfOrder(id, batch.baseSequence(), 0);
                }
            } else if (!inSequence(lastSequence, batch.baseSequence())) {
                throw outOfOrder(id, batch.baseSequence(), lastSequence + 1L);
            }
            lastSequences.put(id, new int[] {batch.lastSequence()});
            epochs.put(id, batch.producerEpoch());
        }
        return Optional.empty();
    }

    private static boolean anyFromAProducer(List<? extends RecordBatch> batches) {
        for (RecordBatch batch : batches) {
            if (batch.hasProducerId()) {
                return true;
            }
        }
        return false;
    }

    /** Records a batch stored at {@code firstOffset..lastOffset} (an append, or a batch read back at open). */
    void stored(long producerId, short epoch, int baseSequence, long firstOffset, long lastOffset, long nowMillis) {
        if (producerId == RecordBatch.NO_PRODUCER_ID) {
            return;
        }
        Producer producer = producers.computeIfAbsent(producerId, id -> new Producer());
        if (epoch != producer.epoch) {
            producer.epoch = epoch;
            producer.batches.clear();
        }
        int lastSequence = DefaultRecordBatch.incrementSequence(baseSequence, (int) (lastOffset - firstOffset));
        producer.add(new BatchMetadata(baseSequence, lastSequence, firstOffset, lastOffset), nowMillis);
        if (++appendsSinceSweep >= EXPIRY_SWEEP_EVERY) {
            appendsSinceSweep = 0;
            producers.values().removeIf(p -> nowMillis - p.lastAppendMillis > EXPIRY_MILLIS);
        }
    }

    /** Forgets the batches from {@code offset} on (the log was cut back there). */
    void truncateFrom(long offset) {
        for (Iterator<Producer> it = producers.values().iterator(); it.hasNext(); ) {
            Producer producer = it.next();
            producer.batches.removeIf(batch -> batch.lastOffset() >= offset);
            if (producer.batches.isEmpty()) {
                it.remove();
            }
        }
    }

    /** How many producers the table holds. */
    int size() {
        return producers.size();
    }

    private static boolean inSequence(int lastSequence, int nextSequence) {
        return nextSequence == lastSequence + 1L || (nextSequence == 0 && lastSequence == Integer.MAX_VALUE);
    }

    private static StrataException outOfOrder(long producerId, int found, long expected) {
        return new StrataException(StrataException.Kind.CONFLICT, "out_of_order_sequence", "producer " + producerId
                + " sent sequence number " + found + " where " + expected + " was expected");
    }
}
