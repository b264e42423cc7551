package io.strata.node.http;

import io.strata.node.common.StrataException;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import static org.apache.pekko.http.javadsl.server.Directives.complete;

/**
 * Turns every failure into the JSON error shape with the right status: Strata's own refusals
 * ({@link StrataException}), Pekko HTTP's rejections (unknown path, wrong method, body too
 * large...), timeouts (503) and bugs (500, logged).
 */
public final class ErrorHandling {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorHandling.class);

    private static final java.util.regex.Pattern TOO_LARGE =
            java.util.regex.Pattern.compile("entity size \\((\\d+)\\) exceeded size limit \\((\\d+) bytes\\)");
    /** Pekko's parser refusing one chunk of a chunked body (pekko.http.server.parsing.max-chunk-size). */
    private static final java.util.regex.Pattern CHUNK_TOO_LARGE =
            java.util.regex.Pattern.compile("HTTP chunk of (\\d+) bytes exceeds the configured limit of (\\d+) bytes");

    private ErrorHandling() {}

    public static StatusCode status(StrataException.Kind kind) {
        return switch (kind) {
            case INVALID -> StatusCodes.BAD_REQUEST;
            case NOT_FOUND -> StatusCodes.NOT_FOUND;
            case CONFLICT -> StatusCodes.CONFLICT;
            case PRECONDITION_FAILED -> StatusCodes.PRECONDITION_FAILED;
            case TOO_LARGE -> StatusCodes.PAYLOAD_TOO_LARGE;
            case RANGE -> StatusCodes.RANGE_NOT_SATISFIABLE;
            case UNPROCESSABLE -> StatusCodes.UNPROCESSABLE_ENTITY;
            case UNAVAILABLE -> StatusCodes.SERVICE_UNAVAILABLE;
            case INSUFFICIENT_STORAGE -> StatusCodes.INSUFFICIENT_STORAGE;
            case TIMEOUT -> StatusCodes.GATEWAY_TIMEOUT;
        };
    }

    /** The response for any failure of a route, including failed futures. */
    public static HttpResponse toResponse(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof EntityStreamSizeException size) {
                return Json.error(StatusCodes.PAYLOAD_TOO_LARGE, "payload_too_large",
                        "the request body exceeds the limit of " + size.limit() + " bytes");
            }
            if (c instanceof EntityStreamException stream) {
                var chunk = CHUNK_TOO_LARGE.matcher(stream.info().summary());
                return chunk.find()
                        ? Json.error(StatusCodes.PAYLOAD_TOO_LARGE, "payload_too_large", "a chunk of " + chunk.group(1)
                                + " bytes of the request body exceeds the limit of " + chunk.group(2) + " bytes")
                        : Json.error(StatusCodes.BAD_REQUEST, "bad_request", "the request body is malformed: " + stream.info().summary());
            }
        }
        if (t instanceof StrataException e) {
            return Json.error(status(e.kind()), e.code(), e.getMessage());
        }
        if (t instanceof AskTimeoutException || t instanceof TimeoutException) {
            return Json.error(StatusCodes.SERVICE_UNAVAILABLE, "timeout",
                    "the store did not answer in time; the request may or may not have been applied");
        }
        LOG.error("request failed", t);
        return Json.error(StatusCodes.INTERNAL_SERVER_ERROR, "internal_error", String.valueOf(t));
    }

    public static ExceptionHandler exceptionHandler() {
        return ExceptionHandler.newBuilder().matchAny(t -> complete(toResponse(t))).build();
    }

    /**
     * Pekko's default rejection handling, with its plain-text answers rewritten into the error
     * shape; a body that failed while read is answered as {@link #toResponse} answers it (a body
     * or a chunk over the limit is 413, like a body whose declared length is).
     */
    public static RejectionHandler rejectionHandler() {
        return RejectionHandler.newBuilder()
                .handle(MalformedRequestContentRejection.class, r -> complete(
                        r.getCause() instanceof EntityStreamSizeException || r.getCause() instanceof EntityStreamException
                                ? toResponse(r.getCause())
                                : Json.error(StatusCodes.BAD_REQUEST, "bad_request", "the request content is malformed: " + r.message())))
                .build()
                .withFallback(RejectionHandler.defaultHandler())
                .mapRejectionResponse(ErrorHandling::asJsonError);
    }

    private static HttpResponse asJsonError(HttpResponse response) {
        if (response.entity().getContentType().mediaType().toString().equals("application/json")) {
            return response;
        }
        String message = response.entity() instanceof org.apache.pekko.http.javadsl.model.HttpEntity.Strict strict
                ? strict.getData().utf8String() : response.status().reason();
        var tooLarge = TOO_LARGE.matcher(message);
        if (tooLarge.find()) {
            message = "the request body of " + tooLarge.group(1) + " bytes exceeds the limit of " + tooLarge.group(2) + " bytes";
        }
        return Json.error(response.status(), codeOf(response.status()), message);
    }

    static String codeOf(StatusCode status) {
        if (status.intValue() == 404) {
            return "not_found";
        }
        if (status.intValue() == 413) {
            return "payload_too_large";
        }
        return status.reason().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }
}
