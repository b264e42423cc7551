package io.strata.node.kv;

import io.strata.node.cluster.PartitionHomes;
import io.strata.node.cluster.Placement;
import io.strata.node.common.PartitionId;
import io.strata.node.common.Futures;
import io.strata.node.common.StrataException;
import io.strata.node.kv.KeyspaceCatalog.Keyspace;
import io.strata.node.kv.internal.PartitionState;
import io.strata.node.storage.Directories;
import io.strata.node.storage.PartitionDeadLetters;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;

/**
 * The key-value store as the rest of the node sees it: resolves a key to the partition entity
 * that owns it and asks that entity. One store, several doors: the HTTP routes use it, and so
 * will other protocols.
 *
 * <p>Thread-safe. Every method validates its input and fails the returned stage (or throws)
 * with a {@link StrataException} for bad input, before anything is stored.
 */
public final class KvStore {

    /** Fewest keys a partition gives to a page of a listing. */
    private static final int MIN_LIST_SHARE = 16;

    private final ClusterSharding sharding;
    private final PartitionHomes homes;
    private final KvSettings settings;
    private final KeyspaceCatalog catalog;
    private final Duration askTimeout;
    private final KvMetrics metrics;
    private final LocalPartitions local;
    private final Scheduler scheduler;
    /** What this store records its calls for instead of asking partitions; null for the store itself. */
    private final Recorder recording;
    /** Where this store's partition calls are gathered before they are sent; null: each is asked at once. */
    private final GatheredCalls gathered;

    /**
     * What a view of the store ({@link #capturing}) gives its calls to instead of asking the
     * partitions (a {@link KvTransaction}, a {@link KvBatch}): {@code keyspace} resolves a
     * keyspace for a read or a write made through the view; {@code add} takes a call to a partition
     * and answers the stage of its reply.
     */
    private record Recorder(java.util.function.Function<String, CompletionStage<Keyspace>> keyspace,
                            java.util.function.BiFunction<PartitionId, java.util.function.Function<ActorRef<KvPartition.Reply>,
                                    KvPartition.Command>, CompletionStage<KvPartition.Reply>> add) {}

    private KvStore(ClusterSharding sharding, PartitionHomes homes, KvSettings settings, KeyspaceCatalog catalog,
                    Duration askTimeout, KvMetrics metrics, LocalPartitions local, Scheduler scheduler, Recorder recording,
                    GatheredCalls gathered) {
        this.sharding = sharding;
        this.homes = homes;
        this.settings = settings;
        this.catalog = catalog;
        this.askTimeout = askTimeout;
        this.metrics = metrics;
        this.local = local;
        this.scheduler = scheduler;
        this.recording = recording;
        this.gathered = gathered;
    }

    /**
     * Registers the partition entity with Cluster Sharding on this node and returns the store.
     * Files of keyspaces no longer in the catalog (a deletion cut short by a crash, or made while
     * this node was down) are removed once the catalog is {@code catalogReady}.
     */
    public static KvStore start(ActorSystem<?> system, KvSettings settings, KvStorage storage, KeyspaceCatalog catalog,
                                CompletionStage<Void> catalogReady, Duration askTimeout) {
        catalog.removeUnlisted(storage.layout().kvDir(), catalogReady, storage.blockingIo(), Directories::deleteTree);
        ClusterSharding sharding = ClusterSharding.get(system);
        PartitionDeadLetters.start(system, sharding, KvPartition.TYPE_KEY, KvPartition.Command.class, KvPartition.Internal.class);
        Props dispatcher = DispatcherSelector.fromConfig("strata.entity-dispatcher");
        sharding.init(Placement.applyTo(system, Entity.of(KvPartition.TYPE_KEY,
                        ctx -> KvPartition.create(PartitionId.fromEntityId(ctx.getEntityId()), settings, storage, ctx.getShard()))
                .withEntityProps(dispatcher)));
        return new KvStore(sharding, PartitionHomes.of(system, KvPartition.TYPE_KEY.name()), settings, catalog, askTimeout,
                storage.metrics(), storage.local(), system.scheduler(), null, null);
    }

