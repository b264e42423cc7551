package io.strata.dataflow.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.dataflow.store.StrataClient;
import io.strata.dataflow.store.StrataClient.BusRecord;

import java.util.AbstractMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A service of a bus chain: the entry does its work, produces the request to the first topic and
 * answers 202 {@code accepted} once the bus has it durably; every other service consumes the topic
 * before it in its own consumer group, works on each record and produces it to its own topic, then
 * commits. The last one also stores the result in the KV store; its topic is where completions
 * appear.
 *
 * <p>A record that fails is retried (each retry is the next attempt, a fresh draw of the faults)
 * until it passes: on a bus, failures delay work instead of losing it. A down service stops
 * consuming and its topic's lag grows; it catches up from its committed offsets when it returns.
 * Delivery is at least once, so a completion may appear twice; the experiment counts ids.
 */
public final class BusService extends ChainService {

    public static final int PARTITIONS = 4;
    static final String RETENTION = "1h";
    private static final int MAX_POLL = 200;

    BusService(ChainSettings settings, int index, StrataClient store) {
        super(settings, index, store);
    }

    /** The topic service {@code index} of the run produces to; the last one's is where completions appear. */
    static String topic(ChainSettings settings, int index) {
        return settings.runId() + ".s" + index;
    }

    private String group() {
        return settings.runId() + ".g" + index;
    }

    @Override
    protected void startWork() {
        if (index > 0) {
            loop(this::consumeOnce);
        }
    }

    @Override
    protected CompletableFuture<ObjectNode> process(ObjectNode request, long id, long attempt) {
        return admit(id, attempt).thenCompose(ignored -> {
            Work.apply(request, index, settings.hops(), name);
            CompletableFuture<Void> stored = isLast() ? Results.store(this, request, id) : CompletableFuture.completedFuture(null);
            return stored.thenCompose(done -> storeCall(id, 1, () -> store.produce(topic(settings, 0),
                    List.of(new AbstractMap.SimpleEntry<>(Long.toString(id), (JsonNode) request)))));
        }).thenApply(produced -> {
            ObjectNode answer = request.objectNode().put("accepted", true).put("id", id);
            answer.put("topic", topic(settings, 0));
            return answer;
        });
    }

    /** One poll: works on every record, produces the results to this service's topic, then commits. */
    private CompletableFuture<Boolean> consumeOnce() {
        String input = topic(settings, index - 1);
        return store.poll(group(), input, name, MAX_POLL).thenCompose(poll -> {
            List<BusRecord> records = poll.records();
            if (records.isEmpty()) {
                return CompletableFuture.completedFuture(false);
            }
            List<CompletableFuture<Map.Entry<String, JsonNode>>> worked = records.stream().map(this::workOn).toList();
            return CompletableFuture.allOf(worked.toArray(CompletableFuture[]::new))
                    .thenCompose(ignored -> produceUntilDone(worked.stream().map(CompletableFuture::join).toList()))
                    .thenCompose(ignored -> store.commit(group(), input, name, nextOffsets(records))
                            // A commit refused because the group moved on (a long outage expired this member) is not
                            // an error here: the new owner re-reads from the committed offset, at least once.
                            .exceptionally(failure -> null))
                    .thenApply(ignored -> true);
        });
    }

    private CompletableFuture<Map.Entry<String, JsonNode>> workOn(BusRecord record) {
        ObjectNode request = (ObjectNode) record.value();
        long id = request.path("id").asLong();
        handled.increment();
        return passEventually(id, 1).thenCompose(attempts -> {
            Work.apply(request, index, settings.hops(), name);
            CompletableFuture<Void> stored = isLast() ? Results.store(this, request, id) : CompletableFuture.completedFuture(null);
            return stored.thenApply(done -> new AbstractMap.SimpleEntry<>(Long.toString(id), (JsonNode) request));
        });
    }

    /** Retries a record until an attempt passes the faults; completes with the number of attempts. */
    private CompletableFuture<Long> passEventually(long id, long attempt) {
        return pass(id, attempt).thenCompose(fails -> !fails ? CompletableFuture.completedFuture(attempt)
                : Delays.after(settings.pollInterval().toNanos()).thenCompose(ignored -> passEventually(id, attempt + 1)));
    }

    private CompletableFuture<Void> produceUntilDone(List<Map.Entry<String, JsonNode>> results) {
        return storeCall(results.size(), 1, () -> store.produce(topic(settings, index), results))
                .handle((count, failure) -> failure == null || !running ? CompletableFuture.<Void>completedFuture(null)
                        : Delays.after(settings.pollInterval().toNanos()).thenCompose(ignored -> produceUntilDone(results)))
                .thenCompose(next -> next);
    }

    private static Map<Integer, Long> nextOffsets(List<BusRecord> records) {
        Map<Integer, Long> next = new HashMap<>();
        for (BusRecord record : records) {
            next.merge(record.partition(), record.offset() + 1, Math::max);
        }
        return next;
    }

    @Override
    public CompletableFuture<Long> backlog() {
        if (index == 0) {
            return CompletableFuture.completedFuture(0L);
        }
        // A group that has not polled yet has no lag to show; its topic's whole content waits for it.
        return store.lag(group()).exceptionally(failure -> 0L);
    }
}
