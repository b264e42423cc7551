package io.strata.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.bus.TopicCatalog;
import io.strata.node.http.Json;
import io.strata.node.launch.NodeProcess;
import io.strata.node.storage.CatalogStores;
import io.strata.node.storage.DataLayout;
import io.strata.node.storage.DiskSpace;
import io.strata.node.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A topic deletion cut short by a crash: the deletion takes the topic out of the catalog first,
 * then each partition deletes its log, so a node killed in between keeps the logs of a topic it no
 * longer has. That moment lasts milliseconds and cannot be hit from outside the process on cue, so
 * the test makes the state such a crash leaves: a node in a child JVM holding the topic's records
 * is killed with SIGKILL, and the deletion's first step (the topic taken out of the catalog, by
 * {@link TopicCatalog} itself) is run on its data directory. Restarted, the node removes the logs;
 * a topic created again under the name is empty, and the other topics keep their records.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TopicDeletionCrashTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ChildNodes nodes = new ChildNodes();

    @AfterEach
    void killWhatWasStarted() throws InterruptedException {
        nodes.killAll();
    }

    private HttpResponse<String> send(NodeProcess node, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.httpBase() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(HttpResponse<String> response) {
        return Json.parse(response.body().getBytes());
    }

    private void produce(NodeProcess node, String topic, int records) throws Exception {
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < records; i++) {
            batch.append(i > 0 ? "," : "").append("{\"key\":\"k").append(i).append("\",\"value\":{\"n\":").append(i).append("}}");
        }
        HttpResponse<String> produced = send(node, "POST", "/topics/" + topic + "/records", batch.append(']').toString());
        assertEquals(200, produced.statusCode(), produced.body());
    }

    private long records(NodeProcess node, String topic, int partitions) throws Exception {
        long n = 0;
        for (int p = 0; p < partitions; p++) {
            HttpResponse<String> read = send(node, "GET", "/topics/" + topic + "/partitions/" + p + "/records?offset=0&max=1000", null);
            assertEquals(200, read.statusCode(), read.body());
            n += json(read).get("records").size();
        }
        return n;
    }

    private static long logFiles(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".cq4")).count();
        }
    }

    @Test
    void theLogsOfATopicDeletedJustBeforeACrashAreRemovedAtRestartAndTheNameStartsEmpty(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        NodeProcess.Builder builder = NodeProcess.builder(data).logFile(dir.resolve("node.log"));
        NodeProcess first = nodes.start(builder);
        assertEquals(201, send(first, "PUT", "/topics/ghost", "{\"partitions\":3}").statusCode());
        assertEquals(201, send(first, "PUT", "/topics/kept", "{\"partitions\":2}").statusCode());
        produce(first, "ghost", 300);
        produce(first, "kept", 50);
        assertEquals(300, records(first, "ghost", 3));
        first.kill9();

        DataLayout layout = DataLayout.of(data);
        TopicCatalog catalog = TopicCatalog.load(CatalogStores.local(DiskSpace.of(data, 0, Duration.ofSeconds(1)), Runnable::run),
                layout);
        assertTrue(catalog.remove("ghost").toCompletableFuture().join(), "the deletion's first step");
        assertTrue(logFiles(layout.topicDir("ghost")) > 0, "the crash left the deleted topic's logs");

        NodeProcess second = nodes.start(builder);
        Await.until(Duration.ofSeconds(30), () -> Files.exists(layout.topicDir("ghost")), exists -> !exists,
                exists -> "the logs of deleted topic 'ghost' are still there");
        HttpResponse<String> gone = send(second, "GET", "/topics/ghost/partitions/0/records?offset=0", null);
        assertEquals(404, gone.statusCode(), gone.body());
        assertEquals("topic_not_found", json(gone).at("/error/code").asText());
        assertEquals(50, records(second, "kept", 2), "other topics keep their records");

        assertEquals(201, send(second, "PUT", "/topics/ghost", "{\"partitions\":3}").statusCode());
        assertEquals(0, records(second, "ghost", 3), "the topic made again starts empty");
        for (JsonNode partition : json(send(second, "GET", "/topics/ghost", null)).get("offsets")) {
            assertEquals(0, partition.get("next_offset").asLong(), partition.toString());
        }
        produce(second, "ghost", 1);
        assertEquals(1, records(second, "ghost", 3));
    }
}
