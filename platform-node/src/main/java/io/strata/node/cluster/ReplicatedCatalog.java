package io.strata.node.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.node.common.Futures;
import io.strata.node.common.StrataException;
import io.strata.node.storage.CatalogStore;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** One kind's catalog in a cluster: this node's copy of the replicated map, kept current by subscription. See {@link ReplicatedCatalogs}. */
final class ReplicatedCatalog<T> implements CatalogStore<T> {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedCatalog.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ActorSystem<?> system;
    private final ActorRef<Replicator.Command> replicator;
    private final ActorRef<CatalogWriter.Command> writer;
    private final String kind;
    private final Key<LWWMap<String, String>> key;
    private final Class<T> type;
    private final Function<T, String> nameOf;
    private final Duration timeout;
    private final Map<String, T> items = new ConcurrentHashMap<>();

    ReplicatedCatalog(ActorSystem<?> system, ActorRef<Replicator.Command> replicator, ActorRef<CatalogWriter.Command> writer,
                      String kind, Class<T> type, Function<T, String> nameOf, Duration timeout) {
        this.system = system;
        this.replicator = replicator;
        this.writer = writer;
        this.kind = kind;
        this.key = CatalogWriter.key(kind);
        this.type = type;
        this.nameOf = nameOf;
        this.timeout = timeout;
        ActorRef<Replicator.SubscribeResponse<LWWMap<String, String>>> subscriber =
                system.systemActorOf(subscriber(), "strata-catalog-" + kind, Props.empty());
        replicator.tell(new Replicator.Subscribe<>(key, subscriber));
    }

    private Behavior<Replicator.SubscribeResponse<LWWMap<String, String>>> subscriber() {
        return Behaviors.receive((context, response) -> {
            if (response instanceof Replicator.Changed<LWWMap<String, String>> changed) {
                replaceWith(changed.dataValue());
            }
            return Behaviors.same();
        });
    }

    @Override
    public CompletionStage<Optional<T>> get(String name) {
        Optional<T> item = peek(name);
        if (item.isPresent()) {
            return CompletableFuture.completedFuture(item);
        }
        // This node's copy may lag a change made through another node: ask a majority before saying no.
        return getConfirmed(name);
    }

    @Override
    public CompletionStage<Optional<T>> getConfirmed(String name) {
        return refresh().thenApply(read -> peek(name));
    }

    @Override
    public Optional<T> peek(String name) {
        return Optional.ofNullable(items.get(name));
    }

    @Override
    public List<T> list() {
        List<T> all = new ArrayList<>(items.values());
        all.sort(Comparator.comparing(nameOf));
        return all;
    }

    @Override
    public CompletionStage<T> putIfAbsent(T item) {
        String name = nameOf.apply(item);
        return write(name, encode(item)).thenApply(result -> switch (result.outcome()) {
            case STORED -> {
                items.put(name, item);
                yield item;
            }
            case EXISTS -> {
                T existing = decode(result.detail());
                items.put(name, existing);
                yield existing;
            }
            default -> throw unavailable(result.detail());
        });
    }

    @Override
    public CompletionStage<Boolean> remove(String name) {
        return write(name, "").thenApply(result -> switch (result.outcome()) {
            case REMOVED, ABSENT -> {
                items.remove(name);
                yield result.outcome() == CatalogWriter.Outcome.REMOVED;
            }
            default -> throw unavailable(result.detail());
        });
    }

    /**
     * Reads the catalog from a majority of the nodes into this node's copy; fails with
     * {@code catalog_unavailable} when they do not answer in time.
     */
    CompletionStage<Void> refresh() {
        return answer(AskPattern.<Replicator.Command, Replicator.GetResponse<LWWMap<String, String>>>ask(replicator,
                        replyTo -> new Replicator.Get<>(key, new Replicator.ReadMajority(timeout), replyTo),
                        timeout.plusSeconds(1), system.scheduler()))
                .thenAccept(response -> {
                    if (response instanceof Replicator.GetSuccess<LWWMap<String, String>> success) {
                        replaceWith(success.dataValue());
                    } else if (response instanceof Replicator.NotFound<LWWMap<String, String>>) {
                        replaceWith(LWWMap.create());
                    } else {
                        throw unavailable("the " + kind + " catalog could not be read from a majority of the nodes");
                    }
                });
    }

    private CompletionStage<CatalogWriter.Result> write(String name, String itemJson) {
        return answer(AskPattern.<CatalogWriter.Command, CatalogWriter.Result>ask(writer,
                        replyTo -> new CatalogWriter.Write(kind, name, itemJson, replyTo),
                        timeout.multipliedBy(2).plusSeconds(1), system.scheduler()))
                .thenCompose(result -> {
                    if (result.outcome() == CatalogWriter.Outcome.STORED || result.outcome() == CatalogWriter.Outcome.REMOVED) {
                        // Read the change back from a majority, so this node's copy has it before the caller goes on.
                        return refresh().thenApply(read -> result);
                    }
                    return CompletableFuture.completedFuture(result);
                });
    }

    /**
     * {@code ask} completed on the thread that answers it (see {@link Futures#direct}), its failures
     * as {@code catalog_unavailable}; the ask's own timeout bounds the wait.
     */
    private <R> CompletableFuture<R> answer(CompletionStage<R> ask) {
        return Futures.direct(ask).exceptionally(failure -> {
            Throwable cause = Futures.unwrap(failure);
            if (cause instanceof StrataException strata) {
                throw strata;
            }
            throw unavailable("the " + kind + " catalog did not answer: " + cause);
        });
    }

    private synchronized void replaceWith(LWWMap<String, String> map) {
        Map<String, T> decoded = new HashMap<>();
        map.getEntries().forEach((name, json) -> {
            try {
                decoded.put(name, decode(json));
            } catch (RuntimeException e) {
                LOG.error("{} '{}' in the replicated catalog is unreadable, left out: {}", kind, name, e.getMessage());
            }
        });
        items.keySet().retainAll(decoded.keySet());
        items.putAll(decoded);
    }

    private String encode(T item) {
        try {
            return JSON.writeValueAsString(item);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + kind + " as JSON", e);
        }
    }

    private T decode(String json) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable " + kind + ": " + e.getOriginalMessage(), e);
        }
    }

    private static StrataException unavailable(String message) {
        return new StrataException(StrataException.Kind.UNAVAILABLE, "catalog_unavailable", message);
    }
}
