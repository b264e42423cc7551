package io.strata.node.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.strata.node.cluster.ClusterSpec;
import io.strata.node.NodeConfig;
import io.strata.node.StartupException;
import io.strata.node.StrataNode;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code ./strata up}: runs one node in the foreground until Ctrl-C / SIGTERM. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Start a node: a single-node cluster with data in ./data and HTTP on 127.0.0.1:8080.",
                "Ctrl-C or SIGTERM shuts it down cleanly."})
public final class UpCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(UpCommand.class);

    /** How long the process waits for its actor system to terminate once the node's shutdown reached that phase. */
    private static final Duration TERMINATION_GRACE = Duration.ofSeconds(20);

    /** The line a node prints once it serves; launchers parse it. */
    public static final String READY_LINE_PREFIX = "Strata node up: ";

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory for durable state (default: ./data, strata.data-dir).")
    Path dataDir;

    @Option(names = "--http-port", paramLabel = "N", description = "HTTP port (default 8080; 0 picks a free one).")
    Integer httpPort;

    @Option(names = "--http-host", paramLabel = "HOST", description = "Interface to bind (default 127.0.0.1).")
    String httpHost;

    @Option(names = "--cluster-port", paramLabel = "N", description = "Cluster (Artery) port (default: a free one; a cluster file gives each node its own).")
    Integer clusterPort;

    @Option(names = "--resp-port", paramLabel = "N", description = "Also serve the KV store over the Redis protocol (RESP2) on port N (0 picks a free one; strata.resp.*).")
    Integer respPort;

    @Option(names = "--kafka-port", paramLabel = "N", description = "Also serve the bus over the Kafka protocol on port N (0 picks a free one; strata.kafka.*).")
    Integer kafkaPort;

    @Option(names = "--durability", paramLabel = "MODE", description = "mmap (default: survives kill -9) or fsync (survives power loss), for the KV store, the bus and tables.")
    String durability;

    @Option(names = "--config", paramLabel = "FILE", description = "A HOCON file with settings (see reference.conf), or with --node a cluster file (cluster-config/).")
    Path configFile;

    @Option(names = "--node", paramLabel = "NAME", description = "Start node NAME of the cluster file given with --config.")
    String node;

    @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "", description = "Set any configuration key, e.g. -Dstrata.kv.default-partitions=16.")
    Map<String, String> properties = new HashMap<>();

    @Override
    public Integer call() {
        StrataNode started;
        try {
            Config config = node == null ? NodeConfig.load(Optional.ofNullable(configFile), overrides())
                    : NodeConfig.load(clusterNodeLayer(), overrides());
            started = StrataNode.start(config);
        } catch (StartupException | IllegalArgumentException e) {
            return refuse(e.getMessage(), e);
        } catch (ConfigException e) {
            return refuse(StartupException.badConfiguration(e).getMessage(), e);
        } catch (Exception e) {
            LOG.debug("the node failed to start", e);
            System.err.println("strata up: " + oneLine(e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }
        var address = started.httpAddress();
        System.out.println(READY_LINE_PREFIX + "http://" + address.getHostString() + ":" + address.getPort()
                + started.respAddress().map(resp -> " resp " + resp.getHostString() + ":" + resp.getPort()).orElse("")
                + started.kafkaAddress().map(kafka -> " kafka " + kafka.getHostString() + ":" + kafka.getPort()).orElse("")
                + " (data " + started.dataDir() + ", cluster " + started.system().address() + ")");
        System.out.println("Ctrl-C to stop.");
        System.out.flush();
        awaitStop(started.system());
        return 0;
    }

    /**
     * Waits until the node has stopped: its actor system terminated, or, once its coordinated
     * shutdown has released the storage, at most {@link #TERMINATION_GRACE} more. Pekko's TLS
     * transport can leave the actor system's termination hanging after everything else stopped
     * (seen after a {@code POST /cluster/leave}); the process must end all the same, or whoever
     * waits for it (a leave, a launcher) waits for ever.
     */
    private static void awaitStop(ActorSystem<?> system) {
        CompletableFuture<Object> terminated = system.getWhenTerminated().toCompletableFuture().thenApply(t -> t);
        CompletableFuture<Object> released = new CompletableFuture<>();
        CoordinatedShutdown.get(Adapter.toClassic(system)).addTask(CoordinatedShutdown.PhaseActorSystemTerminate(),
                "strata-exit-when-stopped", () -> {
                    released.complete(Done.getInstance());
                    return CompletableFuture.completedFuture(Done.getInstance());
                });
        CompletableFuture.anyOf(terminated, released).join();
        try {
            terminated.get(TERMINATION_GRACE.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.warn("the actor system did not terminate within {} s of the node's shutdown; the process exits anyway "
                    + "(its storage was released)", TERMINATION_GRACE.toSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warn("the actor system's termination failed", e.getCause());
        }
    }

    /**
     * A start refused for something the user can fix: one line on stderr that names it and the
     * fix, exit code 2; the stack trace only in the log at debug level.
     */
    private static int refuse(String message, Exception e) {
        LOG.debug("start refused", e);
        System.err.println("strata up: " + oneLine(message));
        return 2;
    }

    private static String oneLine(String message) {
        return message.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** Node {@code --node} of the cluster file {@code --config}. */
    private Config clusterNodeLayer() {
        if (configFile == null) {
            throw new IllegalArgumentException("--node names a node of a cluster file: give the file with --config, such as --config cluster-config/local-3.conf");
        }
        return ClusterSpec.parse(configFile).nodeLayer(node);
    }

    /** The flags as configuration keys, above every other layer. */
    Map<String, String> overrides() {
        Map<String, String> overrides = new LinkedHashMap<>(properties);
        if (dataDir != null) {
            overrides.put("strata.data-dir", dataDir.toString());
        }
        if (httpPort != null) {
            overrides.put("strata.http.port", httpPort.toString());
        }
        if (httpHost != null) {
            overrides.put("strata.http.host", httpHost);
        }
        if (clusterPort != null) {
            overrides.put("strata.cluster.port", clusterPort.toString());
        }
        if (respPort != null) {
            overrides.put("strata.resp.enabled", "on");
            overrides.put("strata.resp.port", respPort.toString());
        }
        if (kafkaPort != null) {
            overrides.put("strata.kafka.enabled", "on");
            overrides.put("strata.kafka.port", kafkaPort.toString());
        }
        if (durability != null) {
            overrides.put("strata.kv.durability", durability);
            overrides.put("strata.bus.durability", durability);
            overrides.put("strata.columnar.durability", durability);
        }
        return overrides;
    }
}