    public KvSettings settings() {
        return settings;
    }

    /** The partitions running on this node, which this store sends commands to directly. */
    LocalPartitions localPartitions() {
        return local;
    }

    // ---- Keyspaces ----------------------------------------------------------------------------

    /** Creates a keyspace, or completes with the same one (see {@link KeyspaceCatalog#create}). */
    public CompletionStage<Keyspace> createKeyspace(String name, int partitions) {
        return catalog.create(name, partitions);
    }

    public List<Keyspace> keyspaces() {
        return catalog.list();
    }

    /** The keyspace, or {@code keyspace_not_found}. */
    public CompletionStage<Keyspace> keyspace(String name) {
        return recording != null ? recording.keyspace().apply(name) : catalog.require(name);
    }

    /**
     * Starts a transaction in keyspace {@code space} (created if need be, as for a write): see
     * {@link KvTransaction}.
     */
    public CompletionStage<KvTransaction> transaction(String space) {
        return keyspaceForWrite(space).thenApply(keyspace -> new KvTransaction(this, keyspace));
    }

    /**
     * Starts a batch of calls in keyspace {@code space} (created if need be when {@code writes}, as
     * for a write; else {@code keyspace_not_found} when it does not exist): see {@link KvBatch}.
     */
    public CompletionStage<KvBatch> batch(String space, boolean writes) {
        return (writes ? keyspaceForWrite(space) : keyspace(space)).thenApply(keyspace -> new KvBatch(this, keyspace));
    }

    /**
     * This store giving the key calls made through it to {@code add} instead of asking the
     * partitions, their keyspaces resolved by {@code keyspace}: a view for a {@link KvTransaction}
     * or a {@link KvBatch}.
     */
    KvStore capturing(java.util.function.Function<String, CompletionStage<Keyspace>> keyspace,
                      java.util.function.BiFunction<PartitionId, java.util.function.Function<ActorRef<KvPartition.Reply>,
                              KvPartition.Command>, CompletionStage<KvPartition.Reply>> add) {
        return new KvStore(sharding, homes, settings, catalog, askTimeout, metrics, local, scheduler, new Recorder(keyspace, add),
                gathered);
    }

    /**
     * This store with its partition calls made on {@code calls}' thread gathered there and sent
     * together ({@link GatheredCalls}): a door's view of the store for the connections one event
     * loop serves.
     */
    public KvStore gatheringOn(GatheredCalls calls) {
        return new KvStore(sharding, homes, settings, catalog, askTimeout, metrics, local, scheduler, recording, calls);
    }

    /** The keyspace for a write: created with the default partition count when auto-creation is on. */
    private CompletionStage<Keyspace> keyspaceForWrite(String name) {
        if (recording != null) {
            return recording.keyspace().apply(name);
        }
        catalog.validateName(name);
        return catalog.get(name).thenCompose(found -> {
            if (found.isPresent()) {
                return CompletableFuture.completedFuture(found.get());
            }
            if (!settings.autoCreateKeyspaces()) {
                throw new StrataException(StrataException.Kind.NOT_FOUND, "keyspace_not_found", "keyspace '" + name
                        + "' does not exist (auto-creation is off: create it with PUT /kv/" + name + ")");
            }
            return catalog.create(name, settings.defaultPartitions());
        });
    }

    /**
     * Deletes a keyspace: once every partition's home is up, it leaves the catalog, then every
     * partition (on whichever node holds it) deletes its files and stops. A write racing the
     * deletion is refused ({@code keyspace_not_found}), or deleted with the partition it reached
     * first; a partition never starts again for a keyspace that is not in the catalog, so the name
     * can be created again and starts empty.
     */
    public CompletionStage<Void> deleteKeyspace(String name) {
        return keyspace(name).thenCompose(keyspace -> deleteKeyspace(name, keyspace));
    }

