package io.strata.loadtest;

import io.strata.node.cli.StrataSubcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code ./strata loadtest [SCENARIO...]}: runs load-test scenarios with Gatling against a fresh
 * node (or {@code --node}), stops everything afterwards, and writes Gatling's HTML report and
 * Strata's summary per run plus one summary of them all. Exit status 0 when every gate held, 1
 * when one failed, 2 on bad input.
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load tests: Gatling simulations that drive the dataflow-mode chains under faults, with assertions as the verdict.",
                "",
                "Scenarios: steady (each mode, no faults), compounding (rpc, 1%% errors at each of 4 hops),",
                "outage (D down 10 s mid-run: plain rpc, rpc with breaker and retry budget, bus),",
                "slow-hop (C with a heavy-tailed latency: rpc, db, bus), platform (the node's KV, bus and table API, mixed).",
                "Parameters: -Dloadtest.NAME=VALUE with NAME one of mode, hops, rate, duration, errorRate,",
                "faults (SERVICE:KIND=VALUE[@START], comma-separated), timeout, retries, breaker, seed.",
                "",
                "Example: ./strata loadtest --smoke",
                "         ./strata loadtest compounding -Dloadtest.rate=300 -Dloadtest.duration=60s",
                ""})
public final class LoadTestCommand implements StrataSubcommand {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SCENARIO", arity = "0..*", description = "steady, compounding, outage, slow-hop, platform (default: all)")
    List<String> scenarios = new ArrayList<>();

    @Option(names = "--smoke", description = "The short version: a few seconds per scenario at a small rate (what CI runs)")
    boolean smoke;

    @Option(names = "-D", paramLabel = "loadtest.NAME=VALUE", mapFallbackValue = "", description = "A scenario parameter, over its defaults")
    Map<String, String> properties = new HashMap<>();

    @Option(names = "--node", paramLabel = "URL", description = "A running node on loopback to use (default: a fresh one in this JVM, in a temporary directory)")
    String node;

    @Option(names = "--results", paramLabel = "DIR", description = "Where reports go (default: load-tests/target/loadtest/<time>)")
    Path results;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // Logging starts here, on one thread: started by the chain's many threads at once, SLF4J warns of replayed calls.
        org.slf4j.LoggerFactory.getILoggerFactory();
        List<LoadTestParams> runs = new ArrayList<>();
        try {
            List<Scenario> chosen = scenarios.isEmpty() ? Arrays.asList(Scenario.values()) : scenarios.stream().map(Scenario::parse).toList();
            for (Scenario scenario : chosen) {
                Properties props = smoke ? scenario.smokeProperties() : new Properties();
                System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(LoadTestParams.PREFIX))
                        .forEach(k -> props.setProperty(k, System.getProperty(k)));
                properties.keySet().stream().filter(k -> !k.startsWith(LoadTestParams.PREFIX)).findFirst().ifPresent(k -> {
                    throw new IllegalArgumentException("-D" + k + ": parameters are named " + LoadTestParams.PREFIX + "NAME");
                });
                props.putAll(properties);
                runs.addAll(LoadTest.runsOf(scenario, props));
            }
            if (node != null && !node.startsWith("http://127.0.0.1:") && !node.startsWith("http://localhost:")) {
                throw new IllegalArgumentException("load tests target loopback only, got --node " + node);
            }
        } catch (IllegalArgumentException e) {
            err.println("strata loadtest: " + e.getMessage());
            return 2;
        }
        Path dir = results != null ? results : Path.of(System.getProperty("strata.home", "."), "load-tests", "target", "loadtest",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        List<LoadTestSummary> summaries = new ArrayList<>();
        try (LoadTestNode target = node != null ? LoadTestNode.existing(node) : LoadTestNode.fresh()) {
            out.println("node " + target.base() + "; reports under " + dir.toAbsolutePath());
            out.flush();
            LoadTest loadTest = new LoadTest(target.base(), dir, line -> {
                out.println(line);
                out.flush();
            });
            for (LoadTestParams params : runs) {
                summaries.add(loadTest.run(params));
            }
        }
        LoadTestSummary.writeJson(dir.resolve("summary.json"), summaries);
        LoadTestSummary.writeMarkdown(dir.resolve("summary.md"), summaries);
        out.println();
        out.print(LoadTestSummary.markdown(summaries));
        out.println();
        out.println("wrote " + dir.resolve("summary.md").toAbsolutePath() + " and summary.json; Gatling's reports: "
                + dir.toAbsolutePath() + "/*/index.html");
        out.flush();
        return summaries.stream().allMatch(LoadTestSummary::passed) ? 0 : 1;
    }
}
