package io.strata.node.gateway;

import io.strata.node.http.Json;
import io.strata.node.limits.ByteBudget;
import io.strata.node.limits.HeapShare;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;


/**
 * One HTTP connection's guard: two stages around Pekko HTTP's server layer that enforce
 * {@link HttpLimits} on it.
 *
 * <pre>
 *  route ⇄ [messages: request started / answered, body budget] ⇄ Pekko HTTP server layer
 *        ⇄ [bytes: first byte, header and body deadlines, eviction] ⇄ idle timeout ⇄ TCP
 * </pre>
 *
 * <p>The bytes stage owns the connection's clock and its closing. It waits for a complete request
 * head: from connect, and on a kept-alive connection from the first byte of its next request, for
 * at most {@code header-timeout}, however slowly the bytes come (slowloris); a body must arrive
 * within {@code body-timeout} of its head. The messages stage tells it when a request starts (its
 * head is parsed), when its body has arrived and when its response has been written, and keeps
 * request bodies within the node's budget, answering 503 {@code overloaded} past it.
 *
 * <p>A connection is <em>idle</em> while no request is in progress and no byte of the next one has
 * come; the connection limit closes idle ones first ({@link HttpConnections}). Its state is shared
 * with {@link HttpConnections} through volatile fields; all changes run in the bytes stage.
 */
final class ConnectionGuard {

    /** Why a connection was closed by its guard (a metric tag). */
    enum Reason { HEADER_TIMEOUT, BODY_TIMEOUT, EVICTED, DRAINED }

    /** What the messages stage and the connection limit tell the bytes stage. */
    private enum Event { REQUEST_STARTED, BODY_PENDING, BODY_DONE, RESPONSE_DONE, EVICT, DRAIN, CLOSE }

    private enum Timer { HEADER, BODY }

    private final HttpConnections connections;
    private final HttpLimits limits;
    private final ByteBudget bodies;
    /** {@code System.nanoTime()} since when the connection is idle; -1 while a request is in progress. */
    private volatile long idleSince = System.nanoTime();
    private volatile boolean draining;
    private volatile boolean evicting;
    private volatile AsyncCallback<Event> events;

    ConnectionGuard(HttpConnections connections, HttpLimits limits, ByteBudget bodies) {
        this.connections = connections;
        this.limits = limits;
        this.bodies = bodies;
    }

    /** The stage between the route and the server layer. */
    BidiFlow<HttpResponse, HttpResponse, HttpRequest, HttpRequest, NotUsed> messages() {
        return BidiFlow.fromGraph(new MessageStage());
    }

    /** The stage between the server layer and the network. */
    BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> bytes() {
        return BidiFlow.fromGraph(new ByteStage());
    }

    /** Since when the connection is idle ({@code System.nanoTime()}), or -1 while it is not. */
    long idleSince() {
        return idleSince;
    }

    /** Asks the connection to close if it is still idle; it tells {@link HttpConnections} when it declines. */
    boolean evict() {
        AsyncCallback<Event> callback = events;
        // Not started yet (its stage sets the callback), already asked, or busy.
        if (callback == null || evicting || idleSince < 0) {
            return false;
        }
        evicting = true;
        callback.invoke(Event.EVICT);
        return true;
    }

    /** The node stops: close when idle, and after the response of the request in progress otherwise. */
    void drain() {
        draining = true;
        send(Event.DRAIN);
    }

    /** Closes the connection now, whatever it is doing. */
    void close() {
        send(Event.CLOSE);
    }

    private void send(Event event) {
        AsyncCallback<Event> callback = events;
        if (callback != null) {
            callback.invoke(event);
        }
    }

    /** The bytes between the server layer ({@code fromHttp}/{@code toHttp}) and the network: deadlines and closing. */
    private final class ByteStage extends GraphStage<BidiShape<ByteString, ByteString, ByteString, ByteString>> {
        private final Inlet<ByteString> fromHttp = Inlet.create("guard.fromHttp");
        private final Outlet<ByteString> toNet = Outlet.create("guard.toNet");
        private final Inlet<ByteString> fromNet = Inlet.create("guard.fromNet");
        private final Outlet<ByteString> toHttp = Outlet.create("guard.toHttp");
        private final BidiShape<ByteString, ByteString, ByteString, ByteString> shape = BidiShape.of(fromHttp, toNet, fromNet, toHttp);

