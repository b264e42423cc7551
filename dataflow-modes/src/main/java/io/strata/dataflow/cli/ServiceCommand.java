package io.strata.dataflow.cli;

import io.strata.dataflow.chain.Chain;
import io.strata.dataflow.chain.ChainService;
import io.strata.dataflow.chain.ChainSettings;
import io.strata.dataflow.chain.Mode;
import io.strata.dataflow.experiment.ExperimentSpec;
import io.strata.node.cli.StrataSubcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./strata service}: one service of a chain in a process of its own, until SIGTERM, for
 * chains spread over processes (or hosts). Takes {@code ./strata experiment}'s chain options and
 * the service's place in the chain.
 */
@Command(name = "service", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"One service of a dataflow chain, in this process, until stopped.",
                "",
                "Runs one service of a dataflow chain in this process until stopped. Start the last first:",
                "  ./strata service --mode rpc --hops 2 --name B --run r1 --node http://127.0.0.1:8080 --port 9002",
                "  ./strata service --mode rpc --hops 2 --name A --run r1 --node http://127.0.0.1:8080 --port 9001 --next http://127.0.0.1:9002",
                "  curl -d '{\"id\":1,\"user\":\"u-1\",\"amount\":12.5}' http://127.0.0.1:9001/process",
                ""})
public final class ServiceCommand implements StrataSubcommand {

    @Spec
    CommandSpec spec;

    @Mixin
    ExperimentOptions options;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "The service's name: A, B, C, ... (A is the entry)")
    String name;

    @Option(names = "--run", required = true, paramLabel = "ID", description = "The chain's run id: names its keys, topics and groups in the node")
    String run;

    @Option(names = "--node", required = true, paramLabel = "URL", description = "The Strata node, such as http://127.0.0.1:8080")
    String node;

    @Option(names = "--next", paramLabel = "URL", description = "rpc: the next service's address (every service but the last)")
    String next;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "0", description = "HTTP port on 127.0.0.1 (default: any free port)")
    int port;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ChainSettings settings;
        int index = ChainSettings.serviceIndex(name);
        try {
            ExperimentSpec experiment = options.specs().get(0);
            settings = new ChainSettings(run, experiment.mode(), experiment.hops(), node, experiment.seed(), experiment.allFaults(),
                    experiment.rpc(), experiment.entryTimeout(), experiment.pollInterval());
            if (index < 0 || index >= settings.hops()) {
                throw new IllegalArgumentException("--name must name a service of the chain, " + String.join(", ", settings.serviceNames())
                        + "; got " + name);
            }
            if (settings.mode() == Mode.RPC && index < settings.hops() - 1 && next == null) {
                throw new IllegalArgumentException("in rpc mode every service but the last needs --next, the next service's address");
            }
        } catch (IllegalArgumentException e) {
            err.println("strata service: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        try (Chain chain = Chain.startOne(settings, index, next, port)) {
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            out.println(ChainService.READY_LINE_PREFIX + chain.services().get(0).url() + " (" + name + ", "
                    + settings.mode().cliName() + ", pid " + ProcessHandle.current().pid() + ")");
            out.flush();
            stopped.await();
        }
        return 0;
    }
}
