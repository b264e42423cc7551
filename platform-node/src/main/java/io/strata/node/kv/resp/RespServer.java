package io.strata.node.kv.resp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.strata.node.kv.GatheredCalls;
import io.strata.node.kv.KvStore;
import io.strata.node.limits.MemoryGuard;
import io.strata.node.plug.Door;
import io.strata.node.plug.NodeContext;
import org.apache.pekko.Done;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The KV store's second door: a TCP listener speaking RESP2 and RESP3 (the Redis protocol), so Redis
 * clients, redis-cli and redis-benchmark work against Strata. Every command goes through the
 * same {@link KvStore} (partition entities, log) as the HTTP API.
 *
 * <p>Connections are served by Netty event loops ({@code strata.resp.io-threads} of them), each
 * connection by one {@link RespConnection}: bytes → {@link RespDecoder} (commands, pipelined or
 * not; those one read completed stay together) → {@link RespSession}, which sends a pipeline's
 * simple commands to the store as one batch, up to {@code max-in-flight} at once when they touch
 * different keys ({@link CommandScheduler}) → replies in order, those ready together written as
 * one. A command goes from the socket to its partition's mailbox and back without a stream stage
 * or an actor of its own in between: what Redis's own event loop does, with the partition actors
 * where Redis runs the command. Event loop threads never block; the store answers with futures.
 * Backpressure runs end to end: a client that does not read its replies stops having its
 * commands read. A protocol error or an oversized request is answered and the connection closed.
 *
 * <p>Limits, as Redis has them: at most {@code max-clients} connections (one more is answered
 * {@code -ERR max number of clients reached} and closed, and counted as a rejected connection);
 * a connection idle for {@code timeout} is closed (when set); the input all connections hold is
 * bounded by {@code max-input-bytes} ({@link RespInput}).
 *
 * <p>Lifecycle: {@link #bind} listens; {@link #unbind} stops accepting; {@link #drain} lets each
 * connection finish the commands it is running, then closes them all and stops the event loops.
 * Thread-safe.
 */
public final class RespServer implements Door {

    private static final Logger LOG = LoggerFactory.getLogger(RespServer.class);

    /** The Redis version INFO and HELLO report: the command set and errors follow Redis 7's. */
    static final String REDIS_VERSION = "7.0.0";
    /** Redis's answer to a connection over {@code maxclients}. */
    static final String MAX_CLIENTS_REACHED = "ERR max number of clients reached";
    /** Unfinished SCANs remembered at once: a cursor holds a key, up to 1 KiB, so at most about 10 MiB. */
    static final int MAX_OPEN_SCANS = 10_000;
    /**
     * Replies a connection may have written and not yet sent before it stops running commands (and
     * reading): past the high mark it waits until the client has read down to the low one.
     */
    private static final WriteBufferWaterMark REPLY_BUFFER = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

    private final Channel listener;
    private final EventLoopGroup loops;
    private final Info info;

    private RespServer(Channel listener, EventLoopGroup loops, Info info) {
        this.listener = listener;
        this.loops = loops;
        this.info = info;
    }

    /** What INFO reports, for tests. */
    Info info() {
        return info;
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
        return Optional.of(() -> bind(store, limited, ctx.memory()));
    }

    /**
     * Binds {@code settings.host():settings.port()} and serves connections until drained, at most
     * {@code settings.maxClients()} at once; INFO reports {@code memory}'s figures.
     */
    public static CompletionStage<RespServer> bind(KvStore store, RespSettings settings, MemoryGuard memory) {
        Map<Long, RespConnection> open = new ConcurrentHashMap<>();
        Info info = new Info(settings, System.nanoTime(), open, memory);
        // Per event loop, the store its connections use: their calls to a partition in one pass of the loop go as one message.
        Map<EventLoop, KvStore> stores = new ConcurrentHashMap<>();
        AtomicLong ids = new AtomicLong();
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(settings.ioThreads(), new DefaultThreadFactory("strata-resp", true),
                NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, REPLY_BUFFER)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        info.connectionsReceived.incrementAndGet();
                        if (open.size() >= settings.maxClients()) {
                            info.rejectedConnections.incrementAndGet();
                            channel.pipeline().addLast(new Refusal());
                            return;
                        }
                        EventLoop loop = channel.eventLoop();
                        KvStore gathering = store == null ? null
                                : stores.computeIfAbsent(loop, l -> store.gatheringOn(new GatheredCalls(store, l, l::inEventLoop)));
                        accept(channel, ids.incrementAndGet(), gathering, info);
                    }
                });
        CompletableFuture<RespServer> bound = new CompletableFuture<>();
        bootstrap.bind(settings.host(), settings.port()).addListener((ChannelFutureListener) future -> {
            if (!future.isSuccess()) {
                loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                bound.completeExceptionally(future.cause());
                return;
            }
            InetSocketAddress address = (InetSocketAddress) future.channel().localAddress();
            info.port = address.getPort();
            LOG.info("RESP listener bound to {} (at most {} clients, {} event loops)", address, settings.maxClients(),
                    settings.ioThreads());
            bound.complete(new RespServer(future.channel(), loops, info));
        });
        return bound;
    }

    /** Serves a new connection: its session, its share of the input budget, its idle timeout. */
    private static void accept(SocketChannel channel, long id, KvStore store, Info info) {
        RespSettings settings = info.settings;
        RespInput.Reader reader = info.input.open(id, channel::close);
        RespSession session = info.register(new RespSession(store, info, id, address(channel.remoteAddress()),
                address(channel.localAddress())));
        RespConnection connection = new RespConnection(session, reader, settings);
        connection.closed().whenComplete((done, failure) -> {
            info.open.remove(id);
            info.sessions.remove(id);
            session.disconnected();
            reader.closed();
        });
        if (!settings.timeout().isZero()) {
            channel.pipeline().addLast(new IdleStateHandler(0, 0, settings.timeout().toMillis(), TimeUnit.MILLISECONDS));
        }
        channel.pipeline().addLast(connection);
        // Counted once in the pipeline (a drain may reach it from now on), and before it runs, so its
        // first command (INFO) and the next accept both see it.
        info.open.put(id, connection);
    }

    /** {@code host:port}, as CLIENT LIST shows addresses. */
    private static String address(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** Answers a connection over {@code max-clients} as Redis does, and closes it. */
    private static final class Refusal extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(Resp.error(MAX_CLIENTS_REACHED).toArrayUnsafe()))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    public CompletionStage<Done> unbind() {
        CompletableFuture<Done> unbound = new CompletableFuture<>();
        listener.close().addListener(future -> unbound.complete(Done.getInstance()));
        return unbound;
    }

    /**
     * Closes every connection once the commands it is running are answered, then stops the event
     * loops; completes when all are closed, or at {@code deadline} with the rest closed by force.
     */
    @Override
    public CompletionStage<Done> drain(Duration deadline) {
        info.open.values().forEach(RespConnection::drain);
        return CompletableFuture.allOf(info.open.values().stream().map(RespConnection::closed).toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, deadline.toMillis(), TimeUnit.MILLISECONDS)
                .thenCompose(all -> {
                    CompletableFuture<Done> stopped = new CompletableFuture<>();
                    // Shutting the loops down closes what is still open (a client blocked in BLPOP past the deadline).
                    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).addListener(future -> stopped.complete(Done.getInstance()));
                    return stopped;
                });
    }

    @Override
    public String name() {
        return "resp";
    }

    /** What INFO reports: shared by the listener's connections. Thread-safe. */
    static final class Info {
        private final RespSettings settings;
        private final long startNanos;
        private final Map<Long, RespConnection> open;
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

        Info(RespSettings settings, long startNanos, Map<Long, RespConnection> open, MemoryGuard memory) {
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