    private CompletionStage<Void> deleteKeyspace(String name, Keyspace keyspace) {
        List<PartitionId> partitions = IntStream.range(0, keyspace.partitions()).mapToObj(p -> new PartitionId(name, p)).toList();
        return catalog.delete(name, homes.whenAllAvailable(partitions), () -> {
            List<CompletableFuture<KvPartition.Reply>> drops = partitions.stream()
                    .map(p -> ask(p, KvPartition.Drop::new).toCompletableFuture()).toList();
            return CompletableFuture.allOf(drops.toArray(CompletableFuture[]::new)).thenRun(() -> drops.forEach(drop -> {
                if (!(drop.join() instanceof KvPartition.Dropped)) {
                    throw unavailable(drop.join());
                }
            }));
        });
    }

    /** Live keys, value bytes and partitions of a keyspace, summed over its partitions. */
    public CompletionStage<KeyspaceStats> stats(String space) {
        return keyspace(space).thenCompose(this::stats);
    }

    private CompletionStage<KeyspaceStats> stats(Keyspace keyspace) {
        String space = keyspace.name();
        List<CompletableFuture<KvPartition.Reply>> asks = new ArrayList<>();
        for (int p = 0; p < keyspace.partitions(); p++) {
            asks.add(ask(new PartitionId(space, p), KvPartition.Stats::new).toCompletableFuture());
        }
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(done -> {
            long keys = 0;
            long bytes = 0;
            for (var ask : asks) {
                KvPartition.Reply reply = ask.join();
                if (reply instanceof KvPartition.PartitionStats s) {
                    keys += s.keys();
                    bytes += s.valueBytes();
                } else {
                    throw unavailable(reply);
                }
            }
            return new KeyspaceStats(keyspace.name(), keyspace.partitions(), keys, bytes);
        });
    }

    /** A keyspace's size. */
    public record KeyspaceStats(String name, int partitions, long keys, long valueBytes) {}

    /**
     * Starts every partition of every keyspace that lives on this node (recovering them) and
     * completes when all answer; in a cluster, other nodes recover theirs.
     */
    public CompletionStage<KeyspaceStats> recoverAll() {
        List<CompletableFuture<KvPartition.Reply>> asks = new ArrayList<>();
        for (Keyspace keyspace : keyspaces()) {
            for (int p = 0; p < keyspace.partitions(); p++) {
                PartitionId partition = new PartitionId(keyspace.name(), p);
                if (homes.isHere(partition.entityId())) {
                    asks.add(ask(partition, KvPartition.Stats::new).toCompletableFuture());
                }
            }
        }
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(done -> {
            long keys = 0;
            long bytes = 0;
            for (var ask : asks) {
                if (!(ask.join() instanceof KvPartition.PartitionStats stats)) {
                    throw unavailable(ask.join());
                }
                keys += stats.keys();
                bytes += stats.valueBytes();
            }
            return new KeyspaceStats("*", asks.size(), keys, bytes);
        });
    }

    // ---- Keys ---------------------------------------------------------------------------------

    public CompletionStage<KvPartition.Reply> put(String space, String key, byte[] value, long ttlMillis, long expectedVersion) {
        checkWrite(key, value, ttlMillis);
        CompletionStage<Keyspace> keyspace = expectedVersion == KvPartition.ANY_VERSION || expectedVersion == KvPartition.MUST_NOT_EXIST
                ? keyspaceForWrite(space) : keyspace(space);
        return keyspace.thenCompose(k -> ask(partitionOf(k, key), r -> new KvPartition.Put(key, value, ttlMillis, expectedVersion, r)));
    }

