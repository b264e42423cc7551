package io.strata.node.kv.resp;

import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node's shutdown closes open RESP connections and releases the port, without waiting on idle clients. */
class RespShutdownTest {

    @TempDir
    Path dir;

    @Test
    void shutdownClosesOpenConnectionsAndUnbinds() throws IOException {
        TestNode node = TestNode.start(dir, Map.of("strata.resp.enabled", "on", "strata.resp.port", "0"));
        InetSocketAddress address = node.node().respAddress().orElseThrow();
        try (Socket idle = new Socket(address.getAddress(), address.getPort())) {
            idle.setSoTimeout(20_000);
            idle.getOutputStream().write("SET k v\r\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("+OK\r\n", new String(idle.getInputStream().readNBytes(5), StandardCharsets.UTF_8));
            long start = System.nanoTime();
            node.close();
            assertTrue(System.nanoTime() - start < 20_000_000_000L, "an idle client does not hold up the shutdown");
            assertEquals(-1, idle.getInputStream().read(), "the connection was closed");
        }
        assertThrows(ConnectException.class, () -> new Socket(address.getAddress(), address.getPort()).close());
    }
}
