package io.strata.node.plug;

import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A node opens its doors in order, reports each one's address, and closes them all at shutdown. */
class DoorsTest {

    @TempDir
    Path dir;

    @Test
    void theNodeOpensReportsAndClosesEveryDoor() {
        TestNode node = TestNode.start(dir, Map.of("strata.resp.enabled", "on", "strata.resp.port", "0"));
        List<Door> doors = node.node().doors();
        assertEquals(List.of("http", "resp"), doors.stream().map(Door::name).toList());
        assertEquals(node.node().httpAddress(), doors.get(0).address());
        assertEquals(node.node().respAddress().orElseThrow(), doors.get(1).address());
        List<InetSocketAddress> addresses = doors.stream().map(Door::address).toList();
        node.close();
        for (InetSocketAddress address : addresses) {
            assertThrows(ConnectException.class, () -> new Socket(address.getAddress(), address.getPort()).close(),
                    () -> address + " still accepts connections");
        }
    }

    @Test
    void aNodeWithoutRespHasOnlyItsGateway() {
        try (TestNode node = TestNode.start(dir, Map.of())) {
            assertEquals(List.of("http"), node.node().doors().stream().map(Door::name).toList());
            assertEquals(java.util.Optional.empty(), node.node().respAddress());
        }
    }
}
