package io.strata.node.bus;

import io.strata.node.common.StrataException;
import io.strata.node.http.ErrorHandling;
import io.strata.node.http.Json;
import io.strata.node.http.StrataRoutes;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

import java.time.Duration;
import java.util.Optional;

/**
 * Live partition streams as Server-Sent Events:
 * <pre>
 * GET /topics/{t}/partitions/{p}/stream?offset=N|earliest|latest   (default latest)
 * </pre>
 * One event per record: {@code event: record}, {@code id:} its offset, {@code data:} the record's
 * JSON (as in reads). A reconnecting client's {@code Last-Event-ID} resumes after that offset.
 * Empty heartbeat events (which clients ignore) keep idle connections open. The stream follows the partition for as long as the
 * client stays, reading only as fast as the client takes events (see {@link PartitionStream}).
 */
public final class StreamRoutes extends StrataRoutes {

    private static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final BusStore bus;
    private final GroupSettings settings;
    private final ActorSystem<?> system;

    public StreamRoutes(BusStore bus, GroupSettings settings, ActorSystem<?> system) {
        this.bus = bus;
        this.settings = settings;
        this.system = system;
    }

    @Override
    public Route routes() {
        return path(PathMatchers.segment("topics").slash(PathMatchers.segment()).slash("partitions")
                        .slash(PathMatchers.integerSegment()).slash("stream"),
                (topic, partition) -> get(() -> parameterOptional("offset", offset ->
                        optionalHeaderValueByName("Last-Event-ID", lastEventId -> stream(topic, partition, offset, lastEventId)))));
    }

    private Route stream(String topic, int partition, Optional<String> offset, Optional<String> lastEventId) {
        long from = lastEventId.map(id -> resumeAfter(id)).orElseGet(() -> BusRoutes.parseOffset(offset.orElse("latest")));
        // Checked before the 200 goes out, so an unknown topic or partition, or an offset past the
        // end, is answered with the error shape rather than an event stream that ends at once.
        return onComplete(bus.partitionInfo(topic, partition).thenApply(info -> {
            if (from > info.logEndOffset()) {
                throw new StrataException(StrataException.Kind.RANGE, "offset_out_of_range", "offset " + from
                        + " is beyond the end of partition " + partition + " (" + info.logEndOffset() + ")");
            }
            return info;
        }), checked -> {
            if (checked.isFailure()) {
                return complete(ErrorHandling.toResponse(checked.failed().get()));
            }
            return completeOK(PartitionStream.of(bus, topic, partition, from, settings, system)
                            .map(record -> ServerSentEvent.create(Json.MAPPER.writeValueAsString(BusRoutes.toJson(record)),
                                    "record", Long.toString(record.getOffset())))
                            .keepAlive(HEARTBEAT, ServerSentEvent::heartbeat),
                    EventStreamMarshalling.toEventStream());
        });
    }

    private static long resumeAfter(String lastEventId) {
        try {
            long offset = Long.parseLong(lastEventId.trim());
            if (offset >= 0) {
                return offset + 1;
            }
        } catch (NumberFormatException e) {
            // Falls through to the refusal below.
        }
        throw StrataException.invalid("invalid_last_event_id", "Last-Event-ID must be a record offset, got '" + lastEventId + "'");
    }
}