    /**
     * Checks what a put of {@code key} would check before it is sent.
     *
     * @throws StrataException {@code invalid_key}, {@code payload_too_large} or {@code invalid_ttl}
     */
    public void checkWrite(String key, byte[] value, long ttlMillis) {
        validateKey(key);
        if (value.length > settings.maxValueBytes()) {
            throw new StrataException(StrataException.Kind.TOO_LARGE, "payload_too_large",
                    "value of " + value.length + " bytes exceeds the limit of " + settings.maxValueBytes());
        }
        if (ttlMillis < 0) {
            throw StrataException.invalid("invalid_ttl", "ttl must be positive");
        }
    }

    /**
     * Sets every key of {@code values} (in their order), unconditionally, with one ask per
     * partition involved: each partition writes its keys as one log append, all or none. Creates
     * the keyspace on first write. Completes with the partitions' replies ({@link KvPartition.AllWritten}
     * or {@link KvPartition.Rejected}).
     */
    public CompletionStage<List<KvPartition.Reply>> putAll(String space, Map<String, byte[]> values, long ttlMillis) {
        values.forEach((key, value) -> checkWrite(key, value, ttlMillis));
        return keyspaceForWrite(space).thenCompose(keyspace -> {
            // By partition number, in order of first appearance: no partition id made and hashed per key.
            List<List<KvPartition.Write>> byPartition = new ArrayList<>(keyspace.partitions());
            for (int p = 0; p < keyspace.partitions(); p++) {
                byPartition.add(null);
            }
            List<Integer> involved = new ArrayList<>();
            values.forEach((key, value) -> {
                int p = keyspace.partitionOf(key);
                if (byPartition.get(p) == null) {
                    byPartition.set(p, new ArrayList<>());
                    involved.add(p);
                }
                byPartition.get(p).add(new KvPartition.Write(key, value, ttlMillis));
            });
            List<CompletableFuture<KvPartition.Reply>> asks = involved.stream()
                    .map(p -> ask(new PartitionId(keyspace.name(), p), r -> new KvPartition.PutAll(List.copyOf(byPartition.get(p)), r))
                            .toCompletableFuture())
                    .toList();
            return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
                    .thenApply(done -> asks.stream().map(CompletableFuture::join).toList());
        });
    }

    public CompletionStage<KvPartition.Reply> get(String space, String key) {
        validateKey(key);
        return keyspace(space).thenCompose(k -> ask(partitionOf(k, key), r -> new KvPartition.Get(key, r)));
    }

    public CompletionStage<KvPartition.Reply> delete(String space, String key, long expectedVersion) {
        validateKey(key);
        return keyspace(space).thenCompose(k -> ask(partitionOf(k, key), r -> new KvPartition.Delete(key, expectedVersion, r)));
    }

    public CompletionStage<KvPartition.Reply> incr(String space, String key, long by) {
        validateKey(key);
        return keyspaceForWrite(space).thenCompose(k -> ask(partitionOf(k, key), r -> new KvPartition.Incr(key, by, r)));
    }

    /**
     * Changes {@code key} as {@code change} computes from its current value, in its partition at
     * once (see {@link KvPartition.Update}); a SET's value is checked as a put's.
     */
    public CompletionStage<KvPartition.Reply> update(String space, String key, StringChange change) {
        if (change instanceof StringChange.Set set) {
            checkWrite(key, set.value(), 0);
        } else {
            validateKey(key);
        }
        return keyspaceForWrite(space).thenCompose(k -> ask(partitionOf(k, key), r -> new KvPartition.Update(key, change, r)));
    }

    /**
     * Changes the hash, list or set at {@code key} as {@code change} computes from it, in its
     * partition at once (see {@link KvPartition.UpdateValue}).
     */
    public CompletionStage<KvPartition.Reply> updateValue(String space, String key, ValueChange change) {
        validateKey(key);
        return keyspaceForWrite(space).thenCompose(k -> ask(partitionOf(k, key), r -> new KvPartition.UpdateValue(key, change, r)));
    }

