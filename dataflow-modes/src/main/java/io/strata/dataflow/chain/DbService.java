package io.strata.dataflow.chain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.dataflow.store.StrataClient;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * A service of a db chain: the services share the node's KV store and talk only through it
 * ({@link DbQueue}). The entry does its work, writes the request into the first stage and waits
 * until the result appears in the last one, up to the entry timeout; every other service polls
 * the stage before it, works on what it finds and writes into its own. A service that fails a
 * record writes it on marked failed, so the entry can answer with the failure; a down service
 * stops polling, and the work waits in the store.
 */
final class DbService extends ChainService {

    /** Workers never abandon a record: the entry may have stopped waiting, but the result still counts as completed. */
    private static final CompletableFuture<Void> NOT_ABANDONED = new CompletableFuture<>();

    private final DbQueue input;
    private final DbQueue output;
    /** The entry only: the last stage, where results appear. */
    private final DbQueue results;
    private final Map<Long, CompletableFuture<ObjectNode>> waiting = new ConcurrentHashMap<>();
    private final LongAdder completed = new LongAdder();
    private long polls;

    DbService(ChainSettings settings, int index, StrataClient store) {
        super(settings, index, store);
        this.input = index == 0 ? null : new DbQueue(this, store, index - 1);
        this.output = new DbQueue(this, store, index);
        // The entry watches for results through a pool of its own, so the watch never waits behind its writes.
        this.results = index == 0 ? new DbQueue(this, store.separatePool(), settings.hops() - 1) : null;
    }

    @Override
    protected void startWork() {
        if (input != null) {
            loop(this::workOnInput);
        } else {
            loop(this::collectResults);
        }
    }

    @Override
    protected CompletableFuture<ObjectNode> process(ObjectNode request, long id, long attempt) {
        return admit(id, attempt).thenCompose(ignored -> {
            Work.apply(request, index, settings.hops(), name);
            request.put("status", "ok");
            CompletableFuture<ObjectNode> result = new CompletableFuture<>();
            waiting.put(id, result);
            output.append(id, request, result).whenComplete((stored, failure) -> {
                if (failure != null) {
                    result.completeExceptionally(failure);
                }
            });
            return result.orTimeout(settings.entryTimeout().toNanos(), TimeUnit.NANOSECONDS)
                    .handle((done, failure) -> {
                        waiting.remove(id);
                        if (failure != null) {
                            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                            if (cause instanceof TimeoutException) {
                                throw new HopFailure(504, "timeout", name + ": the result did not appear in the store within "
                                        + io.strata.dataflow.fault.Durations.format(settings.entryTimeout()));
                            }
                            throw HopFailure.of(failure);
                        }
                        if (!"ok".equals(done.path("status").asText())) {
                            throw new HopFailure(500, done.path("error").asText("failed"),
                                    name + ": failed at " + done.path("failed_at").asText("?") + " (seen in the store)");
                        }
                        return done;
                    });
        });
    }

    /** One poll of the stage before: works on each record found and writes it into this service's stage. */
    private CompletableFuture<Boolean> workOnInput() {
        return input.poll(polls++).thenCompose(records -> {
            if (records.isEmpty()) {
                return CompletableFuture.completedFuture(false);
            }
            return CompletableFuture.allOf(records.stream().map(this::workOn).toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> true);
        });
    }

    private CompletableFuture<Void> workOn(ObjectNode record) {
        long id = record.path("id").asLong();
        handled.increment();
        if (!"ok".equals(record.path("status").asText())) {
            record.withArray("trail").add(name);
            return output.append(id, record, NOT_ABANDONED);
        }
        return pass(id, 1).thenCompose(fails -> {
            if (fails) {
                record.put("status", "failed").put("error", "injected_fault").put("failed_at", name);
                record.withArray("trail").add(name);
            } else {
                Work.apply(record, index, settings.hops(), name);
            }
            return output.append(id, record, NOT_ABANDONED);
        });
    }

    /** The entry's watch over the last stage: completes the requests whose results appeared. */
    private CompletableFuture<Boolean> collectResults() {
        return results.poll(polls++).thenApply(records -> {
            for (ObjectNode record : records) {
                completed.increment();
                CompletableFuture<ObjectNode> waiter = waiting.get(record.path("id").asLong());
                if (waiter != null) {
                    waiter.complete(record);
                }
            }
            return !records.isEmpty();
        });
    }

    /** The entry only: results that appeared in the last stage, including those its callers stopped waiting for. */
    long completed() {
        return completed.sum();
    }

    @Override
    public CompletableFuture<Long> backlog() {
        return input == null ? results.backlog() : input.backlog();
    }

    @Override
    protected void addStats(ObjectNode stats) {
        if (index == 0) {
            stats.put("waiting", waiting.size()).put("completed", completed.sum());
        }
    }

    List<Long> waitingIds() {
        return List.copyOf(waiting.keySet());
    }
}
