package io.strata.node.plug;

import org.apache.pekko.Done;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Tcp;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A door over a Pekko TCP listener (RESP, Kafka): its binding, the kill switch every connection's
 * flow passes through, and the connections open now (each completes when closed). Draining shuts
 * the switch, which lets each connection finish the request it is answering and then closes it.
 */
public abstract class TcpDoor implements Door {

    private final Tcp.ServerBinding binding;
    private final SharedKillSwitch connections;
    private final Map<Long, CompletionStage<Done>> open;

    protected TcpDoor(Tcp.ServerBinding binding, SharedKillSwitch connections, Map<Long, CompletionStage<Done>> open) {
        this.binding = binding;
        this.connections = connections;
        this.open = open;
    }

    @Override
    public InetSocketAddress address() {
        return binding.localAddress();
    }

    @Override
    public CompletionStage<Done> unbind() {
        return binding.unbind().thenApply(unit -> Done.getInstance());
    }

    /**
     * Closes every connection once the request it is answering is answered; completes when all
     * are closed, or at {@code deadline} with the rest still finishing.
     */
    @Override
    public CompletionStage<Done> drain(Duration deadline) {
        connections.shutdown();
        return CompletableFuture.allOf(open.values().stream()
                        .map(closed -> closed.exceptionally(failure -> Done.getInstance()).toCompletableFuture())
                        .toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, deadline.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(all -> Done.getInstance());
    }
}
