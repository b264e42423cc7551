package io.strata.node.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.strata.node.limits.ByteBudget;
import io.strata.node.plug.Door;
import io.strata.node.plug.NodeContext;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.TLSPlacebo;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's listener: Pekko HTTP's server layer on a TCP binding of Strata's own, so that each
 * connection gets a {@link ConnectionGuard} in front of it and the number of connections is
 * Strata's to decide (Pekko HTTP has no header-read timeout, and its connection limit cannot
 * close an idle connection for a newcomer).
 *
 * <p>At most {@code max-connections} connections are served. When they are all open and another
 * one is waiting, the connection idle for longest (no request in progress and no byte of the next
 * one: a fresh connection that sent nothing, a kept-alive one between requests) is closed to make
 * room, as nginx reuses its idle connections; when none is idle, the newcomer waits in the
 * kernel's accept queue until a connection closes, which the header, body and idle timeouts bound.
 * So idle and slow clients cannot keep others out.
 *
 * <p>Stopping: {@link #unbind} stops accepting; {@link #drain} closes idle connections at once and
 * the others after their response, and whatever is left at the deadline. Thread-safe.
 */
public final class HttpConnections implements Door {

    private static final Logger LOG = LoggerFactory.getLogger(HttpConnections.class);

    private final HttpLimits limits;
    private final ByteBudget bodies;
    private final Set<ConnectionGuard> guards = ConcurrentHashMap.newKeySet();
    private final Map<ConnectionGuard.Reason, Counter> closed = new EnumMap<>(ConnectionGuard.Reason.class);
    private final Counter idleTimeouts;
    private final CompletableFuture<Done> allClosed = new CompletableFuture<>();
    private int open;
    private CompletableFuture<Void> waiting;
    private boolean draining;
    private volatile Tcp.ServerBinding binding;

    private HttpConnections(HttpLimits limits, MeterRegistry registry) {
        this.limits = limits;
        this.bodies = new ByteBudget(limits.maxBodyBytesInFlight());
        for (ConnectionGuard.Reason reason : ConnectionGuard.Reason.values()) {
            closed.put(reason, closedCounter(registry, reason.name().toLowerCase(java.util.Locale.ROOT)));
        }
        this.idleTimeouts = closedCounter(registry, "idle_timeout");
        Gauge.builder("strata.http.connections", this, HttpConnections::openConnections)
                .description("HTTP connections open (at most strata.http.max-connections)").register(registry);
        Gauge.builder("strata.http.body.bytes.in.flight", bodies, ByteBudget::used).baseUnit("bytes")
                .description("Request bodies held, as strata.http.max-body-bytes-in-flight counts them").register(registry);
    }

    private static Counter closedCounter(MeterRegistry registry, String reason) {
        return Counter.builder("strata.http.connections.closed").tag("reason", reason)
                .description("HTTP connections the gateway closed, by reason").register(registry);
    }

    /**
     * The gateway's door: serves {@code route} on {@code strata.http.host:port} (127.0.0.1 by
     * default), within the HTTP limits and the node's share of connections for HTTP.
     */
    public static Door.Opening opening(NodeContext ctx, Route route) {
        HttpLimits limits = ctx.settings().httpLimits().withMaxConnections(ctx.connectionLimits().httpConnections());
        return () -> bind(ctx.system(), ctx.settings().httpHost(), ctx.settings().httpPort(), route, limits, ctx.registry());
    }

    /** Binds {@code host:port} and serves {@code route} on every connection, within {@code limits}. */
    public static CompletionStage<HttpConnections> bind(ActorSystem<?> system, String host, int port, Route route,
                                                        HttpLimits limits, MeterRegistry registry) {
        HttpConnections connections = new HttpConnections(limits, registry);
        ServerSettings settings = ServerSettings.create(Adapter.toClassic(system));
        Flow<HttpRequest, HttpResponse, NotUsed> handler = route.flow(system);
        return Tcp.get(system).bind(host, port, settings.getBacklog(), settings.getSocketOptions(), false, Optional.empty())
                .mapAsync(1, connection -> connections.slot().thenApply(granted -> connection))
                .to(Sink.foreach(connection -> connections.serve(system, connection, settings, handler)))
                .run(system)
                .thenApply(binding -> {
                    connections.binding = binding;
                    LOG.info("HTTP gateway bound to {} (at most {} connections, header timeout {}, idle timeout {})",
                            binding.localAddress(), limits.maxConnections(), limits.headerTimeout(), limits.idleTimeout());
                    return connections;
                });
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void serve(ActorSystem<?> system, Tcp.IncomingConnection connection, ServerSettings settings,
                       Flow<HttpRequest, HttpResponse, NotUsed> handler) {
        ConnectionGuard guard = new ConnectionGuard(this, limits, bodies);
        guards.add(guard);
        // TLSPlacebo's inbound type is a subtype of what the server layer reads; Java's generics cannot say so.
        BidiFlow<TLSProtocol.SslTlsOutbound, ByteString, ByteString, TLSProtocol.SslTlsInbound, NotUsed> plain =
                (BidiFlow) TLSPlacebo.getInstance();
        Flow<ByteString, ByteString, CompletionStage<Done>> flow = handler.join(guard.messages()
                        .atop(Http.get(system).serverLayer(settings))
                        .atop(plain)
                        .atop(guard.bytes())
                        .atop(BidiFlow.bidirectionalIdleTimeout(limits.idleTimeout())))
                .watchTermination(Keep.right());
        CompletionStage<Done> done;
        try {
            done = connection.handleWith(flow, system);
        } catch (RuntimeException e) {
            LOG.error("cannot serve the HTTP connection from {}", connection.remoteAddress(), e);
            done = CompletableFuture.failedFuture(e);
        }
        done.whenComplete((ok, failure) -> {
            if (failure instanceof java.util.concurrent.TimeoutException) {
                idleTimeouts.increment();
            }
            guards.remove(guard);
            release();
        });
    }

    /** Completes when a connection may be served: at once under the limit, else once an idle one closed or any other did. */
    private CompletionStage<Void> slot() {
        CompletableFuture<Void> granted;
        synchronized (this) {
            if (open < limits.maxConnections()) {
                open++;
                return CompletableFuture.completedFuture(null);
            }
            // One connection is accepted at a time, so at most one waits.
            granted = new CompletableFuture<>();
            waiting = granted;
        }
        evictIdle();
        return granted;
    }

    private void release() {
        CompletableFuture<Void> next;
        synchronized (this) {
            next = waiting;
            waiting = null;
            if (next == null) {
                open--;
            }
            if (draining && open == 0 && next == null) {
                allClosed.complete(Done.getInstance());
            }
        }
        if (next != null) {
            // The slot goes straight to the connection that waited for it.
            next.complete(null);
        }
    }

    /** A connection finished its response and has nothing in progress: it makes room if someone waits. */
    void becameIdle() {
        if (hasWaiter()) {
            evictIdle();
        }
    }

    /** A connection asked to close turned busy before it could: ask another. */
    void evictionDeclined() {
        if (hasWaiter()) {
            evictIdle();
        }
    }

    void closedBy(ConnectionGuard.Reason reason) {
        closed.get(reason).increment();
    }

    private synchronized boolean hasWaiter() {
        return waiting != null;
    }

    /** Closes the connection idle for longest, if any is idle. */
    private void evictIdle() {
        ConnectionGuard oldest = null;
        long oldestSince = Long.MAX_VALUE;
        for (ConnectionGuard guard : guards) {
            long since = guard.idleSince();
            if (since >= 0 && since < oldestSince) {
                oldest = guard;
                oldestSince = since;
            }
        }
        if (oldest != null && !oldest.evict()) {
            // It was already being evicted or turned busy; it reports back, or another becomes idle.
            LOG.debug("idle connection not evicted: it is closing or busy");
        }
    }

    private synchronized int openConnections() {
        return open;
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public InetSocketAddress address() {
        return binding.localAddress();
    }

    @Override
    public CompletionStage<Done> unbind() {
        return binding.unbind().thenApply(unit -> Done.getInstance());
    }

    /**
     * Closes idle connections now and the others once their response is written; completes when
     * all are closed, or closes what is left at {@code deadline}.
     */
    @Override
    public CompletionStage<Done> drain(Duration deadline) {
        synchronized (this) {
            draining = true;
            if (open == 0) {
                allClosed.complete(Done.getInstance());
            }
        }
        guards.forEach(ConnectionGuard::drain);
        return allClosed.completeOnTimeout(Done.getInstance(), deadline.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(done -> {
                    guards.forEach(ConnectionGuard::close);
                    return done;
                });
    }
}
