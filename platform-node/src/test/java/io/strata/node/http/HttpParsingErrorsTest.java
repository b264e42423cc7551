package io.strata.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.node.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import static io.strata.node.testing.TestNode.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Requests Pekko HTTP's parser refuses before any route runs, each written byte for byte on a
 * plain socket: every one is answered with its status and the JSON error shape (not Pekko's plain
 * text), and none stores anything (each is a PUT of key {@code raw/k}, absent afterwards).
 * The node's body limit is 4096 bytes, so its chunk limit is too. A target the parser takes but
 * whose percent-encoded bytes are not UTF-8 is refused by the gateway, in origin and absolute form.
 */
class HttpParsingErrorsTest {

    private static final int LIMIT = 4096;

    @TempDir
    static Path dir;

    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("strata.http.max-body-bytes", Integer.toString(LIMIT)));
        assertEquals(201, node.put("/kv/raw/other", "x").statusCode(), "the keyspace exists, so 404 key_not_found says the key is absent");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static final String PUT = "PUT /kv/raw/k HTTP/1.1\r\nHost: x\r\n";

    static Stream<Arguments> refusedByTheParser() {
        return Stream.of(
                arguments("URI too long", "PUT /kv/raw/k" + "k".repeat(3000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
                arguments("header value too long", PUT + "X-Long: " + "v".repeat(9000) + "\r\nContent-Length: 1\r\n\r\nv",
                        431, "request_header_fields_too_large"),
                arguments("header name too long", PUT + "X-" + "n".repeat(100) + ": v\r\nContent-Length: 1\r\n\r\nv",
                        431, "request_header_fields_too_large"),
                arguments("too many headers", PUT + "X-H: v\r\n".repeat(70) + "Content-Length: 1\r\n\r\nv", 400, "bad_request"),
                arguments("Content-Length not a number", PUT + "Content-Length: abc\r\n\r\n", 400, "bad_request"),
                arguments("negative Content-Length", PUT + "Content-Length: -1\r\n\r\n", 400, "bad_request"),
                arguments("two Content-Lengths", PUT + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nvv", 400, "bad_request"),
                arguments("missing Host", "PUT /kv/raw/k HTTP/1.1\r\nContent-Length: 1\r\n\r\nv", 400, "bad_request"),
                arguments("two Hosts", PUT + "Host: y\r\nContent-Length: 1\r\n\r\nv", 400, "bad_request"),
                arguments("unknown method", "FROB /kv/raw/k HTTP/1.1\r\nHost: x\r\n\r\n", 501, "not_implemented"),
                arguments("unsupported HTTP version", "PUT /kv/raw/k HTTP/9.9\r\nHost: x\r\nContent-Length: 1\r\n\r\nv",
                        505, "http_version_not_supported"),
                arguments("no request line", "PUT\r\nHost: x\r\n\r\n", 501, "not_implemented"),
                arguments("not HTTP at all (a TLS hello)", "\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003",
                        400, "bad_request"),
                arguments("header without a colon", PUT + "NoColonHere\r\nContent-Length: 1\r\n\r\nv", 400, "bad_request"),
                arguments("malformed percent-encoding", "PUT /kv/raw/%zz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nv",
                        400, "bad_request"),
                arguments("unsupported Transfer-Encoding", PUT + "Transfer-Encoding: gzip\r\n\r\n", 400, "bad_request"),
                arguments("chunked with a Content-Length", PUT + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                        400, "bad_request"),
                arguments("malformed chunk size", PUT + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "bad_request"),
                arguments("chunk not terminated", PUT + "Transfer-Encoding: chunked\r\n\r\n3\r\nabcX", 400, "bad_request"),
                arguments("chunk extension too long", PUT + "Transfer-Encoding: chunked\r\n\r\n3;" + "e".repeat(300) + "\r\n",
                        400, "bad_request"),
                // A chunk over the limit is refused from its size line: a body over the limit, so 413.
                arguments("chunk over the limit", PUT + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(LIMIT * 2) + "\r\n",
                        413, "payload_too_large"),
                // Chunks within the limit adding up to more than it: 413 as for a declared length.
                arguments("chunked body over the limit", PUT + "Transfer-Encoding: chunked\r\n\r\n"
                        + ("400\r\n" + "c".repeat(0x400) + "\r\n").repeat(LIMIT / 0x400) + "1\r\nc\r\n", 413, "payload_too_large"),
                arguments("declared body over the limit", PUT + "Content-Length: " + (LIMIT + 1) + "\r\n\r\n", 413, "payload_too_large"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refusedByTheParser(String name, String request, int status, String code) throws IOException {
        Response response = exchange(request.getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(status, response.status, name + ": " + response);
        assertEquals("application/json", response.headers.get("content-type"), name + ": " + response);
        JsonNode error = Json.parse(response.body.getBytes(StandardCharsets.UTF_8)).get("error");
        assertEquals(code, error.get("code").asText(), response.toString());
        assertTrue(error.get("message").asText().length() > 10, "the message says what: " + response);
        assertError(404, "key_not_found", node.get("/kv/raw/k"));
    }

    @ParameterizedTest(name = "raw byte {0} in the request target")
    @MethodSource("nonAscii")
    void aByteOutsideAsciiInTheTargetIsRefused(int value) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes("PUT /kv/raw/k".getBytes(StandardCharsets.US_ASCII));
        request.write(value);
        request.writeBytes(" HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nv".getBytes(StandardCharsets.US_ASCII));
        Response response = exchange(request.toByteArray());
        assertEquals(400, response.status, response.toString());
        assertEquals("bad_request", Json.parse(response.body.getBytes(StandardCharsets.UTF_8)).at("/error/code").asText());
        assertError(404, "key_not_found", node.get("/kv/raw/k"));
    }

    static Stream<Integer> nonAscii() {
        return Stream.of(0xff, 0xc3, 0x80);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void aTargetThatParsesButIsNotUtf8IsRefusedByTheGateway(String target) throws IOException {
        Response response = exchange(("PUT " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nv")
                .getBytes(StandardCharsets.US_ASCII));
        assertEquals(400, response.status, response.toString());
        assertEquals("invalid_utf8", Json.parse(response.body.getBytes(StandardCharsets.UTF_8)).at("/error/code").asText(), response.toString());
        assertError(404, "key_not_found", node.get("/kv/raw/%EF%BF%BD"));
    }

    static Stream<String> aTargetThatParsesButIsNotUtf8IsRefusedByTheGateway() {
        return Stream.of("/kv/raw/%ff", "http://x/kv/raw/%ff", "/kv/raw/k?ttl=%c3", "http://x/kv/raw/k?%80=1");
    }

    /** A response read off the socket: status, headers by lower-case name, body. */
    private record Response(int status, Map<String, String> headers, String body) {}

    private static Response exchange(byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", node.node().httpPort())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            String[] lines = head.split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
            return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed before a response; got " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1).trim();
    }
}
