package io.strata.bench;

import io.strata.node.launch.LoopbackPorts;
import io.strata.node.storage.Directories;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The anchor of {@code bench kafka}: a real Apache Kafka broker, {@value #NAME_PREFIX} and the
 * version of the kafka jars on the classpath, in KRaft mode as one node that is both broker and
 * controller, in a child JVM ({@code kafka.Kafka server.properties}, as {@code kafka-server-start.sh}
 * runs it, with that script's default heap and GC flags). Its log directory, under a directory of
 * its own, is formatted first ({@code kafka-storage format --standalone}); the broker and
 * controller listeners are on free ports of 127.0.0.1. Stopped by its PID on close, its directory deleted.
 *
 * <p>The settings are those of Kafka's {@code config/server.properties} for one node, but for
 * loopback listeners, no topic created by a client's first use (every topic is created with
 * AdminClient), and a first consumer group that need not wait for others ({@code
 * group.initial.rebalance.delay.ms=0}). The log flush settings are Kafka's defaults: a produce is
 * acknowledged once it is in the page cache, not fsynced. No metrics reporter is configured: the
 * broker talks to no one but its clients.
 */
final class KafkaBroker implements AutoCloseable {

    static final String NAME_PREFIX = "apache-kafka-";
    /** The anchor's name, {@code apache-kafka-4.4.0}: the version of the kafka jars this module was built with. */
    static final String NAME = NAME_PREFIX + kafkaVersion();

    /** {@code kafka-server-start.sh}'s {@code KAFKA_HEAP_OPTS} default and {@code kafka-run-class.sh}'s performance options. */
    static final List<String> SERVER_FLAGS = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
            "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true");

    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration READY_POLL = Duration.ofMillis(500);
    private static final int LOG_TAIL_CHARS = 4000;

    private final Path dir;
    private final Process server;
    private final int port;
    private final Path log;

    private KafkaBroker(Path dir, Process server, int port, Path log) {
        this.dir = dir;
        this.server = server;
        this.port = port;
        this.log = log;
    }

    /** Formats a log directory under {@code dir} (created, and deleted on close), starts the broker and waits until it answers. */
    static KafkaBroker start(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int[] ports = LoopbackPorts.free(2);
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, serverProperties(dir.resolve("logs"), ports[0], ports[1]));
        ChildJvm.Finished format = ChildJvm.run(ChildJvm.command(ChildJvm.TOOL_FLAGS, "kafka.tools.StorageTool",
                List.of("format", "--cluster-id", Uuid.randomUuid().toString(), "--config", properties.toString(), "--standalone")),
                FORMAT_TIMEOUT);
        if (format.exit() != 0) {
            Directories.deleteTree(dir);
            throw new IllegalStateException("kafka-storage format failed (exit " + format.exit() + "):\n" + format.output());
        }
        Path log = dir.resolve("broker.log");
        Process server = ChildJvm.start(ChildJvm.command(SERVER_FLAGS, "kafka.Kafka", List.of(properties.toString())), log);
        KafkaBroker broker = new KafkaBroker(dir, server, ports[0], log);
        try {
            broker.awaitReady();
            return broker;
        } catch (RuntimeException | InterruptedException e) {
            String tail = broker.logTail();
            broker.close();
            throw new IllegalStateException("the Kafka broker did not start: " + e.getMessage() + "; its log:\n" + tail, e);
        }
    }

    /** {@code host:port} of its broker listener. */
    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    long pid() {
        return server.pid();
    }

    /** Its listener answers, and the cluster it describes has this broker in it (the controller has registered it). */
    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        // The admin client logs a warning for every refused connection: wait for the listener first.
        while (!accepts(port)) {
            if (!server.isAlive()) {
                throw new IllegalStateException("it exited with code " + server.exitValue());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("its listener 127.0.0.1:" + port + " did not open within " + START_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(READY_POLL.toMillis());
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000", AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000"))) {
            Exception last = null;
            while (System.nanoTime() < deadline) {
                if (!server.isAlive()) {
                    throw new IllegalStateException("it exited with code " + server.exitValue());
                }
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                Thread.sleep(READY_POLL.toMillis());
            }
            throw new IllegalStateException("no answer to describeCluster within " + START_TIMEOUT.toSeconds() + " s"
                    + (last != null ? " (" + last.getMessage() + ")" : ""));
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) READY_POLL.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** One node, broker and controller, on loopback; see the class comment for the choices. */
    static String serverProperties(Path logDirs, int brokerPort, int controllerPort) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                // config/server.properties' thread and socket settings, spelled out.
                "num.network.threads=3",
                "num.io.threads=8",
                "socket.send.buffer.bytes=102400",
                "socket.receive.buffer.bytes=102400",
                "socket.request.max.bytes=104857600",
                "log.dirs=" + logDirs,
                "num.partitions=1",
                "num.recovery.threads.per.data.dir=1",
                "offsets.topic.replication.factor=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // Every topic is created with AdminClient, as on Strata (whose door has it off by default).
                "auto.create.topics.enable=false",
                // Kafka's defaults, spelled out: no fsync per write (log.flush.interval.messages unset = Long.MAX_VALUE).
                "log.retention.hours=168",
                "log.segment.bytes=1073741824",
                "log.retention.check.interval.ms=300000",
                "");
    }

    /** The version of the Kafka jars on the classpath, as kafka-clients records it ({@code kafka/kafka-version.properties}). */
    static String kafkaVersion() {
        try (InputStream in = Admin.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String logTail() {
        try {
            String text = Files.readString(log);
            return text.substring(Math.max(0, text.length() - LOG_TAIL_CHARS));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the broker (SIGTERM, then SIGKILL) by its PID and deletes its directory. */
    @Override
    public void close() {
        ChildJvm.stop(server);
        Directories.deleteTree(dir);
    }
}
