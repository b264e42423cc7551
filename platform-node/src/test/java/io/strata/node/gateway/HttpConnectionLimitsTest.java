package io.strata.node.gateway;

import io.strata.node.testing.Await;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.strata.node.testing.Sockets.assertClosedWithin;
import static io.strata.node.testing.TestNode.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's connection limits over real sockets: idle connections past the limit, slowloris
 * heads, kept-alive connections, slow bodies and request bodies in flight cannot keep
 * {@code /health} and other clients out.
 */
class HttpConnectionLimitsTest {

    private static final int LIMIT = 8;
    private static final Duration MARGIN = Duration.ofSeconds(10);
    private static final Pattern CLOSED = Pattern.compile("strata_http_connections_closed_total\\{reason=\"([a-z_]+)\",?} ([0-9.E]+)");

    @TempDir
    Path dir;

    private TestNode node;
    private final List<Socket> sockets = new ArrayList<>();
    private final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() throws Exception {
        trickle.shutdownNow();
        assertTrue(trickle.awaitTermination(10, TimeUnit.SECONDS));
        for (Socket socket : sockets) {
            socket.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private void start(Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout, String bodiesInFlight) {
        Map<String, String> settings = new HashMap<>();
        settings.put("strata.http.max-connections", Integer.toString(LIMIT));
        settings.put("strata.http.header-timeout", headerTimeout.toMillis() + "ms");
        settings.put("strata.http.body-timeout", bodyTimeout.toMillis() + "ms");
        settings.put("strata.http.idle-timeout", idleTimeout.toMillis() + "ms");
        settings.put("strata.http.max-body-bytes-in-flight", bodiesInFlight);
        node = TestNode.start(dir, settings);
    }

    @Test
    void idleConnectionsPastTheLimitAreClosedForNewcomers() throws Exception {
        // Long timeouts: whatever closes the idle connections here is the limit, not a timer.
        start(Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(5), "auto");
        int idle = LIMIT + 6;
        for (int i = 0; i < idle; i++) {
            connect();
        }
        HttpResponse<String> health = freshClient().send(request("/health").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());

        // Each connection past the limit, and /health's, closed the connection idle for longest: the first ones.
        int evicted = idle + 1 - LIMIT;
        for (Socket socket : sockets.subList(0, evicted)) {
            assertClosedWithin(socket, MARGIN);
        }
        assertTrue(closedCount("evicted") >= evicted, "evictions counted: " + metrics());
        assertEquals(0, closedCount("header_timeout"), "no timer closed them");
        assertEquals(200, node.get("/health").statusCode(), "and the node keeps serving");
    }

    @Test
    void slowlorisHeadsAreClosedAtTheHeaderTimeoutAndHealthGetsIn() throws Exception {
        Duration header = Duration.ofSeconds(2);
        start(header, Duration.ofMinutes(5), Duration.ofMinutes(5), "auto");
        // More slow heads than the limit: the last ones wait in the accept queue, before /health.
        int slow = LIMIT + 3;
        for (int i = 0; i < slow; i++) {
            Socket socket = connect();
            send(socket, "GET /health HTTP/1.1\r\nHost: x\r\n");
            // One header byte every 200 ms: it never completes, and never stops sending.
            trickle(socket, "X");
        }
        long start = System.nanoTime();
        HttpResponse<String> health = freshClient().send(request("/health").timeout(header.plus(MARGIN)).build(),
                HttpResponse.BodyHandlers.ofString());
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(waited.compareTo(header.plus(MARGIN)) < 0, "answered within the header timeout and a margin: " + waited);

        // Every one is closed although its bytes keep coming (one whose first byte the server had not
        // seen yet may have been closed as idle to let a newcomer in).
        for (Socket socket : sockets) {
            assertClosedWithin(socket, header.multipliedBy(2).plus(MARGIN));
        }
        assertTrue(closedCount("header_timeout") >= 1, "closed by the header timeout: " + metrics());
    }

    @Test
    void aKeptAliveConnectionMayIdleButItsNextHeadHasTheHeaderTimeout() throws Exception {
        Duration header = Duration.ofSeconds(1);
        Duration idle = Duration.ofSeconds(30);
        start(header, Duration.ofMinutes(5), idle, "auto");
        Socket socket = connect();
        send(socket, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(readResponse(socket).startsWith("HTTP/1.1 200"));

        // Idle for longer than the header timeout: a kept-alive connection waits for its next request.
        // Idle on purpose (not waiting for a condition): the header timeout must not run meanwhile.
        Thread.sleep(header.multipliedBy(3).toMillis());
        send(socket, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(readResponse(socket).startsWith("HTTP/1.1 200"), "still served after idling past the header timeout");

        // A next head that trickles is closed at the header timeout, well before the idle timeout.
        long start = System.nanoTime();
        send(socket, "GET /health HTTP/1.1\r\n");
        trickle(socket, "X");
        assertClosedWithin(socket, header.plus(MARGIN));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(idle) < 0, "closed by the header timeout");
    }

    @Test
    void aKeptAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        Duration idle = Duration.ofSeconds(2);
        start(Duration.ofMinutes(5), Duration.ofMinutes(5), idle, "auto");
        Socket socket = connect();
        send(socket, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(readResponse(socket).startsWith("HTTP/1.1 200"));
        assertClosedWithin(socket, idle.plus(MARGIN));
        assertTrue(closedCount("idle_timeout") >= 1, metrics());
    }

    @Test
    void stoppingTheNodeClosesIdleConnectionsAndAnswersTheRequestInProgress() throws Exception {
        start(Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(5), "auto");
        Socket idle = connect();
        send(idle, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(readResponse(idle).startsWith("HTTP/1.1 200"));
        Socket busy = connect();
        send(busy, "PUT /kv/drain/k HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234");
        Await.until(MARGIN, () -> gauge("strata_http_body_bytes_in_flight_bytes"), held -> held >= 10, held -> "held: " + held);

        TestNode stopping = node;
        node = null;
        Thread stopper = new Thread(stopping::close);
        stopper.start();
        // The idle connection closes as the node begins to stop; the one in progress is answered first.
        assertClosedWithin(idle, MARGIN);
        send(busy, "56789");
        String response = readResponse(busy);
        assertTrue(response.startsWith("HTTP/1.1 201"), response);
        assertTrue(response.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), response);
        assertClosedWithin(busy, MARGIN);
        stopper.join(MARGIN.toMillis() * 3);
        assertTrue(!stopper.isAlive(), "the node stopped");
    }

    @Test
    void aBodyThatTricklesIsClosedAtTheBodyTimeout() throws Exception {
        Duration body = Duration.ofSeconds(2);
        start(Duration.ofMinutes(5), body, Duration.ofMinutes(5), "auto");
        Socket socket = connect();
        send(socket, "PUT /kv/slow/k HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789");
        trickle(socket, "x");
        assertClosedWithin(socket, body.plus(MARGIN));
        assertTrue(closedCount("body_timeout") >= 1, metrics());
        assertEquals(404, node.get("/kv/slow/k").statusCode(), "nothing was stored");
    }

    @Test
    void requestBodiesPastTheBudgetAreAnswered503AndChangeNothing() throws Exception {
        start(Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(5), "64k");
        // A body of 60,000 bytes declared and not yet sent holds most of the 64 KiB budget.
        Socket holder = connect();
        send(holder, "PUT /kv/budget/big HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n" + "a".repeat(1000));
        Await.until(MARGIN, () -> gauge("strata_http_body_bytes_in_flight_bytes"), held -> held >= 60_000,
                held -> "body bytes held: " + held);
        HttpResponse<String> refused = Await.until(MARGIN,
                () -> node.send(node.request("/kv/budget/small").PUT(HttpRequest.BodyPublishers.ofString("b".repeat(10_000)))),
                response -> response.statusCode() == 503, response -> response.statusCode() + " " + response.body());
        assertError(503, "overloaded", refused);
        assertEquals(404, node.get("/kv/budget/small").statusCode(), "the refused body was not stored");
        assertEquals(200, node.get("/health").statusCode(), "requests without a body go on");

        send(holder, "a".repeat(59_000));
        assertTrue(readResponse(holder).startsWith("HTTP/1.1 201"), "the held body completes");
        assertEquals(201, node.put("/kv/budget/small", "b".repeat(10_000)).statusCode(), "room again once it is answered");
    }

    // ---- Helpers ------------------------------------------------------------------------------

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", node.node().httpPort()), 5_000);
        sockets.add(socket);
        return socket;
    }

    /** Sends {@code text} on {@code socket} every 200 ms until the server closes it. */
    private void trickle(Socket socket, String text) {
        trickle.scheduleWithFixedDelay(() -> {
            try {
                send(socket, text);
            } catch (IOException closed) {
                // Closed by the server: what the tests expect, sooner or later.
            }
        }, 200, 200, TimeUnit.MILLISECONDS);
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads one response (head and a Content-Length body) and returns its text. */
    private static String readResponse(Socket socket) throws IOException {
        socket.setSoTimeout((int) MARGIN.toMillis());
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after: " + head);
            }
            head.append((char) b);
        }
        Matcher length = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
        int remaining = length.find() ? Integer.parseInt(length.group(1)) : 0;
        StringBuilder body = new StringBuilder();
        for (; remaining > 0; remaining--) {
            body.append((char) in.read());
        }
        return head + body.toString();
    }

    private HttpClient freshClient() {
        return HttpClient.newBuilder().connectTimeout(MARGIN).build();
    }

    private HttpRequest.Builder request(String path) {
        return node.request(path).timeout(MARGIN);
    }

    private String metrics() {
        return node.get("/metrics").body();
    }

    private long gauge(String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.E]+)$").matcher(metrics());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    }

    private long closedCount(String reason) {
        Matcher m = CLOSED.matcher(metrics());
        while (m.find()) {
            if (m.group(1).equals(reason)) {
                return (long) Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }
}
