package io.strata.node.stream.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.cluster.GatewayForwarder;
import io.strata.node.http.Json;
import io.strata.node.http.StrataRoutes;
import io.strata.node.stream.spec.JobSpec;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The stream job HTTP API:
 * <pre>
 * POST   /jobs          a job spec → 201 {"id", "spec"} (200 when the same job exists)
 * GET    /jobs          the submitted specs
 * GET    /jobs/{id}     spec, state, watermark, per-partition offsets and lag, counters, last error
 * DELETE /jobs/{id}     stops the job and forgets it (204, once its stream has stopped); its sinks' data stays
 * </pre>
 * In a cluster, {@code GET /jobs} answers from this node's copy of the cluster's catalog; the
 * other requests are served by the job's home node, forwarded there from any other node
 * ({@link GatewayForwarder}).
 */
public final class JobRoutes extends StrataRoutes {

    private static final byte[] NO_BODY = new byte[0];

    private final JobStore store;
    private final GatewayForwarder forwarder;

    public JobRoutes(JobStore store) {
        this.store = store;
        this.forwarder = new GatewayForwarder(store.system(), store.homes(), store.directory());
    }

    @Override
    public Route routes() {
        return pathPrefix("jobs", () -> concat(
                pathEndOrSingleSlash(() -> concat(
                        post(() -> entity(Unmarshaller.entityToByteArray(), body -> {
                            JsonNode json = Json.parse(body);
                            // A spec without a name is refused here, by the same parse the home would run.
                            return json.path("name").isTextual()
                                    ? forwarder.toHome(JobStore.homeId(json.path("name").asText()), body, () -> submit(json))
                                    : submit(json);
                        })),
                        get(() -> complete(Json.ok(Map.of("jobs", store.list())))))),
                path(PathMatchers.segment(), id -> concat(
                        get(() -> forwarder.toHome(JobStore.homeId(id), NO_BODY, () -> describe(id))),
                        delete(() -> forwarder.toHome(JobStore.homeId(id), NO_BODY, () -> respond(store.delete(id),
                                done -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT))))))));
    }

    private Route submit(JsonNode json) {
        boolean existed = store.list().stream().anyMatch(j -> j.path("name").equals(json.path("name")));
        return respond(store.submitAsync(json), spec -> {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("id", spec.name());
            answer.put("spec", spec.toJson());
            return Json.response(existed ? StatusCodes.OK : StatusCodes.CREATED, answer);
        });
    }

    private Route describe(String id) {
        return respond(store.get(id).thenCompose(job -> store.endOffsets(job.first()).thenApply(ends -> describe(job, ends))),
                Json::ok);
    }

    private static Map<String, Object> describe(Pair<JobSpec, JobStatus> job, Map<Integer, Long> ends) {
        JobSpec spec = job.first();
        JobStatus status = job.second();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", spec.name());
        body.put("state", status.state().name().toLowerCase(java.util.Locale.ROOT));
        body.put("watermark", status.watermark() == Long.MIN_VALUE ? null : Instant.ofEpochMilli(status.watermark()).toString());
        body.put("checkpoint_epoch", status.epoch());
        long lag = 0;
        Map<Integer, Object> partitions = new TreeMap<>();
        for (Map.Entry<Integer, Long> end : ends.entrySet()) {
            long committed = status.committed().getOrDefault(end.getKey(), 0L);
            long consumed = status.consumed().getOrDefault(end.getKey(), committed);
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("consumed", consumed);
            p.put("committed", committed);
            p.put("end_offset", end.getValue());
            p.put("lag", Math.max(0, end.getValue() - consumed));
            partitions.put(end.getKey(), p);
            lag += Math.max(0, end.getValue() - consumed);
        }
        body.put("lag", lag);
        body.put("partitions", partitions);
        body.put("events_in", status.eventsIn());
        body.put("results_out", status.resultsOut());
        body.put("late_events", status.lateEvents());
        body.put("bad_records", status.badRecords());
        body.put("bad_results", status.badResults());
        body.put("skipped", status.skipped());
        body.put("windows_open", status.openWindows());
        body.put("restarts", status.restarts());
        body.put("last_error", status.lastError());
        body.put("spec", spec.toJson());
        return body;
    }
}
