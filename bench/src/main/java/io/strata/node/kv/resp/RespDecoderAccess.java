package io.strata.node.kv.resp;

import org.apache.pekko.util.ByteString;

/**
 * Lets the RESP microbenchmark ({@code io.strata.bench.jmh.RespDecoderBench}) drive the package-private
 * {@link RespDecoder}, the pure parsing step of each RESP connection's stream (no actor system
 * needed), without making the decoder part of platform-node's API. It compiles in the bench module
 * into the decoder's package: both sit on one classpath, so package access holds at run time.
 *
 * <p>Like the decoder, one instance per thread.
 */
public final class RespDecoderAccess {

    private final RespDecoder decoder;

    /** A decoder with the node's limit on one command's size, as {@code strata.resp.max-request-bytes} sets it. */
    public RespDecoderAccess(long maxRequestBytes) {
        this.decoder = new RespDecoder(maxRequestBytes);
    }

    /**
     * Feeds {@code chunk} as one read from the socket and returns how many commands it completed;
     * their frames go to {@code sink} (a benchmark's blackhole), so none of the decoding is dead code.
     *
     * @throws IllegalStateException when the bytes break the protocol
     */
    public int feed(ByteString chunk, java.util.function.Consumer<Object> sink) {
        int commands = 0;
        for (RespDecoder.Frame frame : decoder.feed(chunk)) {
            if (frame instanceof RespDecoder.ProtocolError error) {
                throw new IllegalStateException(error.message());
            }
            sink.accept(frame);
            commands++;
        }
        return commands;
    }
}
