package io.strata.node.kv.resp;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The connection flow without a network (backpressure, order) and the decoder on awkward input. */
class RespFlowTest {

    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final RespSettings SETTINGS = new RespSettings(true, "127.0.0.1", 0, 4096, 16, 32, 100,
            java.time.Duration.ZERO, 1 << 20, java.util.Optional.empty(), false);

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void aClientThatDoesNotReadStopsHavingItsCommandsRun() throws Exception {
        RespServer.Info info = new RespServer.Info(SETTINGS, System.nanoTime(), new ConcurrentHashMap<>(),
                io.strata.node.limits.MemoryGuard.unlimited());
        List<ByteString> reads = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            reads.add(ByteString.fromString("ECHO " + i + "\r\n"));
        }
        SinkQueueWithCancel<ByteString> replies = run(info, Source.from(reads));
        Thread.sleep(300);
        // What runs without demand: the commands in flight, and the one or two the stages buffer.
        assertTrue(info.commandsProcessed() <= SETTINGS.maxInFlight() + 3,
                "without demand only the commands in flight run: " + info.commandsProcessed());
        for (int i = 0; i < 200; i++) {
            assertEquals(echoed(i), replies.pull().toCompletableFuture().get(5, TimeUnit.SECONDS).orElseThrow().utf8String());
        }
        assertTrue(replies.pull().toCompletableFuture().get(5, TimeUnit.SECONDS).isEmpty(), "completes with its input");
    }

    @Test
    void theCommandsOfOneReadAreAnsweredTogetherInGroupsOfMaxInFlight() throws Exception {
        RespServer.Info info = new RespServer.Info(SETTINGS, System.nanoTime(), new ConcurrentHashMap<>(),
                io.strata.node.limits.MemoryGuard.unlimited());
        StringBuilder pipeline = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            pipeline.append("ECHO ").append(i).append("\r\n");
        }
        SinkQueueWithCancel<ByteString> replies = run(info, Source.single(ByteString.fromString(pipeline.toString())));
        Thread.sleep(300);
        // Not written: one group in flight, and the one the sink's buffer took.
        assertTrue(info.commandsProcessed() <= 2 * SETTINGS.maxInFlight() + 3,
                "without demand only the commands in flight run: " + info.commandsProcessed());
        for (int group = 0; group * SETTINGS.maxInFlight() < 200; group++) {
            StringBuilder expected = new StringBuilder();
            for (int i = group * SETTINGS.maxInFlight(); i < Math.min(200, (group + 1) * SETTINGS.maxInFlight()); i++) {
                expected.append(echoed(i));
            }
            assertEquals(expected.toString(), replies.pull().toCompletableFuture().get(5, TimeUnit.SECONDS).orElseThrow().utf8String());
        }
        assertTrue(replies.pull().toCompletableFuture().get(5, TimeUnit.SECONDS).isEmpty(), "completes with its input");
    }

    /** The connection flow over {@code reads}, with a sink that takes one reply at a time when pulled. */
    private static SinkQueueWithCancel<ByteString> run(RespServer.Info info, Source<ByteString, ?> reads) {
        // ECHO never reaches the store, so the session needs none.
        RespSession session = new RespSession(null, info, 1, "127.0.0.1:1", "127.0.0.1:2");
        return reads.via(RespServer.connectionFlow(session, SETTINGS, KillSwitches.shared("test"), info.input().open(1, () -> { })))
                .runWith(Sink.<ByteString>queue(1).withAttributes(Attributes.inputBuffer(1, 1)), testKit.system());
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
