package io.strata.node.kafka;

import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.pekko.util.ByteString;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One client connection's requests: each frame (a Kafka request without its size prefix) is
 * parsed with kafka-clients' own message classes, answered by {@link KafkaApis}, and its response
 * written with the request's correlation id and the header version its API and version call for.
 *
 * <p>A frame that is not a Kafka request (too short, an API key Kafka does not have, a version the
 * message classes cannot read) fails with {@link InvalidRequestException}: the connection is closed,
 * as Kafka closes it. A version Kafka has but the door does not serve is answered with
 * {@code UNSUPPORTED_VERSION}; an ApiVersions request of a version newer than the door knows is
 * answered in version 0 with that error and the versions served, so the client can pick.
 */
final class KafkaConnection {

    /** API key, API version and correlation id: what any request starts with. */
    private static final int MIN_REQUEST_BYTES = 8;

    private final KafkaApis apis;
    /** The client's address, as DescribeGroups reports it ({@code /127.0.0.1}, like Kafka). */
    private final String clientHost;

    KafkaConnection(KafkaApis apis, String clientHost) {
        this.apis = apis;
        this.clientHost = clientHost;
    }

    /**
     * The response to {@code frame} (size prefix excluded) as the bytes to write (size prefix
     * included), or none (a Produce with acks=0).
     */
    CompletionStage<Optional<ByteString>> handle(ByteBuffer frame) {
        if (frame.remaining() < MIN_REQUEST_BYTES) {
            throw new InvalidRequestException("a request of " + frame.remaining() + " bytes is shorter than its header");
        }
        short apiKey = frame.getShort(frame.position());
        short version = frame.getShort(frame.position() + 2);
        int correlationId = frame.getInt(frame.position() + 4);
        if (!ApiKeys.hasId(apiKey)) {
            throw new InvalidRequestException("unknown API key " + apiKey);
        }
        ApiKeys api = ApiKeys.forId(apiKey);
        if (api == ApiKeys.API_VERSIONS && !api.isVersionSupported(version)) {
            return CompletableFuture.completedFuture(Optional.of(ResponseFrames.frame(new ResponseHeader(correlationId, (short) 0),
                    KafkaApis.apiVersions(Errors.UNSUPPORTED_VERSION).data(), (short) 0)));
        }
        if (!api.isVersionSupported(version)) {
            throw new InvalidRequestException(api + " version " + version + " is not a version Kafka 4.4 has");
        }
        RequestHeader header;
        AbstractRequest request;
        try {
            header = RequestHeader.parse(frame);
            request = AbstractRequest.parseRequest(api, version, new ByteBufferAccessor(frame)).request;
        } catch (RuntimeException e) {
            throw new InvalidRequestException("cannot read " + api + " v" + version + ": " + e.getMessage(), e);
        }
        KafkaGroupApis.Client client = new KafkaGroupApis.Client(header.clientId() == null ? "" : header.clientId(), clientHost);
        return apis.handle(request, client).thenApply(response -> response.map(r -> serialize(header.toResponseHeader(), r, version)));
    }

    private static ByteString serialize(ResponseHeader header, AbstractResponse response, short version) {
        return ResponseFrames.frame(header, response.data(), version);
    }
}
