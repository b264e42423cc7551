package io.strata.cluster;

import io.strata.node.cli.StrataSubcommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ./strata cluster}: the nodes of a cluster file (see {@code cluster-config/local-3.conf}),
 * started ({@code up}), inspected ({@code status}), made to hand their partitions over and stop
 * ({@code leave}) and stopped ({@code down}) from this machine, and their TLS certificates made
 * ({@code certs}). Only the nodes whose host is this machine are started or stopped; the others
 * are reported.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"Start, inspect, retire and stop the nodes of a cluster file",
                "(cluster-config/*.conf), and make the certificates they join each other with.",
                "",
                "up and down act on the nodes whose host is this machine; each node runs",
                "detached in its own JVM, logs to <data-dir>/node.log and records its",
                "PID in <data-dir>/node.pid.",
                ""},
        commandListHeading = "%nCommands:%n",
        subcommands = {ClusterUpCommand.class, ClusterStatusCommand.class, ClusterLeaveCommand.class, ClusterDownCommand.class,
                ClusterCertsCommand.class})
public final class ClusterCommand implements StrataSubcommand {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }
}
