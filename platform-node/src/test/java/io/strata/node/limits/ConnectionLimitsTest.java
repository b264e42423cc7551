package io.strata.node.limits;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fitting the listeners' connection limits into a file-descriptor limit, as Redis fits maxclients. */
class ConnectionLimitsTest {

    @Test
    void limitsThatFitAreKept() {
        assertEquals(new ConnectionLimits(1024, 10_000), ConnectionLimits.fit(20_000, 1024, 1024, 10_000));
        assertEquals(new ConnectionLimits(1024, 0), ConnectionLimits.fit(4096, 1024, 1024, 0));
    }

    @Test
    void limitsThatDoNotFitAreLoweredAndTheReserveStaysFree() {
        ConnectionLimits fitted = ConnectionLimits.fit(4096, 1024, 1024, 10_000);
        assertEquals(new ConnectionLimits(1024, 2048), fitted, "HTTP keeps its limit, RESP gets the rest");
        assertEquals(4096 - 1024, fitted.httpConnections() + fitted.respClients());
    }

    @Test
    void theReserveIsAtMostHalfOfASmallLimit() {
        assertEquals(new ConnectionLimits(192, 192), ConnectionLimits.fit(768, 1024, 1024, 10_000));
        assertEquals(new ConnectionLimits(384, 0), ConnectionLimits.fit(768, 1024, 1024, 0));
        assertEquals(new ConnectionLimits(1, 1), ConnectionLimits.fit(2, 1024, 1024, 10_000), "never less than one each");
    }

    @Test
    void thisProcessHasALimitOnLinux() {
        assertTrue(ConnectionLimits.fileDescriptorLimit().isPresent(), "the OS MXBean tells the limit on Linux");
        assertTrue(ConnectionLimits.fileDescriptorLimit().getAsLong() > 0);
    }
}
