package io.strata.node;

import io.strata.node.storage.Closings;
import io.strata.node.storage.DiskSpace;
import io.strata.node.storage.Durability;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Timer;
import io.strata.node.bus.BusArea;
import io.strata.node.bus.BusStore;
import io.strata.node.cluster.ClusterRoutes;
import io.strata.node.cluster.JoinProgress;
import io.strata.node.cluster.NodeDirectory;
import io.strata.node.cluster.PartitionKind;
import io.strata.node.cluster.PartitionMover;
import io.strata.node.cluster.PartitionTransferRoutes;
import io.strata.node.cluster.PlacementTable;
import io.strata.node.cluster.tls.ClusterTls;
import io.strata.node.cluster.NodeIdentity;
import io.strata.node.cluster.Placement;
import io.strata.node.cluster.ReplicatedCatalogs;
import io.strata.node.storage.CatalogStores;
import io.strata.node.storage.DataLayout;
import io.strata.node.columnar.TableArea;
import io.strata.node.columnar.TableStore;
import io.strata.node.stream.job.JobArea;
import io.strata.node.stream.job.JobStore;
import io.strata.node.gateway.HttpConnections;
import io.strata.node.gateway.HttpGateway;
import io.strata.node.kv.KvArea;
import io.strata.node.kv.KvStore;
import io.strata.node.kafka.KafkaServer;
import io.strata.node.kv.resp.RespServer;
import io.strata.node.kv.resp.RespSettings;
import io.strata.node.limits.ConnectionLimits;
import io.strata.node.limits.MemoryGuard;
import io.strata.node.storage.GroupCommitter;
import io.strata.node.metrics.NodeMetrics;
import io.strata.node.plug.Door;
import io.strata.node.plug.NodeContext;
import io.strata.node.plug.Store;
import org.apache.pekko.Done;
import org.apache.pekko.actor.BootstrapSetup;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.setup.ActorSystemSetup;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.remote.artery.tcp.SSLEngineProviderSetup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One running Strata node: its actor system (a cluster member), its stores and its HTTP gateway.
 * {@link #start} returns once the node is a cluster member and the gateway is bound; partitions
 * recover in the background (requests to a recovering partition wait for it).
 *
 * <p>Shutdown goes through Pekko's coordinated shutdown (also on SIGTERM / Ctrl-C): the gateway
 * unbinds, partitions stop and close their logs, the node leaves the cluster, then the group
 * committer, metrics and the data-directory lock are released.
 */
public final class StrataNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StrataNode.class);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    /** Longest a shutdown waits for the logs of stopped partitions to close, within Pekko's default phase timeout. */
    private static final Duration LOG_CLOSE_WAIT = Duration.ofSeconds(4);
    /** Longest a shutdown lets each door's connections finish what they are doing. */
    private static final Duration DRAIN_DEADLINE = Duration.ofSeconds(5);

    private final ActorSystem<Void> system;
    private final List<Door> doors;
    private final KvArea kv;
    private final BusStore bus;
    private final TableStore tables;
    private final JobStore jobs;
    private final Path dataDir;

    private StrataNode(ActorSystem<Void> system, List<Door> doors, KvArea kv, BusStore bus, TableStore tables,
                       JobStore jobs, Path dataDir) {
        this.system = system;
        this.doors = doors;
        this.kv = kv;
        this.bus = bus;
        this.tables = tables;
        this.jobs = jobs;
        this.dataDir = dataDir;
    }

    /** Starts a node from a fully resolved configuration (see {@link NodeConfig}). */
    public static StrataNode start(Config config) {
        long startNanos = System.nanoTime();
        // Every setting, each fixed port and the data directory are checked before anything binds or is written.
        NodeSettings settings = NodeSettings.from(config);
        StartupChecks.run(settings);
        Path dataDir = settings.dataDir();
        RespSettings respSettings = settings.resp();
        ConnectionLimits connectionLimits = ConnectionLimits.fit(settings.reservedFileDescriptors(),
                settings.httpLimits().maxConnections(), respSettings.enabled() ? respSettings.maxClients() : 0);

        // The cluster transport's certificates are checked before anything is locked or created.
        ClusterTls tls = ClusterTls.fromConfig(config);
        DataDirLock lock = DataDirLock.acquire(dataDir);
        DataLayout layout;
        try {
            NodeIdentity.claim(dataDir, settings.clusterName(), settings.nodeName());
            layout = DataLayout.open(dataDir);
        } catch (RuntimeException e) {
            lock.abandon();
            throw e;
        }
        NodeMetrics metrics = new NodeMetrics();
        DiskSpace space;
        try {
            space = DiskSpace.of(dataDir, settings.minFreeBytes(), settings.freeSpaceCheckInterval());
        } catch (RuntimeException e) {
            metrics.close();
            lock.abandon();
            throw e;
        }
        space.bindTo(metrics.registry());
        if (space.isFull()) {
            LOG.warn("the filesystem of {} has {} bytes free, below the reserve of {} (strata.storage.min-free): "
                    + "writes are refused until space is freed", dataDir, space.freeBytes(), space.reserveBytes());
        }
        MemoryGuard memory = MemoryGuard.start(settings.memory(), metrics.registry());
        // Strangers knocking at the cluster port, or a member whose certificate expired.
        FunctionCounter.builder("strata.cluster.tls.refused", tls, ClusterTls::refused)
                .description("Cluster transport handshakes this node refused: a peer certificate not of its cluster")
                .register(metrics.registry());
        ActorSystem<Void> system;
        try {
            system = ActorSystem.create(Behaviors.empty(), "strata",
                    ActorSystemSetup.create(BootstrapSetup.create(KafkaServer.announced(config, settings)), SSLEngineProviderSetup.create(classic -> tls)));
        } catch (Exception e) {  // Pekko may throw checked exceptions undeclared, such as a provider class not found
            memory.close();
            metrics.close();
            lock.abandon();
            throw e instanceof ConfigException ce ? StartupException.badConfiguration(ce) : new StartupException(
                    "the actor system cannot start: " + e + "; check the pekko.* settings and strata.cluster.host / port", e);
        }
        try {
            LOG.info("memory ceiling (strata.max-memory): {}", memory.describeCeiling());
            Cluster cluster = Cluster.get(system);
            if (settings.seedNodes().isEmpty()) {
                cluster.manager().tell(Join.create(cluster.selfMember().address()));
            }
            boolean anyFsync = settings.kv().durability() == Durability.FSYNC
                    || settings.bus().durability() == Durability.FSYNC || settings.columnar().durability() == Durability.FSYNC;
            // One committer for the whole node, so writers of every store share fsyncs.
            Timer fsyncs = Timer.builder("strata.log.fsync").description("Group-commit fsync batches (fsync durability)")
                    .register(metrics.registry());
            Optional<GroupCommitter> committer = anyFsync
                    ? Optional.of(new GroupCommitter(settings.fsyncCommitDelay(),
                            nanos -> fsyncs.record(nanos, TimeUnit.NANOSECONDS)))
                    : Optional.empty();
            Executor blockingIo = system.dispatchers().lookup(DispatcherSelector.fromConfig("strata.blocking-io-dispatcher"));
            Closings closings = new Closings(blockingIo);
            // Registered before anything else can fail: a start that fails from here terminates the
            // actor system, whose coordinated shutdown then releases these too, once the logs of the
            // stopped partitions are closed (fsynced, with a recovery point).
            CoordinatedShutdown.get(Adapter.toClassic(system)).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
                    "strata-release-storage", () -> closings.allClosed()
                            .completeOnTimeout(null, LOG_CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS).thenApply(closed -> {
                                committer.ifPresent(GroupCommitter::close);
                                memory.close();
                                metrics.close();
                                lock.close();
                                LOG.info("storage closed");
                                return Done.getInstance();
                            }));
            // In a cluster of a cluster file the catalogs are replicated; a node on its own keeps them in JSON files.
            boolean clustered = Placement.from(config).isPresent();
            Duration catalogTimeout = settings.catalogTimeout();
            CatalogStores catalogs = clustered ? ReplicatedCatalogs.start(system, catalogTimeout) : CatalogStores.local(space, blockingIo);
            // A cluster file fixes every node's HTTP port, so the gateway's address is known before it binds.
            Optional<NodeDirectory> directory = clustered
                    ? Optional.of(NodeDirectory.start(system, settings.nodeName(),
                            "http://" + advertisedHost(settings.httpHost(), settings) + ":" + settings.httpPort(), catalogTimeout))
                    : Optional.empty();
            CompletableFuture<Void> catalogsReady = new CompletableFuture<>();
            if (!clustered) {
                // Local catalogs are whole at once: the stores remove deleted names' leftover files now,
                // before any door is bound, so no request can race that clean-up.
                catalogsReady.complete(null);
            }
            NodeContext ctx = new NodeContext(settings, system, layout, space, committer, blockingIo, closings, metrics, memory,
                    connectionLimits, catalogs, catalogsReady, directory);
            // In this order: tables read topics, jobs read and write every store.
            KvArea kv = KvArea.create(ctx);
            BusArea bus = BusArea.create(ctx);
            TableArea tables = TableArea.create(ctx, bus.store());
            JobArea jobs = JobArea.create(ctx, kv.store(), bus.store(), tables.store());
            List<Store> stores = List.of(kv, bus, tables, jobs);

            Map<String, PartitionKind> partitionKinds = new LinkedHashMap<>();
            stores.stream().flatMap(store -> store.partitionKinds().stream()).forEach(kind -> partitionKinds.put(kind.name(), kind));
            Optional<PartitionMover> mover = directory.map(d -> new PartitionMover(system, d, partitionKinds, layout,
                    settings.nodeName(), settings.authToken(), blockingIo));
            mover.ifPresent(m -> CoordinatedShutdown.get(Adapter.toClassic(system)).addTask(
                    CoordinatedShutdown.PhaseBeforeServiceUnbind(), "strata-stop-moves", () -> {
                        m.close();
                        return CompletableFuture.completedFuture(Done.getInstance());
                    }));

            CompletableFuture<Done> memberUp = new CompletableFuture<>();
            org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system))
                    .registerOnMemberUp(() -> memberUp.complete(Done.getInstance()));
            awaitMemberUp(system, memberUp, settings);

            List<org.apache.pekko.http.javadsl.server.Route> routes = new ArrayList<>();
            stores.forEach(store -> routes.addAll(store.routes()));
            routes.add(clusterRoutes(system, settings, kv.partitionKind(), directory, mover));
            routes.add(transferRoutes(system, mover, partitionKinds, dataDir, blockingIo, settings));
            HttpGateway gateway = new HttpGateway(routes, metrics, settings.authToken(), () -> health(system, kv, space),
                    settings.maxBodyBytes(), blockingIo);
            List<Door.Opening> openings = new ArrayList<>();
            openings.add(HttpConnections.opening(ctx, gateway.route()));
            RespServer.opening(ctx, kv.store()).ifPresent(openings::add);
            KafkaServer.opening(ctx, bus.store(), bus.groups()).ifPresent(openings::add);
            List<Door> doors = openDoors(system, openings);

            awaitCatalogs(catalogs, catalogsReady, clustered ? Optional.of(PlacementTable.get(system)) : Optional.empty());
            mover.ifPresent(PartitionMover::start);
            if (clustered) {
                // A node that left and comes back takes partitions again.
                String self = settings.nodeName();
                PlacementTable placementTable = PlacementTable.get(system);
                if (placementTable.leavingNodes().contains(self)) {
                    placementTable.markLeaving(self, false);
                }
            }
            CoordinatedShutdown shutdown = CoordinatedShutdown.get(Adapter.toClassic(system));
            for (Store store : stores) {
                store.start();
                shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "strata-stop-" + store.name(), store::stop);
            }
            LOG.info("node started in {} ms: data in {}, cluster {}", (System.nanoTime() - startNanos) / 1_000_000,
                    dataDir, cluster.selfMember().address());
            return new StrataNode(system, doors, kv, bus.store(), tables.store(), jobs.store(), dataDir);
        } catch (Exception e) {
            system.terminate();
            try {
                system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // Reporting the startup failure matters more than a slow termination.
            }
            throw new IllegalStateException("node failed to start: " + e.getMessage(), e);
        }
    }

    /**
     * Waits until this node is an Up member. A node that forms a cluster of its own has
     * {@link #STARTUP_TIMEOUT}; one that joins through seed nodes waits as long as it takes (a seed
     * may be started later), and says every {@code strata.cluster.join-log-interval} which seeds it
     * is trying and what to start.
     */
    private static void awaitMemberUp(ActorSystem<?> system, CompletableFuture<Done> memberUp, NodeSettings settings)
            throws Exception {
        if (settings.seedNodes().isEmpty()) {
            memberUp.get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return;
        }
        long waitingSince = System.nanoTime();
        while (true) {
            try {
                memberUp.get(settings.joinLogInterval().toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException stillJoining) {
                if (system.getWhenTerminated().toCompletableFuture().isDone()) {
                    throw new IllegalStateException("the node stopped before it joined its cluster");
                }
                LOG.warn(JoinProgress.waiting(Duration.ofNanos(System.nanoTime() - waitingSince), settings.clusterName(),
                        settings.nodeName(), settings.clusterFile(), settings.seedNodes(), system.address().toString()));
            }
        }
    }

    /**
     * Waits (bounded) for the catalogs to be read from a majority, so the partitions this node
     * recovers at startup are those of the whole cluster's catalog; a node that cannot reach a
     * majority starts anyway and recovers its partitions on their first request.
     */
    private static void awaitCatalogs(CatalogStores catalogs, CompletableFuture<Void> ready, Optional<PlacementTable> placement) {
        try {
            catalogs.ready().toCompletableFuture().get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (placement.isPresent()) {
                placement.get().refresh().toCompletableFuture().get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            ready.complete(null);
        } catch (Exception e) {
            LOG.warn("catalogs not confirmed by a majority of the nodes at startup ({}); partitions recover on first use",
                    e.getMessage());
            ready.completeExceptionally(e);
        }
    }

    /**
     * Opens each door in turn. At shutdown every door stops accepting, then each lets its
     * connections finish what they are doing (within {@link #DRAIN_DEADLINE}), before the partitions stop.
     */
    private static List<Door> openDoors(ActorSystem<?> system, List<Door.Opening> openings) throws Exception {
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(Adapter.toClassic(system));
        List<Door> doors = new ArrayList<>();
        for (Door.Opening opening : openings) {
            Door door = opening.open().toCompletableFuture().get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "strata-" + door.name() + "-unbind", door::unbind);
            shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "strata-" + door.name() + "-drain",
                    () -> door.drain(DRAIN_DEADLINE));
            doors.add(door);
        }
        return List.copyOf(doors);
    }

    private static org.apache.pekko.http.javadsl.server.Route clusterRoutes(ActorSystem<?> system, NodeSettings settings,
            PartitionKind shardsShown, Optional<NodeDirectory> directory, Optional<PartitionMover> mover) {
        return new ClusterRoutes(system, settings.statusTimeout(), shardsShown, directory, mover, settings.handoverTimeout())
                .routes();
    }

    /** The node-to-node routes of partition moves, in a cluster; none on a node on its own. */
    private static org.apache.pekko.http.javadsl.server.Route transferRoutes(ActorSystem<?> system, Optional<PartitionMover> mover,
            Map<String, PartitionKind> kinds, Path dataDir, Executor blockingIo, NodeSettings settings) {
        if (mover.isEmpty()) {
            return org.apache.pekko.http.javadsl.server.Directives.reject();
        }
        return new PartitionTransferRoutes(system, kinds, dataDir, settings.nodeName(), blockingIo, settings.askTimeout()).routes();
    }

    /** The host other nodes reach this gateway at: its bind address, or the cluster host when it binds every interface. */
    private static String advertisedHost(String httpHost, NodeSettings settings) {
        return httpHost.equals("0.0.0.0") || httpHost.equals("::") ? settings.clusterHost() : httpHost;
    }

    private static Map<String, Object> health(ActorSystem<?> system, KvArea kv, DiskSpace space) {
        Map<String, Object> body = new LinkedHashMap<>();
        String member = Cluster.get(system).selfMember().status().toString();
        body.put("status", member.equals("Up") ? "ok" : "unavailable");
        body.put("member_status", member);
        body.put("kv_recovered", kv.isRecovered());
        // Reads go on while the disk is past its reserve; writes answer 507 storage_full.
        boolean full = space.isFull();
        body.put("writable", !full);
        body.put("disk_free_bytes", space.freeBytes());
        body.put("disk_reserve_bytes", space.reserveBytes());
        return body;
    }

    /** The node's doors, in the order they were opened: the HTTP gateway first. */
    public List<Door> doors() {
        return doors;
    }

    public InetSocketAddress httpAddress() {
        return door("http").orElseThrow().address();
    }

    /** The RESP (Redis protocol) listener's address, when {@code strata.resp.enabled}. */
    public Optional<InetSocketAddress> respAddress() {
        return door("resp").map(Door::address);
    }

    /** The Kafka-protocol listener's address, when {@code strata.kafka.enabled}. */
    public Optional<InetSocketAddress> kafkaAddress() {
        return door("kafka").map(Door::address);
    }

    private Optional<Door> door(String name) {
        return doors.stream().filter(door -> door.name().equals(name)).findFirst();
    }

    public int httpPort() {
        return httpAddress().getPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    public ActorSystem<Void> system() {
        return system;
    }

    public KvStore kv() {
        return kv.store();
    }

    public BusStore bus() {
        return bus;
    }

    public TableStore tables() {
        return tables;
    }

    public JobStore jobs() {
        return jobs;
    }

    /** Completes with the KV recovery time in milliseconds once every partition has recovered. */
    public CompletionStage<Long> kvRecovered() {
        return kv.recovered();
    }

    /** Runs the coordinated shutdown; the returned stage completes when the node has stopped. */
    public CompletionStage<Done> shutdown() {
        return CoordinatedShutdown.get(Adapter.toClassic(system)).runAll(CoordinatedShutdown.unknownReason())
                .thenCompose(done -> system.getWhenTerminated());
    }

    @Override
    public void close() {
        shutdown().toCompletableFuture().join();
    }
}
