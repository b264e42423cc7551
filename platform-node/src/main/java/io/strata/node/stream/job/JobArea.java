package io.strata.node.stream.job;

import io.strata.node.bus.BusStore;
import io.strata.node.cluster.PartitionHomes;
import io.strata.node.columnar.TableStore;
import io.strata.node.kv.KvStore;
import io.strata.node.plug.NodeContext;
import io.strata.node.plug.Store;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.Done;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Stream jobs as the node composes them: {@link JobRoutes}; the jobs homed here restarted at
 * start and stopped at shutdown, before the partitions they write to. Thread-safe.
 */
public final class JobArea implements Store {

    private static final Logger LOG = LoggerFactory.getLogger(JobArea.class);

    private final JobStore jobs;

    private JobArea(JobStore jobs) {
        this.jobs = jobs;
    }

    /** Reads the job catalog and builds the job store; jobs read topics and write KV, tables and topics. */
    public static JobArea create(NodeContext ctx, KvStore kv, BusStore bus, TableStore tables) {
        ActorSystem<?> system = ctx.system();
        return new JobArea(new JobStore(ctx.layout(), ctx.space(), ctx.catalogs(), PartitionHomes.of(system), ctx.directory(),
                bus, kv, tables, ctx.blockingIo(), system, ctx.settings().stream()));
    }

    /** The job store, for the node's Java API. */
    public JobStore store() {
        return jobs;
    }

    @Override
    public String name() {
        return "jobs";
    }

    @Override
    public List<Route> routes() {
        return List.of(new JobRoutes(jobs).routes());
    }

    @Override
    public void start() {
        int started = jobs.startAll();
        if (started > 0) {
            LOG.info("stream jobs started: {}", started);
        }
    }

    @Override
    public CompletionStage<Done> stop() {
        jobs.stopAll();
        return CompletableFuture.completedFuture(Done.getInstance());
    }
}
