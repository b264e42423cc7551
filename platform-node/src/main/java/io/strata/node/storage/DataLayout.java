package io.strata.node.storage;

import io.strata.node.common.Names;
import io.strata.node.common.PartitionId;
import io.strata.node.common.StrataException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Where every file of a node lives under its data directory: the one class that decides it, used
 * by node start, every store and the cluster's partition moves.
 *
 * <p><b>The rule that keeps names off internal files.</b> The names users choose (keyspaces,
 * topics, tables, consumer groups, jobs) start with a letter or a digit ({@link Names}). In a
 * directory that holds user-named entries, every internal entry starts with {@code '_'}, which no
 * name may start with, so no name can land on it or on the {@code .tmp} sibling
 * {@link AtomicFiles} writes beside it. Every other directory (the data directory itself, each
 * partition's directory) holds only fixed names. The methods that take a name refuse one that is
 * not a name ({@code invalid_name}), so no caller can reach outside its directory either.
 *
 * <pre>
 * .lock                            one node per data directory ({@code DataDirLock})
 * node-id                          the cluster node this directory belongs to (nodes of a cluster file)
 * ddata/                           the replicated catalogs (nodes of a cluster file)
 * .incoming/KIND/ID/               the files of a partition being moved onto this node
 * kv/_keyspaces.json               the keyspace catalog (of a node on its own; a cluster replicates it in ddata/)
 * kv/SPACE/P/log/, snapshots/      partition P of keyspace SPACE
 * bus/_topics.json                 the topic catalog
 * bus/_groups/GROUP.json           a consumer group's committed offsets
 * bus/TOPIC/P/                     partition P of topic TOPIC (Chronicle Queue files)
 * tables/_tables.json              the table catalog
 * tables/TABLE/S/                  shard S of table TABLE
 * jobs/_jobs.json                  the job catalog
 * jobs/JOB/checkpoint.pb           a job's latest checkpoint
 * </pre>
 *
 * <p>A data directory written before this layout (catalogs named {@code keyspaces.json},
 * {@code topics.json}, {@code tables.json}, {@code jobs.json}, group offsets in {@code bus/groups/})
 * is migrated by {@link #open}; see {@link LayoutMigration}. Immutable and thread-safe.
 */
public final class DataLayout {

    /** The lock file of the data directory. */
    public static final String LOCK = ".lock";
    /** The file naming the cluster node a data directory belongs to. */
    public static final String NODE_ID = "node-id";

    static final String KV = "kv";
    static final String BUS = "bus";
    static final String TABLES = "tables";
    static final String JOBS = "jobs";
    static final String KEYSPACE_CATALOG = "_keyspaces.json";
    static final String TOPIC_CATALOG = "_topics.json";
    static final String TABLE_CATALOG = "_tables.json";
    static final String JOB_CATALOG = "_jobs.json";
    static final String GROUPS = "_groups";
    static final String GROUP_OFFSETS = "_offsets";
    private static final String DDATA = "ddata";
    static final String KAFKA = "kafka";
    private static final String PRODUCER_IDS = "producer-ids";
    private static final String INCOMING = ".incoming";

    private final Path root;

    private DataLayout(Path root) {
        this.root = root;
    }

    /**
     * The layout of {@code root}, migrated first when it was written in an earlier layout.
     * Blocking file I/O: for node start, with the data directory locked.
     */
    public static DataLayout open(Path root) {
        LayoutMigration.run(root);
        return new DataLayout(root);
    }

    /** The layout of {@code root} as it is, without migrating it (tools and tests of one store). */
    public static DataLayout of(Path root) {
        return new DataLayout(root);
    }

    /** Where the replicated catalogs of a node of a cluster file are kept (LMDB, written by Pekko). */
    public static Path ddataDir(Path root) {
        return root.resolve(DDATA);
    }

    public Path root() {
        return root;
    }

    /** Where the Kafka door records the producer ids it handed out. */
    public Path kafkaProducerIds() {
        return root.resolve(KAFKA).resolve(PRODUCER_IDS);
    }

    // ---- Key-value store ---------------------------------------------------------------------

    public Path keyspaceCatalog() {
        return root.resolve(KV).resolve(KEYSPACE_CATALOG);
    }

    /** The directory of every KV keyspace: each keyspace's directory, and its catalog. */
    public Path kvDir() {
        return root.resolve(KV);
    }

    public Path keyspaceDir(String space) {
        return named(kvDir(), space);
    }

    public Path kvPartitionDir(PartitionId id) {
        return partition(keyspaceDir(id.name()), id);
    }

    // ---- Message bus -------------------------------------------------------------------------

    public Path topicCatalog() {
        return root.resolve(BUS).resolve(TOPIC_CATALOG);
    }

    /** The directory of every topic: each topic's directory, its catalog and the groups' offsets. */
    public Path busDir() {
        return root.resolve(BUS);
    }

    public Path topicDir(String topic) {
        return named(busDir(), topic);
    }

    public Path topicPartitionDir(PartitionId id) {
        return partition(topicDir(id.name()), id);
    }

    /** The file of a consumer group's committed offsets as versions before the offsets log kept them (moved into the log at open). */
    public Path groupOffsets(String group) {
        return root.resolve(BUS).resolve(GROUPS).resolve(name(group) + ".json");
    }

    /**
     * The directory of a consumer group's offsets log; apart from the JSON files of the previous
     * format, so that no group's log can land on another group's file ({@code x.json}).
     */
    public Path groupOffsetsLog(String group) {
        return root.resolve(BUS).resolve(GROUP_OFFSETS).resolve(name(group));
    }

    /** The groups with committed offsets in this directory (either format). Blocking: lists directories. */
    public List<String> groupsWithOffsets() {
        TreeSet<String> names = new TreeSet<>();
        try (var logs = Files.list(root.resolve(BUS).resolve(GROUP_OFFSETS))) {
            logs.map(dir -> dir.getFileName().toString()).filter(Names::isValid).forEach(names::add);
        } catch (NoSuchFileException none) {
            // No group has committed in this format.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (var files = Files.list(root.resolve(BUS).resolve(GROUPS))) {
            files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".json"))
                    .map(name -> name.substring(0, name.length() - ".json".length())).filter(Names::isValid)
                    .forEach(names::add);
        } catch (NoSuchFileException none) {
            // No group has committed in the previous format.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(names);
    }

    /** Where a consumer group's offsets are on disk now: its log, or the file of the previous format if it has only that. */
    public Path groupOffsetsNow(String group) {
        Path log = groupOffsetsLog(group);
        Path legacy = groupOffsets(group);
        return !Files.exists(log) && Files.exists(legacy) ? legacy : log;
    }

    // ---- Columnar store ----------------------------------------------------------------------

    public Path tableCatalog() {
        return root.resolve(TABLES).resolve(TABLE_CATALOG);
    }

    /** The directory of every table: each table's directory, and its catalog. */
    public Path tablesDir() {
        return root.resolve(TABLES);
    }

    public Path tableDir(String table) {
        return named(tablesDir(), table);
    }

    public Path tableShardDir(PartitionId id) {
        return partition(tableDir(id.name()), id);
    }

    // ---- Stream jobs -------------------------------------------------------------------------

    public Path jobCatalog() {
        return root.resolve(JOBS).resolve(JOB_CATALOG);
    }

    /** The directory of a job's checkpoints. */
    public Path jobDir(String job) {
        return named(root.resolve(JOBS), job);
    }

    // ---- Cluster -----------------------------------------------------------------------------

    /** Where the files of partition {@code id} of {@code kind} wait while it is moved onto this node. */
    public Path incoming(String kind, String id) {
        Path incoming = root.resolve(INCOMING);
        Path dir = incoming.resolve(kind).resolve(id).normalize();
        if (!dir.startsWith(incoming) || dir.equals(incoming)) {
            throw StrataException.invalid("invalid_name", "'" + kind + "/" + id + "' is not a partition");
        }
        return dir;
    }

    // ---- Listing -----------------------------------------------------------------------------

    /**
     * The user-named directories in {@code dir} ({@link #kvDir()}, {@link #tablesDir()}): one per
     * keyspace or table, never an internal entry.
     */
    public static List<Path> namedDirectories(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> Names.isValid(p.getFileName().toString()) && Files.isDirectory(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static Path named(Path dir, String name) {
        return dir.resolve(name(name));
    }

    private static String name(String name) {
        if (!Names.isValid(name)) {
            throw StrataException.invalid("invalid_name", "'" + name + "' is not a name: names are letters, digits, "
                    + "'_', '.' or '-', starting with a letter or digit");
        }
        return name;
    }

    private static Path partition(Path dir, PartitionId id) {
        if (id.partition() < 0) {
            throw StrataException.invalid("invalid_name", "partition " + id.partition() + " of '" + id.name() + "' is negative");
        }
        return dir.resolve(Integer.toString(id.partition()));
    }
}
