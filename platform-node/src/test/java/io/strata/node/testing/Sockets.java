package io.strata.node.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/** Raw-socket checks for tests of what a server does to its connections. */
public final class Sockets {

    private Sockets() {}

    /** Reads one line (up to LF, without its CR LF) of what the server sent, or what came before the end of the stream. */
    public static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.append((char) b);
        }
        return line.toString().strip();
    }

    /** Waits until the server closed {@code socket} (end of stream or reset), reading and dropping what it sends meanwhile. */
    public static void assertClosedWithin(Socket socket, Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        socket.setSoTimeout(100);
        InputStream in = socket.getInputStream();
        while (System.nanoTime() < deadline) {
            try {
                if (in.read() < 0) {
                    return;
                }
            } catch (SocketTimeoutException stillOpen) {
                // Not yet.
            } catch (IOException reset) {
                return;
            }
        }
        throw new AssertionError("the server did not close the connection within " + limit);
    }
}
