package io.strata.node;

import io.strata.node.storage.Durability;
import com.typesafe.config.Config;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Timer;
import io.strata.node.bus.BusMetrics;
import io.strata.node.bus.BusRoutes;
import io.strata.node.bus.BusSettings;
import io.strata.node.bus.BusStorage;
import io.strata.node.bus.BusStore;
import io.strata.node.bus.GroupRoutes;
import io.strata.node.bus.GroupSettings;
import io.strata.node.bus.GroupStore;
import io.strata.node.bus.StreamRoutes;
import io.strata.node.bus.TopicCatalog;
import io.strata.node.cluster.ClusterRoutes;
import io.strata.node.bus.ConsumerGroup;
import io.strata.node.bus.TopicPartition;
import io.strata.node.cluster.NodeDirectory;
import io.strata.node.cluster.PartitionKind;
import io.strata.node.cluster.PartitionMover;
import io.strata.node.cluster.PartitionTransferRoutes;
import io.strata.node.cluster.PlacementTable;
import io.strata.node.cluster.tls.ClusterTls;
import io.strata.node.columnar.TableShard;
import io.strata.node.common.PartitionId;
import io.strata.node.kv.KvPartition;
import io.strata.node.cluster.NodeIdentity;
import io.strata.node.cluster.PartitionHomes;
import io.strata.node.cluster.Placement;
import io.strata.node.cluster.ReplicatedCatalogs;
import io.strata.node.kv.KeyspaceCatalog;
import io.strata.node.storage.CatalogStores;
import io.strata.node.columnar.ColumnarMetrics;
import io.strata.node.columnar.ColumnarSettings;
import io.strata.node.columnar.ColumnarStorage;
import io.strata.node.columnar.TableCatalog;
import io.strata.node.columnar.TableRoutes;
import io.strata.node.columnar.TableStore;
import io.strata.node.stream.job.JobRoutes;
import io.strata.node.stream.job.JobStore;
import io.strata.node.gateway.HttpGateway;
import io.strata.node.kv.KvMetrics;
import io.strata.node.kv.KvRoutes;
import io.strata.node.kv.KvSettings;
import io.strata.node.kv.KvStorage;
import io.strata.node.kv.KvStore;
import io.strata.node.kv.resp.RespServer;
import io.strata.node.kv.resp.RespSettings;
import io.strata.node.storage.GroupCommitter;
import io.strata.node.metrics.NodeMetrics;
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
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.remote.artery.tcp.SSLEngineProviderSetup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

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

    private final ActorSystem<Void> system;
    private final ServerBinding binding;
    private final KvStore kv;
    private final BusStore bus;
    private final TableStore tables;
    private final JobStore jobs;
    private final Path dataDir;
    private final CompletableFuture<Long> recovered;
    private final Optional<RespServer> resp;

    private StrataNode(ActorSystem<Void> system, ServerBinding binding, KvStore kv, BusStore bus, TableStore tables,
                       JobStore jobs, Path dataDir, CompletableFuture<Long> recovered, Optional<RespServer> resp) {
        this.system = system;
        this.binding = binding;
        this.kv = kv;
        this.bus = bus;
        this.tables = tables;
        this.jobs = jobs;
        this.dataDir = dataDir;
        this.recovered = recovered;
        this.resp = resp;
    }

    /** Starts a node from a fully resolved configuration (see {@link NodeConfig}). */
    public static StrataNode start(Config config) {
        long startNanos = System.nanoTime();
        Path dataDir = Paths.get(config.getString("strata.data-dir")).toAbsolutePath().normalize();
        KvSettings kvSettings = KvSettings.from(config);
        RespSettings respSettings = RespSettings.from(config);
        BusSettings busSettings = BusSettings.from(config);
        GroupSettings groupSettings = GroupSettings.from(config);
        ColumnarSettings columnarSettings = ColumnarSettings.from(config);
        String host = config.getString("strata.http.host");
        int port = config.getInt("strata.http.port");
        Duration askTimeout = config.getDuration("strata.http.ask-timeout");
        Optional<String> authToken = Optional.of(config.getString("strata.http.auth-token")).filter(t -> !t.isEmpty());

        DataDirLock lock = DataDirLock.acquire(dataDir);
        try {
            NodeIdentity.claim(dataDir, config.getString("strata.cluster.name"), config.getString("strata.cluster.node"));
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        ClusterTls tls;
        try {
            tls = ClusterTls.fromConfig(config);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        NodeMetrics metrics = new NodeMetrics();
        // Strangers knocking at the cluster port, or a member whose certificate expired.
        FunctionCounter.builder("strata.cluster.tls.refused", tls, ClusterTls::refused)
                .description("Cluster transport handshakes this node refused: a peer certificate not of its cluster")
                .register(metrics.registry());
        ActorSystem<Void> system;
        try {
            system = ActorSystem.create(Behaviors.empty(), "strata",
                    ActorSystemSetup.create(BootstrapSetup.create(config), SSLEngineProviderSetup.create(classic -> tls)));
        } catch (RuntimeException e) {
            metrics.close();
            lock.close();
            throw e;
        }
        try {
            Cluster cluster = Cluster.get(system);
            if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
                cluster.manager().tell(Join.create(cluster.selfMember().address()));
            }
            boolean kvFsync = kvSettings.durability() == Durability.FSYNC;
            boolean busFsync = busSettings.durability() == Durability.FSYNC;
            boolean tablesFsync = columnarSettings.durability() == Durability.FSYNC;
            // One committer for the whole node, so writers of every store share fsyncs.
            Timer fsyncs = Timer.builder("strata.log.fsync").description("Group-commit fsync batches (fsync durability)")
                    .register(metrics.registry());
            Optional<GroupCommitter> committer = kvFsync || busFsync || tablesFsync
                    ? Optional.of(new GroupCommitter(config.getDuration("strata.storage.fsync-commit-delay"),
                            nanos -> fsyncs.record(nanos, TimeUnit.NANOSECONDS)))
                    : Optional.empty();
            Executor blockingIo = system.dispatchers().lookup(DispatcherSelector.fromConfig("strata.blocking-io-dispatcher"));
            KvStorage kvStorage = new KvStorage(dataDir.resolve("kv"), committer.filter(c -> kvFsync), blockingIo,
                    new KvMetrics(metrics.registry()), System::currentTimeMillis);
            // In a cluster of a cluster file the catalogs are replicated; a node on its own keeps them in JSON files.
            boolean clustered = Placement.from(config).isPresent();
            Duration catalogTimeout = config.getDuration("strata.cluster.catalog-timeout");
            CatalogStores catalogs = clustered ? ReplicatedCatalogs.start(system, catalogTimeout) : CatalogStores.LOCAL;
            // A cluster file fixes every node's HTTP port, so the gateway's address is known before it binds.
            Optional<NodeDirectory> directory = clustered
                    ? Optional.of(NodeDirectory.start(system, config.getString("strata.cluster.node"),
                            "http://" + advertisedHost(host, config) + ":" + port, catalogTimeout))
                    : Optional.empty();
            KvStore kv = KvStore.start(system, kvSettings, kvStorage, KeyspaceCatalog.load(catalogs, dataDir.resolve("kv")),
                    askTimeout);
            TopicCatalog topics = TopicCatalog.load(catalogs, dataDir.resolve("bus"));
            BusStorage busStorage = new BusStorage(dataDir.resolve("bus"), committer.filter(c -> busFsync), blockingIo,
                    new BusMetrics(metrics.registry()), name -> topics.peek(name).map(TopicCatalog.Topic::retention),
                    System::currentTimeMillis);
            BusStore bus = BusStore.start(system, busSettings, busStorage, topics, askTimeout);
            GroupStore groups = GroupStore.start(system, bus, groupSettings, dataDir.resolve("bus").resolve("groups"),
                    blockingIo, askTimeout);
            TableCatalog tableCatalog = TableCatalog.load(catalogs, dataDir.resolve("tables"));
            ColumnarStorage columnarStorage = new ColumnarStorage(dataDir.resolve("tables"), committer.filter(c -> tablesFsync),
                    blockingIo, system.dispatchers().lookup(DispatcherSelector.fromConfig("strata.query-dispatcher")),
                    new ColumnarMetrics(metrics.registry()), tableCatalog::getConfirmed);
            CompletableFuture<Void> catalogsReady = new CompletableFuture<>();
            TableStore tables = TableStore.start(system, columnarSettings, columnarStorage, tableCatalog, catalogsReady, bus,
                    askTimeout);
            JobStore jobs = new JobStore(dataDir.resolve("jobs"), catalogs, PartitionHomes.of(system), directory, bus, kv, tables,
                    blockingIo, system, new JobStore.Settings(
                    config.getDuration("strata.stream.checkpoint-interval"), config.getDuration("strata.stream.tick-interval"),
                    config.getInt("strata.stream.max-open-windows"), config.getInt("strata.stream.read-batch"),
                    config.getDuration("strata.stream.poll-interval"), config.getInt("strata.stream.table-shards")));

            CoordinatedShutdown.get(Adapter.toClassic(system)).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
                    "strata-release-storage", () -> {
                        committer.ifPresent(GroupCommitter::close);
                        metrics.close();
                        lock.close();
                        LOG.info("storage closed");
                        return CompletableFuture.completedFuture(Done.getInstance());
                    });

            Map<String, PartitionKind> partitionKinds =
                    partitionKinds(kvStorage, busStorage, columnarStorage, dataDir.resolve("bus").resolve("groups"));
            Optional<PartitionMover> mover = directory.map(d -> new PartitionMover(system, d, partitionKinds, dataDir,
                    config.getString("strata.cluster.node"), authToken, blockingIo));
            mover.ifPresent(m -> CoordinatedShutdown.get(Adapter.toClassic(system)).addTask(
                    CoordinatedShutdown.PhaseBeforeServiceUnbind(), "strata-stop-moves", () -> {
                        m.close();
                        return CompletableFuture.completedFuture(Done.getInstance());
                    }));

            CompletableFuture<Done> memberUp = new CompletableFuture<>();
            org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system))
                    .registerOnMemberUp(() -> memberUp.complete(Done.getInstance()));
            memberUp.get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

            CompletableFuture<Long> recovered = new CompletableFuture<>();
            HttpGateway gateway = new HttpGateway(
                    List.of(new KvRoutes(kv).routes(), new BusRoutes(bus).routes(),
                            new StreamRoutes(bus, groupSettings, system).routes(), new GroupRoutes(groups).routes(),
                            new TableRoutes(tables, system).routes(),
                            new JobRoutes(jobs).routes(),
                            clusterRoutes(system, askTimeout, directory, mover, config),
                            transferRoutes(system, mover, partitionKinds, dataDir, blockingIo, config)),
                    metrics, authToken, () -> health(system, recovered), config.getBytes("strata.http.max-body-bytes"));
            ServerBinding binding = Http.get(system).newServerAt(host, port).bind(gateway.route())
                    .toCompletableFuture().get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            binding.addToCoordinatedShutdown(Duration.ofSeconds(5), system);
            Optional<RespServer> resp = respSettings.enabled() ? Optional.of(startResp(system, kv, respSettings)) : Optional.empty();

            long recoveryStart = System.nanoTime();
            awaitCatalogs(catalogs, catalogsReady, clustered ? Optional.of(PlacementTable.get(system)) : Optional.empty());
            mover.ifPresent(PartitionMover::start);
            if (clustered) {
                // A node that left and comes back takes partitions again.
                String self = config.getString("strata.cluster.node");
                PlacementTable placementTable = PlacementTable.get(system);
                if (placementTable.leavingNodes().contains(self)) {
                    placementTable.markLeaving(self, false);
                }
            }
            bus.openAll().whenComplete((partitions, failure) -> {
                if (failure != null) {
                    LOG.error("opening topic partitions failed; affected partitions refuse requests until they open", failure);
                } else {
                    LOG.info("bus opened: {} topic partitions", partitions);
                }
            });
            int jobsStarted = jobs.startAll();
            if (jobsStarted > 0) {
                LOG.info("stream jobs started: {}", jobsStarted);
            }
            CoordinatedShutdown.get(Adapter.toClassic(system)).addTask(CoordinatedShutdown.PhaseServiceUnbind(),
                    "strata-stop-jobs", () -> {
                        jobs.stopAll();
                        return CompletableFuture.completedFuture(Done.getInstance());
                    });
            kv.recoverAll().whenComplete((stats, failure) -> {
                long millis = (System.nanoTime() - recoveryStart) / 1_000_000;
                if (failure != null) {
                    LOG.error("KV recovery failed after {} ms; affected partitions refuse requests until they recover", millis, failure);
                    recovered.completeExceptionally(failure);
                } else {
                    LOG.info("KV recovered: {} partitions, {} keys in {} ms", stats.partitions(), stats.keys(), millis);
                    recovered.complete(millis);
                }
            });
            LOG.info("node started in {} ms: data in {}, cluster {}", (System.nanoTime() - startNanos) / 1_000_000,
                    dataDir, cluster.selfMember().address());
            return new StrataNode(system, binding, kv, bus, tables, jobs, dataDir, recovered, resp);
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
     * Binds the RESP listener; on shutdown it stops accepting with the gateway, then lets each
     * connection finish its current command before the partitions stop.
     */
    private static RespServer startResp(ActorSystem<?> system, KvStore kv, RespSettings settings) throws Exception {
        RespServer server = RespServer.bind(system, kv, settings).toCompletableFuture()
                .get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(Adapter.toClassic(system));
        shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "strata-resp-unbind", server::unbind);
        shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "strata-resp-drain", server::drain);
        return server;
    }

    /** Where each kind of partition keeps its files on this node, for moves between nodes. */
    private static Map<String, PartitionKind> partitionKinds(KvStorage kv, BusStorage bus, ColumnarStorage tables, Path groupsDir) {
        Map<String, PartitionKind> kinds = new LinkedHashMap<>();
        for (PartitionKind kind : List.of(
                new PartitionKind(KvPartition.TYPE_KEY, id -> kv.partitionDir(PartitionId.fromEntityId(id)),
                        id -> kv.awaitSnapshot(PartitionId.fromEntityId(id), Duration.ofSeconds(30))),
                new PartitionKind(TopicPartition.TYPE_KEY, id -> bus.partitionDir(PartitionId.fromEntityId(id)), id -> { }),
                new PartitionKind(TableShard.TYPE_KEY, id -> tables.shardDir(PartitionId.fromEntityId(id)), id -> { }),
                new PartitionKind(ConsumerGroup.TYPE_KEY, id -> ConsumerGroup.offsetsFile(groupsDir, id), id -> { }))) {
            kinds.put(kind.name(), kind);
        }
        return kinds;
    }

    private static org.apache.pekko.http.javadsl.server.Route clusterRoutes(ActorSystem<?> system, Duration askTimeout,
            Optional<NodeDirectory> directory, Optional<PartitionMover> mover, Config config) {
        return new ClusterRoutes(system, askTimeout, directory, mover, config.getDuration("strata.cluster.handover-timeout")).routes();
    }

    /** The node-to-node routes of partition moves, in a cluster; none on a node on its own. */
    private static org.apache.pekko.http.javadsl.server.Route transferRoutes(ActorSystem<?> system, Optional<PartitionMover> mover,
            Map<String, PartitionKind> kinds, Path dataDir, Executor blockingIo, Config config) {
        if (mover.isEmpty()) {
            return org.apache.pekko.http.javadsl.server.Directives.reject();
        }
        return new PartitionTransferRoutes(system, kinds, dataDir, config.getString("strata.cluster.node"), blockingIo, config.getDuration("strata.http.ask-timeout")).routes();
    }

    /** The host other nodes reach this gateway at: its bind address, or the cluster host when it binds every interface. */
    private static String advertisedHost(String httpHost, Config config) {
        return httpHost.equals("0.0.0.0") || httpHost.equals("::") ? config.getString("strata.cluster.host") : httpHost;
    }

    private static Map<String, Object> health(ActorSystem<?> system, CompletableFuture<Long> recovered) {
        Map<String, Object> body = new LinkedHashMap<>();
        String member = Cluster.get(system).selfMember().status().toString();
        body.put("status", member.equals("Up") ? "ok" : "unavailable");
        body.put("member_status", member);
        body.put("kv_recovered", recovered.isDone() && !recovered.isCompletedExceptionally());
        return body;
    }

    public InetSocketAddress httpAddress() {
        return binding.localAddress();
    }

    /** The RESP (Redis protocol) listener's address, when {@code strata.resp.enabled}. */
    public Optional<InetSocketAddress> respAddress() {
        return resp.map(RespServer::localAddress);
    }

    public int httpPort() {
        return binding.localAddress().getPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    public ActorSystem<Void> system() {
        return system;
    }

    public KvStore kv() {
        return kv;
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
        return recovered;
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
