package io.strata.bench;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Directives;

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

    private final ServerBinding binding;

    private HelloServer(ServerBinding binding) {
        this.binding = binding;
    }

    static HelloServer start(ActorSystem<?> system) throws Exception {
        ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(Directives.complete("hello"))
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
