package io.strata.node.cluster.tls;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster's certificates on a real filesystem: made, written (private keys 0600 in 0700
 * directories), read back; and every way a node's files can be unusable refused at start with a
 * message that says what is wrong and what to run.
 */
class NodeCertificateTest {

    private static final Instant NOW = Instant.now();
    private static final Duration DAY = Duration.ofDays(1);

    @TempDir
    Path dir;

    private final CertificateAuthority ca = CertificateAuthority.create("blue", NOW.minus(DAY), NOW.plus(DAY.multipliedBy(30)));

    @Test
    void writtenFilesReadBackWithOwnerOnlyKeys() throws Exception {
        ca.write(dir);
        NodeCertificate n1 = ca.issue("n1", "10.0.0.11", NOW.minus(DAY), NOW.plus(DAY));
        Path nodeDir = dir.resolve("n1");
        n1.write(nodeDir);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(nodeDir.resolve("tls.key"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(nodeDir)));
        assertTrue(Files.readString(nodeDir.resolve("tls.key")).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertTrue(Files.readString(nodeDir.resolve("tls.crt")).startsWith("-----BEGIN CERTIFICATE-----"));

        NodeCertificate read = NodeCertificate.load(nodeDir);
        assertEquals(n1.certificate(), read.certificate());
        assertEquals(ca.certificate(), read.ca());
        assertEquals("n1", read.node());
        assertEquals("blue", read.cluster());
        assertEquals(Optional.empty(), read.problem("blue", "n1", NOW));
        assertTrue(read.certificate().getSubjectAlternativeNames().toString().contains("10.0.0.11"), "the host is a SAN");
        CertificateAuthority readCa = CertificateAuthority.load(dir);
        assertEquals(ca.certificate(), readCa.certificate());
        assertEquals("blue", readCa.cluster());
    }

    @Test
    void unusableCertificatesSayWhy() {
        NodeCertificate n1 = ca.issue("n1", "127.0.0.1", NOW.minus(DAY), NOW.plus(DAY));
        assertProblem("tls.crt expired on", ca.issue("n1", "h", NOW.minus(DAY.multipliedBy(3)), NOW.minus(DAY)));
        assertProblem("tls.crt is not valid before", ca.issue("n1", "h", NOW.plus(DAY), NOW.plus(DAY.multipliedBy(2))));
        assertProblem("tls.crt was made for node 'n2', not 'n1'", ca.issue("n2", "h", NOW.minus(DAY), NOW.plus(DAY)));
        CertificateAuthority green = CertificateAuthority.create("green", NOW.minus(DAY), NOW.plus(DAY));
        assertProblem("tls.crt was made for cluster 'green', not 'blue'", green.issue("n1", "h", NOW.minus(DAY), NOW.plus(DAY)));
        NodeCertificate greens = green.issue("n1", "h", NOW.minus(DAY), NOW.plus(DAY));
        assertProblem("tls.crt is not signed by the CA of ca.crt", new NodeCertificate(greens.key(), greens.certificate(), ca.certificate()));
        assertProblem("tls.key is not the private key of tls.crt",
                new NodeCertificate(green.key(), n1.certificate(), ca.certificate()));
        CertificateAuthority expiredCa = CertificateAuthority.create("blue", NOW.minus(DAY.multipliedBy(3)), NOW.minus(DAY));
        assertProblem("ca.crt expired on", expiredCa.issue("n1", "h", NOW.minus(DAY.multipliedBy(2)), NOW.plus(DAY)));
    }

    private static void assertProblem(String expected, NodeCertificate certificate) {
        String problem = certificate.problem("blue", "n1", NOW).orElseThrow(() -> new AssertionError("no problem found"));
        assertTrue(problem.startsWith(expected), problem);
    }

    @Test
    void badFilesAreRefusedWithTheirName() throws Exception {
        Path nodeDir = dir.resolve("n1");
        ca.issue("n1", "h", NOW.minus(DAY), NOW.plus(DAY)).write(nodeDir);

        Files.setPosixFilePermissions(nodeDir.resolve("tls.key"), PosixFilePermissions.fromString("rw-r--r--"));
        String open = assertThrows(IllegalArgumentException.class, () -> NodeCertificate.load(nodeDir)).getMessage();
        assertTrue(open.contains("can be read or written by other users") && open.contains("chmod 600 " + nodeDir.resolve("tls.key")), open);

        Files.setPosixFilePermissions(nodeDir.resolve("tls.key"), PosixFilePermissions.fromString("rw-------"));
        Files.writeString(nodeDir.resolve("tls.crt"), "not a certificate\n");
        String garbage = assertThrows(IllegalArgumentException.class, () -> NodeCertificate.load(nodeDir)).getMessage();
        assertTrue(garbage.contains(nodeDir.resolve("tls.crt") + " is not a PEM file"), garbage);

        Files.delete(nodeDir.resolve("ca.crt"));
        Files.delete(nodeDir.resolve("tls.crt"));
        Files.copy(nodeDir.resolve("tls.key"), nodeDir.resolve("tls.crt"));
        String swapped = assertThrows(IllegalArgumentException.class, () -> NodeCertificate.load(nodeDir)).getMessage();
        assertTrue(swapped.contains("holds no PEM certificate"), swapped);

        Files.delete(nodeDir.resolve("tls.crt"));
        ca.issue("n1", "h", NOW.minus(DAY), NOW.plus(DAY)).write(nodeDir);
        Files.delete(nodeDir.resolve("ca.crt"));
        String missing = assertThrows(IllegalArgumentException.class, () -> NodeCertificate.load(nodeDir)).getMessage();
        assertEquals(nodeDir.resolve("ca.crt") + " does not exist", missing);
    }

    @Test
    void aNodeOfAClusterFileStartsOnlyWithUsableCertificates() throws Exception {
        Path nodeDir = dir.resolve("n1");
        String none = refusal(nodeConfig(nodeDir));
        assertEquals("node n1 has no certificate for the cluster transport in " + nodeDir + " (tls.key, tls.crt, ca.crt): make them"
                + " with ./strata cluster certs cluster-config/blue.conf --node n1", none);

        ca.issue("n1", "h", NOW.minus(DAY.multipliedBy(3)), NOW.minus(DAY)).write(nodeDir);
        String expired = refusal(nodeConfig(nodeDir));
        assertTrue(expired.startsWith("node n1's certificate for the cluster transport in " + nodeDir + " cannot be used: tls.crt expired on")
                && expired.endsWith("make new ones with ./strata cluster certs cluster-config/blue.conf --node n1 --renew"), expired);

        ca.issue("n1", "h", NOW.minus(DAY), NOW.plus(DAY)).write(nodeDir);
        Files.setPosixFilePermissions(nodeDir.resolve("tls.key"), PosixFilePermissions.fromString("rw-rw-r--"));
        String readable = refusal(nodeConfig(nodeDir));
        assertTrue(readable.contains("chmod 600"), readable);

        Files.setPosixFilePermissions(nodeDir.resolve("tls.key"), PosixFilePermissions.fromString("rw-------"));
        ClusterTls tls = ClusterTls.fromConfig(nodeConfig(nodeDir));
        assertEquals("n1", tls.credentials().node());
    }

    @Test
    void aNodeOnItsOwnMakesACertificateNothingElseTrusts() {
        Config standalone = config(Map.of("strata.cluster.tls.dir", "", "strata.cluster.name", "", "strata.cluster.node", "",
                "strata.cluster.file", ""));
        ClusterTls a = ClusterTls.fromConfig(standalone);
        ClusterTls b = ClusterTls.fromConfig(standalone);
        assertNotEquals(a.credentials().ca(), b.credentials().ca(), "a CA of its own each time");
        assertTrue(a.credentials().cluster().startsWith("standalone-"), a.credentials().cluster());
        assertEquals(Optional.empty(), a.credentials().problem("", "", NOW));
    }

    private Config nodeConfig(Path tlsDir) {
        return config(Map.of("strata.cluster.tls.dir", tlsDir.toString(), "strata.cluster.name", "blue",
                "strata.cluster.node", "n1", "strata.cluster.file", "cluster-config/blue.conf"));
    }

    private static Config config(Map<String, String> values) {
        return ConfigFactory.parseMap(values);
    }

    private static String refusal(Config config) {
        return assertThrows(IllegalArgumentException.class, () -> ClusterTls.fromConfig(config)).getMessage();
    }
}
