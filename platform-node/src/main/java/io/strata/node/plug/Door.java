package io.strata.node.plug;

import org.apache.pekko.Done;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * A door of the node: a listener through which clients reach its stores (the HTTP gateway, the
 * RESP listener, and any protocol to come). The node opens its doors in order once it is a
 * cluster member and reports their addresses; at shutdown it unbinds every door (Pekko's
 * service-unbind phase), then drains every door (service-requests-done), before any partition
 * stops. A door knows nothing of the node or of the other doors.
 *
 * <p>Implementations are thread-safe. The node owns each door it opened and is the only caller of
 * {@link #unbind} and {@link #drain}.
 */
public interface Door {

    /** A short lower-case name ({@code http}, {@code resp}): it names the door's shutdown tasks. */
    String name();

    /** The address the door listens on. */
    InetSocketAddress address();

    /** Stops accepting connections; open ones are still served. */
    CompletionStage<Done> unbind();

    /**
     * Lets each open connection finish what it is doing, then closes it; completes when all are
     * closed, or at {@code deadline} at the latest, with what is left closed or being closed.
     */
    CompletionStage<Done> drain(Duration deadline);

    /** A door not open yet: {@link #open} binds its port and completes with the door once it listens. */
    @FunctionalInterface
    interface Opening {
        CompletionStage<? extends Door> open();
    }
}
