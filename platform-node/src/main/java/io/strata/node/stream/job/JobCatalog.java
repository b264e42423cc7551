package io.strata.node.stream.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.storage.CatalogStores;
import io.strata.node.storage.DataLayout;
import io.strata.node.storage.NamedCatalog;

import java.util.concurrent.CompletionStage;

/**
 * The stream jobs, kept durably in {@link DataLayout#jobCatalog()} (replicated over the nodes in
 * a cluster): each job's spec as submitted (canonical JSON), so a job survives restarts.
 * Thread-safe.
 */
final class JobCatalog extends NamedCatalog<JobCatalog.Job> {

    /** A submitted job: its name and canonical spec. */
    record Job(String name, JsonNode spec) {}

    JobCatalog(CatalogStores stores, DataLayout layout) {
        super(stores, layout.jobCatalog(), Job.class, Job::name, "job", 64);
    }

    CompletionStage<Job> create(String name, JsonNode spec) {
        return createOrGet(name, new Job(name, spec), existing -> "another spec; delete the job first to change it");
    }
}
