package io.strata.node.cluster.tls;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.remote.artery.tcp.SSLEngineProvider;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cluster transport's TLS: Pekko Artery runs over TLS 1.3 ({@code pekko.remote.artery.transport
 * = tls-tcp}) with engines from this provider, which authenticate both ends. A node shows its own
 * certificate and accepts a peer only if the peer's certificate is signed by the node's CA
 * ({@code ca.crt}) and names the same cluster (its subject's OU), so a process without the
 * cluster's certificates can neither join nor be joined: its handshake fails before any cluster
 * message is read.
 *
 * <p>Where the certificate comes from ({@link #fromConfig}): the directory
 * {@code strata.cluster.tls.dir} (a node of a cluster file: {@code ./strata cluster certs} makes
 * it), or, when that is empty (a node on its own), a CA and certificate made in memory at start
 * that only this node trusts, so nothing can join it.
 *
 * <p>Pekko builds it through {@code SSLEngineProviderSetup} ({@code StrataNode} passes the one it
 * checked at start), or from {@code pekko.remote.artery.ssl.ssl-engine-provider} by its
 * {@link #ClusterTls(ActorSystem) ActorSystem constructor} for an actor system started without
 * one. Thread-safe: Pekko asks it for engines from its stream threads.
 */
public final class ClusterTls implements SSLEngineProvider {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterTls.class);
    private static final String PROTOCOL = "TLSv1.3";
    private static final String STANDALONE = "standalone";
    /** An in-memory certificate lives as long as its node; a fixed far end keeps it out of the way. */
    private static final Duration EPHEMERAL_VALIDITY = Duration.ofDays(3650);
    /** Certificates start a little in the past, so a peer whose clock is behind accepts a new one. */
    static final Duration CLOCK_SKEW = Duration.ofHours(1);

    private final NodeCertificate credentials;
    private final String cluster;
    private final SSLContext context;
    private final AtomicLong refused = new AtomicLong();

    /** Engines that show {@code credentials} and trust only its CA's certificates of its cluster. */
    public ClusterTls(NodeCertificate credentials) {
        this.credentials = credentials;
        this.cluster = credentials.cluster();
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("node", credentials.key(), new char[0], new X509Certificate[] {credentials.certificate(), credentials.ca()});
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, new char[0]);
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("cluster-ca", credentials.ca());
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trusted);
            context = SSLContext.getInstance(PROTOCOL);
            context.init(keyManagers.getKeyManagers(),
                    new TrustManager[] {new RefusalLog((X509ExtendedTrustManager) trustManagers.getTrustManagers()[0])},
                    new SecureRandom());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS for the cluster transport: " + e.getMessage(), e);
        }
    }

    /** For Pekko's {@code ssl-engine-provider} setting: the credentials {@link #fromConfig} picks from the system's configuration. */
    public ClusterTls(ActorSystem system) {
        this(credentials(system.settings().config(), Instant.now()));
    }

    /**
     * The provider a node's configuration asks for, checked now: a certificate directory that is
     * missing, unreadable, expired or made for another node or cluster is an
     * {@link IllegalArgumentException} that says what to run.
     */
    public static ClusterTls fromConfig(Config config) {
        return new ClusterTls(credentials(config, Instant.now()));
    }

    /**
     * A CA and node certificate made in memory, which nothing else trusts. Its "cluster" is
     * {@code standalone-<random>}, so log lines tell two such nodes apart.
     */
    public static NodeCertificate ephemeral(Instant now) {
        byte[] id = new byte[4];
        new SecureRandom().nextBytes(id);
        String cluster = STANDALONE + "-" + HexFormat.of().formatHex(id);
        CertificateAuthority ca = CertificateAuthority.create(cluster, now.minus(CLOCK_SKEW), now.plus(EPHEMERAL_VALIDITY));
        return ca.issue(STANDALONE, "127.0.0.1", now.minus(CLOCK_SKEW), now.plus(EPHEMERAL_VALIDITY));
    }

    static NodeCertificate credentials(Config config, Instant now) {
        String dir = config.getString("strata.cluster.tls.dir");
        if (dir.isEmpty()) {
            return ephemeral(now);
        }
        Path path = Path.of(dir).toAbsolutePath().normalize();
        String cluster = config.getString("strata.cluster.name");
        String node = config.getString("strata.cluster.node");
        String who = node.isEmpty() ? "this node" : "node " + node;
        if (!NodeCertificate.existsIn(path)) {
            throw new IllegalArgumentException(who + " has no certificate for the cluster transport in " + path + " ("
                    + NodeCertificate.KEY_FILE + ", " + NodeCertificate.CERT_FILE + ", " + NodeCertificate.CA_FILE + "): "
                    + howToMake(config, node, false));
        }
        NodeCertificate credentials;
        try {
            credentials = NodeCertificate.load(path);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(who + "'s certificate for the cluster transport cannot be used: " + e.getMessage()
                    + "; " + howToMake(config, node, true), e);
        }
        credentials.problem(cluster, node, now).ifPresent(problem -> {
            throw new IllegalArgumentException(who + "'s certificate for the cluster transport in " + path + " cannot be used: "
                    + problem + "; " + howToMake(config, node, true));
        });
        LOG.info("cluster transport: TLS as {} of cluster {} (certificate in {}, valid until {})", credentials.node(),
                credentials.cluster(), path, credentials.notAfter());
        return credentials;
    }

    private static String howToMake(Config config, String node, boolean renew) {
        String file = config.getString("strata.cluster.file");
        String command = "./strata cluster certs " + (file.isEmpty() ? "<cluster file>" : file) + " --node "
                + (node.isEmpty() ? "<name>" : node) + (renew ? " --renew" : "");
        return "make " + (renew ? "new ones" : "them") + " with " + command
                + (file.isEmpty() ? " and point strata.cluster.tls.dir at that node's directory" : "");
    }

    /** The node's own certificate and CA. */
    public NodeCertificate credentials() {
        return credentials;
    }

    /** Peer certificates this node refused during handshakes since it started. */
    public long refused() {
        return refused.get();
    }

    @Override
    public SSLEngine createServerSSLEngine(String hostname, int port) {
        SSLEngine engine = engine(hostname, port, false);
        engine.setNeedClientAuth(true);
        return engine;
    }

    @Override
    public SSLEngine createClientSSLEngine(String hostname, int port) {
        return engine(hostname, port, true);
    }

    private SSLEngine engine(String hostname, int port, boolean client) {
        SSLEngine engine = context.createSSLEngine(hostname, port);
        engine.setUseClientMode(client);
        engine.setEnabledProtocols(new String[] {PROTOCOL});
        return engine;
    }

    @Override
    public Option<Throwable> verifyClientSession(String hostname, SSLSession session) {
        return verify(session);
    }

    @Override
    public Option<Throwable> verifyServerSession(String hostname, SSLSession session) {
        return verify(session);
    }

    /** The CA already vouched for the peer; it must also belong to this cluster (a CA shared by two clusters). */
    private Option<Throwable> verify(SSLSession session) {
        try {
            X509Certificate peer = (X509Certificate) session.getPeerCertificates()[0];
            String peerCluster = CertificateAuthority.attribute(peer, BCStyle.OU);
            if (peerCluster.equals(cluster)) {
                return Option.empty();
            }
            String reason = "the peer's certificate (" + peer.getSubjectX500Principal() + ") is of cluster '" + peerCluster
                    + "', not '" + cluster + "'";
            noteRefusal(reason);
            return Option.apply(new SSLException("cluster transport: " + reason));
        } catch (SSLException | ClassCastException | ArrayIndexOutOfBoundsException e) {
            noteRefusal("the peer showed no usable certificate: " + e.getMessage());
            return Option.apply(new SSLException("cluster transport: the peer showed no usable certificate", e));
        }
    }

    /** Counts a refusal; logs the first and then every time the count doubles, so a peer retrying cannot flood the log. */
    private void noteRefusal(String reason) {
        long count = refused.incrementAndGet();
        if (Long.bitCount(count) == 1) {
            LOG.warn("cluster transport: refused a connection ({} so far): {}", count, reason);
        } else {
            LOG.debug("cluster transport: refused a connection ({} so far): {}", count, reason);
        }
    }

    /** The trust manager of the cluster's CA, noting each certificate it refuses with who showed it. */
    private final class RefusalLog extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager trust;

        RefusalLog(X509ExtendedTrustManager trust) {
            this.trust = trust;
        }

        /** A check of the CA's trust manager. */
        private interface Check {
            void run() throws CertificateException;
        }

        private void check(X509Certificate[] chain, Check check) throws CertificateException {
            try {
                check.run();
            } catch (CertificateException e) {
                String shown = chain == null || chain.length == 0 ? "no certificate"
                        : "a certificate " + chain[0].getSubjectX500Principal() + " issued by " + chain[0].getIssuerX500Principal();
                noteRefusal("the peer showed " + shown + ", not signed by this cluster's CA ("
                        + credentials.ca().getSubjectX500Principal() + "): it is not a member of this cluster");
                throw e;
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain, () -> trust.checkClientTrusted(chain, authType, socket));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain, () -> trust.checkServerTrusted(chain, authType, socket));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain, () -> trust.checkClientTrusted(chain, authType, engine));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain, () -> trust.checkServerTrusted(chain, authType, engine));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain, () -> trust.checkClientTrusted(chain, authType));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain, () -> trust.checkServerTrusted(chain, authType));
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return trust.getAcceptedIssuers();
        }
    }
}
