package io.strata.node.storage;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * A small durable catalog of named items (keyspaces, topics, ...) kept as a JSON array in one
 * file, rewritten atomically on every change.
 *
 * <p>Thread-safe: reads are lock-free and never wait; changes run on the blocking-I/O executor
 * (the file is written and fsynced there), serialized, and are on disk before they are visible.
 * A change that grows the catalog claims its bytes from the node's {@link DiskSpace} first: on a
 * full disk it is refused ({@code storage_full}) and the catalog stays as it was. A removal is
 * allowed past the reserve (it needs only room for the file's temporary copy): deleting a keyspace,
 * topic or table is how an operator frees space.
 *
 * @param <T> an immutable item type Jackson can read and write (a record)
 */
public final class JsonCatalog<T> implements CatalogStore<T> {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Function<T, String> nameOf;
    private final DiskSpace space;
    private final Executor blockingIo;
    private final Map<String, T> items = new ConcurrentHashMap<>();

    private JsonCatalog(Path file, Function<T, String> nameOf, DiskSpace space, Executor blockingIo) {
        this.file = file;
        this.nameOf = nameOf;
        this.space = space;
        this.blockingIo = blockingIo;
    }

    /**
     * Loads the catalog in {@code file}, empty when the file does not exist yet (blocking: at node
     * start); its changes are written on {@code blockingIo}.
     */
    public static <T> JsonCatalog<T> load(Path file, Class<T> type, Function<T, String> nameOf, DiskSpace space,
                                          Executor blockingIo) {
        JsonCatalog<T> catalog = new JsonCatalog<>(file, nameOf, space, blockingIo);
        if (Files.exists(file)) {
            JavaType listType = JSON.getTypeFactory().constructCollectionType(List.class, type);
            try {
                List<T> stored = JSON.readValue(file.toFile(), listType);
                stored.forEach(item -> catalog.items.put(nameOf.apply(item), item));
            } catch (IOException e) {
                throw new UncheckedIOException("catalog " + file + " is unreadable", e);
            }
        }
        return catalog;
    }

    @Override
    public CompletionStage<Optional<T>> get(String name) {
        return CompletableFuture.completedFuture(peek(name));
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
        T existing = items.get(nameOf.apply(item));
        if (existing != null) {
            return CompletableFuture.completedFuture(existing);
        }
        return CompletableFuture.supplyAsync(() -> store(item), blockingIo);
    }

    @Override
    public CompletionStage<Boolean> remove(String name) {
        if (!items.containsKey(name)) {
            return CompletableFuture.completedFuture(false);
        }
        return CompletableFuture.supplyAsync(() -> delete(name), blockingIo);
    }

    /** Blocking: adds {@code item} to the file unless one of its name exists. */
    private synchronized T store(T item) {
        T existing = items.get(nameOf.apply(item));
        if (existing != null) {
            return existing;
        }
        List<T> all = list();
        all.add(item);
        persist(all);
        items.put(nameOf.apply(item), item);
        return item;
    }

    /** Blocking: removes the item called {@code name} from the file. */
    private synchronized boolean delete(String name) {
        if (!items.containsKey(name)) {
            return false;
        }
        List<T> all = list();
        all.removeIf(item -> nameOf.apply(item).equals(name));
        persist(all);
        items.remove(name);
        return true;
    }

    private void persist(List<T> all) {
        try {
            byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(all);
            long growth = json.length - (Files.exists(file) ? Files.size(file) : 0);
            if (growth > 0) {
                space.claim(growth);
            } else {
                // A removal frees space: allowed past the reserve, so deleting what fills a disk works.
                space.requireFree(json.length);
            }
            AtomicFiles.write(file, out -> out.write(json));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write catalog " + file, e);
        }
    }
}
