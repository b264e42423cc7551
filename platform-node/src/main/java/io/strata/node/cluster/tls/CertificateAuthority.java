package io.strata.node.cluster.tls;

import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;

/**
 * A cluster's certificate authority: the key that signs the certificate of every node of one
 * cluster, and its self-signed certificate, which every node trusts and nothing else does. Made by
 * {@code ./strata cluster certs} (or {@code cluster up}) and kept as {@code ca.key} and
 * {@code ca.crt} in the cluster's certificate directory; only the machine that makes node
 * certificates needs {@code ca.key}.
 *
 * <p>Keys are ECDSA on P-256. A certificate names its cluster in its subject's OU and, for a
 * node, the node in its CN: {@code CN=n1, OU=local-3, O=Strata}. Immutable and thread-safe.
 *
 * @param key         the CA's private key
 * @param certificate its self-signed certificate
 */
public record CertificateAuthority(PrivateKey key, X509Certificate certificate) {

    /** The CA's certificate in a certificate directory, and in each node's directory. */
    public static final String CERT_FILE = "ca.crt";
    /** The CA's private key (0600) in the cluster's certificate directory. */
    public static final String KEY_FILE = "ca.key";

    private static final String ORGANIZATION = "Strata";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new CA for the cluster called {@code cluster}, valid from {@code notBefore} to {@code notAfter}. */
    public static CertificateAuthority create(String cluster, Instant notBefore, Instant notAfter) {
        KeyPair pair = newKeyPair();
        X500Name subject = name(cluster, "Strata cluster CA");
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(notBefore),
                    Date.from(notAfter), subject, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(pair.getPublic()));
            return new CertificateAuthority(pair.getPrivate(), sign(builder, pair.getPrivate()));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot make a CA certificate: " + e.getMessage(), e);
        }
    }

    /** Whether {@code dir} holds a CA (its certificate or its key). */
    public static boolean existsIn(Path dir) {
        return Files.exists(dir.resolve(CERT_FILE)) || Files.exists(dir.resolve(KEY_FILE));
    }

    /** The CA kept in {@code dir}; an {@link IllegalArgumentException} names a missing or unreadable file. */
    public static CertificateAuthority load(Path dir) {
        X509Certificate certificate = Pem.readCertificate(dir.resolve(CERT_FILE));
        PrivateKey key = Pem.readPrivateKey(dir.resolve(KEY_FILE));
        if (!NodeCertificate.matches(key, certificate.getPublicKey())) {
            throw new IllegalArgumentException(dir.resolve(KEY_FILE) + " is not the key of " + dir.resolve(CERT_FILE));
        }
        return new CertificateAuthority(key, certificate);
    }

    /** Writes {@code ca.crt} and {@code ca.key} (0600) into {@code dir} (created 0700 when missing). */
    public void write(Path dir) throws IOException {
        Pem.writePrivateKey(dir.resolve(KEY_FILE), key);
        Pem.writeCertificate(dir.resolve(CERT_FILE), certificate);
    }

    /** The cluster this CA signs for: its subject's OU. */
    public String cluster() {
        return attribute(certificate, BCStyle.OU);
    }

    /**
     * A new key and certificate for node {@code node} of this CA's cluster, reached at {@code host}
     * (an IP address or a DNS name, put in the certificate's subject alternative names), usable
     * to serve and to connect (TLS server and client authentication).
     */
    public NodeCertificate issue(String node, String host, Instant notBefore, Instant notAfter) {
        return issue(cluster(), node, host, notBefore, notAfter);
    }

    /** As {@link #issue(String, String, Instant, Instant)}, for another cluster: what a CA shared by clusters would sign. */
    NodeCertificate issue(String cluster, String node, String host, Instant notBefore, Instant notAfter) {
        KeyPair pair = newKeyPair();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            GeneralName alternative = IPAddress.isValid(host) ? new GeneralName(GeneralName.iPAddress, host)
                    : new GeneralName(GeneralName.dNSName, host);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(notBefore),
                    Date.from(notAfter), name(cluster, node), pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternative))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(pair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(certificate));
            return new NodeCertificate(pair.getPrivate(), sign(builder, key), certificate);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot make a certificate for node " + node + ": " + e.getMessage(), e);
        }
    }

    /** The first value of {@code attribute} (such as {@link BCStyle#CN}) in the certificate's subject, or "". */
    static String attribute(X509Certificate certificate, org.bouncycastle.asn1.ASN1ObjectIdentifier attribute) {
        try {
            RDN[] rdns = new JcaX509CertificateHolder(certificate).getSubject().getRDNs(attribute);
            return rdns.length == 0 ? "" : IETFUtils.valueToString(rdns[0].getFirst().getValue());
        } catch (CertificateEncodingException e) {
            return "";
        }
    }

    private static X500Name name(String cluster, String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, ORGANIZATION).addRDN(BCStyle.OU, cluster)
                .addRDN(BCStyle.CN, commonName).build();
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make EC P-256 keys: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) throws GeneralSecurityException {
        try {
            String algorithm = signer.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    /** A random positive serial number of at most 20 bytes, as RFC 5280 asks. */
    private static BigInteger serial() {
        return new BigInteger(159, RANDOM).add(BigInteger.ONE);
    }
}
