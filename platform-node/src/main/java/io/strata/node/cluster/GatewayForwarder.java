package io.strata.node.cluster;

import io.strata.node.common.StrataException;
import io.strata.node.http.ErrorHandling;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;

/**
 * Serves a request about something with a home node (such as a stream job) on that home: on the
 * home itself, or on a node on its own, the local route answers; elsewhere the request (method,
 * path, query, body, content type, Authorization) goes to the home's gateway over HTTP and its
 * answer comes back as it is. A forwarded request carries {@value #FORWARDED_BY} and is never
 * forwarded again: the receiving node serves it locally, where the store refuses what it does
 * not home. A home that is down is refused at once ({@code partition_unavailable}, 503).
 * Thread-safe.
 */
public final class GatewayForwarder {

    /** The header a forwarded request carries: the name of the node that forwarded it. */
    public static final String FORWARDED_BY = "X-Strata-Forwarded-By";

    private final ActorSystem<?> system;
    private final PartitionHomes homes;
    private final Optional<NodeDirectory> directory;
    private final String self;
    private final Duration timeout;

    /** Forwards with {@code system}'s HTTP client, each request bounded by {@code strata.http.ask-timeout}. */
    public GatewayForwarder(ActorSystem<?> system, PartitionHomes homes, Optional<NodeDirectory> directory) {
        this.system = system;
        this.homes = homes;
        this.directory = directory;
        this.self = system.settings().config().getString("strata.cluster.node");
        this.timeout = system.settings().config().getDuration("strata.http.ask-timeout");
    }

    /**
     * {@code here} when {@code entityId} lives on this node or the request was forwarded to it;
     * otherwise the request with {@code body} (the bytes the route already read; empty for none)
     * answered by the home's gateway.
     */
    public Route toHome(String entityId, byte[] body, Supplier<Route> here) {
        if (homes.isHere(entityId)) {
            return here.get();
        }
        return optionalHeaderValueByName(FORWARDED_BY, forwardedBy -> {
            if (forwardedBy.isPresent()) {
                return here.get();
            }
            Optional<StrataException> down = homes.unavailable(entityId);
            if (down.isPresent()) {
                throw down.get();
            }
            String home = homes.homeOf(entityId).orElseThrow(() -> new StrataException(StrataException.Kind.UNAVAILABLE,
                    "partition_unavailable", entityId + " has no home node yet; try again shortly"));
            String gateway = directory.flatMap(d -> d.gatewayOf(home)).orElseThrow(() -> unavailable(entityId, home,
                    "whose gateway this node does not know yet"));
            return extractRequest(request -> completeWithFuture(forward(request, gateway, body)
                    .handle((response, failure) -> failure == null ? response : ErrorHandling.toResponse(
                            failure instanceof TimeoutException || failure.getCause() instanceof TimeoutException ? failure
                                    : unavailable(entityId, home, "whose gateway " + gateway + " did not answer: " + failure)))));
        });
    }

    private CompletionStage<HttpResponse> forward(HttpRequest request, String gateway, byte[] body) {
        String target = gateway + request.getUri().path() + request.getUri().rawQueryString().map(q -> "?" + q).orElse("");
        HttpRequest out = HttpRequest.create(target).withMethod(request.method())
                .withEntity(body.length == 0 ? HttpEntities.EMPTY : HttpEntities.create(request.entity().getContentType(), body))
                .addHeader(RawHeader.create(FORWARDED_BY, self));
        Optional<HttpHeader> authorization = request.getHeader("Authorization");
        if (authorization.isPresent()) {
            out = out.addHeader(authorization.get());
        }
        Materializer materializer = Materializer.matFromSystem(system);
        return Http.get(system).singleRequest(out)
                .thenCompose(response -> response.entity().toStrict(timeout.toMillis(), materializer)
                        .thenApply(strict -> response.withEntity(strict).withHeaders(StreamSupport
                                .stream(response.getHeaders().spliterator(), false)
                                // Connection handling is this hop's own, not the home's.
                                .filter(h -> !h.is("connection"))
                                .toList())))
                .toCompletableFuture().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static StrataException unavailable(String entityId, String home, String why) {
        return new StrataException(StrataException.Kind.UNAVAILABLE, "partition_unavailable",
                entityId + " lives on node " + home + ", " + why);
    }
}
