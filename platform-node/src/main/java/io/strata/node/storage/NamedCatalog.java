package io.strata.node.storage;

import io.strata.node.common.Futures;
import io.strata.node.common.Names;
import io.strata.node.common.StrataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A durable catalog of named things of one kind (keyspaces, topics, tables), with the refusals
 * every such catalog gives: invalid names ({@code invalid_<kind>}), unknown names
 * ({@code <kind>_not_found}), different settings under an existing name ({@code <kind>_exists}),
 * and storage failures ({@code storage_unavailable}). Thread-safe; what may wait on a file or on
 * other nodes returns a stage, and a refusal of the input itself (an invalid name) is thrown at once.
 *
 * @param <T> an immutable item type Jackson can read and write (a record)
 */
public class NamedCatalog<T> {

    private static final Logger LOG = LoggerFactory.getLogger(NamedCatalog.class);

    private final CatalogStore<T> catalog;
    private final String kind;
    private final int maxNameLength;
    /** Names this node is deleting: not made again until the deletion is done. */
    private final Set<String> deleting = ConcurrentHashMap.newKeySet();
    /** Directories of names that were on disk at start, not yet checked against the catalog. */
    private final Map<String, Path> unchecked = new ConcurrentHashMap<>();
    private volatile Consumer<Path> deleteUnlisted = path -> {};
    /** Where {@link #deleteUnlisted} runs; set with it, before any directory is unchecked. */
    private volatile Executor cleanupIo = Runnable::run;

    protected NamedCatalog(CatalogStores stores, Path localFile, Class<T> type, Function<T, String> nameOf, String kind,
                           int maxNameLength) {
        this.catalog = stores.open(kind, localFile, type, nameOf);
        this.kind = kind;
        this.maxNameLength = maxNameLength;
    }

    /** Checks a name: 1..max letters, digits, '_', '.', '-', starting with a letter or digit. */
    public void validateName(String name) {
        Names.validate(kind, name, maxNameLength);
    }

    /** The item called {@code name}; may ask other nodes about a name this node does not know. */
    public CompletionStage<Optional<T>> get(String name) {
        return catalog.get(name);
    }

    /** The item called {@code name} as this node knows it, without waiting (see {@link CatalogStore#peek}). */
    public Optional<T> peek(String name) {
        return catalog.peek(name);
    }

    /**
     * The item called {@code name} as a majority of the cluster's nodes know it (see
     * {@link CatalogStore#getConfirmed}). Blocks: only for the blocking-I/O executor, where a
     * partition checks that its item exists before it opens its files.
     */
    public Optional<T> awaitConfirmed(String name) {
        return Futures.join(catalog.getConfirmed(name));
    }

    /** The item called {@code name}, or {@code <kind>_not_found} (404); an invalid name is refused at once. */
    public CompletionStage<T> require(String name) {
        validateName(name);
        return get(name).thenApply(item -> item.orElseThrow(() -> new StrataException(StrataException.Kind.NOT_FOUND,
                kind + "_not_found", kind + " '" + name + "' does not exist")));
    }

    /** All items of this node's copy, by name. */
    public List<T> list() {
        return catalog.list();
    }

    /**
     * Adds {@code wanted}, or completes with the existing item of its name when it equals it.
     * Fails with {@code <kind>_exists} (409) when an item of that name exists with other settings,
     * {@code storage_full} / {@code storage_unavailable} when it cannot be stored; a name being
     * deleted is refused at once ({@code <kind>_being_deleted}).
     */
    protected CompletionStage<T> createOrGet(String name, T wanted, Function<T, String> describeExisting) {
        return createOrGet(name, wanted, describeExisting, Object::equals);
    }

    /**
     * As {@link #createOrGet(String, Object, Function)}, the existing entry taken when {@code same}
     * says it is as good as the wanted one.
     */
    protected CompletionStage<T> createOrGet(String name, T wanted, Function<T, String> describeExisting, BiPredicate<T, T> same) {
        refuseWhileDeleting(name);
        return removeIfUnlisted(name)
                .thenCompose(removed -> catalog.putIfAbsent(wanted))
                .handle((stored, failure) -> {
                    if (failure != null) {
                        throw refusal(failure, kind + " '" + name + "' could not be stored");
                    }
                    if (!same.test(stored, wanted)) {
                        throw new StrataException(StrataException.Kind.CONFLICT, kind + "_exists",
                                kind + " '" + name + "' exists with other settings (" + describeExisting.apply(stored) + ")");
                    }
                    return stored;
                });
    }

