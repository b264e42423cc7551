package io.strata.node.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 that cuts its connections, for tests of clients that must survive it.
 * Each connection it accepts is joined to {@link #target} by two threads copying bytes as they
 * come. While {@link #dropping} is on it cuts connections two ways:
 * <ul>
 *   <li><b>lost answers</b>: once a connection has carried a (seeded) random number of request
 *       bytes, between {@code minRequestBytes} and {@code maxRequestBytes}, to the target, the next
 *       bytes the target answers with are thrown away and both sockets closed: the request reached
 *       the server, which acted on it, and the client never hears so ({@link #lostAnswers});</li>
 *   <li><b>cuts</b>: every {@code cutEvery}, every open connection is closed wherever it is
 *       ({@link #cuts}).</li>
 * </ul>
 * With dropping off it passes bytes through untouched. {@link #close} closes every socket and
 * joins every thread it started. Thread-safe.
 */
final class DroppingProxy implements AutoCloseable {

    private static final int BUFFER = 16 << 10;

    private final ServerSocket server;
    private final int minRequestBytes;
    private final int maxRequestBytes;
    private final Duration cutEvery;
    private final Random random;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    private final Thread acceptor;
    private final AtomicInteger lostAnswers = new AtomicInteger();
    private final AtomicInteger cuts = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile InetSocketAddress target;
    private volatile boolean dropping;
    private volatile boolean closed;

    /** Binds a free port on 127.0.0.1; connections are accepted once {@link #forwardTo} names the target. */
    DroppingProxy(int minRequestBytes, int maxRequestBytes, Duration cutEvery, long seed) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.minRequestBytes = minRequestBytes;
        this.maxRequestBytes = maxRequestBytes;
        this.cutEvery = cutEvery;
        this.random = new Random(seed);
        this.acceptor = start("dropping-proxy-accept", this::acceptLoop);
        start("dropping-proxy-cut", this::cutLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Where accepted connections go. */
    void forwardTo(InetSocketAddress target) {
        this.target = target;
    }

    /** Turns the cutting on or off; off, bytes pass through untouched. */
    void dropping(boolean on) {
        dropping = on;
    }

    /** Connections cut after a request reached the target, its answer thrown away. */
    int lostAnswers() {
        return lostAnswers.get();
    }

    /** Connections cut by the timer. */
    int cuts() {
        return cuts.get();
    }

    /** Connections accepted. */
    int accepted() {
        return accepted.get();
    }

    private synchronized Thread start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        return thread;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            if (target == null) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(target, 5_000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                int budget;
                synchronized (random) {
                    budget = minRequestBytes + random.nextInt(maxRequestBytes - minRequestBytes + 1);
                }
                Link link = new Link(client, upstream, budget);
                links.add(link);
                int n = accepted.get();
                start("dropping-proxy-requests-" + n, link::copyRequests);
                start("dropping-proxy-answers-" + n, link::copyAnswers);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void cutLoop() {
        while (!closed) {
            try {
                Thread.sleep(cutEvery.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            if (dropping) {
                for (Link link : links) {
                    if (link.close()) {
                        cuts.incrementAndGet();
                    }
                }
            }
        }
    }

    /** One client connection and its connection to the target. */
    private final class Link {
        private final Socket client;
        private final Socket upstream;
        private final int requestBudget;
        private volatile long requestBytes;
        private volatile boolean closedLink;

        Link(Socket client, Socket upstream, int requestBudget) {
            this.client = client;
            this.upstream = upstream;
            this.requestBudget = requestBudget;
        }

        void copyRequests() {
            copy(client, upstream, true);
        }

        void copyAnswers() {
            copy(upstream, client, false);
        }

        private void copy(Socket from, Socket to, boolean requests) {
            byte[] buffer = new byte[BUFFER];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (!requests && dropping && requestBytes >= requestBudget) {
                        // The request that passed the budget reached the target; its answer never arrives.
                        if (close()) {
                            lostAnswers.incrementAndGet();
                        }
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                    if (requests) {
                        requestBytes += n;
                    }
                }
            } catch (SocketException closedUnderUs) {
                // Cut, by this proxy or an end.
            } catch (IOException e) {
                // As above: the link ends.
            } finally {
                close();
            }
        }

        /** Closes both sockets; true for the call that closed them. */
        synchronized boolean close() {
            if (closedLink) {
                return false;
            }
            closedLink = true;
            closeQuietly(client);
            closeQuietly(upstream);
            links.remove(this);
            return true;
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing: nothing to do.
        }
    }

    /** Closes the listener and every connection, and waits for every thread the proxy started. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // Closing.
        }
        // Once the acceptor is gone no link or thread is added.
        acceptor.join(5_000);
        links.forEach(Link::close);
        List<Thread> started;
        synchronized (this) {
            started = List.copyOf(threads);
        }
        for (Thread thread : started) {
            thread.interrupt();
            thread.join(5_000);
            if (thread.isAlive()) {
                throw new IllegalStateException("proxy thread " + thread.getName() + " did not stop");
            }
        }
    }
}
