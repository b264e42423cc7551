package io.strata.node;

import io.strata.node.testing.TestNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.blockhound.BlockHound;
import redis.clients.jedis.Jedis;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static io.strata.node.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The architecture's first rule, checked on a real node: no dispatcher thread that runs actors,
 * routes or the RESP door ever blocks. BlockHound instruments the JDK's blocking calls (file and
 * socket I/O, sleeps, waits on locks, futures and queues) and reports each one made on such a
 * thread; the blocking-I/O pool is exempt, as it is where blocking work belongs. The test drives
 * every store over HTTP and RESP and fails with the stack of each blocking call reported.
 *
 * <p>BlockHound's instrumentation is global and permanent, so this class runs in a JVM of its own
 * (the {@code blockhound} Surefire execution, tag {@code blockhound}).
 */
@Tag("blockhound")
class NonBlockingDispatchersTest {

    /**
     * Threads that must never block: the actor system's default dispatcher (HTTP routes, the Kafka
     * door, stream stages), its internal one (cluster, sharding), the stores' sharded entities'
     * dispatcher, the table queries' and the RESP door's event loops. Not
     * {@code strata.blocking-io-dispatcher}, whose work is blocking I/O.
     */
    private static final List<String> MUST_NOT_BLOCK = List.of("strata-pekko.actor.default-dispatcher-",
            "strata-pekko.actor.internal-dispatcher-", "strata-strata.entity-dispatcher-", "strata-strata.query-dispatcher-",
            "strata-resp-");

    /**
     * Blocking calls BlockHound does not know of itself ({@code class, method, JVM descriptor}, JDK
     * 17): it knows java.io's reads and writes, sockets, sleeps and parks, but file channels (fsync
     * included), file opens and the file-system calls (stat, rename, mkdir, ...) block just the same.
     */
    private static final List<List<String>> FILE_CALLS = List.of(
            List.of("sun.nio.ch.FileChannelImpl", "read", "(Ljava/nio/ByteBuffer;)I"),
            List.of("sun.nio.ch.FileChannelImpl", "read", "(Ljava/nio/ByteBuffer;J)I"),
            List.of("sun.nio.ch.FileChannelImpl", "write", "(Ljava/nio/ByteBuffer;)I"),
            List.of("sun.nio.ch.FileChannelImpl", "write", "(Ljava/nio/ByteBuffer;J)I"),
            List.of("sun.nio.ch.FileChannelImpl", "force", "(Z)V"),
            List.of("sun.nio.ch.FileChannelImpl", "transferTo", "(JJLjava/nio/channels/WritableByteChannel;)J"),
            List.of("sun.nio.ch.FileChannelImpl", "map0", "(IJJZ)J"),
            List.of("java.io.RandomAccessFile", "open0", "(Ljava/lang/String;I)V"),
            List.of("java.io.RandomAccessFile", "setLength", "(J)V"),
            List.of("java.io.FileInputStream", "open0", "(Ljava/lang/String;)V"),
            List.of("java.io.FileOutputStream", "open0", "(Ljava/lang/String;Z)V"),
            List.of("sun.nio.fs.UnixNativeDispatcher", "open0", "(JII)I"),
            List.of("sun.nio.fs.UnixNativeDispatcher", "openat0", "(IJII)I"),
            List.of("sun.nio.fs.UnixNativeDispatcher", "mkdir0", "(JI)V"),
            List.of("sun.nio.fs.UnixNativeDispatcher", "rename0", "(JJ)V"),
            List.of("sun.nio.fs.UnixNativeDispatcher", "unlink0", "(J)V"),
            List.of("sun.nio.fs.UnixNativeDispatcher", "rmdir0", "(J)V"),
            List.of("sun.nio.fs.UnixNativeDispatcher", "stat0", "(JLsun/nio/fs/UnixFileAttributes;)V"),
            List.of("sun.nio.fs.UnixNativeDispatcher", "stat1", "(J)I"),
            List.of("sun.nio.fs.UnixNativeDispatcher", "lstat0", "(JLsun/nio/fs/UnixFileAttributes;)V"),
            List.of("sun.nio.fs.UnixNativeDispatcher", "access0", "(JI)V"),
            List.of("sun.nio.fs.UnixNativeDispatcher", "exists0", "(J)Z"),
            List.of("sun.nio.fs.UnixNativeDispatcher", "opendir0", "(J)J"),
            List.of("sun.nio.fs.UnixNativeDispatcher", "statvfs0", "(JLsun/nio/fs/UnixFileStoreAttributes;)V"));

