package io.strata.node.kv;

import io.strata.node.common.StrataException;
import io.strata.node.storage.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The keyspaces of this node and their partition counts, kept durably in
 * {@code <data-dir>/kv/keyspaces.json}. A keyspace's partition count never changes: keys are
 * placed by {@code murmur3(key) mod partitions}.
 *
 * <p>Thread-safe: reads are lock-free; creation is serialized and written to disk (fsynced,
 * atomically renamed) before it is visible.
 */
public final class KeyspaceCatalog {

    /** A keyspace: its name and fixed number of partitions. */
    public record Keyspace(String name, int partitions) {}

    private record Stored(List<Keyspace> keyspaces) {}

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final Path file;
    private final Map<String, Keyspace> keyspaces = new ConcurrentHashMap<>();

    private KeyspaceCatalog(Path file) {
        this.file = file;
    }

    /** Loads the catalog of {@code kvDir}, empty when there is none yet. */
    public static KeyspaceCatalog load(Path kvDir) {
        KeyspaceCatalog catalog = new KeyspaceCatalog(kvDir.resolve("keyspaces.json"));
        if (Files.exists(catalog.file)) {
            try {
                Stored stored = AtomicFiles.readJson(catalog.file, Stored.class);
                stored.keyspaces().forEach(k -> catalog.keyspaces.put(k.name(), k));
            } catch (IOException e) {
                throw new UncheckedIOException("keyspace catalog " + catalog.file + " is unreadable", e);
            }
        }
        return catalog;
    }

    /** Checks a keyspace name: 1-64 characters of letters, digits, '_', '.', '-', starting with a letter or digit. */
    public static void validateName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw StrataException.invalid("invalid_keyspace", "keyspace name '" + name
                    + "' must be 1-64 characters of letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
    }

    public Optional<Keyspace> get(String name) {
        return Optional.ofNullable(keyspaces.get(name));
    }

    /** All keyspaces, by name. */
    public List<Keyspace> list() {
        List<Keyspace> all = new ArrayList<>(keyspaces.values());
        all.sort(Comparator.comparing(Keyspace::name));
        return all;
    }

    /**
     * Creates a keyspace, or returns the existing one when it has the same partition count.
     *
     * @throws StrataException {@code keyspace_exists} (conflict) when it exists with another count
     */
    public synchronized Keyspace create(String name, int partitions) {
        validateName(name);
        if (partitions < 1 || partitions > KvSettings.MAX_PARTITIONS) {
            throw StrataException.invalid("invalid_partitions",
                    "partitions must be 1.." + KvSettings.MAX_PARTITIONS + ", got " + partitions);
        }
        Keyspace existing = keyspaces.get(name);
        if (existing != null) {
            if (existing.partitions() != partitions) {
                throw new StrataException(StrataException.Kind.CONFLICT, "keyspace_exists", "keyspace '" + name
                        + "' exists with " + existing.partitions() + " partitions; partition counts never change");
            }
            return existing;
        }
        Keyspace created = new Keyspace(name, partitions);
        List<Keyspace> all = new ArrayList<>(list());
        all.add(created);
        persist(all);
        keyspaces.put(name, created);
        return created;
    }

    private void persist(List<Keyspace> all) {
        try {
            AtomicFiles.writeJson(file, new Stored(all));
        } catch (IOException e) {
            throw new StrataException(StrataException.Kind.UNAVAILABLE, "storage_unavailable",
                    "cannot write keyspace catalog " + file + ": " + e.getMessage());
        }
    }
}
