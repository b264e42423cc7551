package io.strata.node.gateway;

import io.strata.node.http.ErrorHandling;
import io.strata.node.http.HttpMetrics;
import io.strata.node.http.Json;
import io.strata.node.http.RequestChecks;
import io.strata.node.metrics.NodeMetrics;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The node's HTTP gateway: composes the routes of each area (KV, cluster, ...) with the node
 * endpoints ({@code /health}, {@code /metrics}), request metrics, optional bearer-token auth and
 * error handling that answers every failure in the JSON error shape.
 */
public final class HttpGateway extends AllDirectives {

    private final List<Route> areaRoutes;
    private final NodeMetrics metrics;
    private final HttpMetrics httpMetrics;
    private final Optional<String> authToken;
    private final Supplier<Map<String, Object>> health;
    private final long maxBodyBytes;
    private final Executor blockingIo;

    /**
     * @param areaRoutes the routes of each area, tried in order
     * @param authToken  when present, every request but {@code GET /health} needs {@code Authorization: Bearer <token>}
     * @param health     the body of {@code GET /health}; its {@code "status"} is {@code "ok"} when the node serves
     * @param maxBodyBytes the largest request body accepted
     * @param blockingIo   where the health and metrics endpoints read the filesystem and {@code /proc}
     */
    public HttpGateway(List<Route> areaRoutes, NodeMetrics metrics, Optional<String> authToken,
                       Supplier<Map<String, Object>> health, long maxBodyBytes, Executor blockingIo) {
        this.areaRoutes = areaRoutes;
        this.metrics = metrics;
        this.httpMetrics = new HttpMetrics(metrics.registry());
        this.authToken = authToken;
        this.health = health;
        this.maxBodyBytes = maxBodyBytes;
        this.blockingIo = blockingIo;
    }

    public Route route() {
        // A scrape reads /proc (process and system meters): on the blocking-I/O pool.
        Route metricsRoute = path("metrics", () -> get(() -> completeWithFuture(CompletableFuture.supplyAsync(() ->
                HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, metrics.scrape())), blockingIo))));
        Route endpoints = areaRoutes.stream().reduce(metricsRoute, Route::orElse);
        return timed(() -> handleExceptions(ErrorHandling.exceptionHandler(), () ->
                handleRejections(ErrorHandling.rejectionHandler(), () -> concat(
                        path("health", () -> get(this::healthRoute)),
                        authenticated(() -> bodyWithinLimit(() -> RequestChecks.checked(() -> endpoints)))))));
    }

    /** The health reads the filesystem's free space afresh: on the blocking-I/O pool. */
    private Route healthRoute() {
        return completeWithFuture(CompletableFuture.supplyAsync(() -> {
            Map<String, Object> body = health.get();
            return Json.response("ok".equals(body.get("status")) ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body);
        }, blockingIo));
    }

    private Route authenticated(Supplier<Route> inner) {
        if (authToken.isEmpty()) {
            return inner.get();
        }
        String expected = "Bearer " + authToken.get();
        return optionalHeaderValueByName("Authorization", header -> header.filter(expected::equals).isPresent()
                ? inner.get()
                : complete(Json.error(StatusCodes.UNAUTHORIZED, "unauthorized",
                        "this node requires 'Authorization: Bearer <token>' (strata.http.auth-token)")));
    }

    /**
     * Refuses a body whose declared length is over the limit before reading any of it. Bodies
     * without a declared length are still limited while read (pekko.http max-content-length); an
     * early answer avoids failing the entity stream mid-way, which can close the connection before
     * the 413 is written.
     */
    private Route bodyWithinLimit(Supplier<Route> inner) {
        return extractRequest(request -> {
            var length = request.entity().getContentLengthOption();
            if (length.isPresent() && length.getAsLong() > maxBodyBytes) {
                return complete(Json.error(StatusCodes.PAYLOAD_TOO_LARGE, "payload_too_large", "the request body of "
                        + length.getAsLong() + " bytes exceeds the limit of " + maxBodyBytes + " bytes"));
            }
            return inner.get();
        });
    }

    private Route timed(Supplier<Route> inner) {
        return extractRequest(request -> {
            long start = System.nanoTime();
            return mapResponse(response -> {
                httpMetrics.record(request.method().value(), request.getUri().path(), response.status().intValue(),
                        System.nanoTime() - start);
                return response;
            }, inner);
        });
    }
}