        @Override
        public BidiShape<ByteString, ByteString, ByteString, ByteString> shape() {
            return shape;
        }

        @Override
        public GraphStageLogic createLogic(Attributes attributes) {
            return new TimerGraphStageLogic(shape) {
                /** Requests whose response has not been written yet. */
                private int inProgress;
                /** Whether the header deadline runs: from connect, or from the first byte after a response. */
                private boolean awaitingHead;

                {
                    setHandler(fromNet, new AbstractInHandler() {
                        @Override
                        public void onPush() {
                            if (inProgress == 0 && idleSince >= 0) {
                                // The first byte of a request: the connection is no longer idle, and on a
                                // kept-alive connection the head now has header-timeout to arrive.
                                idleSince = -1;
                                if (!awaitingHead) {
                                    awaitingHead = true;
                                    scheduleOnce(Timer.HEADER, limits.headerTimeout());
                                }
                            }
                            push(toHttp, grab(fromNet));
                        }
                    });
                    setHandler(toHttp, new AbstractOutHandler() {
                        @Override
                        public void onPull() {
                            pull(fromNet);
                        }
                    });
                    setHandler(fromHttp, new AbstractInHandler() {
                        @Override
                        public void onPush() {
                            push(toNet, grab(fromHttp));
                        }
                    });
                    setHandler(toNet, new AbstractOutHandler() {
                        @Override
                        public void onPull() {
                            pull(fromHttp);
                        }
                    });
                }

                @Override
                public void preStart() {
                    events = createAsyncCallback(this::onEvent);
                    // A new connection has header-timeout for its first request head, bytes or not.
                    awaitingHead = true;
                    scheduleOnce(Timer.HEADER, limits.headerTimeout());
                }

                private void onEvent(Event event) {
                    switch (event) {
                        case REQUEST_STARTED -> {
                            inProgress++;
                            idleSince = -1;
                            awaitingHead = false;
                            cancelTimer(Timer.HEADER);
                        }
                        case BODY_PENDING -> scheduleOnce(Timer.BODY, limits.bodyTimeout());
                        case BODY_DONE -> cancelTimer(Timer.BODY);
                        case RESPONSE_DONE -> {
                            inProgress--;
                            cancelTimer(Timer.BODY);
                            if (inProgress == 0) {
                                if (draining) {
                                    close(Reason.DRAINED);
                                    return;
                                }
                                idleSince = System.nanoTime();
                                connections.becameIdle();
                            }
                        }
                        case EVICT -> {
                            evicting = false;
                            if (idleSince >= 0) {
                                close(Reason.EVICTED);
                            } else {
                                connections.evictionDeclined();
                            }
                        }
                        case DRAIN -> {
                            if (inProgress == 0) {
                                close(Reason.DRAINED);
                            }
                        }
                        case CLOSE -> close(Reason.DRAINED);
                    }
                }

                @Override
                public void onTimer(Object key) {
                    close(key == Timer.HEADER ? Reason.HEADER_TIMEOUT : Reason.BODY_TIMEOUT);
                }

                private void close(Reason reason) {
                    connections.closedBy(reason);
                    completeStage();
                }

                @Override
                public void postStop() {
                    idleSince = -1;
                }
            };
        }
    }

    /** The requests and responses between the route ({@code fromUser}/{@code toUser}) and the server layer. */
    private final class MessageStage extends GraphStage<BidiShape<HttpResponse, HttpResponse, HttpRequest, HttpRequest>> {
        private final Inlet<HttpResponse> fromUser = Inlet.create("guard.fromUser");
        private final Outlet<HttpResponse> toLayer = Outlet.create("guard.toLayer");
        private final Inlet<HttpRequest> fromLayer = Inlet.create("guard.fromLayer");
        private final Outlet<HttpRequest> toUser = Outlet.create("guard.toUser");
        private final BidiShape<HttpResponse, HttpResponse, HttpRequest, HttpRequest> shape =
                BidiShape.of(fromUser, toLayer, fromLayer, toUser);

        @Override
        public BidiShape<HttpResponse, HttpResponse, HttpRequest, HttpRequest> shape() {
            return shape;
        }

