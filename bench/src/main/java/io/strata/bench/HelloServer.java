package io.strata.bench;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP anchor: a bare Pekko HTTP route answering {@code hello} to every request, bound on a
 * free loopback port of the node's own actor system. Same JVM, dispatcher and server settings as
 * the node's gateway, so the ratio to it isolates what Strata adds (routing, metrics, the ask to
 * the partition, the log) from what Pekko HTTP and the machine cost anyway.
 */
final class HelloServer implements AutoCloseable {

    /** The anchor's name in the results. */
    static final String NAME = "pekko-http-hello";
    /** The name of the anchor that reads each request's body first ({@link #startReadingBodies}). */
    static final String READING_BODIES_NAME = "pekko-http-hello-put";

    private final ServerBinding binding;

    private HelloServer(ServerBinding binding) {
        this.binding = binding;
    }

    static HelloServer start(ActorSystem<?> system) throws Exception {
        return bind(system, Directives.complete("hello"));
    }

    /**
     * The same route, but reading each request's whole body into a byte array first, as the KV PUT
     * route does, then dropping it: the anchor of PUTs, whose bodies a route that ignores them would
     * leave unread.
     */
    static HelloServer startReadingBodies(ActorSystem<?> system) throws Exception {
        return bind(system, Directives.entity(Unmarshaller.entityToByteArray(), body -> Directives.complete("hello")));
    }

    private static HelloServer bind(ActorSystem<?> system, Route route) throws Exception {
        ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(route)
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        return new HelloServer(binding);
    }

    InetSocketAddress address() {
        return binding.localAddress();
    }

    /** Unbinds and waits for open connections to close (at most the five-second deadline it gives them). */
    @Override
    public void close() {
        binding.terminate(Duration.ofSeconds(5)).toCompletableFuture().join();
    }
}
