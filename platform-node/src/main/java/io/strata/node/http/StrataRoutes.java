package io.strata.node.http;

import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** Base of each area's routes: completing with a store's answer, and Protobuf content negotiation. */
public abstract class StrataRoutes extends AllDirectives {

    /** {@code application/x-protobuf}. */
    public static final ContentType PROTOBUF = ContentTypes.create(MediaTypes.applicationBinary("x-protobuf", MediaTypes.NOT_COMPRESSIBLE));

    /** The area's routes. */
    public abstract Route routes();

    /** Completes with {@code render(result)}, or with the error shape when the stage fails. */
    protected <T> Route respond(CompletionStage<T> result, Function<T, HttpResponse> render) {
        return completeWithFuture(result.handle((value, failure) ->
                failure == null ? render.apply(value) : ErrorHandling.toResponse(failure)));
    }

    /** Completes with {@code item} as JSON: 200 when it {@code existed} before, else 201 Created. */
    protected <T> Route respondCreated(boolean existed, CompletionStage<T> item) {
        return respond(item, created -> Json.response(existed ? StatusCodes.OK : StatusCodes.CREATED, created));
    }

    protected static boolean isProtobuf(ContentType type) {
        return type.mediaType().toString().equals("application/x-protobuf");
    }

    /** Protobuf out when the client accepts it, or when it sent Protobuf and did not ask for JSON. */
    protected static boolean wantsProtobuf(HttpRequest request, boolean protobufIn) {
        Optional<String> accept = request.getHeader("Accept").map(h -> h.value());
        if (accept.isPresent() && accept.get().contains("application/x-protobuf")) {
            return true;
        }
        return protobufIn && (accept.isEmpty() || !accept.get().contains("application/json"));
    }
}
