package io.strata.node.cluster.tls;

import io.strata.node.cluster.ClusterSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The certificates of a cluster file's nodes: the cluster's CA in the file's {@code certs-dir}
 * ({@code ca.crt}, {@code ca.key}) and each node's key and certificate in its own directory
 * ({@link ClusterSpec#tlsDir}), made where missing. What {@code ./strata cluster certs} and
 * {@code cluster up} run. Blocking file I/O; not thread-safe.
 */
public final class ClusterCertificates {

    /** How long a node certificate is valid unless {@code cluster certs --days} says otherwise. */
    public static final long NODE_VALIDITY_DAYS = 365;
    /** How long a new CA is valid: node certificates are renewed under it, the CA itself rarely. */
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private final ClusterSpec cluster;
    private final Instant now;
    private CertificateAuthority ca;

    public ClusterCertificates(ClusterSpec cluster, Instant now) {
        this.cluster = cluster;
        this.now = now;
    }

    /** What became of one node's certificate: {@code made} is false when valid files were kept. */
    public record Outcome(ClusterSpec.Node node, Path dir, boolean made, Instant notAfter) {}

    /**
     * Makes {@code node}'s key and certificate, valid for {@code validity}, when it has none or when
     * {@code renew}; else checks the ones it has. The CA is made first if the file has none yet.
     *
     * @throws IllegalArgumentException when the node's files cannot be used (expired, another node's
     *     or cluster's, unreadable; the message says so, with the command that renews them), or a
     *     certificate must be made and the CA that signed the others is missing
     */
    public Outcome ensure(ClusterSpec.Node node, boolean renew, Duration validity) {
        Path dir = cluster.tlsDir(node.name());
        if (!renew && NodeCertificate.existsIn(dir)) {
            NodeCertificate existing;
            try {
                existing = NodeCertificate.load(dir);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("node " + node.name() + ": " + e.getMessage() + "; " + renewHint(node));
            }
            Optional<String> problem = existing.problem(cluster.name(), node.name(), now)
                    .or(() -> authority().filter(a -> !a.certificate().equals(existing.ca()))
                            .map(a -> NodeCertificate.CA_FILE + " in " + dir + " is not the cluster's CA (" + cluster.certsDir()
                                    .resolve(CertificateAuthority.CERT_FILE) + ")"));
            if (problem.isPresent()) {
                throw new IllegalArgumentException("node " + node.name() + "'s certificate in " + dir + " cannot be used: "
                        + problem.get() + "; " + renewHint(node));
            }
            return new Outcome(node, dir, false, existing.notAfter());
        }
        CertificateAuthority authority = authority().orElseGet(this::newAuthority);
        if (now.plus(validity).isAfter(authority.certificate().getNotAfter().toInstant())) {
            throw new IllegalArgumentException("the cluster's CA in " + cluster.certsDir() + " expires on "
                    + authority.certificate().getNotAfter().toInstant() + ", before a new certificate would; make a new CA"
                    + " (remove " + cluster.certsDir() + ", run this again for every node, then restart them all)");
        }
        NodeCertificate made = authority.issue(node.name(), node.host(), now.minus(ClusterTls.CLOCK_SKEW), now.plus(validity));
        try {
            made.write(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write node " + node.name() + "'s certificate into " + dir, e);
        }
        return new Outcome(node, dir, true, made.notAfter());
    }

    /** The file's CA, if it has one. */
    private Optional<CertificateAuthority> authority() {
        if (ca == null && CertificateAuthority.existsIn(cluster.certsDir())) {
            try {
                ca = CertificateAuthority.load(cluster.certsDir());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the cluster's CA cannot be used: " + e.getMessage());
            }
        }
        return Optional.ofNullable(ca);
    }

    /**
     * A new CA, unless a node of this machine already has certificates: they were signed by a CA
     * that is not here, and certificates of a new one would not be trusted by those nodes.
     */
    private CertificateAuthority newAuthority() {
        List<Path> signed = new ArrayList<>();
        for (ClusterSpec.Node node : cluster.nodes()) {
            if (Files.exists(cluster.tlsDir(node.name()).resolve(NodeCertificate.CA_FILE))) {
                signed.add(cluster.tlsDir(node.name()));
            }
        }
        if (!signed.isEmpty()) {
            throw new IllegalArgumentException("the certificates in " + signed + " were signed by a CA that is not in "
                    + cluster.certsDir() + ": make the certificates where the CA's " + CertificateAuthority.KEY_FILE
                    + " is (or copy it here), or remove " + cluster.certsDir() + " and those directories to start over");
        }
        CertificateAuthority created = CertificateAuthority.create(cluster.name(), now.minus(ClusterTls.CLOCK_SKEW), now.plus(CA_VALIDITY));
        try {
            created.write(cluster.certsDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the cluster's CA into " + cluster.certsDir(), e);
        }
        ca = created;
        return created;
    }

    private String renewHint(ClusterSpec.Node node) {
        return "make new ones with ./strata cluster certs " + cluster.file() + " --node " + node.name() + " --renew";
    }
}