    /**
     * Moves {@code member} from the set at {@code source} to the set at {@code destination}, at once
     * (see {@link KvPartition.MoveElement}): the keys must live in one partition, else {@code cross_partition}.
     */
    public CompletionStage<KvPartition.Reply> moveMember(String space, String source, String destination, byte[] member) {
        validateKey(source);
        validateKey(destination);
        return keyspaceForWrite(space).thenCompose(k -> {
            requireOnePartition(k, source, destination);
            return ask(partitionOf(k, source), r -> KvPartition.MoveElement.ofSet(source, destination, member, r));
        });
    }

    /**
     * Writes a value as it was read ({@link KvPartition.Found}) at {@code key} of keyspace
     * {@code space}; only when absent unless {@code replace} (see {@link KvPartition.PutValue}).
     */
    public CompletionStage<KvPartition.Reply> putValue(String space, String key, KvPartition.Found value, boolean replace) {
        checkWrite(key, value.value(), 0);
        return keyspaceForWrite(space).thenCompose(k -> ask(partitionOf(k, key),
                r -> new KvPartition.PutValue(key, value.type(), value.value(), value.expiresAtMillis(), replace, r)));
    }

    /**
     * Copies the value at {@code source} (with its expiry) to {@code destination}, deleting the
     * source with {@code deleteSource} (RENAME), at once (see {@link KvPartition.CopyKey}): the keys
     * must live in one partition, else {@code cross_partition}.
     */
    public CompletionStage<KvPartition.Reply> copyKey(String space, String source, String destination, boolean deleteSource,
                                                      boolean replace) {
        validateKey(source);
        validateKey(destination);
        return keyspaceForWrite(space).thenCompose(k -> {
            requireOnePartition(k, source, destination);
            return ask(partitionOf(k, source), r -> new KvPartition.CopyKey(source, destination, deleteSource, replace, r));
        });
    }

    private static void requireOnePartition(Keyspace keyspace, String source, String destination) {
        if (keyspace.partitionOf(source) != keyspace.partitionOf(destination)) {
            throw new StrataException(StrataException.Kind.CONFLICT, "cross_partition",
                    "'" + source + "' and '" + destination + "' are in different partitions");
        }
    }

    /**
     * Moves an element from one end of the list at {@code source} to one end of the list at
     * {@code destination}, at once (see {@link KvPartition.MoveElement}): the keys must live in one
     * partition, else {@code cross_partition}.
     */
    public CompletionStage<KvPartition.Reply> moveElement(String space, String source, String destination, boolean fromLeft,
                                                          boolean toLeft) {
        validateKey(source);
        validateKey(destination);
        return keyspaceForWrite(space).thenCompose(k -> {
            requireOnePartition(k, source, destination);
            return ask(partitionOf(k, source), r -> KvPartition.MoveElement.ofList(source, destination, fromLeft, toLeft, r));
        });
    }

    /**
     * Sets every key of {@code values} (no TTL) only when none of them exists, at once (Redis's
     * MSETNX): the keys must live in one partition (a keyspace with hash tags places keys of one
     * tag together), else {@code cross_partition}. Replies {@link KvPartition.AllWritten}, or
     * {@code version_mismatch} when a key exists.
     */
    public CompletionStage<KvPartition.Reply> putAllIfAbsent(String space, Map<String, byte[]> values) {
        values.forEach((key, value) -> checkWrite(key, value, 0));
        return keyspaceForWrite(space).thenCompose(keyspace -> {
            java.util.Set<Integer> partitions = new java.util.HashSet<>();
            values.keySet().forEach(key -> partitions.add(keyspace.partitionOf(key)));
            if (partitions.size() > 1) {
                throw new StrataException(StrataException.Kind.CONFLICT, "cross_partition", "the keys live in "
                        + partitions.size() + " partitions; keys of one hash tag ({tag}) share one");
            }
            List<KvPartition.Write> writes = new ArrayList<>();
            values.forEach((key, value) -> writes.add(new KvPartition.Write(key, value, 0)));
            return ask(new PartitionId(keyspace.name(), partitions.iterator().next()), r -> new KvPartition.PutAll(writes, true, r));
        });
    }

