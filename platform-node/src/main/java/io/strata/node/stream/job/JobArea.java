package io.strata.node.stream.job;

import io.strata.node.plug.Store;
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

    public JobArea(JobStore jobs) {
        this.jobs = jobs;
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
