package io.strata.node.kv.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import org.apache.pekko.Done;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One RESP connection, on the Netty event loop that reads it: bytes → {@link RespDecoder} →
 * {@link RespSession} → replies written in the commands' order.
 *
 * <p>The commands one read completed run together, in groups of at most {@code max-in-flight}
 * (the session sends a group's simple commands to the store as one batch); groups run at once
 * while they hold at most {@code max-in-flight} commands not answered yet. A reply is written as
 * soon as it and every reply before it are ready, and what one pass of the loop wrote is flushed
 * once. A command that answers at once (PING, a refusal) is answered on the loop without any hop.
 *
 * <p>Backpressure, end to end: the connection is not read while decoded commands wait to start,
 * while {@code max-input-bytes} has no room ({@link RespInput}), or while its replies fill the
 * channel's write buffer (a client that does not read its replies stops having commands run).
 *
 * <p>QUIT, a protocol error or the node draining closes the connection once the commands running
 * are answered; nothing after a reply that closes is written. Every field is touched on the
 * channel's event loop only; replies completing on other threads hand back to it.
 */
final class RespConnection extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(RespConnection.class);

    /** A group of commands started, and its reply once ready. */
    private record Running(CompletableFuture<RespSession.Response> reply, int commands) {}

    private final RespSession session;
    private final RespInput.Reader input;
    private final RespDecoder decoder;
    private final int maxInFlight;
    private final CompletableFuture<Done> closed = new CompletableFuture<>();
    /** Groups decoded and not started yet, in order. */
    private final ArrayDeque<List<RespDecoder.Frame>> waiting = new ArrayDeque<>();
    /** Groups started whose replies are not written yet, in order. */
    private final ArrayDeque<Running> running = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    /** Commands of {@link #running}. */
    private int inFlight;
    /** A group waits for room in {@code max-input-bytes}; nothing after it starts meanwhile. */
    private boolean admitting;
    /** No command starts any more: QUIT, a protocol error, the node draining, or the peer gone. */
    private boolean closing;
    /** A reply that closes the connection was written: later replies are dropped. */
    private boolean finalReplyWritten;
    private boolean advancing;
    private boolean advanceAgain;

    RespConnection(RespSession session, RespInput.Reader input, RespSettings settings) {
        this.session = session;
        this.input = input;
        this.decoder = new RespDecoder(settings.maxRequestBytes());
        this.maxInFlight = settings.maxInFlight();
    }

    /** Completes when the connection is closed. */
    CompletableFuture<Done> closed() {
        return closed;
    }

    /** Lets the commands running finish and be answered, then closes; starts nothing more. Any thread. */
    void drain() {
        ctx.executor().execute(() -> {
            closing = true;
            waiting.clear();
            advance();
        });
    }

    /** Closes the connection now. Any thread. */
    void close() {
        ctx.close();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf bytes = (ByteBuf) msg;
        try {
            if (closing) {
                return;
            }
            List<RespDecoder.Frame> frames = decoder.feed(bytes.nioBuffer());
            input.unfinished(decoder.buffered());
            for (int i = 0; i < frames.size(); i += maxInFlight) {
                waiting.add(frames.subList(i, Math.min(frames.size(), i + maxInFlight)));
            }
        } finally {
            bytes.release();
        }
        advance();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        advance();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            // Redis's timeout: nothing moved either way for that long.
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        waiting.clear();
        closed.complete(Done.getInstance());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Usually the peer resetting the connection: nothing to answer, nobody to tell.
        LOG.debug("RESP connection {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    /** Writes the replies that are ready and starts the groups that may start, until neither moves. Event loop only. */
    private void advance() {
        if (advancing) {
            // Called back from a group that answered at once while this pass starts groups: the pass goes round again.
            advanceAgain = true;
            return;
        }
        advancing = true;
        try {
            do {
                advanceAgain = false;
                writeReady();
                startWaiting();
            } while (advanceAgain);
        } finally {
            advancing = false;
        }
        Channel channel = ctx.channel();
        if (closing && running.isEmpty() && !admitting) {
            if (channel.isActive()) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        boolean read = !closing && !admitting && waiting.isEmpty() && channel.isWritable();
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }

    private void writeReady() {
        boolean wrote = false;
        while (!running.isEmpty() && running.peek().reply().isDone()) {
            Running done = running.poll();
            inFlight -= done.commands();
            if (finalReplyWritten) {
                continue;
            }
            RespSession.Response response = responseOf(done.reply());
            if (!response.bytes().isEmpty()) {
                ctx.write(Unpooled.wrappedBuffer(response.bytes().toArrayUnsafe()));
                wrote = true;
            }
            if (response.close()) {
                finalReplyWritten = true;
                closing = true;
                waiting.clear();
            }
        }
        if (wrote) {
            ctx.flush();
        }
    }

    private void startWaiting() {
        while (!closing && !admitting && !waiting.isEmpty() && ctx.channel().isWritable()
                && (running.isEmpty() || inFlight + waiting.peek().size() <= maxInFlight)) {
            List<RespDecoder.Frame> group = waiting.poll();
            long bytes = sizeOf(group);
            CompletableFuture<Void> admitted = input.admit(bytes).toCompletableFuture();
            if (admitted.isDone()) {
                start(group, bytes);
                continue;
            }
            // Past max-input-bytes: wait for room before holding more commands (and so stop reading).
            admitting = true;
            admitted.whenComplete((ok, failure) -> ctx.executor().execute(() -> {
                admitting = false;
                if (closing) {
                    input.answered(bytes);
                } else {
                    start(group, bytes);
                }
                advance();
            }));
        }
    }

    private void start(List<RespDecoder.Frame> group, long bytes) {
        CompletableFuture<RespSession.Response> reply;
        try {
            reply = session.execute(group).toCompletableFuture();
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        inFlight += group.size();
        running.add(new Running(reply, group.size()));
        reply.whenComplete((response, failure) -> {
            input.answered(bytes);
            if (ctx.executor().inEventLoop()) {
                advance();
            } else {
                ctx.executor().execute(this::advance);
            }
        });
    }

    private static RespSession.Response responseOf(CompletableFuture<RespSession.Response> reply) {
        try {
            return reply.join();
        } catch (CompletionException e) {
            LOG.warn("a RESP command failed unexpectedly", e.getCause());
            return new RespSession.Response(Resp.error("ERR " + e.getCause()), false);
        }
    }

    private static long sizeOf(List<RespDecoder.Frame> frames) {
        long bytes = 0;
        for (RespDecoder.Frame frame : frames) {
            bytes += RespInput.sizeOf(frame);
        }
        return bytes;
    }
}
