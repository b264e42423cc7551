package io.strata.dataflow.chain;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.strata.dataflow.store.StrataClient;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

/**
 * A running chain of services, all in this JVM, each on its own loopback port, sharing one
 * ActorSystem for their HTTP endpoints. Start one with {@link #start}; close it to stop them.
 */
public final class Chain implements ChainHandle {

    private static final Config SERVICES_CONFIG = ConfigFactory.parseString(String.join("\n",
            "pekko.actor.provider = local",
            "pekko.loglevel = WARNING",
            "pekko.coordinated-shutdown.exit-jvm = off",
            // A down service holds requests up to ChainService.MAX_HOLD; Pekko must not answer them first.
            "pekko.http.server.request-timeout = 60s",
            "pekko.http.server.idle-timeout = 120s",
            "pekko.http.server.max-connections = 8192",
            "pekko.http.server.backlog = 1024"));

    private final ChainSettings settings;
    private final ActorSystem<Void> system;
    private final ExecutorService httpExecutor;
    private final List<ChainService> services;

    private Chain(ChainSettings settings, ActorSystem<Void> system, ExecutorService httpExecutor, List<ChainService> services) {
        this.settings = settings;
        this.system = system;
        this.httpExecutor = httpExecutor;
        this.services = services;
    }

    /**
     * Prepares the node (the keyspace, and the bus mode's topics), then starts the services from
     * the last to the first (an rpc service needs its successor's address), on free ports when
     * {@code basePort} is 0, else on {@code basePort}, {@code basePort + 1}, ...
     */
    public static Chain start(ChainSettings settings, int basePort) {
        return launch(settings, (system, http) -> {
            List<ChainService> started = new ArrayList<>();
            try {
                String next = null;
                for (int i = settings.hops() - 1; i >= 0; i--) {
                    // Each service has its own client, as separate services each have their own connection pool.
                    ChainService service = create(settings, i, new StrataClient(settings.nodeBase(), http), next, http, system);
                    service.start(system, basePort == 0 ? 0 : basePort + i).toCompletableFuture().join();
                    started.add(service);
                    next = service.url();
                }
            } catch (RuntimeException e) {
                started.forEach(ChainService::close);
                throw e;
            }
            Collections.reverse(started);
            return started;
        });
    }

    /**
     * Starts only service {@code index} of the chain, for a chain whose services run in separate
     * processes: {@code next} is the address of the service after it (rpc mode), or null.
     */
    public static Chain startOne(ChainSettings settings, int index, String next, int port) {
        return launch(settings, (system, http) -> {
            ChainService service = create(settings, index, new StrataClient(settings.nodeBase(), http), next, http, system);
            service.start(system, port).toCompletableFuture().join();
            return List.of(service);
        });
    }

    /** Starts the services {@code starter} creates, on a new ActorSystem and HTTP client, after preparing the node. */
    private static Chain launch(ChainSettings settings, java.util.function.BiFunction<ActorSystem<Void>, HttpClient, List<ChainService>> starter) {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "dataflow", SERVICES_CONFIG.withFallback(ConfigFactory.load()));
        ExecutorService httpExecutor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "strata-dataflow-http");
            thread.setDaemon(true);
            return thread;
        });
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(httpExecutor)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            prepare(settings, new StrataClient(settings.nodeBase(), http)).join();
            return new Chain(settings, system, httpExecutor, List.copyOf(starter.apply(system, http)));
        } catch (RuntimeException e) {
            system.terminate();
            httpExecutor.shutdownNow();
            throw e;
        }
    }

    private static CompletableFuture<Void> prepare(ChainSettings settings, StrataClient store) {
        // Reading a few dozen keys opens every partition of the keyspace before the first request needs one.
        List<String> spread = java.util.stream.IntStream.range(0, 8 * Results.PARTITIONS).mapToObj(i -> settings.runId() + ".warm." + i).toList();
        CompletableFuture<Void> keyspace = store.ensureKeyspace(Results.KEYSPACE, Results.PARTITIONS)
                .thenCompose(created -> store.mget(Results.KEYSPACE, spread)).thenApply(values -> null);
        if (settings.mode() != Mode.BUS) {
            return keyspace;
        }
        List<CompletableFuture<Void>> topics = new ArrayList<>(List.of(keyspace));
        for (int i = 0; i < settings.hops(); i++) {
            topics.add(store.ensureTopic(BusService.topic(settings, i), BusService.PARTITIONS, BusService.RETENTION));
        }
        return CompletableFuture.allOf(topics.toArray(CompletableFuture[]::new));
    }

    private static ChainService create(ChainSettings settings, int index, StrataClient store, String next, HttpClient http,
                                       ActorSystem<Void> system) {
        return switch (settings.mode()) {
            case RPC -> new RpcService(settings, index, store, next, http, system.classicSystem().scheduler());
            case DB -> new DbService(settings, index, store);
            case BUS -> new BusService(settings, index, store);
        };
    }

    @Override
    public ChainSettings settings() {
        return settings;
    }

    public List<ChainService> services() {
        return services;
    }

    /** The service named {@code name}; an {@link IllegalArgumentException} if the chain has none. */
    public ChainService service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the chain has no service " + name));
    }

    @Override
    public String entryUrl() {
        return services.get(0).url() + "/process";
    }

    @Override
    public void startClock(long nanos) {
        services.forEach(s -> s.faults().startClock(nanos));
    }

    @Override
    public CompletableFuture<Long> backlog() {
        if (settings.mode() == Mode.RPC) {
            return CompletableFuture.completedFuture(-1L);
        }
        List<CompletableFuture<Long>> parts = services.stream().map(ChainService::backlog).toList();
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> parts.stream().mapToLong(CompletableFuture::join).filter(b -> b > 0).sum());
    }

    @Override
    public long dbCompleted() {
        return services.get(0) instanceof DbService entry ? entry.completed() : -1;
    }

    @Override
    public long breakerOpenMillis() {
        return services.stream().filter(s -> s instanceof RpcService).mapToLong(s -> ((RpcService) s).breakerOpenMillis()).sum();
    }

    @Override
    public void close() {
        services.forEach(ChainService::close);
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
        httpExecutor.shutdownNow();
    }
}
