package io.strata.node.cluster.tls;

import org.bouncycastle.asn1.x500.style.BCStyle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;

/**
 * What a node shows and trusts on the cluster transport: its private key, its certificate (signed
 * by the cluster's CA) and the CA's certificate. Kept in a directory of three PEM files, the
 * layout Kubernetes TLS secrets and Pekko's own PEM-based engine use:
 *
 * <pre>
 * tls.key   the node's private key (0600)
 * tls.crt   the node's certificate: CN = the node, OU = the cluster
 * ca.crt    the certificate of the cluster's CA: the only issuer this node trusts
 * </pre>
 *
 * Immutable and thread-safe.
 *
 * @param key         the node's private key
 * @param certificate the node's certificate
 * @param ca          the certificate of the CA that signed it
 */
public record NodeCertificate(PrivateKey key, X509Certificate certificate, X509Certificate ca) {

    public static final String KEY_FILE = "tls.key";
    public static final String CERT_FILE = "tls.crt";
    public static final String CA_FILE = CertificateAuthority.CERT_FILE;

    /** Whether {@code dir} holds any of the three files. */
    public static boolean existsIn(Path dir) {
        return Files.exists(dir.resolve(KEY_FILE)) || Files.exists(dir.resolve(CERT_FILE)) || Files.exists(dir.resolve(CA_FILE));
    }

    /** Reads the three files of {@code dir}; an {@link IllegalArgumentException} names a missing or unreadable one. */
    public static NodeCertificate load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("there is no directory " + dir);
        }
        return new NodeCertificate(Pem.readPrivateKey(dir.resolve(KEY_FILE)), Pem.readCertificate(dir.resolve(CERT_FILE)),
                Pem.readCertificate(dir.resolve(CA_FILE)));
    }

    /** Writes {@code tls.key} (0600), {@code tls.crt} and {@code ca.crt} into {@code dir} (created 0700 when missing). */
    public void write(Path dir) throws IOException {
        Pem.writePrivateKey(dir.resolve(KEY_FILE), key);
        Pem.writeCertificate(dir.resolve(CERT_FILE), certificate);
        Pem.writeCertificate(dir.resolve(CA_FILE), ca);
    }

    /** The cluster the certificate was made for (its subject's OU). */
    public String cluster() {
        return CertificateAuthority.attribute(certificate, BCStyle.OU);
    }

    /** The node the certificate was made for (its subject's CN). */
    public String node() {
        return CertificateAuthority.attribute(certificate, BCStyle.CN);
    }

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    /**
     * What makes these files unusable for node {@code node} of cluster {@code cluster} at
     * {@code now}, if anything: a key that is not the certificate's, a certificate the CA did not
     * sign, one not valid yet or any more, or made for another node or cluster. An empty
     * {@code cluster} or {@code node} is not checked.
     */
    public Optional<String> problem(String cluster, String node, Instant now) {
        if (!matches(key, certificate.getPublicKey())) {
            return Optional.of(KEY_FILE + " is not the private key of " + CERT_FILE);
        }
        try {
            certificate.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            return Optional.of(CERT_FILE + " is not signed by the CA of " + CA_FILE + " (" + ca.getSubjectX500Principal() + ")");
        }
        for (X509Certificate c : new X509Certificate[] {ca, certificate}) {
            String file = c == ca ? CA_FILE : CERT_FILE;
            if (now.isAfter(c.getNotAfter().toInstant())) {
                return Optional.of(file + " expired on " + c.getNotAfter().toInstant());
            }
            if (now.isBefore(c.getNotBefore().toInstant())) {
                return Optional.of(file + " is not valid before " + c.getNotBefore().toInstant() + " (is this machine's clock right?)");
            }
        }
        if (!cluster.isEmpty() && !cluster.equals(cluster())) {
            return Optional.of(CERT_FILE + " was made for cluster '" + cluster() + "', not '" + cluster + "'");
        }
        if (!node.isEmpty() && !node.equals(node())) {
            return Optional.of(CERT_FILE + " was made for node '" + node() + "', not '" + node + "'");
        }
        return Optional.empty();
    }

    /** Whether {@code key} is the private key of {@code publicKey}: it signs what the public key verifies. */
    static boolean matches(PrivateKey key, PublicKey publicKey) {
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
