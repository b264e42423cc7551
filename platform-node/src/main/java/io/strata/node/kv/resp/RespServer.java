package io.strata.node.kv.resp;

import io.strata.node.kv.KvStore;
import io.strata.node.limits.MemoryGuard;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The KV store's second door: a TCP listener speaking RESP2 (the Redis protocol), so Redis
 * clients, redis-cli and redis-benchmark work against Strata. Every command goes through the
 * same {@link KvStore} (partition entities, log) as the HTTP API.
 *
 * <p>Per connection, a Pekko Streams flow: bytes → {@link RespDecoder} (commands, pipelined or
 * not) → {@link RespSession}, up to {@code max-in-flight} commands at once when they touch
 * different keys ({@link CommandScheduler}), replies in order ({@code mapAsync}) → reply bytes.
 * Backpressure runs end to end: a client that does not read its replies stops having its
 * commands read. A protocol error or an oversized request is answered and the connection closed.
 *
 * <p>Lifecycle: {@link #bind} listens; {@link #unbind} stops accepting; {@link #drain} lets each
 * connection finish the commands it is running, then closes them all. Thread-safe.
 */
public final class RespServer {

    private static final Logger LOG = LoggerFactory.getLogger(RespServer.class);

    /** The Redis version INFO and HELLO report: the command set and errors follow Redis 7's. */
    static final String REDIS_VERSION = "7.0.0";

    private final Tcp.ServerBinding binding;
    private final SharedKillSwitch connections;
    private final Map<Long, CompletionStage<Done>> open;

    private RespServer(Tcp.ServerBinding binding, SharedKillSwitch connections, Map<Long, CompletionStage<Done>> open) {
        this.binding = binding;
        this.connections = connections;
        this.open = open;
    }

    /** Binds {@code settings.host():settings.port()} and serves connections until unbound; INFO reports {@code memory}'s figures. */
    public static CompletionStage<RespServer> bind(ActorSystem<?> system, KvStore store, RespSettings settings,
                                                   MemoryGuard memory) {
        SharedKillSwitch killSwitch = KillSwitches.shared("resp-connections");
        Map<Long, CompletionStage<Done>> open = new ConcurrentHashMap<>();
        AtomicLong ids = new AtomicLong();
        Info info = new Info(settings, System.nanoTime(), open, memory);
        return Tcp.get(system).bind(settings.host(), settings.port())
                .to(Sink.foreach(connection -> {
                    long id = ids.incrementAndGet();
                    info.connectionsReceived.incrementAndGet();
                    CompletionStage<Done> closed = connection.handleWith(
                            connectionFlow(new RespSession(store, info, id), settings, killSwitch), system);
                    open.put(id, closed);
                    closed.whenComplete((done, failure) -> open.remove(id));
                }))
                .run(system)
                .thenApply(binding -> {
                    info.port = binding.localAddress().getPort();
                    LOG.info("RESP listener bound to {}", binding.localAddress());
                    return new RespServer(binding, killSwitch, open);
                });
    }

    /** One connection: decode, run in order, encode; completes after QUIT or a protocol error. */
    static Flow<ByteString, ByteString, CompletionStage<Done>> connectionFlow(RespSession session, RespSettings settings,
                                                                              SharedKillSwitch killSwitch) {
        return Flow.of(ByteString.class)
                .statefulMapConcat(() -> {
                    RespDecoder decoder = new RespDecoder(settings.maxRequestBytes());
                    return decoder::feed;
                })
                .named("resp-decode")
                .via(killSwitch.flow())
                .mapAsync(settings.maxInFlight(), session::execute)
                .named("resp-execute")
                .takeWhile(response -> !response.close(), true)
                .map(RespSession.Response::bytes)
                .watchTermination((notUsed, done) -> done);
    }

    public InetSocketAddress localAddress() {
        return binding.localAddress();
    }

    /** Stops accepting connections; open ones keep being served. */
    public CompletionStage<Done> unbind() {
        return binding.unbind().thenApply(unit -> Done.getInstance());
    }

    /** Closes every connection once the commands it is running are answered; completes when all are closed. */
    public CompletionStage<Done> drain() {
        connections.shutdown();
        return CompletableFuture.allOf(open.values().stream()
                        .map(closed -> closed.exceptionally(failure -> Done.getInstance()).toCompletableFuture())
                        .toArray(CompletableFuture[]::new))
                .thenApply(all -> Done.getInstance());
    }

    /** What INFO reports: shared by the listener's connections. Thread-safe. */
    static final class Info {
        private final RespSettings settings;
        private final long startNanos;
        private final Map<Long, CompletionStage<Done>> open;
        private final MemoryGuard memory;
        private final AtomicLong connectionsReceived = new AtomicLong();
        private final AtomicLong commandsProcessed = new AtomicLong();
        private volatile int port;

        Info(RespSettings settings, long startNanos, Map<Long, CompletionStage<Done>> open, MemoryGuard memory) {
            this.settings = settings;
            this.startNanos = startNanos;
            this.open = open;
            this.memory = memory;
        }

        MemoryGuard memory() {
            return memory;
        }

        RespSettings settings() {
            return settings;
        }

        int port() {
            return port;
        }

        long uptimeSeconds() {
            return (System.nanoTime() - startNanos) / 1_000_000_000L;
        }

        int connectedClients() {
            return open.size();
        }

        long connectionsReceived() {
            return connectionsReceived.get();
        }

        long commandsProcessed() {
            return commandsProcessed.get();
        }

        void commandProcessed() {
            commandsProcessed.incrementAndGet();
        }
    }
}
