package io.strata.node.cluster;

import io.strata.node.cluster.tls.CertificateAuthority;
import io.strata.node.launch.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node of a cluster file started by hand ({@code ./strata up --config FILE --node NAME}, a real
 * JVM) whose certificate is missing or expired does not start: it exits with code 2 and one line
 * that says what is wrong and the command that makes new ones.
 */
class ClusterCertificatesTest {

    @TempDir
    Path dir;

    @Test
    void aNodeWithoutUsableCertificatesSaysWhatToRun() throws Exception {
        TestCluster cluster = TestCluster.create(dir, "certs-test", List.of("n1"));
        Path certs = dir.resolve("certs/certs-test/n1");
        Files.delete(certs.resolve("tls.key"));
        Files.delete(certs.resolve("tls.crt"));
        Files.delete(certs.resolve("ca.crt"));
        String missing = failedStart(cluster);
        assertTrue(missing.contains("node n1 has no certificate for the cluster transport in " + certs
                + " (tls.key, tls.crt, ca.crt): make them with ./strata cluster certs " + cluster.file() + " --node n1"), missing);

        Instant now = Instant.now();
        CertificateAuthority.load(dir.resolve("certs/certs-test"))
                .issue("n1", "127.0.0.1", now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1))).write(certs);
        String expired = failedStart(cluster);
        assertTrue(expired.contains("node n1's certificate for the cluster transport in " + certs + " cannot be used: tls.crt expired on ")
                && expired.contains("make new ones with ./strata cluster certs " + cluster.file() + " --node n1 --renew"), expired);
    }

    /** Runs the node; it must exit 2 with exactly one line about its certificate. Returns its output. */
    private String failedStart(TestCluster cluster) throws Exception {
        List<String> command = NodeProcess.command(dir, "unused", "up", "--config", cluster.file().toString(), "--node", "n1").command();
        Path log = Files.createTempFile(dir, "n1-", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the node exits at once");
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(2, process.exitValue(), output);
            assertEquals(1, output.lines().filter(line -> line.contains("certificate for the cluster transport")).count(), output);
            return output;
        } finally {
            process.destroyForcibly();
        }
    }
}
