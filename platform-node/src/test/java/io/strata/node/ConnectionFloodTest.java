package io.strata.node;

import io.strata.node.launch.NodeProcess;
import io.strata.node.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.strata.node.testing.Sockets.readLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16's connection floods at a small scale: a node whose process may open only 768 files
 * (a child JVM under {@code ulimit -n 768}) fits its listeners' limits into what it has, so more
 * RESP and HTTP connections than that neither exhaust its file descriptors nor keep other clients
 * out; it stays up and serves.
 */
class ConnectionFloodTest {

    private static final int FD_LIMIT = 768;
    private static final Duration MARGIN = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final ChildNodes nodes = new ChildNodes();
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
        nodes.killAll();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void moreConnectionsThanFileDescriptorsAreRefusedOrEvictedAndTheNodeServes() throws Exception {
        Path java = dir.resolve("java-with-768-files");
        Files.writeString(java, "#!/bin/sh\nulimit -n " + FD_LIMIT + "\nexec '"
                + Path.of(System.getProperty("java.home"), "bin", "java") + "' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        Path log = dir.resolve("node.log");
        NodeProcess node = nodes.start(NodeProcess.builder(dir.resolve("data")).logFile(log).javaBinary(java)
                .args("--resp-port", "0"));
        int port = node.respPort().orElseThrow();
        String output = Files.readString(log);
        assertTrue(output.contains("strata.resp.max-clients lowered from 10000 to"), "the node says it lowered maxclients");

        // RESP: as many connections as the node has descriptors; those past its lowered maxclients are refused.
        int served = 0;
        int refused = 0;
        for (int i = 0; i < FD_LIMIT; i++) {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout((int) MARGIN.toMillis());
            sockets.add(socket);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            String reply = readLine(socket.getInputStream());
            if (reply.equals("+PONG")) {
                served++;
            } else {
                assertEquals("-ERR max number of clients reached", reply);
                refused++;
            }
        }
        assertTrue(served > 0 && refused > 0, "served " + served + ", refused " + refused);
        assertTrue(served < FD_LIMIT / 2, "maxclients fits in half the limit: " + served);

        // HTTP: as many idle connections again; newcomers still get in, by closing the idle ones.
        for (int i = 0; i < FD_LIMIT; i++) {
            Socket socket = new Socket("127.0.0.1", node.httpPort());
            sockets.add(socket);
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(MARGIN).build();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(node.httpBase() + "/health"))
                .timeout(MARGIN).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(node.httpBase() + "/kv/flood/k"))
                .PUT(HttpRequest.BodyPublishers.ofString("v")).timeout(MARGIN).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put.body());

        // RESP clients that leave make room for new ones.
        for (Socket socket : sockets.subList(0, 10)) {
            socket.close();
        }
        String pong = Await.until(MARGIN, () -> {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout((int) MARGIN.toMillis());
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                return readLine(socket.getInputStream());
            }
        }, "+PONG"::equals, reply -> "a new client got: " + reply);
        assertEquals("+PONG", pong);

        assertTrue(node.isAlive(), "the node is still up");
        String after = Files.readString(log);
        assertFalse(after.contains("Too many open files"), "the node never ran out of file descriptors:\n" + node.logTail());
    }
}
