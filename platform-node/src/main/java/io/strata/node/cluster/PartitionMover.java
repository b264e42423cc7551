package io.strata.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.node.storage.DataLayout;
import io.strata.node.storage.Directories;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Moves partitions onto this node, and hands this node's partitions over when it stops.
 *
 * <p>A move is an entry of the {@link PlacementTable} with this node as the new home and the node
 * the partition is moving from. Once the partition has stopped there (the shard coordinator hands
 * off a partition running anywhere but its home, and never starts a moving one), this node pulls
 * its files from the old home's gateway ({@link PartitionTransferRoutes}) into
 * {@link DataLayout#incoming}, puts them in place, records itself as the home, and asks the old
 * home to delete its copy. A move cut short (either node stopped) is taken up again from the
 * start; until it completes the partition is unavailable ({@code partition_moving}).
 *
 * <p>Handover: before a node's gateway unbinds in a graceful stop, {@link #handOver} sets each of
 * its partitions moving to the node the rendezvous hash picks among the other Up data nodes, and
 * waits until they have all been pulled.
 */
public final class PartitionMover implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionMover.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SCAN_INTERVAL = Duration.ofMillis(500);
    private static final int CONCURRENT_PULLS = 2;
    private static final Duration HANDOVER_ROUND = Duration.ofSeconds(2);

    private final ActorSystem<?> system;
    private final PlacementTable table;
    private final NodeDirectory directory;
    private final Map<String, PartitionKind> kinds;
    private final DataLayout layout;
    private final String self;
    private final Optional<String> authToken;
    private final Executor blockingIo;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Set<String> pulling = ConcurrentHashMap.newKeySet();
    private final Semaphore pulls = new Semaphore(CONCURRENT_PULLS);
    private volatile boolean stopping;
    private org.apache.pekko.actor.Cancellable scan;

    public PartitionMover(ActorSystem<?> system, NodeDirectory directory, Map<String, PartitionKind> kinds, DataLayout layout,
                          String self, Optional<String> authToken, Executor blockingIo) {
        this.system = system;
        this.table = PlacementTable.get(system);
        this.directory = directory;
        this.kinds = kinds;
        this.layout = layout;
        this.self = self;
        this.authToken = authToken;
        this.blockingIo = blockingIo;
    }

    /** Starts looking for moves onto this node. */
    public void start() {
        scan = system.scheduler().scheduleWithFixedDelay(SCAN_INTERVAL, SCAN_INTERVAL, this::pullMovesOntoThisNode,
                system.executionContext());
    }

    private void pullMovesOntoThisNode() {
        if (stopping) {
            return;
        }
        table.entries().forEach((key, entry) -> {
            if (entry.home().equals(self) && entry.isMoving() && !pulling.contains(key) && pulls.tryAcquire()) {
                pulling.add(key);
                blockingIo.execute(() -> {
                    try {
                        pull(key, entry.movingFrom().get());
                    } catch (Exception e) {
                        LOG.info("move of partition {} onto this node not done yet: {}", key, e.getMessage());
                    } finally {
                        pulling.remove(key);
                        pulls.release();
                    }
                });
            }
        });
    }

    private void pull(String key, String from) throws Exception {
        int slash = key.indexOf('/');
        PartitionKind kind = kinds.get(key.substring(0, slash));
        String id = key.substring(slash + 1);
        if (kind == null) {
            throw new IllegalStateException("unknown partition kind in " + key);
        }
        String base = directory.gatewayOf(from).orElseThrow(() -> new IllegalStateException("gateway of node " + from + " unknown"))
                + "/internal/partitions/" + kind.name() + "/" + id;
        HttpResponse<String> listing = http.send(request(base).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (listing.statusCode() != 200) {
            throw new IllegalStateException("node " + from + " answered " + listing.statusCode() + " " + listing.body());
        }
        Path incoming = layout.incoming(kind.name(), id);
        Path root = kind.filesOf().apply(id);
        Directories.deleteTree(incoming);
        JsonNode files = JSON.readTree(listing.body()).path("files");
        long bytes = 0;
        for (JsonNode file : files) {
            String relative = file.path("path").asText();
            Path target = incoming.resolve(relative).normalize();
            if (!target.startsWith(incoming) || !layout.root().resolve(relative).normalize().startsWith(root)) {
                throw new IllegalStateException("node " + from + " listed a file outside the partition: " + relative);
            }
            Files.createDirectories(target.getParent());
            HttpResponse<Path> fetched = http.send(request(base + "/file?path=" + URLEncoder.encode(relative, StandardCharsets.UTF_8))
                    .GET().build(), HttpResponse.BodyHandlers.ofFile(target));
            if (fetched.statusCode() != 200 || Files.size(target) != file.path("size").asLong()) {
                throw new IllegalStateException("node " + from + " sent " + relative + " incomplete (" + fetched.statusCode() + ")");
            }
            bytes += Files.size(target);
        }
        // The files are all here: replace whatever stale copy this node had, then take the partition.
        if (Files.isDirectory(root)) {
            Directories.deleteTree(root);
        } else {
            Files.deleteIfExists(root);
        }
        for (JsonNode file : files) {
            String relative = file.path("path").asText();
            Path target = layout.root().resolve(relative);
            Files.createDirectories(target.getParent());
            Files.move(incoming.resolve(relative), target, StandardCopyOption.REPLACE_EXISTING);
        }
        Directories.deleteTree(incoming);
        if (!table.write(key, PlacementTable.Entry.at(self)).toCompletableFuture().get(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the new home of " + key + " was not confirmed by a majority");
        }
        LOG.info("partition {} moved from node {} to this node: {} files, {} bytes", key, from, files.size(), bytes);
        try {
            http.send(request(base).DELETE().build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            LOG.warn("node {} keeps its old copy of {} ({}); it is never read again", from, key, e.getMessage());
        }
    }

    private HttpRequest.Builder request(String url) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5));
        authToken.ifPresent(token -> request.header("Authorization", "Bearer " + token));
        return request;
    }

    /**
     * Hands every partition of this node over to the other Up data nodes and waits, at most
     * {@code limit}, until they have pulled them. Returns how many partitions are still here.
     */
    public int handOver(Duration limit) throws InterruptedException {
        stopping = true;
        org.apache.pekko.cluster.Cluster cluster = org.apache.pekko.cluster.Cluster.get(
                org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system));
        try {
            if (!table.markLeaving(self, true).toCompletableFuture().get(30, TimeUnit.SECONDS)) {
                LOG.warn("no majority confirmed that this node is leaving; handing over anyway");
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("could not mark this node as leaving ({}); handing over anyway", e.toString());
        }
        Map<String, org.apache.pekko.actor.Address> others = new java.util.TreeMap<>(DataNodes.placeable(cluster, table));
        others.remove(self);
        if (others.isEmpty()) {
            LOG.warn("no other data node is up: this node's partitions stay on its disk, unavailable until it returns");
            return (int) ownedOrLeaving().count();
        }
        List<String> targets = List.copyOf(others.keySet());
        long deadline = System.nanoTime() + limit.toNanos();
        long left = ownedOrLeaving().count();
        LOG.info("handing partitions over to nodes {}", targets);
        long nextRound = 0;
        while (System.nanoTime() < deadline) {
            if (System.nanoTime() >= nextRound) {
                // Each round reads the table from a majority first: a partition placed here a moment ago may be
                // missing from this node's copy, and a move whose write was not confirmed is written again.
                try {
                    table.refresh().toCompletableFuture().get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    LOG.info("placement table not read from a majority ({}); handing over what this node knows", e.toString());
                }
                table.entries().forEach((key, entry) -> {
                    if (entry.home().equals(self) && !entry.isMoving()) {
                        table.write(key, PlacementTable.Entry.moving(Placement.rendezvous(targets, key.substring(key.indexOf('/') + 1)), self));
                    }
                });
                nextRound = System.nanoTime() + HANDOVER_ROUND.toNanos();
            }
            left = ownedOrLeaving().count();
            if (left == 0) {
                break;
            }
            Thread.sleep(SCAN_INTERVAL.toMillis());
        }
        if (left > 0) {
            LOG.warn("{} partitions not handed over in {}: they stay on this node's disk, unavailable until it returns", left, limit);
        } else {
            LOG.info("every partition handed over");
        }
        return (int) left;
    }

    private java.util.stream.Stream<String> ownedOrLeaving() {
        return table.entries().entrySet().stream()
                .filter(e -> e.getValue().home().equals(self) || e.getValue().movingFrom().filter(self::equals).isPresent())
                .map(Map.Entry::getKey);
    }

    @Override
    public void close() {
        stopping = true;
        if (scan != null) {
            scan.cancel();
        }
    }
}
