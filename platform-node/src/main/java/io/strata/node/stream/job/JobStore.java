package io.strata.node.stream.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.strata.node.bus.BusStore;
import io.strata.node.bus.TopicCatalog;
import io.strata.node.cluster.NodeDirectory;
import io.strata.node.cluster.PartitionHomes;
import io.strata.node.columnar.TableStore;
import io.strata.node.common.Futures;
import io.strata.node.common.StrataException;
import io.strata.node.kv.KvStore;
import io.strata.node.storage.CatalogStores;
import io.strata.node.storage.DataLayout;
import io.strata.node.storage.DiskSpace;
import io.strata.node.stream.spec.JobSpec;
import io.strata.node.stream.spec.Sink;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

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

    /**
     * Settings of the job runtime ({@code strata.stream}), parsed and checked once at startup.
     *
     * @param maxWindowsPerEvent the most windows one event may fall in (a sliding window's size /
     *                           slide); a spec beyond it is refused
     * @param stopTimeout        how long a deleted job's stream may take to finish the batch in hand
     *                           before it is cut off
     */
    public record Settings(Duration checkpointInterval, Duration tickInterval, int maxOpenWindows, int maxWindowsPerEvent,
                           int readBatch, Duration pollInterval, int tableShards, Duration stopTimeout) {

        public Settings {
            for (var d : List.of(Map.entry("checkpoint-interval", checkpointInterval), Map.entry("tick-interval", tickInterval),
                    Map.entry("poll-interval", pollInterval), Map.entry("stop-timeout", stopTimeout))) {
                if (d.getValue().isNegative() || d.getValue().isZero()) {
                    throw new IllegalArgumentException("strata.stream." + d.getKey() + " must be positive, is " + d.getValue());
                }
            }
            for (var n : List.of(Map.entry("max-open-windows", maxOpenWindows), Map.entry("read-batch", readBatch),
                    Map.entry("table-shards", tableShards))) {
                if (n.getValue() < 1) {
                    throw new IllegalArgumentException("strata.stream." + n.getKey() + " must be positive, got " + n.getValue());
                }
            }
            if (maxWindowsPerEvent < 1 || maxWindowsPerEvent > maxOpenWindows) {
                throw new IllegalArgumentException("strata.stream.max-windows-per-event must be 1 to max-open-windows ("
                        + maxOpenWindows + "), is " + maxWindowsPerEvent);
            }
        }

        /** The settings under {@code strata.stream} of {@code root}. */
        public static Settings from(Config root) {
            Config c = root.getConfig("strata.stream");
            return new Settings(c.getDuration("checkpoint-interval"), c.getDuration("tick-interval"), c.getInt("max-open-windows"),
                    c.getInt("max-windows-per-event"), c.getInt("read-batch"), c.getDuration("poll-interval"),
                    c.getInt("table-shards"), c.getDuration("stop-timeout"));
        }
    }

    /** A run of a job on this node: what stops it, and what completes when it has stopped. */
    private record Running(JobSpec spec, JobStatus status, JobRunner.Run run, CheckpointStore checkpoints) {}

    private final JobCatalog catalog;
    private final PartitionHomes homes;
    private final Optional<NodeDirectory> directory;
    private final DataLayout layout;
    private final DiskSpace space;
    private final BusStore bus;
    private final KvStore kv;
    private final TableStore tables;
    private final Executor blockingIo;
    private final ActorSystem<?> system;
    private final Settings settings;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    /** Jobs being deleted, until their stream has stopped and their checkpoint is gone. */
    private final Map<String, CompletableFuture<Done>> stopping = new ConcurrentHashMap<>();
    /** What serializes the submits and deletes of one name (a few names: the jobs of a node). */
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    /**
     * @param catalogs  where the catalog of jobs is kept (in {@code layout} on a node on its own)
     * @param directory the gateways of the cluster's nodes, present in a cluster
     */
    public JobStore(DataLayout layout, DiskSpace space, CatalogStores catalogs, PartitionHomes homes,
                    Optional<NodeDirectory> directory, BusStore bus, KvStore kv, TableStore tables, Executor blockingIo,
                    ActorSystem<?> system, Settings settings) {
        this.catalog = new JobCatalog(catalogs, layout);
        this.space = space;
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
                JobSpec spec = JobSpec.parse(job.spec());
                spec.requireWindowsPerEvent(settings.maxWindowsPerEvent());
                run(spec, new JobStatus(), MIN_BACKOFF, null);
                started++;
            } catch (RuntimeException e) {
                LOG.error("stream job '{}' cannot start", job.name(), e);
            }
        }
        return started;
    }

    /**
     * Submits a job: validates the spec (400s naming the field; at most
     * {@code strata.stream.max-windows-per-event} windows per event) and what it names (the source
     * topic must exist), prepares its sinks and starts it. Submitting the same spec again is a
     * no-op; another spec under a running job's name is {@code job_exists} (409), and so is a job
     * of the name of one still being deleted ({@code job_stopping}). A new job starts afresh, from
     * offset 0: whatever a deleted job of its name left on disk is removed first.
     */
    public JobSpec submit(JsonNode json) {
        JobSpec spec = JobSpec.parse(json);
        spec.requireWindowsPerEvent(settings.maxWindowsPerEvent());
        requireHere(spec.name());
        // One submit or delete of a name at a time: a delete must not start between this one's checks and its run.
        synchronized (lockOf(spec.name())) {
            return submitLocked(spec);
        }
    }

    /**
     * {@link #submit} on the blocking-I/O pool, for the HTTP route: it writes the catalog and may
     * create the job's topics, keyspace and table.
     */
    public CompletionStage<JobSpec> submitAsync(JsonNode json) {
        return CompletableFuture.supplyAsync(() -> submit(json), blockingIo);
    }

    private Object lockOf(String name) {
        return locks.computeIfAbsent(name, n -> new Object());
    }

    private JobSpec submitLocked(JobSpec spec) {
        if (stopping.containsKey(spec.name())) {
            throw new StrataException(StrataException.Kind.CONFLICT, "job_stopping", "job '" + spec.name()
                    + "' is being deleted; submit it again once its DELETE has answered");
        }
        // On the blocking-I/O pool (see submitAsync) or a caller's own thread: it may wait for the catalogs.
        TopicCatalog.Topic source = Futures.join(bus.topic(spec.source().topic()));
        boolean existed = Futures.join(catalog.get(spec.name())).isPresent();
        Futures.join(catalog.create(spec.name(), spec.toJson()));
        if (existed && running.containsKey(spec.name())) {
            return spec;
        }
        if (!existed) {
            // A node stopped in the middle of a DELETE may have left the deleted job's checkpoint.
            new CheckpointStore(layout.jobDir(spec.name()), space).delete();
        }
        prepare(spec, source);
        run(spec, new JobStatus(), MIN_BACKOFF, null);
        return spec;
    }

    /** Submits a job built in Java (see {@link io.strata.node.stream.spec.JobSpecBuilder}). */
    public JobSpec submit(JobSpec spec) {
        return submit(spec.toJson());
    }

    private void prepare(JobSpec spec, TopicCatalog.Topic source) {
        for (String topic : List.of(spec.lateTopic(), spec.deadLetterTopic())) {
            if (bus.topics().stream().noneMatch(t -> t.name().equals(topic))) {
                Futures.join(bus.createTopic(topic, source.partitions(), bus.settings().defaultRetention()));
            }
        }
        for (Sink sink : spec.sinks()) {
            if (sink instanceof Sink.Topic t && bus.topics().stream().noneMatch(x -> x.name().equals(t.name()))) {
                Futures.join(bus.createTopic(t.name(), source.partitions(), bus.settings().defaultRetention()));
            } else if (sink instanceof Sink.Kv k && kv.keyspaces().stream().noneMatch(x -> x.name().equals(k.space()))) {
                Futures.join(kv.createKeyspace(k.space(), kv.settings().defaultPartitions()));
            } else if (sink instanceof Sink.Table t) {
                TableSink.ensureTable(tables, t.name(), spec.key(), spec.aggregates(), settings.tableShards());
            }
        }
    }

    private JobRunner.Sinks sinks(JobSpec spec, JobStatus status) {
        DeadLetters deadLetters = new DeadLetters(bus, spec, status);
        List<KvSink> kvSinks = new ArrayList<>();
        List<TableSink> tableSinks = new ArrayList<>();
        List<TopicSink> topicSinks = new ArrayList<>();
        for (Sink sink : spec.sinks()) {
            if (sink instanceof Sink.Kv k) {
                kvSinks.add(new KvSink(kv, k.space(), spec.key(), k.ttl().orElse(null), deadLetters));
            } else if (sink instanceof Sink.Table t) {
                tableSinks.add(new TableSink(tables, t.name(), spec.key(), spec.aggregates(), deadLetters));
            } else if (sink instanceof Sink.Topic t) {
                topicSinks.add(new TopicSink(bus, t.name(), spec.key(), deadLetters));
            }
        }
        return new JobRunner.Sinks(kvSinks, tableSinks, topicSinks, deadLetters);
    }

    /**
     * Starts a run of {@code spec}. A restart ({@code replaces} the failed run) takes its place only
     * if that run is still the job's: a job deleted meanwhile is not started again.
     */
    private void run(JobSpec spec, JobStatus status, Duration backoff, Running replaces) {
        // Off dispatcher threads: at node start, in a submit or on the blocking-I/O pool (a restart).
        int partitions = Futures.join(bus.topic(spec.source().topic())).partitions();
        CheckpointStore checkpoints = new CheckpointStore(layout.jobDir(spec.name()), space);
        JobRunner.Context ctx = new JobRunner.Context(bus, sinks(spec, status), checkpoints,
                blockingIo, system, settings.checkpointInterval(), settings.tickInterval(), settings.maxOpenWindows(),
                settings.readBatch(), settings.pollInterval(), System::currentTimeMillis);
        JobRunner.Run run = JobRunner.start(spec, partitions, ctx, status);
        Running started = new Running(spec, status, run, checkpoints);
        if (replaces == null) {
            running.put(spec.name(), started);
        } else if (!running.replace(spec.name(), replaces, started)) {
            run.stop();
            return;
        }
        status.state = JobStatus.State.RUNNING;
        run.done.whenComplete((done, failure) -> {
            Running current = running.get(spec.name());
            if (current != started) {
                return;
            }
            if (failure == null) {
                status.state = JobStatus.State.STOPPED;
                return;
            }
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            status.lastError = cause.toString();
            Optional<StrataException> refusal = refusalOfWhatItWrites(failure);
            if (refusal.isPresent()) {
                status.lastError = refusal.get().code() + ": " + refusal.get().getMessage();
                status.state = JobStatus.State.FAILED;
                LOG.error("stream job '{}' failed: a store refuses what it writes ({}), and would again after every restart;"
                        + " it stays failed until it is deleted and submitted again", spec.name(), status.lastError);
                return;
            }
            status.state = JobStatus.State.RESTARTING;
            status.restarts.incrementAndGet();
            LOG.warn("stream job '{}' failed; restarting from its last checkpoint in {} ms", spec.name(), backoff.toMillis(), cause);
            Duration next = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            // A restart reads the checkpoint file: blocking I/O, so it runs on the blocking pool.
            system.scheduler().scheduleOnce(backoff, () -> blockingIo.execute(() -> {
                if (running.get(spec.name()) == current) {
                    try {
                        run(spec, status, next, current);
                    } catch (RuntimeException e) {
                        status.state = JobStatus.State.FAILED;
                        status.lastError = e.toString();
                        LOG.error("stream job '{}' cannot restart", spec.name(), e);
                    }
                }
            }), system.executionContext());
        });
    }

    /**
     * The refusal in {@code failure} that no restart can cure: a store refused what the job writes
     * as it is (400, 413, 422), not for want of room or time. A result a sink refuses goes to the
     * dead-letter topic; this is what is left, such as a table row too large for one log entry.
     */
    private static Optional<StrataException> refusalOfWhatItWrites(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StrataException e) {
                return switch (e.kind()) {
                    case INVALID, TOO_LARGE, UNPROCESSABLE -> Optional.of(e);
                    default -> Optional.empty();
                };
            }
        }
        return Optional.empty();
    }

    /** The submitted jobs' specs. */
    public List<JsonNode> list() {
        return catalog.list().stream().map(JobCatalog.Job::spec).toList();
    }

    /** A job's spec and status, or {@code job_not_found}. */
    public CompletionStage<Pair<JobSpec, JobStatus>> get(String name) {
        return catalog.require(name).thenApply(job -> {
            requireHere(name);
            Running r = running.get(name);
            JobStatus status = r != null ? r.status : new JobStatus();
            if (r == null) {
                status.state = JobStatus.State.STOPPED;
            }
            return Pair.create(JobSpec.parse(job.spec()), status);
        });
    }

    /** The end offset of each partition of a job's source topic, for its lag. */
    public CompletionStage<Map<Integer, Long>> endOffsets(JobSpec spec) {
        return bus.describe(spec.source().topic()).thenApply(d -> {
            Map<Integer, Long> ends = new java.util.HashMap<>();
            d.offsets().forEach(p -> ends.put(p.partition(), p.nextOffset()));
            return ends;
        });
    }

    /**
     * Stops and deletes a job: its catalog entry, its stream, its checkpoint; its sinks' data
     * stays. Completes once the job's stream has stopped: it finishes the batch in hand (at most
     * {@code strata.stream.stop-timeout}, then it is cut off) and writes no checkpoint after this
     * call, so that nothing of it runs or is written once the deletion is answered, and a job
     * submitted again under its name starts afresh. Deleting a job being deleted joins that deletion.
     */
    public CompletionStage<Done> delete(String name) {
        CompletableFuture<Done> deleted = new CompletableFuture<>();
        CompletableFuture<Done> inProgress = stopping.putIfAbsent(name, deleted);
        if (inProgress != null) {
            // A retried DELETE joins the one under way.
            return inProgress;
        }
        // The catalog write, and the lock a submit holds while it writes, wait on the blocking-I/O pool.
        Futures.start(() -> catalog.require(name)).thenAcceptAsync(job -> {
            requireHere(name);
            synchronized (lockOf(name)) {
                deleteLocked(name, deleted);
            }
        }, blockingIo).whenComplete((started, refused) -> {
            if (refused != null) {
                stopping.remove(name, deleted);
                deleted.completeExceptionally(Futures.unwrap(refused));
            }
        });
        return deleted;
    }

    private void deleteLocked(String name, CompletableFuture<Done> deleted) {
        Futures.join(catalog.remove(name));
        Running r = running.remove(name);
        CheckpointStore checkpoints = r != null ? r.checkpoints : new CheckpointStore(layout.jobDir(name), space);
        CompletionStage<Void> stopped = r != null ? stop(r) : CompletableFuture.completedFuture(null);
        stopped.thenRunAsync(checkpoints::delete, blockingIo).whenComplete((done, failure) -> {
            stopping.remove(name, deleted);
            if (failure == null) {
                deleted.complete(Done.getInstance());
            } else {
                deleted.completeExceptionally(failure);
            }
        });
    }

    /**
     * Ends a run: its operator stage takes no more input, the writer finishes the batch in hand;
     * a stream still running after the stop timeout is aborted. Completes when the stream has ended.
     */
    private CompletionStage<Void> stop(Running r) {
        r.status.state = JobStatus.State.STOPPING;
        r.run.stop();
        long timeout = settings.stopTimeout().toMillis();
        CompletableFuture<Void> ended = r.run.done.toCompletableFuture().handle((done, failure) -> null);
        return ended.copy().orTimeout(timeout, TimeUnit.MILLISECONDS).handle((done, late) -> {
            if (late != null) {
                LOG.warn("stream job '{}' did not stop within {} ms; cutting its stream off", r.spec.name(), timeout);
                r.run.abort(new CancellationException("job '" + r.spec.name() + "' was deleted"));
            }
            return null;
        }).thenCompose(cut -> ended.copy().completeOnTimeout(null, timeout, TimeUnit.MILLISECONDS)).thenRun(() ->
                r.status.state = JobStatus.State.STOPPED);
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
        running.values().forEach(r -> r.run.stop());
        running.clear();
    }
}
