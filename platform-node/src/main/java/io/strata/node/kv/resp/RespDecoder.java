package io.strata.node.kv.resp;

import org.apache.pekko.util.ByteString;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a client's byte stream into RESP2 commands: arrays of bulk strings (what Redis client
 * libraries and redis-cli send) and inline commands (a line of space-separated words, with
 * Redis's quoting, as telnet users and some redis-benchmark modes send).
 *
 * <p>Not thread-safe: one decoder per connection, fed in order. After a {@link ProtocolError}
 * it returns nothing more: as in Redis, a client that breaks the framing is answered once and
 * disconnected, because the rest of its stream cannot be resynchronised.
 */
final class RespDecoder {

    /** What the decoder yields. */
    sealed interface Frame permits Command, ProtocolError {}

    /** One command: its name and arguments, as bytes. Never empty. */
    record Command(List<byte[]> args) implements Frame {}

    /** The stream broke the protocol or a limit; the connection is answered and closed. */
    record ProtocolError(String message) implements Frame {}

    private static final int MAX_MULTIBULK_LENGTH = 1024 * 1024;
    /** Not a result: the buffer does not yet hold a whole command. */
    private static final Object INCOMPLETE = new Object();
    /** Not a result: a whole but empty command (blank inline line, {@code *0}), consumed and ignored. */
    private static final Object EMPTY = new Object();

    private static final int INITIAL_BUFFER_BYTES = 4096;
    private static final int MAX_IDLE_BUFFER_BYTES = 64 * 1024;

    private final long maxRequestBytes;
    private byte[] buf = new byte[INITIAL_BUFFER_BYTES];
    private int start;
    private int end;
    private int consumedTo;
    private boolean failed;

    RespDecoder(long maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
    }

    /** Appends {@code chunk} and returns the frames it completed, in order. */
    List<Frame> feed(ByteString chunk) {
        return feed(chunk.asByteBuffer());
    }

    /** Appends what remains of {@code chunk} (consuming it) and returns the frames it completed, in order. */
    List<Frame> feed(ByteBuffer chunk) {
        if (failed) {
            return List.of();
        }
        append(chunk);
        List<Frame> frames = new ArrayList<>();
        while (start < end) {
            Object parsed;
            try {
                parsed = buf[start] == '*' ? parseMultibulk() : parseInline();
            } catch (ProtocolException e) {
                failed = true;
                frames.add(new ProtocolError(e.getMessage()));
                return frames;
            }
            if (parsed == INCOMPLETE) {
                if (end - start > maxRequestBytes) {
                    failed = true;
                    frames.add(tooLarge());
                }
                break;
            }
            start = consumedTo;
            if (parsed != EMPTY) {
                frames.add((Frame) parsed);
            }
        }
        if (start == end) {
            start = 0;
            end = 0;
            if (buf.length > MAX_IDLE_BUFFER_BYTES) {
                // A large command grew the buffer; an idle connection should not keep it.
                buf = new byte[INITIAL_BUFFER_BYTES];
            }
        }
        return frames;
    }

    /** Bytes of a command still arriving, held until the rest comes. */
    int buffered() {
        return end - start;
    }

    private ProtocolError tooLarge() {
        return new ProtocolError("Protocol error: request exceeds the limit of " + maxRequestBytes
                + " bytes (strata.resp.max-request-bytes)");
    }

    private void append(ByteBuffer chunk) {
        int n = chunk.remaining();
        if (end + n > buf.length) {
            int live = end - start;
            if (live + n > buf.length) {
                buf = Arrays.copyOfRange(buf, start, start + Math.max(buf.length * 2, live + n));
            } else {
                System.arraycopy(buf, start, buf, 0, live);
            }
            start = 0;
            end = live;
        }
        chunk.get(buf, end, n);
        end += n;
    }

    private Object parseMultibulk() throws ProtocolException {
        int p = start + 1;
        int eol = findCrlf(p);
        if (eol < 0) {
            return headerIncomplete(p, end, "multibulk count");
        }
        long count = parseLength(p, eol, "invalid multibulk length");
        p = eol + 2;
        if (count <= 0) {
            consumedTo = p;
            return EMPTY;
        }
        if (count > MAX_MULTIBULK_LENGTH) {
            throw new ProtocolException("Protocol error: invalid multibulk length");
        }
        List<byte[]> args = new ArrayList<>((int) Math.min(count, 64));
        long declared = p - start;
        for (long i = 0; i < count; i++) {
            if (p >= end) {
                return INCOMPLETE;
            }
            if (buf[p] != '$') {
                throw new ProtocolException("Protocol error: expected '$', got '" + printable(buf[p]) + "'");
            }
            eol = findCrlf(p + 1);
            if (eol < 0) {
                return headerIncomplete(p + 1, end, "bulk length");
            }
            long length = parseLength(p + 1, eol, "invalid bulk length");
            declared += (eol + 2 - p) + length + 2;
            if (length < 0) {
                throw new ProtocolException("Protocol error: invalid bulk length");
            }
            if (length > maxRequestBytes) {
                // Redis's words for a bulk string over proto-max-bulk-len, which clients and its test suite expect.
                throw new ProtocolException("Protocol error: invalid bulk length (" + length + " bytes, over the limit of "
                        + maxRequestBytes + " bytes: strata.resp.max-request-bytes)");
            }
            if (declared > maxRequestBytes) {
                throw new ProtocolException(tooLarge().message());
            }
            int body = eol + 2;
            if ((long) end - body < length + 2) {
                return INCOMPLETE;
            }
            if (buf[body + (int) length] != '\r' || buf[body + (int) length + 1] != '\n') {
                throw new ProtocolException("Protocol error: bulk string not terminated by CRLF");
            }
            args.add(Arrays.copyOfRange(buf, body, body + (int) length));
            p = body + (int) length + 2;
        }
        consumedTo = p;
        return new Command(args);
    }

    /** A header line without its CRLF yet: fine while short, a protocol error once it cannot be a number. */
    private static Object headerIncomplete(int from, int to, String what) throws ProtocolException {
        if (to - from > 32) {
            throw new ProtocolException("Protocol error: too big " + what + " string");
        }
        return INCOMPLETE;
    }

    private Object parseInline() throws ProtocolException {
        int nl = -1;
        for (int i = start; i < end; i++) {
            if (buf[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) {
            if (end - start > maxRequestBytes) {
                throw new ProtocolException("Protocol error: too big inline request");
            }
            return INCOMPLETE;
        }
        int lineEnd = nl > start && buf[nl - 1] == '\r' ? nl - 1 : nl;
        consumedTo = nl + 1;
        List<byte[]> args = splitInline(buf, start, lineEnd);
        return args.isEmpty() ? EMPTY : new Command(args);
    }

    /** Redis's {@code sdssplitargs}: words separated by blanks, "double quotes" with escapes, 'single quotes'. */
    static List<byte[]> splitInline(byte[] b, int from, int to) throws ProtocolException {
        List<byte[]> args = new ArrayList<>();
        int i = from;
        while (true) {
            while (i < to && Character.isWhitespace(b[i])) {
                i++;
            }
            if (i >= to) {
                return args;
            }
            java.io.ByteArrayOutputStream word = new java.io.ByteArrayOutputStream();
            boolean inDouble = false;
            boolean inSingle = false;
            while (true) {
                if (inDouble) {
                    if (i >= to) {
                        throw new ProtocolException("Protocol error: unbalanced quotes in request");
                    }
                    if (b[i] == '\\' && i + 3 < to && b[i + 1] == 'x' && isHex(b[i + 2]) && isHex(b[i + 3])) {
                        word.write(Integer.parseInt(new String(b, i + 2, 2, StandardCharsets.US_ASCII), 16));
                        i += 3;
                    } else if (b[i] == '\\' && i + 1 < to) {
                        i++;
                        word.write(switch (b[i]) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> b[i];
                        });
                    } else if (b[i] == '"') {
                        if (i + 1 < to && !Character.isWhitespace(b[i + 1])) {
                            throw new ProtocolException("Protocol error: unbalanced quotes in request");
                        }
                        inDouble = false;
                    } else {
                        word.write(b[i]);
                    }
                } else if (inSingle) {
                    if (i >= to) {
                        throw new ProtocolException("Protocol error: unbalanced quotes in request");
                    }
                    if (b[i] == '\\' && i + 1 < to && b[i + 1] == '\'') {
                        i++;
                        word.write('\'');
                    } else if (b[i] == '\'') {
                        if (i + 1 < to && !Character.isWhitespace(b[i + 1])) {
                            throw new ProtocolException("Protocol error: unbalanced quotes in request");
                        }
                        inSingle = false;
                    } else {
                        word.write(b[i]);
                    }
                } else {
                    if (i >= to || Character.isWhitespace(b[i])) {
                        break;
                    }
                    if (b[i] == '"') {
                        inDouble = true;
                    } else if (b[i] == '\'') {
                        inSingle = true;
                    } else {
                        word.write(b[i]);
                    }
                }
                i++;
            }
            args.add(word.toByteArray());
        }
    }

    private static boolean isHex(byte c) {
        return Character.digit(c, 16) >= 0;
    }

    private int findCrlf(int from) {
        for (int i = from; i + 1 < end; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private long parseLength(int from, int to, String error) throws ProtocolException {
        if (to <= from || to - from > 19) {
            throw new ProtocolException("Protocol error: " + error);
        }
        // Read in place, as Long.parseLong reads it: every command has one or more lengths.
        int i = from;
        boolean negative = buf[i] == '-';
        if (negative || buf[i] == '+') {
            i++;
        }
        if (i == to) {
            throw new ProtocolException("Protocol error: " + error);
        }
        long value = 0;
        for (; i < to; i++) {
            int digit = buf[i] - '0';
            if (digit < 0 || digit > 9 || value > (Long.MAX_VALUE - digit) / 10) {
                throw new ProtocolException("Protocol error: " + error);
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }

    private static String printable(byte b) {
        return b >= 32 && b < 127 ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }

    /** A framing error; its message is the reply. */
    static final class ProtocolException extends Exception {
        ProtocolException(String message) {
            super(message, null, false, false);
        }
    }
}
