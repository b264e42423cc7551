package io.strata.node.stream.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.testing.Await;
import io.strata.node.testing.TestNode;
import org.apache.pekko.Done;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static io.strata.node.testing.TestNode.assertError;
import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code DELETE /jobs/{id}} stops the work the job started, mid-backlog: a job doing heavy but
 * legal work (every event falls in the 1,000 windows of a 1 s window sliding every 1 ms, the most
 * {@code strata.stream.max-windows-per-event} allows) is deleted while it is busy; once the 204 is
 * in, its stage takes no further record (its counter stays where it was through a whole run of
 * the job submitted again) and the process goes quiet (its CPU time nearly stops growing). The
 * job submitted again under the same name starts cleanly: from offset 0, with no checkpoint of the
 * deleted one, it reads every record exactly once.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class JobStopTest {

    private static final int RECORDS = 40_000;
    private static final int BATCH = 5_000;
    private static final String SPEC = "{\"name\":\"heavy\",\"source\":{\"topic\":\"heavy\",\"group\":\"heavy\"},"
            + "\"key\":\"user\",\"event_time\":\"ts\",\"window\":{\"type\":\"sliding\",\"size\":\"1s\",\"slide\":\"1ms\"},"
            + "\"idle_timeout\":\"1h\",\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"},{\"fn\":\"sum\",\"column\":\"x\",\"as\":\"s\"}],"
            + "\"sinks\":[{\"kv\":{\"space\":\"heavy\"}}]}";
    private static final Duration LIMIT = Duration.ofSeconds(150);
    /** A second of the process's CPU time below this share of one core counts as quiet. */
    private static final double QUIET_SHARE = 0.5;

    @Test
    void deleteStopsABusyJobAndTheJobSubmittedAgainStartsCleanly(@TempDir Path dir) {
        try (TestNode node = TestNode.start(dir, Map.of("strata.stream.checkpoint-interval", "200ms",
                "strata.stream.tick-interval", "50ms", "strata.stream.poll-interval", "20ms"))) {
            assertEquals(201, node.put("/topics/heavy", "{\"partitions\":1}").statusCode());
            produce(node);
            assertEquals(201, node.post("/jobs", SPEC).statusCode());
            // Every event has the same event time: the watermark never passes a window, so the job
            // emits nothing and only works, 1,000 window updates per record.
            status(node, j -> j.get("events_in").asLong() >= 500, "the job busy with its backlog");
            JobStatus deleted = node.node().jobs().get("heavy").toCompletableFuture().join().second();

            long before = System.nanoTime();
            HttpResponse<String> delete = node.delete("/jobs/heavy");
            long deleteMillis = (System.nanoTime() - before) / 1_000_000;
            assertEquals(204, delete.statusCode(), delete.body());
            long stoppedAt = deleted.eventsIn();
            assertTrue(stoppedAt < RECORDS, "deleted mid-backlog, at " + stoppedAt + " of " + RECORDS + " records");
            assertEquals(JobStatus.State.STOPPED, deleted.state(), "the deleted job's stream has ended when the 204 is in");
            assertError(404, "job_not_found", node.get("/jobs/heavy"));
            double quiet = awaitQuietProcess();

            HttpResponse<String> again = node.post("/jobs", SPEC);
            assertEquals(201, again.statusCode(), again.body());
            JsonNode rerun = status(node, j -> j.get("events_in").asLong() == RECORDS && j.get("lag").asLong() == 0,
                    "the job submitted again to read every record");
            assertEquals(0, rerun.get("restarts").asLong(), rerun.toString());
            assertEquals(stoppedAt, deleted.eventsIn(), "the deleted job took no record while the new one read all "
                    + RECORDS);
            // A DELETE retried while the first stops the job joins it (the name is out of the catalog by then).
            CompletionStage<Done> first = node.node().jobs().delete("heavy");
            CompletionStage<Done> retried = node.node().jobs().delete("heavy");
            assertSame(first, retried, "the retried DELETE answers with the first");
            first.toCompletableFuture().orTimeout(LIMIT.toSeconds(), TimeUnit.SECONDS).join();
            assertError(404, "job_not_found", node.get("/jobs/heavy"));
            System.out.printf("[job stop] DELETE of a job busy at %d of %d records answered in %d ms; its stage took no"
                            + " record after it; the process then used %.2f of a core; the job submitted again read all %d%n",
                    stoppedAt, RECORDS, deleteMillis, quiet, RECORDS);
        }
    }

    private static void produce(TestNode node) {
        for (int first = 0; first < RECORDS; first += BATCH) {
            StringBuilder body = new StringBuilder("[");
            for (int i = first; i < first + BATCH; i++) {
                body.append(i == first ? "" : ",").append("{\"key\":\"u").append(i % 10).append("\",\"value\":{\"user\":\"u")
                        .append(i % 10).append("\",\"x\":").append(i).append(",\"ts\":1767225600000}}");
            }
            HttpResponse<String> reply = node.post("/topics/heavy/records", body.append(']').toString());
            assertEquals(200, reply.statusCode(), reply.body());
        }
    }

    private static JsonNode status(TestNode node, java.util.function.Predicate<JsonNode> done, String what) {
        return json(Await.until(LIMIT, () -> node.get("/jobs/heavy"), r -> r.statusCode() == 200 && done.test(json(r)),
                r -> what + ": " + r.statusCode() + " " + r.body()));
    }

    /** Waits for a second in which the process used less than {@link #QUIET_SHARE} of a core; returns that share. */
    private static double awaitQuietProcess() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return Await.until(LIMIT, () -> {
            long cpu = os.getProcessCpuTime();
            long wall = System.nanoTime();
            Thread.sleep(1000);
            return (double) (os.getProcessCpuTime() - cpu) / (System.nanoTime() - wall);
        }, share -> share < QUIET_SHARE, share -> "the process still used " + share + " of a core a second");
    }
}
