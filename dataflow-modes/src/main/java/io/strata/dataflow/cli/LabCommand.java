package io.strata.dataflow.cli;

import io.strata.node.cli.StrataSubcommand;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./strata lab}: experiments over HTTP. Serves {@link LabRoutes} on 127.0.0.1 until stopped
 * (Ctrl-C), against the node given with {@code --node} or a fresh one it starts.
 */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = {"Dataflow experiments over HTTP, until stopped.",
                "",
                "Serves the dataflow experiments over HTTP on 127.0.0.1 until stopped (Ctrl-C):",
                "  POST /experiments   {\"mode\":\"rpc\",\"hops\":4,\"error_rate\":0.01,\"fault\":[\"C:down=10s@5s\"],...}",
                "                      (the fields are ./strata experiment's options) -> 202 {\"id\":1}",
                "  GET  /experiments/ID  -> {\"status\":\"running\"|\"done\"|\"failed\", \"experiments\":[...]}",
                ""})
public final class LabCommand implements StrataSubcommand {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8095", description = "HTTP port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0: any free port)")
    int port;

    @Option(names = "--node", paramLabel = "URL", description = "A running node to use (default: start a fresh one)")
    String node;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        // Logging starts here, on one thread: started by the chain's many threads at once, SLF4J warns of replayed calls.
        org.slf4j.LoggerFactory.getILoggerFactory();
        try (LabNode lab = LabNode.open(node, out)) {
            ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "lab", LabRoutes.CONFIG);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            try {
                LabRoutes routes = new LabRoutes(lab.base());
                var binding = routes.bind(system, port).toCompletableFuture().join();
                out.println("lab serving experiments at http://127.0.0.1:" + binding.localAddress().getPort() + "/experiments (Ctrl-C stops it)");
                out.flush();
                stopped.await();
            } finally {
                system.terminate();
            }
            return 0;
        }
    }
}
