package io.strata.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * A closed-loop HTTP/1.1 load generator: {@code connections} keep-alive connections, one thread
 * each, every thread sending its next request as soon as it has read the previous response.
 * Latency is from writing a request to reading the last byte of its response. It runs in the
 * JVM of the server it measures, so it shares the machine's cores with it; so does every anchor
 * measured with it. Any response status that {@code expectedStatus} refuses fails the run.
 */
final class HttpLoad {

    private static final int SOCKET_TIMEOUT_MILLIS = 10_000;
    private static final long JOIN_TIMEOUT_MILLIS = 2L * SOCKET_TIMEOUT_MILLIS;

    /**
     * The requests of a run: {@code METHOD pathPrefix<n> HTTP/1.1}, with {@code n} uniform in
     * {@code [0, keys)} per request (no {@code n} when {@code keys} is 0), and the same body every
     * time (none when empty), of {@code contentType} when not null.
     */
    record Requests(String method, String pathPrefix, int keys, String contentType, byte[] body) {
        Requests(String method, String pathPrefix, int keys, byte[] body) {
            this(method, pathPrefix, keys, null, body);
        }

        /** The same request every time: {@code METHOD path}, with this body and content type. */
        static Requests fixed(String method, String path, String contentType, byte[] body) {
            return new Requests(method, path, 0, contentType, body);
        }
    }

    private final InetSocketAddress server;
    private final int connections;
    private final Requests requests;
    private final IntPredicate expectedStatus;
    private final String headPrefix;
    private final String headSuffix;

    HttpLoad(InetSocketAddress server, int connections, Requests requests, IntPredicate expectedStatus) {
        this.server = server;
        this.connections = connections;
        this.requests = requests;
        this.expectedStatus = expectedStatus;
        this.headPrefix = requests.method() + " " + requests.pathPrefix();
        this.headSuffix = " HTTP/1.1\r\nHost: " + server.getHostString() + ":" + server.getPort() + "\r\n"
                + (requests.contentType() != null ? "Content-Type: " + requests.contentType() + "\r\n" : "")
                + (requests.body().length > 0 ? "Content-Length: " + requests.body().length + "\r\n" : "") + "\r\n";
    }

    /**
     * Sends one request and checks its status, outside any measurement: the first request to a
     * server loads and initialises what serves it, which can take longer than a whole short run.
     */
    void prime() throws IOException {
        try (HttpConnection connection = new HttpConnection(server, SOCKET_TIMEOUT_MILLIS)) {
            exchange(connection, head(new SplittableRandom()));
        }
    }

    RunResult run(Window window) throws InterruptedException {
        RunControl control = new RunControl();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            SplittableRandom random = new SplittableRandom(i);
            Thread thread = new Thread(() -> drive(control, random), "bench-http-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        RunResult result;
        try {
            result = control.measure(window);
        } finally {
            control.stop();
            for (Thread thread : threads) {
                thread.join(JOIN_TIMEOUT_MILLIS);
                if (thread.isAlive()) {
                    throw new IllegalStateException(thread.getName() + " did not stop");
                }
            }
        }
        control.throwIfFailed();
        return result;
    }

    private void drive(RunControl control, SplittableRandom random) {
        try (HttpConnection connection = new HttpConnection(server, SOCKET_TIMEOUT_MILLIS)) {
            while (control.running()) {
                byte[] head = head(random);
                long start = System.nanoTime();
                exchange(connection, head);
                control.record(start);
            }
        } catch (IOException | RuntimeException e) {
            control.fail(e);
        }
    }

    private byte[] head(SplittableRandom random) {
        String key = requests.keys() > 0 ? Integer.toString(random.nextInt(requests.keys())) : "";
        return (headPrefix + key + headSuffix).getBytes(StandardCharsets.US_ASCII);
    }

    private void exchange(HttpConnection connection, byte[] head) throws IOException {
        int status = connection.exchange(head, requests.body());
        if (!expectedStatus.test(status)) {
            throw new IllegalStateException(headPrefix + "... answered HTTP " + status);
        }
    }
}
