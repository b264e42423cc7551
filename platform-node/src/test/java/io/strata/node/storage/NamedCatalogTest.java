package io.strata.node.storage;

import io.strata.node.bus.Retention;
import io.strata.node.bus.TopicCatalog;
import io.strata.node.common.Futures;
import io.strata.node.common.StrataException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every catalog of named things (keyspaces, topics, tables) does around a deletion, on a real
 * catalog file and data directory: the files a deletion cut short left are removed once the
 * catalog is ready — or at once when the name is made again before then, so it never starts with
 * them — and a name being deleted can be neither made nor deleted again until the deletion is done.
 */
class NamedCatalogTest {

    @TempDir
    Path dir;

    private final ExecutorService blockingIo = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopExecutor() throws InterruptedException {
        blockingIo.shutdownNow();
        assertTrue(blockingIo.awaitTermination(10, TimeUnit.SECONDS));
    }

    private TopicCatalog catalog() {
        return TopicCatalog.load(CatalogStores.local(DiskSpace.of(dir, 0, Duration.ofSeconds(1)), blockingIo), DataLayout.of(dir));
    }

    private Path leftover(String topic) throws Exception {
        Path partition = DataLayout.of(dir).topicDir(topic).resolve("0");
        Files.createDirectories(partition);
        Files.writeString(partition.resolve("20260101.cq4"), "records of the topic deleted before");
        return DataLayout.of(dir).topicDir(topic);
    }

    @Test
    void leftoversGoOnceTheCatalogIsReadyOrWhenTheirNameIsMadeAgainBefore() throws Exception {
        TopicCatalog catalog = catalog();
        Futures.join(catalog.create("kept", 1, Retention.FOREVER));
        Path kept = leftover("kept");
        Path ghost = leftover("ghost");
        Path other = leftover("other");
        CompletableFuture<Void> ready = new CompletableFuture<>();

        catalog.removeUnlisted(DataLayout.of(dir).busDir(), ready, blockingIo, Directories::deleteTree);
        assertTrue(Files.exists(ghost) && Files.exists(other), "nothing is removed before the catalog is confirmed");
        Futures.join(catalog.create("ghost", 2, Retention.FOREVER));
        assertFalse(Files.exists(ghost), "a name made again first loses the files its deleted namesake left");
        Files.createDirectories(ghost.resolve("0"));  // the new topic's partition opens

        ready.complete(null);
        blockingIo.submit(() -> { }).get(10, TimeUnit.SECONDS);
        assertFalse(Files.exists(other), "the files of a topic not in the catalog go once it is ready");
        assertTrue(Files.exists(kept.resolve("0")), "a listed topic keeps its files");
        assertTrue(Files.exists(ghost.resolve("0")), "the new topic's files are its own");
        assertTrue(Files.exists(DataLayout.of(dir).topicCatalog()), "the catalog itself is no topic");
    }

    @Test
    void changesAreWrittenOnTheBlockingPoolNeverOnTheCallersThread() {
        List<Runnable> pool = new java.util.ArrayList<>();
        TopicCatalog catalog = TopicCatalog.load(CatalogStores.local(DiskSpace.of(dir, 0, Duration.ofSeconds(1)), pool::add),
                DataLayout.of(dir));
        CompletableFuture<TopicCatalog.Topic> created = catalog.create("orders", 2, Retention.FOREVER).toCompletableFuture();
        assertFalse(created.isDone(), "the caller does not wait for the file");
        assertFalse(Files.exists(DataLayout.of(dir).topicCatalog()), "nor writes it");
        pool.forEach(Runnable::run);
        pool.clear();
        assertEquals(2, created.join().partitions());
        assertTrue(Files.exists(DataLayout.of(dir).topicCatalog()), "the blocking-I/O pool wrote it");
        assertTrue(catalog.create("orders", 2, Retention.FOREVER).toCompletableFuture().isDone(),
                "the same item again is answered from memory");
        assertTrue(pool.isEmpty(), "with nothing to write");
    }

    @Test
    void aNameBeingDeletedIsNeitherMadeNorDeletedAgainUntilTheDeletionIsDone() throws Exception {
        TopicCatalog catalog = catalog();
        Futures.join(catalog.create("busy", 1, Retention.FOREVER));
        CompletableFuture<Void> homesUp = new CompletableFuture<>();
        CompletableFuture<Void> partitionsDropped = new CompletableFuture<>();
        CompletionStage<Void> deleted = catalog.delete("busy", homesUp, () -> partitionsDropped);

        StrataException again = assertThrows(StrataException.class, () -> catalog.delete("busy", homesUp,
                () -> CompletableFuture.completedFuture(null)));
        assertEquals("topic_being_deleted", again.code());
        assertEquals(StrataException.Kind.CONFLICT, again.kind());
        StrataException made = assertThrows(StrataException.class, () -> catalog.create("busy", 1, Retention.FOREVER));
        assertEquals("topic_being_deleted", made.code());
        assertTrue(catalog.peek("busy").isPresent(), "it stays in the catalog until every partition's home is up");

        homesUp.complete(null);
        blockingIo.submit(() -> { }).get(10, TimeUnit.SECONDS);
        assertTrue(catalog.peek("busy").isEmpty(), "then it leaves the catalog first");
        assertEquals("topic_being_deleted", assertThrows(StrataException.class,
                () -> catalog.create("busy", 1, Retention.FOREVER)).code(), "while its partitions drop their files");

        partitionsDropped.complete(null);
        deleted.toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals("busy", Futures.join(catalog.create("busy", 3, Retention.FOREVER)).name(), "the name is free again");
        assertEquals(List.of("busy"), catalog().list().stream().map(TopicCatalog.Topic::name).toList(), "and durable");
    }
}
