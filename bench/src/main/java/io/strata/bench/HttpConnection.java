package io.strata.bench;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One blocking HTTP/1.1 keep-alive connection, as little client as a load generator can have: it
 * sends a request and reads the whole response (status, headers, a {@code Content-Length} body),
 * without allocating per response. Chunked responses and closed connections are errors: the
 * servers measured answer strict entities on keep-alive connections.
 *
 * <p>Not thread-safe: one thread per connection.
 */
final class HttpConnection implements Closeable {

    private static final byte[] HTTP_1 = "HTTP/1.".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_CLOSE = "connection: close".getBytes(StandardCharsets.US_ASCII);

    private final Socket socket;
    private final InputStream in;
    private final BufferedOutputStream out;
    private final byte[] buffer = new byte[16 * 1024];
    private final byte[] line = new byte[8 * 1024];
    private int position;
    private int limit;

    HttpConnection(InetSocketAddress server, int timeoutMillis) throws IOException {
        socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(timeoutMillis);
            socket.connect(server, timeoutMillis);
            in = socket.getInputStream();
            out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends {@code head} (request line and headers, ending with an empty line) and {@code body}; returns the response status. */
    int exchange(byte[] head, byte[] body) throws IOException {
        out.write(head);
        out.write(body);
        out.flush();
        int length = readLine();
        if (length < 12 || !startsWith(line, length, HTTP_1)) {
            throw new IOException("not an HTTP/1.x status line: " + new String(line, 0, length, StandardCharsets.ISO_8859_1));
        }
        int status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        long contentLength = -1;
        boolean close = false;
        while ((length = readLine()) > 0) {
            if (startsWith(line, length, CONTENT_LENGTH)) {
                contentLength = Long.parseLong(new String(line, CONTENT_LENGTH.length, length - CONTENT_LENGTH.length,
                        StandardCharsets.US_ASCII).trim());
            } else if (startsWith(line, length, TRANSFER_ENCODING)) {
                throw new IOException("HTTP " + status + " response with " + new String(line, 0, length, StandardCharsets.ISO_8859_1)
                        + ": only Content-Length bodies are supported");
            } else if (startsWith(line, length, CONNECTION_CLOSE)) {
                close = true;
            }
        }
        if (contentLength < 0) {
            throw new IOException("HTTP " + status + " response without Content-Length");
        }
        skip(contentLength);
        if (close) {
            throw new IOException("the server closed the keep-alive connection after an HTTP " + status + " response");
        }
        return status;
    }

    /** Reads one line into {@link #line} and returns its length without the CRLF. */
    private int readLine() throws IOException {
        int length = 0;
        while (true) {
            if (position == limit) {
                fill();
            }
            byte b = buffer[position++];
            if (b == '\n') {
                return length > 0 && line[length - 1] == '\r' ? length - 1 : length;
            }
            if (length == line.length) {
                throw new IOException("response header line longer than " + line.length + " bytes");
            }
            line[length++] = b;
        }
    }

    private void skip(long bytes) throws IOException {
        while (bytes > 0) {
            if (position == limit) {
                fill();
            }
            int n = (int) Math.min(bytes, limit - position);
            position += n;
            bytes -= n;
        }
    }

    private void fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        if (n < 0) {
            throw new EOFException("the server closed the connection");
        }
        position = 0;
        limit = n;
    }

    /** Whether {@code bytes[0..length)} starts with {@code prefix}, ignoring ASCII case. */
    private static boolean startsWith(byte[] bytes, int length, byte[] prefix) {
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (Character.toLowerCase(bytes[i]) != Character.toLowerCase(prefix[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
