package io.strata.node.demo;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One connection to the node's Redis-protocol listener for the demo, speaking RESP2 as any client
 * does: commands go out as arrays of bulk strings, replies are read back and shown as
 * {@code redis-cli} shows them ({@code OK}, {@code "value"}, {@code (integer) 5}, {@code (nil)},
 * {@code (error) ...}, numbered lines for an array).
 */
final class DemoRedis implements AutoCloseable {

    private static final int TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    private DemoRedis(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new BufferedInputStream(socket.getInputStream());
    }

    static DemoRedis connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        return new DemoRedis(socket);
    }

    /** Sends one command and returns its reply as redis-cli prints it. */
    String call(String... args) throws IOException {
        send(List.of(List.of(args)));
        return readReply("");
    }

    /** Sends every command in one write (a pipeline), then reads their replies, in order. */
    List<String> pipeline(List<List<String>> commands) throws IOException {
        send(commands);
        List<String> replies = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
            replies.add(readReply(""));
        }
        return replies;
    }

    private void send(List<List<String>> commands) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (List<String> command : commands) {
            bytes.writeBytes(("*" + command.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (String arg : command) {
                byte[] raw = arg.getBytes(StandardCharsets.UTF_8);
                bytes.writeBytes(("$" + raw.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                bytes.writeBytes(raw);
                bytes.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        }
        out.write(bytes.toByteArray());
        out.flush();
    }

    private String readReply(String indent) throws IOException {
        String line = readLine();
        String rest = line.substring(1);
        return switch (line.charAt(0)) {
            case '+' -> rest;
            case '-' -> "(error) " + rest;
            case ':' -> "(integer) " + rest;
            case '$' -> {
                int length = Integer.parseInt(rest);
                if (length < 0) {
                    yield "(nil)";
                }
                byte[] value = in.readNBytes(length + 2);
                yield "\"" + new String(value, 0, length, StandardCharsets.UTF_8) + "\"";
            }
            case '*' -> {
                int count = Integer.parseInt(rest);
                if (count <= 0) {
                    yield count < 0 ? "(nil)" : "(empty array)";
                }
                List<String> items = new ArrayList<>();
                for (int i = 1; i <= count; i++) {
                    items.add((i == 1 ? "" : indent) + i + ") " + readReply(indent + "   "));
                }
                yield String.join("\n", items);
            }
            case '_' -> "(nil)";
            case '=' -> {
                // A verbatim string: its three-letter format and a colon, then the text, shown as it is.
                byte[] value = in.readNBytes(Integer.parseInt(rest) + 2);
                yield new String(value, 4, value.length - 6, StandardCharsets.UTF_8);
            }
            case '%' -> {
                int count = Integer.parseInt(rest);
                if (count == 0) {
                    yield "(empty hash)";
                }
                List<String> entries = new ArrayList<>();
                for (int i = 1; i <= count; i++) {
                    entries.add((i == 1 ? "" : indent) + i + "# " + readReply(indent + "   ") + " => " + readReply(indent + "   "));
                }
                yield String.join("\n", entries);
            }
            default -> throw new IOException("not a RESP reply: " + line);
        };
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection closed");
            }
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            previous = b;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
