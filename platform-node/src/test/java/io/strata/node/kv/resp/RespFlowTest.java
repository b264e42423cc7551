package io.strata.node.kv.resp;

import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A connection's backpressure and order over a real socket, and the decoder on awkward input. */
class RespFlowTest {

    private static final RespSettings SETTINGS = new RespSettings(true, "127.0.0.1", 0, 1 << 20, 16, 32, 100,
            java.time.Duration.ZERO, 64L << 20, java.util.Optional.empty(), false, 1);

    private static RespServer server;

    @BeforeAll
    static void bind() throws Exception {
        // ECHO never reaches the store, so the sessions need none.
        server = RespServer.bind(null, SETTINGS, io.strata.node.limits.MemoryGuard.unlimited()).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        server.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        server.drain(java.time.Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aClientThatDoesNotReadStopsHavingItsCommandsRun() throws Exception {
        int commands = 10_000;
        String payload = "x".repeat(4000);
        byte[] command = ("*2\r\n$4\r\nECHO\r\n$4000\r\n" + payload + "\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(server.address());
            long before = server.info().commandsProcessed();
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
                    for (int i = 0; i < commands; i++) {
                        out.write(command);
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            // The replies fill the socket buffers and the connection's write buffer; then nothing more runs.
            long ran = -1;
            long now = server.info().commandsProcessed() - before;
            for (int i = 0; i < 50 && now != ran; i++) {
                ran = now;
                Thread.sleep(200);
                now = server.info().commandsProcessed() - before;
            }
            assertEquals(ran, now, "commands stop running while their replies are not read");
            assertTrue(now < commands / 2, "only what the buffers hold ran: " + now + " of " + commands);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            byte[] reply = ("$4000\r\n" + payload + "\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < commands; i++) {
                assertArrayEquals(reply, in.readNBytes(reply.length), "reply " + i);
            }
            sent.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrder() throws Exception {
        StringBuilder pipeline = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            pipeline.append("ECHO ").append(i).append("\r\n");
            expected.append(echoed(i));
        }
        pipeline.append("QUIT\r\nECHO never\r\n");
        expected.append("+OK\r\n");
        try (Socket socket = new Socket()) {
            socket.connect(server.address());
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(pipeline.toString().getBytes(StandardCharsets.US_ASCII));
            // QUIT closes the connection once it is answered: nothing pipelined after it runs or is answered.
            assertEquals(expected.toString(), new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    private static String echoed(int i) {
        return "$" + Integer.toString(i).length() + "\r\n" + i + "\r\n";
    }

    @Test
    void decoderReassemblesAnyChunkingAndSkipsEmptyCommands() {
        String stream = "*0\r\n\r\n*2\r\n$4\r\nECHO\r\n$3\r\na\r\n\r\n  \r\nECHO \"x\\x41\\n\" 'it\\'s'\r\n";
        for (int chunk = 1; chunk <= stream.length(); chunk++) {
            RespDecoder decoder = new RespDecoder(4096);
            List<RespDecoder.Frame> frames = new ArrayList<>();
            for (int i = 0; i < stream.length(); i += chunk) {
                frames.addAll(decoder.feed(ByteString.fromString(stream.substring(i, Math.min(stream.length(), i + chunk)))));
            }
            assertEquals(2, frames.size(), "chunks of " + chunk);
            assertEquals(List.of("ECHO", "a\r\n"), strings(frames.get(0)));
            assertEquals(List.of("ECHO", "xA\n", "it's"), strings(frames.get(1)));
        }
    }

    @Test
    void decoderRefusesOversizedAndMalformedInputOnce() {
        RespDecoder big = new RespDecoder(4096);
        assertEquals(List.of(), big.feed(ByteString.fromString("*2\r\n$3\r\nGET\r\n$100\r\n")));
        List<RespDecoder.Frame> refused = big.feed(ByteString.fromString("*1\r\n$5000\r\n"));
        assertEquals(List.of(), refused, "the first command is still incomplete and within the limit");
        RespDecoder declared = new RespDecoder(4096);
        assertInstanceOf(RespDecoder.ProtocolError.class, declared.feed(ByteString.fromString("*1\r\n$5000\r\n")).get(0));
        assertEquals(List.of(), declared.feed(ByteString.fromString("*1\r\n$4\r\nPING\r\n")), "nothing after a protocol error");
        RespDecoder header = new RespDecoder(4096);
        assertInstanceOf(RespDecoder.ProtocolError.class, header.feed(ByteString.fromString("*" + "9".repeat(40))).get(0));
        RespDecoder count = new RespDecoder(4096);
        assertInstanceOf(RespDecoder.ProtocolError.class, count.feed(ByteString.fromString("*x\r\n")).get(0));
    }

    @Test
    void refusalsBecomeRedisStyleErrors() {
        assertEquals("TRYAGAIN storage_unavailable: log failed", RespSession.errorText(
                new io.strata.node.common.StrataException(io.strata.node.common.StrataException.Kind.UNAVAILABLE,
                        "storage_unavailable", "log failed")));
        assertTrue(RespSession.errorText(new java.util.concurrent.CompletionException(
                new org.apache.pekko.pattern.AskTimeoutException("slow"))).startsWith("TRYAGAIN timeout: "));
        assertEquals("ERR value is not an integer or out of range",
                RespSession.errorText(new io.strata.node.kv.KvPartition.Rejected("not_an_integer", "no").toException()));
        assertEquals("ERR invalid_key: key must not be empty", RespSession.errorText(
                io.strata.node.common.StrataException.invalid("invalid_key", "key must not be empty")));
    }

    private static List<String> strings(RespDecoder.Frame frame) {
        return ((RespDecoder.Command) frame).args().stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }
}