    private static final List<Throwable> BLOCKED = new CopyOnWriteArrayList<>();

    @TempDir
    static Path dir;

    private static TestNode node;

    @BeforeAll
    static void installAndStart() {
        BlockHound.Builder builder = BlockHound.builder()
                .nonBlockingThreadPredicate(current -> current.or(thread -> MUST_NOT_BLOCK.stream().anyMatch(thread.getName()::startsWith)));
        FILE_CALLS.forEach(call -> builder.markAsBlocking(call.get(0), call.get(1), call.get(2)));
        builder
                // At the end of a shutdown Pekko waits for its own scheduler thread to stop (a managed block).
                .allowBlockingCallsInside("org.apache.pekko.actor.LightArrayRevolverScheduler", "close")
                // Logging: Logback's appenders take a short lock to write a whole line; an accepted cost of logging.
                .allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "writeBytes")
                // Class loading and static initialisers read jars once, on first use of a class.
                .allowBlockingCallsInside("java.lang.ClassLoader", "loadClass")
                // An idle dispatcher thread (fork-join or thread pool) waits until it is given work: that is not blocking in it.
                .allowBlockingCallsInside("java.util.concurrent.ForkJoinPool", "awaitWork")
                .allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "getTask")
                // A thread-pool dispatcher retiring an idle thread updates its books under the pool's lock.
                .allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "processWorkerExit")
                // Handing a task to a pool (the blocking-I/O pool, a dispatcher) takes its queue's lock for
                // the few writes of an enqueue; waiting for it is contention between handoffs, not I/O.
                .allowBlockingCallsInside("java.util.concurrent.LinkedBlockingQueue", "offer")
                .allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "addWorker")
                // Likewise a stashing classic actor's mailbox (a Cluster Sharding shard's) is a
                // LinkedBlockingDeque: its enqueue and dequeue take the deque's lock for a few writes,
                // and a sender meeting the actor's own dequeue waits that long.
                .allowBlockingCallsInside("org.apache.pekko.dispatch.UnboundedDequeBasedMailbox$MessageQueue", "enqueue")
                .allowBlockingCallsInside("org.apache.pekko.dispatch.UnboundedDequeBasedMailbox$MessageQueue", "enqueueFirst")
                .allowBlockingCallsInside("org.apache.pekko.dispatch.UnboundedDequeBasedMailbox$MessageQueue", "dequeue")
                // A message to an actor still starting (a stream's new stage actor, an HTTP request's
                // substream) waits, bounded, for the lock under which Pekko swaps in its real mailbox.
                .allowBlockingCallsInside("org.apache.pekko.actor.UnstartedCell", "sendMessage")
                // Chronicle maps the next chunk of a log file as an append reaches it: a memory-mapped
                // append is an in-memory write by design (DESIGN.md), and the chunk's pages are backed
                // ahead of time (MappedLogAllocator), so mapping it is a system call without disk I/O.
                .allowBlockingCallsInside("net.openhft.chronicle.bytes.internal.ChunkedMappedFile", "acquireByteStore")
                // REPORTED, allowed: a log's appender moves to the current cycle file at its first append
                // after an open, and at each roll: Chronicle opens (or creates) that file and maps its
                // first chunk on the writer's thread, the actor's. Chronicle's appender is owned by one
                // thread, so this cannot move to the blocking-I/O pool without changing who owns it.
                .allowBlockingCallsInside("net.openhft.chronicle.queue.impl.single.StoreAppender", "setCycle2")
                // The free-space guard reads statfs at most once a refresh interval (and on each claim
                // near the reserve): filesystem counters the kernel keeps in memory, no disk I/O.
                .allowBlockingCallsInside("io.strata.node.storage.DiskSpace", "refresh")
                .blockingMethodCallback(method -> BLOCKED.add(new AssertionError("blocking call " + method + " on thread "
                        + Thread.currentThread().getName())))
                .install();
        node = TestNode.start(dir.resolve("node"), Map.of("strata.resp.enabled", "on", "strata.resp.port", "0",
                "strata.kafka.enabled", "on", "strata.kafka.port", "0"));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void noDispatcherThreadBlocksUnderTrafficToEveryStoreNorAtShutdown() throws Exception {
        blockHoundIsWatching();
        keyValues();
        resp();
        bus();
        kafka();
        tables();
        jobs();
        deletions();
        // Entities stop and close their logs; the gateway and the RESP door drain.
        node.close();
        node = null;

        if (!BLOCKED.isEmpty()) {
            BLOCKED.forEach(Throwable::printStackTrace);
            fail(BLOCKED.size() + " blocking calls on dispatcher threads:\n" + BLOCKED.stream()
                    .map(Throwable::getMessage).distinct().collect(Collectors.joining("\n")));
        }
    }

    /** A blocking call made on purpose on a dispatcher thread is reported, or the test proves nothing. */
    private static void blockHoundIsWatching() throws Exception {
        CompletableFuture<Void> slept = new CompletableFuture<>();
        node.node().system().executionContext().execute(() -> {
            try {
                Thread.sleep(1);
                slept.complete(null);
            } catch (Throwable t) {
                slept.completeExceptionally(t);
            }
        });
        slept.get(10, TimeUnit.SECONDS);
        Predicate<Throwable> mine = report -> Arrays.stream(report.getStackTrace())
                .anyMatch(frame -> frame.getClassName().startsWith(NonBlockingDispatchersTest.class.getName()));
        assertTrue(BLOCKED.stream().anyMatch(mine), "a sleep on a dispatcher thread is reported");
        BLOCKED.removeIf(mine);
    }

    private static void keyValues() {
        expect(200, node.get("/health"));
        expect(200, node.get("/metrics"));
        expect(201, node.put("/kv/features", "{\"partitions\": 2}"));
        expect(201, node.put("/kv/features/u1", "v1"));
        expect(200, node.get("/kv/features/u1"));
        expect(200, node.post("/kv/features/u1-count/incr?by=2", ""));
        expect(200, node.post("/kv/features/_mget", "[\"u1\", \"nope\"]"));
        expect(200, node.get("/kv/features?list=keys"));
        expect(200, node.get("/kv/features"));
        expect(204, node.delete("/kv/features/u1"));
        expect(404, node.get("/kv/features/u1"));
        expect(201, node.put("/kv/made-on-write/k", "auto-created keyspace"));
        expect(404, node.get("/kv/never-made/k"));
    }

    private static void resp() {
        try (Jedis jedis = new Jedis("127.0.0.1", node.node().respAddress().orElseThrow().getPort(), 10_000)) {
            assertEquals("OK", jedis.set("r1", "v"));
            assertEquals("v", jedis.get("r1"));
            assertEquals(3, jedis.incrBy("r2", 3));
            assertEquals(1, jedis.del("r1"));
        }
    }

    private static void bus() throws Exception {
        expect(201, node.put("/topics/orders", "{\"partitions\": 2}"));
        expect(200, node.post("/topics/orders/records", "[{\"key\": \"a\", \"value\": \"1\"}, {\"key\": \"b\", \"value\": \"2\"}]"));
        expect(200, node.get("/topics/orders/partitions/0/records?offset=earliest"));
        expect(200, node.get("/topics/orders"));
        // A long poll at the end of a partition, answered by the record produced while it waits.
        long end = json(expect(200, node.get("/topics/orders"))).at("/offsets/1/next_offset").asLong();
        CompletableFuture<HttpResponse<String>> waiting = java.net.http.HttpClient.newHttpClient().sendAsync(
                node.request("/topics/orders/partitions/1/records?offset=" + end + "&wait_ms=5000").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        expect(200, node.post("/topics/orders/records", "[{\"partition\": 1, \"value\": \"late\"}]"));
        HttpResponse<String> polled = waiting.get(15, TimeUnit.SECONDS);
        assertEquals(200, polled.statusCode(), polled.body());
        assertEquals(1, json(polled).get("records").size(), polled.body());
        expect(201, node.put("/topics/short-lived", "{\"partitions\": 1}"));
        expect(200, node.post("/topics/short-lived/records", "[{\"value\": \"x\"}]"));

        expect(200, node.post("/groups/readers/poll", "{\"topic\": \"orders\", \"member\": \"m1\", \"auto_offset_reset\": \"earliest\"}"));
        expect(200, node.post("/groups/readers/commit", "{\"topic\": \"orders\", \"member\": \"m1\", \"offsets\": {\"0\": 1, \"1\": 1}}"));
        expect(200, node.get("/groups/readers/lag"));
        expect(200, node.get("/groups/readers"));
    }

    /**
     * A Kafka consumer following the end of a partition: each of its fetches waits for the next
     * record and is answered by the produce that appends it, the read made where the reader is.
     */
    private static void kafka() throws Exception {
        var address = node.node().kafkaAddress().orElseThrow();
        String bootstrap = address.getHostString() + ":" + address.getPort();
        expect(201, node.put("/topics/clicks", "{\"partitions\": 1}"));
        TopicPartition partition = new TopicPartition("clicks", 0);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                     ProducerConfig.LINGER_MS_CONFIG, "0"), new ByteArraySerializer(), new ByteArraySerializer());
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                     new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            int seen = 0;
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("clicks", ("click-" + i).getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (seen <= i && System.nanoTime() < deadline) {
                    seen += consumer.poll(Duration.ofMillis(500)).count();
                }
                assertEquals(i + 1, seen, "the consumer has every record produced so far");
            }
        }
    }

    private static void tables() {
        expect(201, node.put("/tables/events", "{\"columns\": [{\"name\": \"user\", \"type\": \"int64\"},"
                + " {\"name\": \"kind\", \"type\": \"string\", \"nullable\": true}], \"shards\": 2}"));
        expect(200, node.post("/tables/events/rows", "[{\"user\": 1, \"kind\": \"a\"}, {\"user\": 2, \"kind\": \"b\"}, {\"user\": 1}]"));
        expect(200, node.post("/tables/events/query", "{\"group_by\": [\"user\"], \"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"}]}"));
        expect(200, node.send(node.request("/tables/events/export?format=csv").GET()));
        expect(200, node.get("/tables/events"));
    }

    private static void jobs() {
        expect(201, node.post("/jobs", "{\"name\": \"counts\", \"source\": {\"topic\": \"orders\", \"group\": \"counts-job\"},"
                + " \"key\": \"user\", \"event_time\": \"ts\", \"window\": {\"type\": \"tumbling\", \"size\": \"1m\"},"
                + " \"aggregates\": [{\"fn\": \"count\", \"as\": \"n\"}], \"sinks\": [{\"kv\": {\"space\": \"counts\"}}]}"));
        expect(200, node.post("/topics/orders/records", "[{\"key\": \"u1\", \"value\": {\"user\": \"u1\", \"ts\": \"2026-01-01T00:00:00Z\"}}]"));
        expect(200, node.get("/jobs/counts"));
        expect(204, node.delete("/jobs/counts"));
        expect(404, node.get("/jobs/counts"));
    }

    private static void deletions() {
        expect(204, node.delete("/kv/made-on-write"));
        expect(204, node.delete("/topics/short-lived"));
        expect(204, node.delete("/tables/events"));
        expect(404, node.get("/tables/events"));
        expect(201, node.put("/tables/events", "{\"columns\": [{\"name\": \"user\", \"type\": \"int64\"}]}"));
    }

    private static HttpResponse<String> expect(int status, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        return response;
    }

}
