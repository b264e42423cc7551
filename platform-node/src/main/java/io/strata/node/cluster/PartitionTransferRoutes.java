package io.strata.node.cluster;

import io.strata.node.common.Futures;
import io.strata.node.common.StrataException;
import io.strata.node.http.ErrorHandling;
import io.strata.node.http.Json;
import io.strata.node.http.StrataRoutes;
import io.strata.node.storage.Directories;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.stream.Stream;

/**
 * The node-to-node side of a partition move ({@link PartitionMover} on the new home is the
 * client). Not for users: the paths are under {@code /internal}.
 * <pre>
 * GET    /internal/partitions/{kind}/{id}             the partition's files: {"files":[{"path","size"}]}, paths
 *                                                     relative to the data directory; 409 partition_running
 *                                                     while it still runs here
 * GET    /internal/partitions/{kind}/{id}/file?path=P one file's bytes
 * DELETE /internal/partitions/{kind}/{id}             deletes this node's copy once another node is its home (204)
 * </pre>
 */
public final class PartitionTransferRoutes extends StrataRoutes {

    private final ActorSystem<?> system;
    private final Map<String, PartitionKind> kinds;
    private final Path dataDir;
    private final String self;
    private final Executor blockingIo;
    private final Duration timeout;

    /** Serves the files of {@code kinds} under {@code dataDir} of node {@code self}. */
    public PartitionTransferRoutes(ActorSystem<?> system, Map<String, PartitionKind> kinds, Path dataDir, String self,
                                   Executor blockingIo, Duration timeout) {
        this.system = system;
        this.kinds = kinds;
        this.dataDir = dataDir;
        this.self = self;
        this.blockingIo = blockingIo;
        this.timeout = timeout;
    }

    @Override
    public Route routes() {
        return pathPrefix("internal", () -> pathPrefix("partitions", () ->
                pathPrefix(PathMatchers.segment(), kind -> pathPrefix(PathMatchers.segment(), id -> partition(kind, id)))));
    }

    private Route partition(String kind, String id) {
        filesOf(kind(kind), id);
        return concat(
                pathEnd(() -> concat(
                        get(() -> answer(listFiles(kind(kind), id))),
                        delete(() -> answer(deleteCopy(kind(kind), id))))),
                path("file", () -> get(() -> parameter("path", relative -> sendFile(kind(kind), id, relative)))));
    }

    private PartitionKind kind(String name) {
        PartitionKind kind = kinds.get(name);
        if (kind == null) {
            throw new StrataException(StrataException.Kind.NOT_FOUND, "not_found", "no partition kind '" + name + "'");
        }
        return kind;
    }

    /** The files of partition {@code id}: refuses ids that are not a partition's, so nothing outside one is reached. */
    private static Path filesOf(PartitionKind kind, String id) {
        try {
            return kind.filesOf().apply(id);
        } catch (IllegalArgumentException e) {
            throw new StrataException(StrataException.Kind.NOT_FOUND, "not_found", "'" + id + "' is no partition of " + kind.name());
        }
    }

    private Route answer(CompletionStage<HttpResponse> response) {
        return completeWithFuture(response.exceptionally(ErrorHandling::toResponse));
    }

    private CompletionStage<HttpResponse> listFiles(PartitionKind kind, String id) {
        return runningHere(kind, id).thenApplyAsync(running -> {
            if (running) {
                throw new StrataException(StrataException.Kind.CONFLICT, "partition_running",
                        "partition " + kind.name() + "/" + id + " still runs on this node");
            }
            kind.awaitClosed().accept(id);
            Path root = filesOf(kind, id);
            List<Map<String, Object>> files = new ArrayList<>();
            if (Files.isRegularFile(root)) {
                files.add(describe(root));
            } else if (Files.isDirectory(root)) {
                try (Stream<Path> walk = Files.walk(root)) {
                    walk.filter(Files::isRegularFile).sorted().forEach(file -> files.add(describe(file)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return Json.ok(Map.of("files", files));
        }, blockingIo);
    }

    private Map<String, Object> describe(Path file) {
        try {
            return Map.of("path", dataDir.relativize(file).toString(), "size", Files.size(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Route sendFile(PartitionKind kind, String id, String relative) {
        Path root = filesOf(kind, id).normalize();
        Path file = dataDir.resolve(relative).normalize();
        if (!file.startsWith(root) || !Files.isRegularFile(file)) {
            return complete(ErrorHandling.toResponse(new StrataException(StrataException.Kind.NOT_FOUND, "not_found",
                    relative + " is not a file of partition " + kind.name() + "/" + id)));
        }
        return complete(HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, file.toFile())));
    }

    private CompletionStage<HttpResponse> deleteCopy(PartitionKind kind, String id) {
        boolean livesHere = PlacementTable.get(system).entry(PlacementTable.keyOf(kind.name(), id))
                .map(entry -> entry.home().equals(self)).orElse(false);
        if (livesHere) {
            return CompletableFuture.failedFuture(new StrataException(StrataException.Kind.CONFLICT, "partition_lives_here",
                    "partition " + kind.name() + "/" + id + " lives on this node; its files stay"));
        }
        return runningHere(kind, id).thenApplyAsync(running -> {
            if (!running) {
                Path root = filesOf(kind, id);
                if (Files.isDirectory(root)) {
                    Directories.deleteTree(root);
                } else {
                    try {
                        Files.deleteIfExists(root);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
            return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
        }, blockingIo);
    }

    private CompletionStage<Boolean> runningHere(PartitionKind kind, String id) {
        CompletionStage<ShardRegion.CurrentShardRegionState> state = AskPattern.ask(ClusterSharding.get(system).shardState(),
                replyTo -> new GetShardRegionState(kind.typeKey(), replyTo), timeout, system.scheduler());
        return Futures.direct(state).thenApply(s -> s.getShards().stream().anyMatch(shard -> shard.shardId().equals(id)));
    }
}
