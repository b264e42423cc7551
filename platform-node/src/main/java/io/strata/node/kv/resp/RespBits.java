package io.strata.node.kv.resp;

import io.strata.node.kv.StringChange;
import io.strata.node.kv.ValueType;
import org.apache.pekko.util.ByteString;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;

import static io.strata.node.kv.resp.RespSession.ascii;
import static io.strata.node.kv.resp.RespSession.fail;
import static io.strata.node.kv.resp.RespSession.key;
import static io.strata.node.kv.resp.RespSession.parseLong;

/**
 * SETBIT, GETBIT and BITCOUNT: a string as an array of bits, as Redis has them (bit 0 is the most
 * significant bit of the first byte). SETBIT is a {@link StringChange.SetBit} its partition applies
 * at once; a string is at most {@code strata.http.max-body-bytes}, so the highest bit is below 8×
 * that (Redis's 2^32). Stateless.
 */
final class RespBits {

    private static final String BAD_OFFSET = "ERR bit offset is not an integer or out of range";
    /** Redis's bound on a bit offset: 2^32 bits, its 512 MiB string. */
    private static final long MAX_BITS = 4L * 1024 * 1024 * 1024;

    private RespBits() {}

    /** SETBIT key offset 0 | 1: the bit before. */
    static CompletionStage<ByteString> setbit(RespSession session, List<byte[]> args) {
        Long offset = parseLong(args.get(2));
        if (offset == null || offset < 0 || offset >= MAX_BITS) {
            return fail(BAD_OFFSET);
        }
        String bit = ascii(args.get(3));
        if (!bit.equals("0") && !bit.equals("1")) {
            return fail("ERR bit is not an integer or out of range");
        }
        if ((offset >>> 3) >= session.store().settings().maxValueBytes()) {
            return fail(RespSession.STRING_TOO_LONG);
        }
        return session.update(key(args.get(1)), new StringChange.SetBit(offset, bit.equals("1")))
                .thenApply(updated -> Resp.integer(StringChange.SetBit.get(updated.previous(), offset)));
    }

    /** GETBIT key offset: the bit, 0 past the end or for an absent key. */
    static CompletionStage<ByteString> getbit(RespSession session, List<byte[]> args) {
        Long offset = parseLong(args.get(2));
        if (offset == null || offset < 0 || offset >= MAX_BITS) {
            return fail(BAD_OFFSET);
        }
        return session.find(key(args.get(1)), ValueType.STRING)
                .thenApply(found -> Resp.integer(StringChange.SetBit.get(found == null ? null : found.value(), offset)));
    }

    /** BITCOUNT key [start end [BYTE | BIT]]: the bits set in the range (bytes by default; negative indexes count from the end). */
    static CompletionStage<ByteString> bitcount(RespSession session, List<byte[]> args) {
        if (args.size() != 2 && args.size() != 4 && args.size() != 5) {
            return RespSession.syntaxError();
        }
        Long start = args.size() > 2 ? parseLong(args.get(2)) : Long.valueOf(0);
        Long end = args.size() > 2 ? parseLong(args.get(3)) : Long.valueOf(-1);
        if (start == null || end == null) {
            return fail(RespSession.NOT_INTEGER);
        }
        boolean bits = false;
        if (args.size() == 5) {
            switch (ascii(args.get(4)).toUpperCase(Locale.ROOT)) {
                case "BIT" -> bits = true;
                case "BYTE" -> { }
                default -> {
                    return RespSession.syntaxError();
                }
            }
        }
        boolean inBits = bits;
        return session.find(key(args.get(1)), ValueType.STRING).thenApply(found -> {
            byte[] value = found == null ? new byte[0] : found.value();
            long length = inBits ? value.length * 8L : value.length;
            long from = start < 0 ? Math.max(0, length + start) : start;
            long to = end < 0 ? length + end : Math.min(end, length - 1);
            long count = 0;
            for (long i = from; i <= to && i < length; i++) {
                count += inBits ? StringChange.SetBit.get(value, i) : Integer.bitCount(value[(int) i] & 0xff);
            }
            return Resp.integer(count);
        });
    }
}
