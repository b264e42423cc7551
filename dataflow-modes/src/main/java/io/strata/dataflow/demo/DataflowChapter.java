package io.strata.dataflow.demo;

import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.experiment.Experiment;
import io.strata.dataflow.experiment.ExperimentResult;
import io.strata.dataflow.experiment.ExperimentSpec;
import io.strata.dataflow.experiment.ResultFiles;
import io.strata.dataflow.experiment.ResultTable;
import io.strata.dataflow.fault.ScheduledFault;
import io.strata.node.demo.DemoChapter;
import io.strata.node.demo.DemoTour;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's finale: the same four services run through a shared database, by RPC and over the
 * bus, first with a 1% error rate at every hop, then with the last service down for 10 s, and the
 * three modes' measurements side by side, with the plot's path. Checks what the course texts
 * claim, with margins wide enough for a busy machine: failures compound over rpc and db hops to
 * about 1 - 0.99^4; the bus loses nothing in an outage and fails no request at its entry.
 */
public final class DataflowChapter implements DemoChapter {

    /** Kept short so the finale takes about two minutes; {@code ./strata experiment} runs longer ones. */
    static final int RATE = 150;
    static final int ERROR_REQUESTS = 1500;
    static final int OUTAGE_REQUESTS = 3000;
    static final Duration WARMUP = Duration.ofSeconds(3);

    @Override
    public String title() {
        return "Dataflow modes: the same services through a database, by RPC and over the bus";
    }

    @Override
    public boolean isFinale() {
        return true;
    }

    @Override
    public void tour(DemoTour tour) throws Exception {
        tour.step("Four services, three ways, 1% errors at every hop");
        tour.say("A enriches a request, B and C score it, D stores the result. In db mode they hand work on through");
        tour.say("the node's KV store, in rpc mode each calls the next over HTTP and waits, in bus mode each consumes");
        tour.say("a topic and produces to the next. Every service fails 1% of what it gets (seeded, reproducible).");
        tour.shell("./strata experiment --compare --hops 4 --error-rate 0.01 --requests " + ERROR_REQUESTS + " --rate " + RATE
                + " --warmup 3s --node " + tour.base());
        List<ExperimentResult> errors = compare(tour, base().withErrorRate(0.01), "dataflow-error-rate");
        ExperimentResult db = errors.get(0);
        ExperimentResult rpc = errors.get(1);
        ExperimentResult bus = errors.get(2);
        tour.say(String.format(Locale.ROOT, "rpc: %.2f%% of requests failed end to end; 1 - 0.99^4 predicts %.2f%%.",
                rpc.failureRate() * 100, rpc.predictedFailureRate() * 100));
        tour.check(injected(rpc) >= 0.015 && injected(rpc) <= 0.07,
                "rpc's injected failures to compound to about 3.94% (1.5% to 7%), got " + percent(injected(rpc)));
        tour.check(injected(db) >= 0.015 && injected(db) <= 0.07,
                "db's injected failures to compound like rpc's (1.5% to 7%), got " + percent(injected(db)));
        tour.say(String.format(Locale.ROOT, "bus: only A's own 1%% failed at the entry (%.2f%%); the other hops' failures were retried,",
                bus.failureRate() * 100));
        tour.say("so every accepted request completed: " + bus.completed() + " of " + bus.succeeded() + ".");
        tour.check(bus.failureRate() <= 0.025, "the bus to fail only at its entry (about 1%), got " + percent(bus.failureRate()));
        tour.check(bus.completed() != null && bus.completed() == bus.succeeded(),
                "every request the bus accepted to complete, got " + bus.completed() + " of " + bus.succeeded());

        tour.step("The same services with D down for 10 s");
        tour.say("D stops answering 4 s into the run and comes back 10 s later. No error rate this time.");
        tour.shell("./strata experiment --compare --hops 4 --fault D:down=10s@4s --requests " + OUTAGE_REQUESTS + " --rate " + RATE
                + " --warmup 3s --node " + tour.base());
        List<ExperimentResult> outage = compare(tour, base().withFaults(List.of(ScheduledFault.parse("D:down=10s@4s")))
                .withRequests(OUTAGE_REQUESTS), "dataflow-outage");
        ExperimentResult dbDown = outage.get(0);
        ExperimentResult rpcDown = outage.get(1);
        ExperimentResult busDown = outage.get(2);
        tour.say(String.format(Locale.ROOT, "rpc failed %.1f%% (every request that reached D while it was down timed out);",
                rpcDown.failureRate() * 100));
        tour.say(String.format(Locale.ROOT, "db failed %.1f%% (the entry gave up waiting for results D did not write);",
                dbDown.failureRate() * 100));
        tour.say("bus failed " + busDown.failed() + ": the outage became lag (at most " + busDown.maxLag() + " records), drained "
                + busDown.drainMs() + " ms after D came back, and all " + busDown.completed() + " requests completed.");
        tour.check(rpcDown.failureRate() >= 0.25, "rpc to fail the requests of the outage (>= 25%), got " + percent(rpcDown.failureRate()));
        tour.check(dbDown.failed() > 0, "db to fail requests while D is down, got " + dbDown.failed());
        tour.check(busDown.failed() == 0, "the bus to fail no request at its entry, got " + busDown.failed());
        tour.check(busDown.completed() != null && busDown.completed() == OUTAGE_REQUESTS,
                "every bus request to complete after the outage, got " + busDown.completed() + " of " + OUTAGE_REQUESTS);
        tour.check(busDown.maxLag() != null && busDown.maxLag() > 0, "the bus's backlog to grow during the outage");
    }

    @Override
    public void afterCrash(DemoTour tour) {
        // A finale runs once, after the crash chapter.
    }

    private static ExperimentSpec base() {
        return ExperimentSpec.of(Mode.RPC, 4, ERROR_REQUESTS, RATE).withWarmup(WARMUP);
    }

    private static List<ExperimentResult> compare(DemoTour tour, ExperimentSpec spec, String name) throws Exception {
        Experiment experiment = new Experiment(tour.base(), line -> tour.say("  " + line));
        List<ExperimentResult> results = new ArrayList<>();
        for (Mode mode : List.of(Mode.DB, Mode.RPC, Mode.BUS)) {
            results.add(experiment.run(spec.withMode(mode)));
        }
        tour.out().println();
        ResultTable.printComparison(tour.out(), results);
        Path dir = Path.of(System.getProperty("strata.home", ".")).resolve("target").resolve("demo");
        Path json = ResultFiles.writeJson(dir.resolve(name + ".json"), results);
        Path plot = ResultFiles.writePlot(dir.resolve(name + ".svg"), results, spec.hops() + " hops, " + spec.requests()
                + " requests at " + RATE + "/s, " + String.join(" ", spec.faultDescriptions()));
        tour.out().println();
        tour.say("Results: " + json.toAbsolutePath());
        tour.say("Plot:    " + plot.toAbsolutePath());
        return results;
    }

    private static double injected(ExperimentResult r) {
        return (double) r.failuresByKind().getOrDefault("injected_fault", 0L) / r.requests();
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", fraction * 100);
    }
}