    /** A failure of the catalog's storage as the refusal callers get; Strata's own refusals as they are. */
    private static RuntimeException refusal(Throwable failure, String what) {
        Throwable cause = Futures.unwrap(failure);
        if (cause instanceof UncheckedIOException io) {
            return DiskSpace.refusal(what, io);
        }
        return cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
    }

    /**
     * Deletes, with {@code delete}, the directories in {@code dir} named after items no longer in
     * this catalog: what a deletion cut short by a crash, or made while this node was down, left
     * behind. Runs once {@code ready} completes (the catalog as fresh as this node can make it): at
     * once when it has, else later on {@code blockingIo}; when it fails they stay until a later start.
     * A name made again before then has its old directory deleted first, so it starts empty.
     */
    public void removeUnlisted(Path dir, CompletionStage<Void> ready, Executor blockingIo, Consumer<Path> delete) {
        deleteUnlisted = delete;
        cleanupIo = blockingIo;
        DataLayout.namedDirectories(dir).forEach(named -> unchecked.put(named.getFileName().toString(), named));
        // Blocking (it may wait for the catalog): at node start, or on blockingIo.
        Runnable remove = () -> List.copyOf(unchecked.keySet()).forEach(name -> removeIfUnlisted(name, Futures.join(get(name))));
        CompletableFuture<Void> catalogReady = ready.toCompletableFuture();
        if (catalogReady.isDone() && !catalogReady.isCompletedExceptionally()) {
            // Called at node start, before any door is bound: done before this returns, so no request races it.
            remove.run();
        } else {
            catalogReady.thenRunAsync(remove, blockingIo).exceptionally(failure -> {
                LOG.warn("files of deleted {}s are kept until a later start: {}", kind, failure.getMessage());
                return null;
            });
        }
    }

    /**
     * Deletes, on {@code cleanupIo}, the directory a deleted item called {@code name} left on this
     * node, if it did; completes at once when there is none to check.
     */
    private CompletionStage<Void> removeIfUnlisted(String name) {
        if (!unchecked.containsKey(name)) {
            return CompletableFuture.completedFuture(null);
        }
        return get(name).thenAcceptAsync(item -> removeIfUnlisted(name, item), cleanupIo);
    }

    /** Blocking: deletes the directory of {@code name} unless it is listed ({@code item} present). */
    private void removeIfUnlisted(String name, Optional<T> item) {
        // Serialized, so a second create of the name waits for the first one's deletion.
        synchronized (unchecked) {
            Path files = unchecked.remove(name);
            if (files != null && item.isEmpty()) {
                LOG.info("removing the files of deleted {} '{}'", kind, name);
                deleteUnlisted.accept(files);
            }
        }
    }

    /**
     * Deletes the item called {@code name} with its partitions' files: once {@code homesUp}
     * completes (every partition's home is up, else files on a node that is down would outlive the
     * item and come back under the name made again), the item leaves the catalog (a file write, or
     * in a cluster a majority write), then {@code dropPartitions} deletes their
     * files wherever they are. Meanwhile the name cannot be made again, nor deleted again
     * ({@code <kind>_being_deleted}, 409).
     */
    public CompletionStage<Void> delete(String name, CompletionStage<?> homesUp, Supplier<CompletionStage<Void>> dropPartitions) {
        if (!deleting.add(name)) {
            throw new StrataException(StrataException.Kind.CONFLICT, kind + "_being_deleted",
                    kind + " '" + name + "' is already being deleted");
        }
        return homesUp.thenCompose(up -> remove(name))
                .thenCompose(removed -> dropPartitions.get())
                .whenComplete((done, failure) -> deleting.remove(name));
    }

    /** Refuses a name being deleted ({@code <kind>_being_deleted}, 409). */
    public void refuseWhileDeleting(String name) {
        if (deleting.contains(name)) {
            throw new StrataException(StrataException.Kind.CONFLICT, kind + "_being_deleted",
                    kind + " '" + name + "' is being deleted; create it again once the deletion is done");
        }
    }

    /** Removes an item; completes with whether it existed. */
    public CompletionStage<Boolean> remove(String name) {
        return catalog.remove(name).handle((removed, failure) -> {
            if (failure != null) {
                throw refusal(failure, kind + " '" + name + "' could not be removed");
            }
            return removed;
        });
    }
}