        @Override
        public GraphStageLogic createLogic(Attributes attributes) {
            return new GraphStageLogic(shape) {
                /** Bytes of the budget the request in progress holds. */
                private long reserved;

                {
                    setHandler(fromLayer, new AbstractInHandler() {
                        @Override
                        public void onPush() {
                            onRequest(grab(fromLayer));
                        }

                        // No more requests (the server layer stops reading after a malformed body): the
                        // response to the one in progress, an error response, still has to pass.
                        @Override
                        public void onUpstreamFinish() {
                            complete(toUser);
                        }

                        @Override
                        public void onUpstreamFailure(Throwable failure) {
                            fail(toUser, failure);
                        }
                    });
                    setHandler(toUser, new AbstractOutHandler() {
                        @Override
                        public void onPull() {
                            if (!hasBeenPulled(fromLayer)) {
                                pull(fromLayer);
                            }
                        }
                    });
                    setHandler(fromUser, new AbstractInHandler() {
                        @Override
                        public void onPush() {
                            onResponse(grab(fromUser));
                        }
                    });
                    setHandler(toLayer, new AbstractOutHandler() {
                        @Override
                        public void onPull() {
                            if (!hasBeenPulled(fromUser)) {
                                pull(fromUser);
                            }
                        }
                    });
                }

                private void onRequest(HttpRequest request) {
                    send(Event.REQUEST_STARTED);
                    HttpEntity entity = request.entity();
                    // A body declared over max-body-bytes is refused (413) before more than that is read.
                    long size = entity.isStrict() ? ((HttpEntity.Strict) entity).getData().size()
                            : Math.min(entity.getContentLengthOption().orElse(limits.maxBodyBytes()), limits.maxBodyBytes());
                    if (!bodies.tryAcquire(size)) {
                        // Over the node's budget for request bodies: answered, its body discarded as it arrives, never held.
                        request.discardEntityBytes(materializer());
                        emit(toLayer, overloaded(), () -> {
                            send(Event.RESPONSE_DONE);
                            if (isAvailable(toUser) && !hasBeenPulled(fromLayer)) {
                                pull(fromLayer);
                            }
                        });
                        return;
                    }
                    reserved = size;
                    if (entity.isStrict() || entity.isKnownEmpty()) {
                        push(toUser, request);
                        return;
                    }
                    send(Event.BODY_PENDING);
                    push(toUser, request.withEntity(watched((RequestEntity) entity, () -> send(Event.BODY_DONE))));
                }

                private void onResponse(HttpResponse response) {
                    bodies.release(reserved);
                    reserved = 0;
                    HttpResponse out = draining ? response.addHeader(Connection.create("close")) : response;
                    ResponseEntity entity = out.entity();
                    if (entity.isStrict()) {
                        push(toLayer, out);
                        send(Event.RESPONSE_DONE);
                    } else {
                        // A streamed response is done when its last byte is handed to the network.
                        push(toLayer, out.withEntity(watched(entity, () -> send(Event.RESPONSE_DONE))));
                    }
                }

                @Override
                public void postStop() {
                    bodies.release(reserved);
                    reserved = 0;
                }
            };
        }
    }

    private HttpResponse overloaded() {
        return Json.error(StatusCodes.SERVICE_UNAVAILABLE, "overloaded", "the node holds " + HeapShare.describe(bodies.used())
                + " of request bodies, its limit (strata.http.max-body-bytes-in-flight = " + HeapShare.describe(bodies.limit())
                + "); retry shortly");
    }

    /** {@code entity} with the same length and type, calling {@code onEnd} once its bytes are all read, failed or cancelled. */
    private static <E extends ResponseEntity> E watched(E entity, Runnable onEnd) {
        Source<ByteString, ?> data = entity.getDataBytes().watchTermination((mat, done) -> {
            done.whenComplete((ok, failure) -> onEnd.run());
            return mat;
        });
        @SuppressWarnings("unchecked")
        E rebuilt = (E) (entity.getContentLengthOption().isPresent()
                ? HttpEntities.create(entity.getContentType(), entity.getContentLengthOption().getAsLong(), data)
                : entity instanceof HttpEntity.CloseDelimited
                        ? HttpEntities.createCloseDelimited(entity.getContentType(), data)
                        : HttpEntities.createChunked(entity.getContentType(), data));
        return rebuilt;
    }
}
