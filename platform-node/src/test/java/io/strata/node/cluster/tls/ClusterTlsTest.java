package io.strata.node.cluster.tls;

import com.typesafe.config.ConfigFactory;
import io.strata.node.testing.Await;
import io.strata.node.testing.TestNode;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.StreamTcpException;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ClusterTls} engines on real TLS connections over loopback, set up as Artery sets up its
 * own ({@code Tcp.bindWithTls} / {@code outgoingConnectionWithTls} with the provider's session
 * checks): members of a cluster talk; a peer with another CA's certificate, with none, or with one
 * of another cluster, is refused by the side it connects to, even when it would trust anything; a
 * running node counts the strangers it refused in its metrics.
 */
class ClusterTlsTest {

    private static final ActorTestKit testKit = ActorTestKit.create(
            ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    private static final ActorSystem<Void> system = testKit.system();
    private static final Instant NOW = Instant.now();
    private static final Duration DAY = Duration.ofDays(1);
    /** Artery's setting: a side's upstream completing does not close the connection. */
    private static final TLSClosing IGNORE_COMPLETE = org.apache.pekko.stream.TLSClosing$.MODULE$.ignoreComplete();
    private static final ByteString HELLO = ByteString.fromString("hello, member");

    private static final CertificateAuthority blue = CertificateAuthority.create("blue", NOW.minus(DAY), NOW.plus(DAY));
    private static final CertificateAuthority other = CertificateAuthority.create("blue", NOW.minus(DAY), NOW.plus(DAY));

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void membersOfOneClusterTalk() throws Exception {
        ClusterTls n1 = tls(blue, "n1");
        ClusterTls n2 = tls(blue, "n2");
        int port = serve(n1);
        assertEquals(HELLO, exchange(port, () -> n2.createClientSSLEngine("127.0.0.1", port), n2::verifyClientSession)
                .toCompletableFuture().get(20, TimeUnit.SECONDS));
        assertEquals(0, n1.refused());
        assertEquals(0, n2.refused());
    }

    @Test
    void aCertificateOfAnotherCaIsRefusedByTheNodeItConnectsTo() throws Exception {
        ClusterTls n1 = tls(blue, "n1");
        int port = serve(n1);
        // Same cluster name, another CA; and this intruder would accept any server.
        SSLContext intruder = trustingEverything(Optional.of(other.issue("n9", "127.0.0.1", NOW.minus(DAY), NOW.plus(DAY))));
        assertRefused(exchange(port, () -> clientEngine(intruder), session -> Optional.empty()));
        awaitRefused(n1);
    }

    @Test
    void aPeerWithoutACertificateIsRefused() throws Exception {
        ClusterTls n1 = tls(blue, "n1");
        int port = serve(n1);
        SSLContext anonymous = trustingEverything(Optional.empty());
        assertRefused(exchange(port, () -> clientEngine(anonymous), session -> Optional.empty()));
    }

    @Test
    void aCertificateOfAnotherClusterFromTheSameCaIsRefused() throws Exception {
        ClusterTls n1 = tls(blue, "n1");
        int port = serve(n1);
        // A CA shared by two clusters signs for both: the CA check passes, the cluster check does not.
        ClusterTls green = new ClusterTls(blue.issue("green", "g1", "127.0.0.1", NOW.minus(DAY), NOW.plus(DAY)));
        assertRefused(exchange(port, () -> green.createClientSSLEngine("127.0.0.1", port), session -> Optional.empty()));
        awaitRefused(n1);
    }

    @Test
    void aNodeRefusesAServerOfAnotherCa() throws Exception {
        ClusterTls stranger = tls(other, "s1");
        int port = serve(stranger);
        ClusterTls n1 = tls(blue, "n1");
        assertRefused(exchange(port, () -> n1.createClientSSLEngine("127.0.0.1", port), n1::verifyClientSession));
        awaitRefused(n1);
    }

    @Test
    void nodesOnTheirOwnTrustNoOneElse() throws Exception {
        ClusterTls a = new ClusterTls(ClusterTls.ephemeral(NOW));
        ClusterTls b = new ClusterTls(ClusterTls.ephemeral(NOW));
        assertTrue(!a.credentials().cluster().equals(b.credentials().cluster()), "each its own CA and name");
        int port = serve(a);
        assertRefused(exchange(port, () -> b.createClientSSLEngine("127.0.0.1", port), b::verifyClientSession));
        // A node on its own still talks to itself (its own engines trust its own CA).
        assertEquals(HELLO, exchange(port, () -> a.createClientSSLEngine("127.0.0.1", port), a::verifyClientSession)
                .toCompletableFuture().get(20, TimeUnit.SECONDS));
    }

    @Test
    void aNodeRefusesAStrangerAtItsClusterPortAndCountsIt(@TempDir Path dir) throws Exception {
        try (TestNode node = TestNode.start(dir, Map.of())) {
            int clusterPort = node.node().system().address().getPort().orElseThrow();
            // A stranger that would trust the node, showing a certificate of its own CA.
            SSLContext stranger = trustingEverything(Optional.of(other.issue("n9", "127.0.0.1", NOW.minus(DAY), NOW.plus(DAY))));
            try (SSLSocket socket = (SSLSocket) stranger.getSocketFactory().createSocket("127.0.0.1", clusterPort)) {
                socket.setSoTimeout(10_000);
                socket.setEnabledProtocols(new String[] {"TLSv1.3"});
                // TLS 1.3: the client's side of the handshake ends before the server has judged its certificate,
                // so the refusal arrives as an alert on the first read.
                assertThrows(IOException.class, () -> {
                    socket.startHandshake();
                    socket.getOutputStream().write(HELLO.toArray());
                    socket.getOutputStream().flush();
                    socket.getInputStream().read();
                });
            }
            Await.until(Duration.ofSeconds(10), () -> node.get("/metrics").body(),
                    metrics -> metrics.contains("strata_cluster_tls_refused_total 1.0"), metrics -> metrics.lines()
                            .filter(line -> line.contains("tls_refused")).toList().toString());
            assertEquals("ok", TestNode.json(node.get("/health")).path("status").asText(), "the node serves on");
        }
    }

    private static ClusterTls tls(CertificateAuthority ca, String node) {
        return new ClusterTls(ca.issue(node, "127.0.0.1", NOW.minus(DAY), NOW.plus(DAY)));
    }

    /** An echo server on a free loopback port whose engines and session check are {@code tls}'s, as Artery binds. */
    private static int serve(ClusterTls tls) throws Exception {
        return Tcp.get(system).bindWithTls("127.0.0.1", 0, () -> tls.createServerSSLEngine("127.0.0.1", 0), 100, List.of(),
                        Optional.empty(), session -> toOptional(tls.verifyServerSession("127.0.0.1", session)), IGNORE_COMPLETE)
                .to(Sink.foreach((Tcp.IncomingConnection connection) -> connection.handleWith(Flow.of(ByteString.class), system)))
                .run(system).toCompletableFuture().get(10, TimeUnit.SECONDS).localAddress().getPort();
    }

    /** Sends {@link #HELLO} over a TLS connection with engines from {@code engine}; the first bytes echoed back. */
    private static CompletionStage<ByteString> exchange(int port, Supplier<SSLEngine> engine,
                                                        BiFunction<String, SSLSession, Option<Throwable>> verify) {
        return exchange(port, engine, session -> toOptional(verify.apply("127.0.0.1", session)));
    }

    private static CompletionStage<ByteString> exchange(int port, Supplier<SSLEngine> engine, Function<SSLSession, Optional<Throwable>> verify) {
        return Source.single(HELLO).concat(Source.maybe())
                .via(Tcp.get(system).outgoingConnectionWithTls(new InetSocketAddress("127.0.0.1", port), engine::get,
                        Optional.empty(), List.of(), Optional.of(Duration.ofSeconds(10)), Optional.empty(), verify::apply,
                        IGNORE_COMPLETE))
                .runWith(Sink.head(), system);
    }

    private static void assertRefused(CompletionStage<ByteString> exchange) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> exchange.toCompletableFuture().get(20, TimeUnit.SECONDS),
                "the handshake fails: no bytes cross");
        assertTrue(e.getCause() instanceof IOException || e.getCause() instanceof StreamTcpException, String.valueOf(e.getCause()));
    }

    /** The side that refused notes it as its handshake ends, which may be just after the other side saw the failure. */
    private static void awaitRefused(ClusterTls tls) {
        Await.until(Duration.ofSeconds(10), tls::refused, n -> n > 0, n -> "refusals noted: " + n);
    }

    private static Optional<Throwable> toOptional(Option<Throwable> option) {
        return option.isEmpty() ? Optional.empty() : Optional.of(option.get());
    }

    private static SSLEngine clientEngine(SSLContext context) {
        SSLEngine engine = context.createSSLEngine("127.0.0.1", 0);
        engine.setUseClientMode(true);
        engine.setEnabledProtocols(new String[] {"TLSv1.3"});
        return engine;
    }

    /** What a hostile peer would use: its own certificate, if any, and trust in whatever the server shows. */
    private static SSLContext trustingEverything(Optional<NodeCertificate> certificate) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        if (certificate.isPresent()) {
            store.setKeyEntry("k", certificate.get().key(), new char[0],
                    new X509Certificate[] {certificate.get().certificate(), certificate.get().ca()});
        }
        keys.init(store, new char[0]);
        X509ExtendedKeyManager own = (X509ExtendedKeyManager) keys.getKeyManagers()[0];
        // It shows its certificate even to a server that asks for one of another CA (JSSE would send none).
        KeyManager showAlways = new X509ExtendedKeyManager() {
            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return certificate.isPresent() ? "k" : null;
            }

            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                return certificate.isPresent() ? "k" : null;
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return own.getClientAliases(keyType, issuers);
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return own.getServerAliases(keyType, issuers);
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return own.chooseServerAlias(keyType, issuers, socket);
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return own.getCertificateChain(alias);
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return own.getPrivateKey(alias);
            }
        };
        TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(new KeyManager[] {showAlways}, new TrustManager[] {trustAll}, new SecureRandom());
        return context;
    }
}
