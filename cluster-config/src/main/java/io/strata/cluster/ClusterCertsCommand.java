package io.strata.cluster;

import io.strata.node.cluster.ClusterSpec;
import io.strata.node.cluster.tls.ClusterCertificates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ./strata cluster certs FILE [--node N]... [--renew]}: makes the certificates the nodes of a
 * cluster file need to talk to each other (the cluster transport runs over TLS with mutual
 * authentication): the cluster's CA, once, and a private key and certificate per node. Files that
 * exist and are valid are kept; {@code --renew} replaces a node's. For nodes on other hosts it says
 * which directory to copy there.
 */
@Command(name = "certs", mixinStandardHelpOptions = true,
        description = {"Make the TLS certificates the nodes of FILE need to join each other.",
                "They are the cluster's CA (ca.crt, ca.key) in the file's certs-dir,",
                "certs/<cluster name> beside the file unless it says otherwise,",
                "and each node's tls.key, tls.crt and ca.crt in <certs-dir>/<node>.",
                "Valid files are kept. Copy a node's directory to its host before",
                "starting it there."})
final class ClusterCertsCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The cluster file, such as cluster-config/example-3-hosts.conf.")
    Path file;

    @Option(names = "--node", paramLabel = "NAME", description = "Only this node (repeatable; default: every node of the file).")
    List<String> nodes = new ArrayList<>();

    @Option(names = "--renew", description = "Replace the nodes' keys and certificates even if they are valid (restart each node after).")
    boolean renew;

    @Option(names = "--days", paramLabel = "N", defaultValue = "" + ClusterCertificates.NODE_VALIDITY_DAYS,
            description = "How long new node certificates are valid, in days (default: ${DEFAULT-VALUE}).")
    long days;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ClusterSpec cluster = ClusterFile.parse(file, err);
        if (cluster == null) {
            return ClusterFile.BAD_FILE;
        }
        if (days < 1 || days >= ClusterCertificates.CA_VALIDITY.toDays()) {
            err.println("strata cluster: --days must be 1.." + (ClusterCertificates.CA_VALIDITY.toDays() - 1) + ", got " + days);
            err.flush();
            return ClusterFile.BAD_FILE;
        }
        List<ClusterSpec.Node> selected = new ArrayList<>();
        try {
            if (nodes.isEmpty()) {
                selected.addAll(cluster.nodes());
            } else {
                nodes.forEach(name -> selected.add(cluster.node(name)));
            }
        } catch (IllegalArgumentException e) {
            err.println("strata cluster: " + e.getMessage());
            err.flush();
            return ClusterFile.BAD_FILE;
        }
        ClusterCertificates certs = new ClusterCertificates(cluster, Instant.now());
        int exit = 0;
        for (ClusterSpec.Node node : selected) {
            try {
                ClusterCertificates.Outcome outcome = certs.ensure(node, renew, Duration.ofDays(days));
                out.println("node " + node.name() + ": " + (outcome.made() ? "made" : "kept") + " " + outcome.dir()
                        + " (valid until " + outcome.notAfter() + ")" + (LocalNodes.isLocal(node.host()) ? ""
                        : "; copy that directory to " + node.host() + ", at the same path"));
            } catch (IllegalArgumentException | UncheckedIOException e) {
                err.println("strata cluster: " + e.getMessage());
                exit = 1;
            }
        }
        out.flush();
        err.flush();
        return exit;
    }
}
