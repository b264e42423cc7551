package io.strata.node.kv.resp;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** RESP as raw bytes over a socket, for tests that check exactly what the listener answers. */
final class RawResp {

    private RawResp() {}

    /** A connection to the listener on 127.0.0.1:{@code port}; reads time out after 10 s. */
    static Socket connect(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    static String read(Socket socket, int bytes) throws IOException {
        byte[] buffer = socket.getInputStream().readNBytes(bytes);
        return new String(buffer, StandardCharsets.UTF_8);
    }

    /** Reads exactly as many bytes as {@code expected} has and compares. */
    static void expectReply(Socket socket, String expected) throws IOException {
        assertEquals(expected, read(socket, expected.getBytes(StandardCharsets.UTF_8).length));
    }

    /** Sends {@code command} and expects exactly {@code reply}. */
    static void exchange(Socket socket, String command, String reply) throws IOException {
        send(socket, command);
        expectReply(socket, reply);
    }

    /** Reads until the text read ends with {@code end}. */
    static String readUntil(Socket socket, String end) throws IOException {
        StringBuilder text = new StringBuilder();
        InputStream in = socket.getInputStream();
        while (!text.toString().endsWith(end)) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("closed before '" + end.strip() + "': " + text);
            }
            text.append((char) b);
        }
        return text.toString();
    }

    static void assertClosed(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            assertEquals(-1, in.read(), "the server closed the connection");
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection is still open", e);
        }
    }
}
