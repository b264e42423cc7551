package io.strata.node.kafka;

import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.SendBuilder;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A response as the bytes a connection writes: its size, header and body, built by kafka-clients'
 * own {@link SendBuilder}, which keeps a Fetch's record batches as the buffers they were read into
 * rather than copying them into the response; those buffers become part of the frame as they are.
 */
final class ResponseFrames {

    private ResponseFrames() {}

    /** The frame (size prefix included) of {@code body} at {@code version} under {@code header}. */
    static ByteString frame(ResponseHeader header, ApiMessage body, short version) {
        Send send = SendBuilder.buildResponseSend(header, body, version);
        Collector out = new Collector();
        try {
            while (!send.completed()) {
                send.writeTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.frame.result();
    }

    /** Takes every buffer written to it into one frame, wrapping heap arrays rather than copying them. */
    private static final class Collector implements TransferableChannel {

        final ByteStringBuilder frame = new ByteStringBuilder();

        @Override
        public int write(ByteBuffer src) {
            int length = src.remaining();
            if (src.hasArray()) {
                // The buffers are the response's own, never written again: safe to share.
                frame.append(ByteString.fromArrayUnsafe(src.array(), src.arrayOffset() + src.position(), length));
            } else {
                frame.append(ByteString.fromByteBuffer(src.duplicate()));
            }
            src.position(src.limit());
            return length;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            long written = 0;
            for (int i = offset; i < offset + length; i++) {
                written += write(srcs[i]);
            }
            return written;
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public boolean hasPendingWrites() {
            return false;
        }

        @Override
        public long transferFrom(FileChannel fileChannel, long position, long count) {
            throw new UnsupportedOperationException("responses hold no file records");
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