    /**
     * Reads up to {@code max-mget-keys} keys in one call, one ask per partition involved. The map
     * follows the order of {@code keys}; absent or expired keys map to null.
     */
    public CompletionStage<Map<String, KvPartition.Found>> multiGet(String space, List<String> keys) {
        if (keys.size() > settings.maxMgetKeys()) {
            throw StrataException.invalid("too_many_keys",
                    keys.size() + " keys exceed the multi-get limit of " + settings.maxMgetKeys());
        }
        keys.forEach(this::validateKey);
        return keyspace(space).thenCompose(keyspace -> multiGet(keyspace, keys));
    }

    private CompletionStage<Map<String, KvPartition.Found>> multiGet(Keyspace keyspace, List<String> keys) {
        Map<PartitionId, List<String>> byPartition = new HashMap<>();
        for (String key : keys) {
            byPartition.computeIfAbsent(partitionOf(keyspace, key), p -> new ArrayList<>()).add(key);
        }
        List<CompletableFuture<KvPartition.Reply>> asks = byPartition.entrySet().stream()
                .map(e -> ask(e.getKey(), r -> new KvPartition.MultiGet(List.copyOf(e.getValue()), r)).toCompletableFuture())
                .toList();
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<String, KvPartition.Found> found = new HashMap<>();
            for (var ask : asks) {
                KvPartition.Reply reply = ask.join();
                if (!(reply instanceof KvPartition.MultiGetResult result)) {
                    throw unavailable(reply);
                }
                result.found().forEach(f -> found.put(f.key(), f));
            }
            Map<String, KvPartition.Found> ordered = new LinkedHashMap<>();
            keys.forEach(k -> ordered.put(k, found.get(k)));
            return ordered;
        });
    }

    /**
     * A page of a keyspace's live keys that start with {@code prefix}, after {@code after}
     * ({@code ""}: from the first), in UTF-8 byte order: at most {@code limit} (1 ..
     * {@code max-list-keys}). Every partition gives its first {@code limit} such keys and the
     * smallest {@code limit} of them all make the page, so listing page after page from the last
     * key returned yields every key that exists throughout, once.
     */
    public CompletionStage<KvPartition.KeyPage> listKeys(String space, String prefix, String after, int limit) {
        if (limit < 1 || limit > settings.maxListKeys()) {
            throw StrataException.invalid("invalid_limit", "limit must be 1.." + settings.maxListKeys() + ", got " + limit);
        }
        if (prefix.getBytes(StandardCharsets.UTF_8).length > settings.maxKeyBytes()) {
            throw StrataException.invalid("invalid_prefix", "a prefix longer than the longest key (" + settings.maxKeyBytes()
                    + " bytes) matches no key");
        }
        if (after.getBytes(StandardCharsets.UTF_8).length > settings.maxKeyBytes()) {
            throw StrataException.invalid("invalid_cursor", "the cursor is longer than any key");
        }
        return keyspace(space).thenCompose(keyspace -> listKeys(keyspace, prefix, after, limit));
    }

    private CompletionStage<KvPartition.KeyPage> listKeys(Keyspace keyspace, String prefix, String after, int limit) {
        String space = keyspace.name();
        // Each partition gives a share of the page, not all of it: what one listing holds stays near
        // 2 x limit keys however many partitions there are.
        int share = Math.min(limit, Math.max(MIN_LIST_SHARE, (2 * limit + keyspace.partitions() - 1) / keyspace.partitions()));
        List<CompletableFuture<KvPartition.Reply>> asks = new ArrayList<>();
        for (int p = 0; p < keyspace.partitions(); p++) {
            asks.add(ask(new PartitionId(space, p), r -> new KvPartition.ListKeys(prefix, after, share, r)).toCompletableFuture());
        }
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<String> keys = new ArrayList<>();
            // A partition that had more than its share may hold keys below another's last ones: the
            // page ends at the smallest last key of those partitions, up to which every partition gave all.
            String boundary = null;
            for (var ask : asks) {
                if (!(ask.join() instanceof KvPartition.KeyPage page)) {
                    throw unavailable(ask.join());
                }
                keys.addAll(page.keys());
                if (page.more()) {
                    String last = page.keys().get(page.keys().size() - 1);
                    boundary = boundary == null || PartitionState.KEY_ORDER.compare(last, boundary) < 0 ? last : boundary;
                }
            }
            keys.sort(PartitionState.KEY_ORDER);
            String end = boundary;
            List<String> complete = end == null ? keys
                    : keys.stream().filter(k -> PartitionState.KEY_ORDER.compare(k, end) <= 0).toList();
            return new KvPartition.KeyPage(List.copyOf(complete.subList(0, Math.min(limit, complete.size()))),
                    end != null || complete.size() > limit);
        });
    }

    /** The partition that owns {@code key} in {@code keyspace}. */
    public static PartitionId partitionOf(Keyspace keyspace, String key) {
        return new PartitionId(keyspace.name(), keyspace.partitionOf(key));
    }

    private void validateKey(String key) {
        // The empty key is a key, as in Redis (a path cannot name it, but RESP and a multi-get's body can).
        if (key == null) {
            throw StrataException.invalid("invalid_key", "a key is required");
        }
        // A char takes at most 3 UTF-8 bytes: most keys are short enough not to be encoded to be measured.
        if (3L * key.length() <= settings.maxKeyBytes()) {
            return;
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > settings.maxKeyBytes()) {
            throw StrataException.invalid("invalid_key",
                    "key of " + bytes + " bytes exceeds the limit of " + settings.maxKeyBytes());
        }
    }

    private CompletionStage<KvPartition.Reply> ask(PartitionId partition,
                                                   org.apache.pekko.japi.function.Function<org.apache.pekko.actor.typed.ActorRef<KvPartition.Reply>, KvPartition.Command> message) {
        java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<KvPartition.Reply>, KvPartition.Command> command = replyTo -> {
            try {
                return message.apply(replyTo);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        return recording != null ? recording.add().apply(partition, command) : askPartition(partition, command);
    }

    /** Whether this store's partition calls are gathered ({@link #gatheringOn}). */
    boolean gathers() {
        return gathered != null;
    }

    /** Asks the partition, whether or not this store records a transaction (with the calls gathered, when they are). */
    CompletionStage<KvPartition.Reply> askPartition(PartitionId partition,
                                                    java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<KvPartition.Reply>,
                                                            KvPartition.Command> message) {
        return gathered != null ? gathered.add(partition, message) : askNow(partition, message);
    }

    /** Asks the partition now. */
    CompletionStage<KvPartition.Reply> askNow(PartitionId partition,
                                              java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<KvPartition.Reply>,
                                                      KvPartition.Command> message) {
        metrics.partitionAsk();
        return homes.whenAvailable(partition.entityId()).thenCompose(available -> {
            // The partition's actor, when it runs here, is asked directly rather than through its region and shard.
            ActorRef<KvPartition.Command> actor = local.actor(partition);
            if (actor != null) {
                CompletableFuture<KvPartition.Reply> direct = Futures.direct(
                        AskPattern.<KvPartition.Command, KvPartition.Reply>ask(actor, message::apply, askTimeout, scheduler));
                // An ask of an actor that has stopped fails at once, the command unsent: it goes through sharding then.
                if (!direct.isCompletedExceptionally()) {
                    return direct;
                }
            }
            EntityRef<KvPartition.Command> ref = sharding.entityRefFor(KvPartition.TYPE_KEY, partition.entityId());
            return Futures.direct(ref.ask(message::apply, askTimeout));
        });
    }

    private static StrataException unavailable(KvPartition.Reply reply) {
        if (reply instanceof KvPartition.Rejected r) {
            return r.toException();
        }
        return new StrataException(StrataException.Kind.UNAVAILABLE, "storage_unavailable", "unexpected reply " + reply);
    }
}
