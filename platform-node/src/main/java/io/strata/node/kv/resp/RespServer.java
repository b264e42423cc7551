package io.strata.node.kv.resp;

import io.strata.node.kv.KvStore;
import io.strata.node.limits.ByteBudget;
import io.strata.node.limits.MemoryGuard;
import io.strata.node.plug.Door;
import io.strata.node.plug.TcpDoor;
import io.strata.node.plug.NodeContext;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The KV store's second door: a TCP listener speaking RESP2 and RESP3 (the Redis protocol), so Redis
 * clients, redis-cli and redis-benchmark work against Strata. Every command goes through the
 * same {@link KvStore} (partition entities, log) as the HTTP API.
 *
 * <p>Per connection, a Pekko Streams flow: bytes → {@link RespDecoder} (commands, pipelined or
 * not; those one read completed stay together) → {@link RespSession}, which sends a pipeline's
 * simple commands to the store as one batch, up to {@code max-in-flight} reads at once when they
 * touch different keys ({@link CommandScheduler}), replies in order ({@code mapAsync}), those of
 * one read as one write → reply bytes.
 * Backpressure runs end to end: a client that does not read its replies stops having its
 * commands read. A protocol error or an oversized request is answered and the connection closed.
 *
 * <p>Limits, as Redis has them: at most {@code max-clients} connections (one more is answered
 * {@code -ERR max number of clients reached} and closed, and counted as a rejected connection);
 * a connection idle for {@code timeout} is closed (when set); the input all connections hold is
 * bounded by {@code max-input-bytes} ({@link RespInput}).
 *
 * <p>Lifecycle: {@link #bind} listens; {@link #unbind} stops accepting; {@link #drain} lets each
 * connection finish the commands it is running, then closes them all. Thread-safe.
 */
public final class RespServer extends TcpDoor {

    private static final Logger LOG = LoggerFactory.getLogger(RespServer.class);

    /** The Redis version INFO and HELLO report: the command set and errors follow Redis 7's. */
    static final String REDIS_VERSION = "7.0.0";
    /** Redis's answer to a connection over {@code maxclients}. */
    static final String MAX_CLIENTS_REACHED = "ERR max number of clients reached";
    /** Unfinished SCANs remembered at once: a cursor holds a key, up to 1 KiB, so at most about 10 MiB. */
    static final int MAX_OPEN_SCANS = 10_000;

    private RespServer(Tcp.ServerBinding binding, SharedKillSwitch connections, Map<Long, CompletionStage<Done>> open) {
        super(binding, connections, open);
    }

    /**
     * The RESP door onto {@code store}, when {@code strata.resp.enabled}: it binds
     * {@code strata.resp.host:port} (127.0.0.1 by default) with the node's share of connections
     * for RESP; none when RESP is off.
     */
    public static Optional<Door.Opening> opening(NodeContext ctx, KvStore store) {
        RespSettings settings = ctx.settings().resp();
        if (!settings.enabled()) {
            return Optional.empty();
        }
        RespSettings limited = settings.withMaxClients(ctx.connectionLimits().respClients());
        return Optional.of(() -> bind(ctx.system(), store, limited, ctx.memory()));
    }

    /**
     * Binds {@code settings.host():settings.port()} and serves connections until unbound, at most
     * {@code settings.maxClients()} at once; INFO reports {@code memory}'s figures.
     */
    public static CompletionStage<RespServer> bind(ActorSystem<?> system, KvStore store, RespSettings settings,
                                                   MemoryGuard memory) {
        SharedKillSwitch killSwitch = KillSwitches.shared("resp-connections");
        Map<Long, CompletionStage<Done>> open = new ConcurrentHashMap<>();
        AtomicLong ids = new AtomicLong();
        Info info = new Info(settings, System.nanoTime(), open, memory);
        Flow<ByteString, ByteString, NotUsed> refusal = Flow.fromSinkAndSourceCoupled(Sink.ignore(),
                Source.single(Resp.error(MAX_CLIENTS_REACHED)));
        return Tcp.get(system).bind(settings.host(), settings.port())
                .to(Sink.foreach(connection -> {
                    info.connectionsReceived.incrementAndGet();
                    if (open.size() >= settings.maxClients()) {
                        info.rejectedConnections.incrementAndGet();
                        connection.handleWith(refusal, system);
                        return;
                    }
                    long id = ids.incrementAndGet();
                    SharedKillSwitch evict = KillSwitches.shared("resp-connection-" + id);
                    RespInput.Reader reader = info.input.open(id, evict::shutdown);
                    // Counted before it runs, so its first command (INFO) and the next accept both see it.
                    CompletableFuture<Done> closed = new CompletableFuture<>();
                    open.put(id, closed);
                    closed.whenComplete((done, failure) -> {
                        open.remove(id);
                        RespSession session = info.sessions.remove(id);
                        if (session != null) {
                            session.disconnected();
                        }
                        reader.closed();
                    });
                    try {
                        connection.handleWith(idleTimeout(settings).join(
                                connectionFlow(info.register(new RespSession(store, info, id, address(connection.remoteAddress()),
                                        address(connection.localAddress()))), settings, killSwitch, reader).via(evict.flow()),
                                Keep.<NotUsed, CompletionStage<Done>>right()), system)
                                .whenComplete((done, failure) -> closed.complete(Done.getInstance()));
                    } catch (RuntimeException e) {
                        // One connection that cannot start must not stop the listener.
                        LOG.error("cannot serve the RESP connection from {}", connection.remoteAddress(), e);
                        closed.complete(Done.getInstance());
                    }
                }))
                .run(system)
                .thenApply(binding -> {
                    info.port = binding.localAddress().getPort();
                    LOG.info("RESP listener bound to {} (at most {} clients)", binding.localAddress(), settings.maxClients());
                    return new RespServer(binding, killSwitch, open);
                });
    }

    /** {@code host:port}, as CLIENT LIST shows addresses. */
    private static String address(java.net.InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** Closes a connection on which no byte moved either way for {@code timeout} (Redis's {@code timeout}); none when zero. */
    private static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> idleTimeout(RespSettings settings) {
        return settings.timeout().isZero() ? BidiFlow.identity() : BidiFlow.bidirectionalIdleTimeout(settings.timeout());
    }

    /**
     * One connection: decode, run in order, encode; completes after QUIT or a protocol error. The
     * commands one read completed run together (the session sends a pipeline's simple commands as
     * one batch), in groups of at most {@code max-in-flight}; groups run at once while they hold at
     * most {@code max-in-flight} commands whose replies are not written yet, so that a client that
     * does not read holds no more replies than one command at a time would.
     */
    static Flow<ByteString, ByteString, CompletionStage<Done>> connectionFlow(RespSession session, RespSettings settings,
                                                                              SharedKillSwitch killSwitch,
                                                                              RespInput.Reader input) {
        int groupSize = settings.maxInFlight();
        return Flow.of(ByteString.class)
                .statefulMapConcat(() -> {
                    RespDecoder decoder = new RespDecoder(settings.maxRequestBytes());
                    return chunk -> {
                        List<RespDecoder.Frame> frames = decoder.feed(chunk);
                        input.unfinished(decoder.buffered());
                        List<List<RespDecoder.Frame>> groups = new ArrayList<>(1 + frames.size() / groupSize);
                        for (int i = 0; i < frames.size(); i += groupSize) {
                            groups.add(frames.subList(i, Math.min(frames.size(), i + groupSize)));
                        }
                        return groups;
                    };
                })
                .named("resp-decode")
                .via(killSwitch.flow())
                .via(Flow.fromMaterializer((materializer, attributes) -> answered(session, settings, input)))
                .watchTermination((notUsed, done) -> done);
    }

    /** A group's reply and how many commands it answers. */
    private record Answer(RespSession.Response response, int commands) {}

    /** Runs groups of commands and writes their replies in order, with the connection's own count of commands in flight. */
    private static Flow<List<RespDecoder.Frame>, ByteString, NotUsed> answered(RespSession session, RespSettings settings,
                                                                                 RespInput.Reader input) {
        ByteBudget inFlight = new ByteBudget(settings.maxInFlight());
        return Flow.<List<RespDecoder.Frame>>create()
                // Past max-input-bytes, wait for room before holding more commands (and so stop reading).
                .mapAsync(1, frames -> input.admit(sizeOf(frames)).thenCompose(admitted -> inFlight.acquire(frames.size()))
                        .thenApply(admitted -> frames))
                .named("resp-admit")
                .mapAsync(settings.maxInFlight(), frames -> session.execute(frames).whenComplete(
                        (response, failure) -> input.answered(sizeOf(frames))).thenApply(response -> new Answer(response, frames.size())))
                .named("resp-execute")
                .takeWhile(answer -> !answer.response().close(), true)
                .map(answer -> {
                    inFlight.release(answer.commands());
                    return answer.response().bytes();
                });
    }

    private static long sizeOf(List<RespDecoder.Frame> frames) {
        long bytes = 0;
        for (RespDecoder.Frame frame : frames) {
            bytes += RespInput.sizeOf(frame);
        }
        return bytes;
    }

    @Override
    public String name() {
        return "resp";
    }

    /** What INFO reports: shared by the listener's connections. Thread-safe. */
    static final class Info {
        private final RespSettings settings;
        private final long startNanos;
        private final Map<Long, CompletionStage<Done>> open;
        private final MemoryGuard memory;
        private final RespInput input;
        private final AtomicLong connectionsReceived = new AtomicLong();
        private final AtomicLong rejectedConnections = new AtomicLong();
        private final AtomicLong commandsProcessed = new AtomicLong();
        private final BlockedClients blocked = new BlockedClients();
        private final Map<Long, RespSession> sessions = new ConcurrentHashMap<>();
        private final ScanCursors scans = new ScanCursors(MAX_OPEN_SCANS);
        private final EncodingParameters encodings = new EncodingParameters();
        private volatile int port;

        Info(RespSettings settings, long startNanos, Map<Long, CompletionStage<Done>> open, MemoryGuard memory) {
            this.settings = settings;
            this.startNanos = startNanos;
            this.open = open;
            this.memory = memory;
            this.input = new RespInput(settings.maxInputBytes());
        }

        MemoryGuard memory() {
            return memory;
        }

        /** Redis's encoding thresholds, as CONFIG GET / SET see them. */
        EncodingParameters encodings() {
            return encodings;
        }

        /** The listener's unfinished SCANs. */
        ScanCursors scans() {
            return scans;
        }

        /** Adds a connection's session to those CLIENT LIST shows, until its connection closes. */
        RespSession register(RespSession session) {
            sessions.put(session.id(), session);
            return session;
        }

        /** The open connections' sessions. */
        java.util.Collection<RespSession> sessions() {
            return sessions.values();
        }

        RespInput input() {
            return input;
        }

        long rejectedConnections() {
            return rejectedConnections.get();
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

        /** Connections waiting in a blocking pop (BLPOP...), in the order they blocked per key; INFO's {@code blocked_clients}. */
        BlockedClients blocked() {
            return blocked;
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
