package io.strata.node.stream.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.bus.BusStore;
import io.strata.node.bus.TopicCatalog;
import io.strata.node.cluster.NodeDirectory;
import io.strata.node.cluster.PartitionHomes;
import io.strata.node.columnar.TableStore;
import io.strata.node.common.StrataException;
import io.strata.node.kv.KvStore;
import io.strata.node.storage.CatalogStores;
import io.strata.node.storage.DataLayout;
import io.strata.node.stream.spec.JobSpec;
import io.strata.node.stream.spec.Sink;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The stream jobs: submitting (validating the spec and what it names, creating the
 * late and dead-letter topics, the sink tables and keyspaces), running each job's stream, and
 * restarting it from its last checkpoint when it fails (with backoff) or when the node starts.
 *
 * <p>In a cluster of a cluster file the catalog of jobs is the cluster's, and each job has a home
 * node ({@link #homeId}): it runs only there, and its checkpoints are on that node's disk. This
 * store submits, describes and deletes only the jobs homed on this node and refuses the others
 * ({@code not_home}, 503); its routes forward those to the home. Thread-safe.
 */
public final class JobStore {

    private static final Logger LOG = LoggerFactory.getLogger(JobStore.class);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** Settings of the job runtime ({@code strata.stream}). */
    public record Settings(Duration checkpointInterval, Duration tickInterval, int maxOpenWindows, int readBatch,
                           Duration pollInterval, int tableShards) {}

    private record Running(JobSpec spec, JobStatus status, UniqueKillSwitch killSwitch) {}

    private final JobCatalog catalog;
    private final PartitionHomes homes;
    private final Optional<NodeDirectory> directory;
    private final DataLayout layout;
    private final BusStore bus;
    private final KvStore kv;
    private final TableStore tables;
    private final Executor blockingIo;
    private final ActorSystem<?> system;
    private final Settings settings;
    private final Map<String, Running> running = new ConcurrentHashMap<>();

    /**
     * @param catalogs  where the catalog of jobs is kept (in {@code layout} on a node on its own)
     * @param directory the gateways of the cluster's nodes, present in a cluster
     */
    public JobStore(DataLayout layout, CatalogStores catalogs, PartitionHomes homes, Optional<NodeDirectory> directory, BusStore bus,
                    KvStore kv, TableStore tables, Executor blockingIo, ActorSystem<?> system, Settings settings) {
        this.catalog = new JobCatalog(catalogs, layout);
        this.homes = homes;
        this.directory = directory;
        this.layout = layout;
        this.bus = bus;
        this.kv = kv;
        this.tables = tables;
        this.blockingIo = blockingIo;
        this.system = system;
        this.settings = settings;
    }

    /**
     * The id whose home is job {@code name}'s home node. A ':' is in no partition's, group's or
     * other name, so it never shares an id with a partition ({@code name-3}).
     */
    public static String homeId(String name) {
        return "job:" + name;
    }

    /** Starts every job in the catalog homed on this node (at node start); returns how many. */
    public int startAll() {
        int started = 0;
        for (JobCatalog.Job job : catalog.list()) {
            if (!homes.isHere(homeId(job.name()))) {
                continue;
            }
            try {
                run(JobSpec.parse(job.spec()), new JobStatus(), MIN_BACKOFF);
                started++;
            } catch (RuntimeException e) {
                LOG.error("stream job '{}' cannot start", job.name(), e);
            }
        }
        return started;
    }

    /**
     * Submits a job: validates the spec (400s naming the field) and what it names (the source
     * topic must exist), prepares its sinks and starts it. Submitting the same spec again is a
     * no-op; another spec under a running job's name is {@code job_exists} (409).
     */
    public JobSpec submit(JsonNode json) {
        JobSpec spec = JobSpec.parse(json);
        requireHere(spec.name());
        TopicCatalog.Topic source = bus.topic(spec.source().topic());
        boolean existed = catalog.get(spec.name()).isPresent();
        catalog.create(spec.name(), spec.toJson());
        if (existed && running.containsKey(spec.name())) {
            return spec;
        }
        prepare(spec, source);
        run(spec, new JobStatus(), MIN_BACKOFF);
        return spec;
    }

    /** Submits a job built in Java (see {@link io.strata.node.stream.spec.JobSpecBuilder}). */
    public JobSpec submit(JobSpec spec) {
        return submit(spec.toJson());
    }

    private void prepare(JobSpec spec, TopicCatalog.Topic source) {
        for (String topic : List.of(spec.lateTopic(), spec.deadLetterTopic())) {
            if (bus.topics().stream().noneMatch(t -> t.name().equals(topic))) {
                bus.createTopic(topic, source.partitions(), bus.settings().defaultRetention());
            }
        }
        for (Sink sink : spec.sinks()) {
            if (sink instanceof Sink.Topic t && bus.topics().stream().noneMatch(x -> x.name().equals(t.name()))) {
                bus.createTopic(t.name(), source.partitions(), bus.settings().defaultRetention());
            } else if (sink instanceof Sink.Kv k && kv.keyspaces().stream().noneMatch(x -> x.name().equals(k.space()))) {
                kv.createKeyspace(k.space(), kv.settings().defaultPartitions());
            } else if (sink instanceof Sink.Table t) {
                new TableSink(tables, t.name(), spec.key(), spec.aggregates(), spec.name()).ensureTable(settings.tableShards());
            }
        }
    }

    private JobRunner.Sinks sinks(JobSpec spec) {
        List<KvSink> kvSinks = new ArrayList<>();
        List<TableSink> tableSinks = new ArrayList<>();
        List<TopicSink> topicSinks = new ArrayList<>();
        for (Sink sink : spec.sinks()) {
            if (sink instanceof Sink.Kv k) {
                kvSinks.add(new KvSink(kv, k.space(), spec.key(), k.ttl().orElse(null)));
            } else if (sink instanceof Sink.Table t) {
                tableSinks.add(new TableSink(tables, t.name(), spec.key(), spec.aggregates(), spec.name()));
            } else if (sink instanceof Sink.Topic t) {
                topicSinks.add(new TopicSink(bus, t.name(), spec.key()));
            }
        }
        return new JobRunner.Sinks(kvSinks, tableSinks, topicSinks);
    }

    private void run(JobSpec spec, JobStatus status, Duration backoff) {
        int partitions = bus.topic(spec.source().topic()).partitions();
        JobRunner.Context ctx = new JobRunner.Context(bus, sinks(spec), new CheckpointStore(layout.jobDir(spec.name())),
                blockingIo, system, settings.checkpointInterval(), settings.tickInterval(), settings.maxOpenWindows(),
                settings.readBatch(), settings.pollInterval(), System::currentTimeMillis);
        Pair<UniqueKillSwitch, CompletionStage<Done>> run = JobRunner.start(spec, partitions, ctx, status);
        running.put(spec.name(), new Running(spec, status, run.first()));
        status.state = JobStatus.State.RUNNING;
        run.second().whenComplete((done, failure) -> {
            Running current = running.get(spec.name());
            if (current == null || current.killSwitch != run.first()) {
                return;
            }
            if (failure == null) {
                status.state = JobStatus.State.STOPPED;
                return;
            }
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            status.lastError = cause.toString();
            status.state = JobStatus.State.RESTARTING;
            status.restarts.incrementAndGet();
            LOG.warn("stream job '{}' failed; restarting from its last checkpoint in {} ms", spec.name(), backoff.toMillis(), cause);
            Duration next = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            // A restart reads the checkpoint file: blocking I/O, so it runs on the blocking pool.
            system.scheduler().scheduleOnce(backoff, () -> blockingIo.execute(() -> {
                if (running.get(spec.name()) == current) {
                    try {
                        run(spec, status, next);
                    } catch (RuntimeException e) {
                        status.state = JobStatus.State.FAILED;
                        status.lastError = e.toString();
                        LOG.error("stream job '{}' cannot restart", spec.name(), e);
                    }
                }
            }), system.executionContext());
        });
    }

    /** The submitted jobs' specs. */
    public List<JsonNode> list() {
        return catalog.list().stream().map(JobCatalog.Job::spec).toList();
    }

    /** A job's spec and status, or {@code job_not_found}. */
    public Pair<JobSpec, JobStatus> get(String name) {
        JobCatalog.Job job = catalog.require(name);
        requireHere(name);
        Running r = running.get(name);
        JobStatus status = r != null ? r.status : new JobStatus();
        if (r == null) {
            status.state = JobStatus.State.STOPPED;
        }
        return Pair.create(JobSpec.parse(job.spec()), status);
    }

    /** The end offset of each partition of a job's source topic, for its lag. */
    public CompletionStage<Map<Integer, Long>> endOffsets(JobSpec spec) {
        return bus.describe(spec.source().topic()).thenApply(d -> {
            Map<Integer, Long> ends = new java.util.HashMap<>();
            d.offsets().forEach(p -> ends.put(p.partition(), p.nextOffset()));
            return ends;
        });
    }

    /** Stops and deletes a job: its stream, its catalog entry, its checkpoint. Its sinks' data stays. */
    public void delete(String name) {
        catalog.require(name);
        requireHere(name);
        catalog.remove(name);
        Running r = running.remove(name);
        if (r != null) {
            r.killSwitch.shutdown();
            r.status.state = JobStatus.State.STOPPED;
        }
        new CheckpointStore(layout.jobDir(name)).delete();
    }

    /** Refuses a job homed on another node: it runs there, and its checkpoints are on that node's disk. */
    private void requireHere(String name) {
        if (!homes.isHere(homeId(name))) {
            throw new StrataException(StrataException.Kind.UNAVAILABLE, "not_home", "job '" + name + "' lives on node "
                    + homes.homeOf(homeId(name)).orElse("(not placed yet)") + ", not on this one; ask that node's gateway");
        }
    }

    PartitionHomes homes() {
        return homes;
    }

    Optional<NodeDirectory> directory() {
        return directory;
    }

    ActorSystem<?> system() {
        return system;
    }

    /** Stops every job's stream (at node stop); checkpoints stay for the next start. */
    public void stopAll() {
        running.values().forEach(r -> r.killSwitch.shutdown());
        running.clear();
    }
}
