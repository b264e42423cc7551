package io.strata.dataflow.cli;

import io.strata.dataflow.experiment.Experiment;
import io.strata.dataflow.experiment.ExperimentResult;
import io.strata.dataflow.experiment.ExperimentSpec;
import io.strata.dataflow.experiment.ResultFiles;
import io.strata.dataflow.experiment.ResultTable;
import io.strata.node.cli.StrataSubcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./strata experiment}: runs a chain of services in one dataflow mode (or, with
 * {@code --compare}, all three) under the given faults, drives a bounded workload through it, and
 * prints what it measured; writes the same as JSON and an SVG plot.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Dataflow experiments: a service chain through a store, by RPC or over the bus, with faults.",
                "",
                "Runs a chain of services A -> B -> C -> D through a shared store (db), by RPC (rpc) or over",
                "the bus (bus), with injected faults, and measures how failures cascade.",
                "",
                "Example: ./strata experiment --mode rpc --hops 4 --error-rate 0.01 --requests 20000 --rate 500",
                "         ./strata experiment --compare --fault D:down=10s@5s --requests 4000 --rate 200",
                ""})
public final class ExperimentCommand implements StrataSubcommand {

    @Spec
    CommandSpec spec;

    @Mixin
    ExperimentOptions options;

    @Option(names = "--node", paramLabel = "URL",
            description = "A running node to use, such as http://127.0.0.1:8080 (default: start a fresh one in a temporary directory)")
    String node;

    @Option(names = "--json", paramLabel = "FILE", description = "Where to write the results as JSON (default: target/experiments/<time>.json)")
    Path json;

    @Option(names = "--plot", paramLabel = "FILE", description = "Where to write the plot, SVG (default: beside the JSON, .svg)")
    Path plot;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        // Logging starts here, on one thread: started by the chain's many threads at once, SLF4J warns of replayed calls.
        org.slf4j.LoggerFactory.getILoggerFactory();
        PrintWriter err = spec.commandLine().getErr();
        List<ExperimentSpec> specs;
        try {
            specs = options.specs();
        } catch (IllegalArgumentException e) {
            err.println("strata experiment: " + e.getMessage());
            return 2;
        }
        try (LabNode lab = LabNode.open(node, out)) {
            Experiment experiment = new Experiment(lab.base(), line -> {
                out.println(line);
                out.flush();
            });
            if (options.processes) {
                java.nio.file.Files.createDirectories(defaultDir());
                experiment = experiment.inProcesses(defaultDir());
                out.println("services run in JVMs of their own; their logs go to " + defaultDir().toAbsolutePath() + "/service-*.log");
            }
            List<ExperimentResult> results = new ArrayList<>();
            for (ExperimentSpec s : specs) {
                results.add(experiment.run(s));
            }
            out.println();
            if (results.size() == 1) {
                ResultTable.print(out, results.get(0));
            } else {
                ResultTable.printComparison(out, results);
            }
            Path jsonFile = json != null ? json : defaultDir().resolve(stamp() + "-" + label(specs) + ".json");
            Path plotFile = plot != null ? plot : siblingSvg(jsonFile);
            ResultFiles.writeJson(jsonFile, results);
            ResultFiles.writePlot(plotFile, results, title(specs));
            out.println();
            out.println("wrote " + jsonFile.toAbsolutePath());
            out.println("wrote " + plotFile.toAbsolutePath());
            out.flush();
            return 0;
        }
    }

    static Path defaultDir() {
        return Path.of(System.getProperty("strata.home", ".")).resolve("target").resolve("experiments");
    }

    static String stamp() {
        return LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    }

    static Path siblingSvg(Path jsonFile) {
        String name = jsonFile.getFileName().toString();
        return jsonFile.resolveSibling((name.endsWith(".json") ? name.substring(0, name.length() - 5) : name) + ".svg");
    }

    private static String label(List<ExperimentSpec> specs) {
        return specs.size() > 1 ? "compare" : specs.get(0).mode().cliName();
    }

    static String title(List<ExperimentSpec> specs) {
        ExperimentSpec first = specs.get(0);
        String faults = first.faultDescriptions().isEmpty() ? "no faults" : String.join(" ", first.faultDescriptions());
        return String.format(java.util.Locale.ROOT, "%d hops, %d requests at %.0f/s, %s", first.hops(), first.requests(), first.rate(), faults);
    }
}
