package io.strata.bench.jmh;

import io.strata.node.kv.resp.RespDecoderAccess;
import org.apache.pekko.util.ByteString;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The RESP listener's parsing: the node's {@code RespDecoder} fed one buffer of {@value #PIPELINE}
 * pipelined {@code SET key:NNNNNN <100-byte value>} commands, as one read from a client's socket
 * would bring them; in RESP array form (what client libraries send) and as inline commands (telnet,
 * redis-benchmark's inline mode). The decoder is the pure step of the connection's Pekko Streams
 * flow, so no actor system runs: it copies the chunk into its buffer, frames the commands and
 * copies out each argument. An operation is one command. Anchors: a scan of the same bytes
 * for CRLFs, the least any parser of them must do.
 */
@State(Scope.Thread)
public class RespDecoderBench {

    /** Commands per buffer. */
    public static final int PIPELINE = 16;
    /** Bytes of each SET's value. */
    public static final int VALUE_BYTES = 100;

    private RespDecoderAccess decoder;
    private ByteString multibulk;
    private ByteString inline;
    private byte[] multibulkBytes;
    private byte[] inlineBytes;

    @Setup
    public void setUp() {
        decoder = new RespDecoderAccess(64L * 1024 * 1024);
        SplittableRandom random = new SplittableRandom(42);
        StringBuilder array = new StringBuilder();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < PIPELINE; i++) {
            String key = String.format(Locale.ROOT, "key:%06d", random.nextInt(1_000_000));
            StringBuilder value = new StringBuilder();
            for (int b = 0; b < VALUE_BYTES; b++) {
                value.append((char) ('a' + random.nextInt(26)));
            }
            array.append("*3\r\n$3\r\nSET\r\n$").append(key.length()).append("\r\n").append(key).append("\r\n$")
                    .append(VALUE_BYTES).append("\r\n").append(value).append("\r\n");
            lines.append("SET ").append(key).append(' ').append(value).append("\r\n");
        }
        multibulkBytes = array.toString().getBytes(StandardCharsets.US_ASCII);
        inlineBytes = lines.toString().getBytes(StandardCharsets.US_ASCII);
        multibulk = ByteString.fromArray(multibulkBytes);
        inline = ByteString.fromArray(inlineBytes);
        for (ByteString buffer : new ByteString[]{multibulk, inline}) {
            int commands = decoder.feed(buffer, frame -> { });
            if (commands != PIPELINE) {
                throw new IllegalStateException("the decoder found " + commands + " commands, not " + PIPELINE);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    @BenchFigure(name = "jmh.resp.multibulk", anchor = "jmh.anchor.crlf-scan.multibulk")
    public int multibulk(Blackhole bh) {
        return decoder.feed(multibulk, bh::consume);
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    @BenchFigure(name = "jmh.anchor.crlf-scan.multibulk")
    public int multibulkCrlfScan() {
        return crlfs(multibulkBytes);
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    @BenchFigure(name = "jmh.resp.inline", anchor = "jmh.anchor.crlf-scan.inline")
    public int inline(Blackhole bh) {
        return decoder.feed(inline, bh::consume);
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    @BenchFigure(name = "jmh.anchor.crlf-scan.inline")
    public int inlineCrlfScan() {
        return crlfs(inlineBytes);
    }

    private static int crlfs(byte[] bytes) {
        int found = 0;
        for (int i = 0; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                found++;
            }
        }
        return found;
    }
}
